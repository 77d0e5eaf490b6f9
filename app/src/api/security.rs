//! Server functions of the second factor and login protection: the 2FA step of the login
//! page, and the security, trusted, login-attempts and whitelist pages.

use super::ApiError;
use super::security_types::*;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use server_fn::codec::Json;

/// Where the login page stands after the password.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub enum LoginStep {
    SignedIn(super::types::SessionInfo),
    SecondFactor { payload: String, option: String },
}

/// Signs in; the tokens go into HttpOnly cookies, never to the page's script. A device
/// trusted earlier (its HttpOnly cookie) skips the second factor.
#[server(prefix = "/_sfn", endpoint = "login", input = Json)]
pub async fn login(username: String, password: String) -> Result<LoginStep, ApiError> {
    use super::ssr;
    let engine = ssr::engine()?;
    let input = engine::LoginInput {
        username,
        password,
        device_token: ssr::request_cookie(ssr::cookie_names(engine.config()).device),
        proxy: None,
    };
    match engine.login(&input, &ssr::meta()?).await? {
        engine::LoginOutcome::SignedIn(s) => signed_in(&engine, s).await.map(LoginStep::SignedIn),
        engine::LoginOutcome::SecondFactor(engine::SecondFactor { payload, option }) => {
            Ok(LoginStep::SecondFactor { payload, option })
        }
    }
}

#[cfg(feature = "ssr")]
pub(super) async fn signed_in(
    engine: &engine::Engine,
    s: engine::SignedIn,
) -> Result<super::types::SessionInfo, ApiError> {
    use super::ssr;
    let (info, mut cookies) = ssr::sign_in_cookies(engine, &s).await?;
    // The second factor of a sign-in through an IdP is done: its cookie goes.
    if ssr::request_cookie(ssr::sso_second_factor_cookie_name(engine.config())).is_some() {
        cookies.push(ssr::sso_second_factor_cookie(engine.config(), "", 0));
    }
    ssr::set_cookies(cookies);
    Ok(info)
}

/// The second factor due after a sign-in through an identity provider, `(payload, option)`:
/// the callback left it in an HttpOnly cookie for the login page.
#[server(prefix = "/_sfn", endpoint = "sso_second_factor", input = Json)]
pub async fn sso_second_factor() -> Result<Option<(String, String)>, ApiError> {
    use super::ssr;
    let engine = ssr::engine()?;
    let value = ssr::request_cookie(ssr::sso_second_factor_cookie_name(engine.config()));
    Ok(value.and_then(|v| {
        v.split_once('.')
            .map(|(option, payload)| (payload.to_string(), option.to_string()))
    }))
}

/// The 2FA step of the login page.
#[server(prefix = "/_sfn", endpoint = "second_factor", input = Json)]
pub async fn second_factor(
    payload: String,
    code: String,
    trust_device: bool,
    trust_network: bool,
) -> Result<super::types::SessionInfo, ApiError> {
    use super::ssr;
    let engine = ssr::engine()?;
    let input = engine::SecondFactorInput {
        payload,
        code,
        trust_device,
        trust_network,
    };
    let done = engine.complete_second_factor(&input, &ssr::meta()?).await?;
    signed_in(&engine, done).await
}

#[server(prefix = "/_sfn", endpoint = "resend_second_factor", input = Json)]
pub async fn resend_second_factor(payload: String) -> Result<(), ApiError> {
    use super::ssr;
    Ok(ssr::engine()?
        .resend_second_factor(&payload, &ssr::meta()?)
        .await?)
}

#[server(prefix = "/_sfn", endpoint = "two_factor_status", input = Json)]
pub async fn two_factor_status() -> Result<TwoFactorInfo, ApiError> {
    use super::{convert, ssr};
    let status = ssr::engine()?.two_factor_status(&ssr::principal()?).await?;
    Ok(convert::two_factor_info(status))
}

#[server(prefix = "/_sfn", endpoint = "set_two_factor_option", input = Json)]
pub async fn set_two_factor_option(option: String) -> Result<(), ApiError> {
    use super::ssr;
    Ok(ssr::engine()?
        .set_two_factor_option(&ssr::principal()?, &option, &ssr::meta()?)
        .await?)
}

#[server(prefix = "/_sfn", endpoint = "start_totp", input = Json)]
pub async fn start_totp() -> Result<TotpEnrolmentBody, ApiError> {
    use super::{convert, ssr};
    let enrolment = ssr::engine()?
        .start_totp_enrolment(&ssr::principal()?)
        .await?;
    Ok(convert::totp_enrolment(enrolment))
}

#[server(prefix = "/_sfn", endpoint = "confirm_totp", input = Json)]
pub async fn confirm_totp(code: String) -> Result<(), ApiError> {
    use super::ssr;
    Ok(ssr::engine()?
        .confirm_totp(&ssr::principal()?, &code, &ssr::meta()?)
        .await?)
}

#[server(prefix = "/_sfn", endpoint = "recovery_codes", input = Json)]
pub async fn regenerate_recovery_codes() -> Result<RecoveryCodes, ApiError> {
    use super::ssr;
    let codes = ssr::engine()?
        .regenerate_recovery_codes(&ssr::principal()?, &ssr::meta()?)
        .await?;
    Ok(RecoveryCodes { codes })
}

#[server(prefix = "/_sfn", endpoint = "trusted", input = Json)]
pub async fn trusted() -> Result<TrustedView, ApiError> {
    use super::{convert, ssr};
    Ok(convert::trusted(
        ssr::engine()?.trusted(&ssr::principal()?).await?,
    ))
}

#[server(prefix = "/_sfn", endpoint = "add_trusted_location", input = Json)]
pub async fn add_trusted_location(
    cidr: String,
    label: String,
) -> Result<TrustedLocationView, ApiError> {
    use super::{convert, ssr};
    let location = ssr::engine()?
        .add_trusted_location(&ssr::principal()?, &cidr, &label, &ssr::meta()?)
        .await?;
    Ok(convert::trusted_location(location))
}

#[server(prefix = "/_sfn", endpoint = "delete_trusted", input = Json)]
pub async fn delete_trusted(id: String) -> Result<(), ApiError> {
    use super::ssr;
    Ok(ssr::engine()?
        .delete_trusted(&ssr::principal()?, &id, &ssr::meta()?)
        .await?)
}

#[server(prefix = "/_sfn", endpoint = "login_attempts", input = Json)]
pub async fn login_attempts() -> Result<Vec<LoginAttemptView>, ApiError> {
    use super::{convert, ssr};
    Ok(convert::login_attempts(
        ssr::engine()?
            .own_login_attempts(&ssr::principal()?)
            .await?,
    ))
}

#[server(prefix = "/_sfn", endpoint = "ip_whitelist", input = Json)]
pub async fn ip_whitelist() -> Result<Vec<String>, ApiError> {
    use super::ssr;
    Ok(ssr::engine()?.ip_whitelist(&ssr::principal()?).await?)
}

#[server(prefix = "/_sfn", endpoint = "set_ip_whitelist", input = Json)]
pub async fn set_ip_whitelist(entries: Vec<String>) -> Result<Vec<String>, ApiError> {
    use super::ssr;
    Ok(ssr::engine()?
        .set_ip_whitelist(&ssr::principal()?, &entries, &ssr::meta()?)
        .await?)
}

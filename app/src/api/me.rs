//! Server functions: the signed-in user's profile, password and re-authentication.

use super::ApiError;
use super::types::{Profile, ProfilePatch, ReauthNeeds};
use leptos::prelude::*;
use server_fn::codec::Json;

#[server(prefix = "/_sfn", endpoint = "get_profile", input = Json)]
pub async fn get_profile() -> Result<Profile, ApiError> {
    use super::ssr;
    let user = ssr::engine()?.me(&ssr::principal()?).await?;
    Ok(super::convert::profile(user, false))
}

#[server(prefix = "/_sfn", endpoint = "update_profile", input = Json)]
pub async fn update_profile(patch: ProfilePatch) -> Result<Profile, ApiError> {
    use super::{convert, ssr};
    let engine = ssr::engine()?;
    let user = engine
        .update_me(
            &ssr::principal()?,
            &convert::profile_changes(&patch),
            &ssr::meta()?,
        )
        .await?;
    Ok(convert::profile(user, false))
}

/// Changes the password (the current one is required); other sessions end. This session's
/// cookies are renewed so that a forced change is lifted at once.
#[server(prefix = "/_sfn", endpoint = "change_password", input = Json)]
pub async fn change_password(
    current_password: String,
    new_password: String,
) -> Result<(), ApiError> {
    use super::ssr;
    let engine = ssr::engine()?;
    let meta = ssr::meta()?;
    engine
        .change_password(&ssr::principal()?, &current_password, &new_password, &meta)
        .await?;
    if let Some(refresh) = ssr::cookie_session()?.refresh_token {
        let tokens = engine.refresh(&refresh, &meta).await?;
        ssr::set_cookies(ssr::session_cookies(engine.config(), &tokens));
    }
    Ok(())
}

/// Confirms the user's identity again, for sensitive changes.
#[server(prefix = "/_sfn", endpoint = "reauth", input = Json)]
pub async fn reauth(password: String, code: Option<String>) -> Result<(), ApiError> {
    use super::ssr;
    ssr::engine()?
        .reauth_with_password(
            &ssr::principal()?,
            &password,
            code.as_deref(),
            &ssr::meta()?,
        )
        .await?;
    Ok(())
}

/// What "confirm it is you" asks of this user besides the password.
#[server(prefix = "/_sfn", endpoint = "reauth_needs", input = Json)]
pub async fn get_reauth_needs() -> Result<ReauthNeeds, ApiError> {
    use super::ssr;
    let code = ssr::engine()?
        .reauth_code_option(&ssr::principal()?)
        .await?;
    Ok(ReauthNeeds {
        code: code.map(str::to_string),
    })
}

/// Mails the code of a re-authentication (users of email 2FA).
#[server(prefix = "/_sfn", endpoint = "reauth_email", input = Json)]
pub async fn reauth_email() -> Result<(), ApiError> {
    use super::ssr;
    ssr::engine()?
        .send_reauth_code(&ssr::principal()?, &ssr::meta()?)
        .await?;
    Ok(())
}

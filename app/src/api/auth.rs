//! Server functions: signing in and out, the set-password link, what the login page needs.

use super::ApiError;
// Wire types by full path: the server functions `ui_config` and `session_info` generate
// structs named `UiConfig` and `SessionInfo` in this module.
use leptos::prelude::*;
use server_fn::codec::Json;

#[server(prefix = "/_sfn", endpoint = "ui_config", input = Json)]
pub async fn ui_config() -> Result<super::types::UiConfig, ApiError> {
    let engine = super::ssr::engine()?;
    Ok(super::convert::ui_config(
        &engine,
        &engine.sso_sign_in_providers(),
    ))
}

/// The signed-in user, or None.
#[server(prefix = "/_sfn", endpoint = "session_info", input = Json)]
pub async fn session_info() -> Result<Option<super::types::SessionInfo>, ApiError> {
    use super::ssr;
    match ssr::cookie_session()?.principal {
        Some(principal) => Ok(Some(session_info_of(&ssr::engine()?, &principal).await)),
        None => Ok(None),
    }
}

/// The language is read from the profile (once per document), not carried in the token,
/// so that a change shows at once. A user gone since the token was issued gets none.
#[cfg(feature = "ssr")]
pub(super) async fn session_info_of(
    engine: &engine::Engine,
    principal: &engine::Principal,
) -> super::types::SessionInfo {
    let language = match engine.me(principal).await {
        Ok(user) => user.language,
        Err(_) => String::new(),
    };
    super::convert::session_info(principal, language)
}

#[server(prefix = "/_sfn", endpoint = "logout", input = Json)]
pub async fn logout() -> Result<(), ApiError> {
    use super::ssr;
    let engine = ssr::engine()?;
    let session = ssr::cookie_session()?;
    if let Some(token) = session.refresh_token {
        // An already dead session is fine: the cookies are cleared all the same.
        let _ = engine.logout(&token, &ssr::meta()?).await;
    }
    ssr::set_cookies(ssr::clear_cookies(engine.config()));
    Ok(())
}

/// Consumes a set-password (or reset) link token; the user then signs in.
#[server(prefix = "/_sfn", endpoint = "set_password", input = Json)]
pub async fn set_password(token: String, password: String) -> Result<(), ApiError> {
    use super::ssr;
    ssr::engine()?
        .confirm_password_reset(&token, &password, &ssr::meta()?)
        .await?;
    Ok(())
}

/// Asks for a reset link. Answers the same whether or not the user exists.
#[server(prefix = "/_sfn", endpoint = "request_password_reset", input = Json)]
pub async fn request_password_reset(
    username: String,
    ui_id: Option<String>,
    ui_language: Option<String>,
) -> Result<(), ApiError> {
    use super::ssr;
    let request = engine::ResetRequest {
        username,
        ui_id,
        ui_language,
        proxy: None,
    };
    ssr::engine()?.request_password_reset(request, &ssr::meta()?);
    Ok(())
}

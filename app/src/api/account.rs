//! Server functions of the M2M token (profile page), the sessions and the callbacks pages.

use super::ApiError;
use super::account_types::*;
use leptos::prelude::*;
use server_fn::codec::Json;

/// A new M2M token, replacing any earlier one; `expires_at` RFC 3339 or none.
#[server(prefix = "/_sfn", endpoint = "set_m2m_token", input = Json)]
pub async fn set_m2m_token(expires_at: Option<String>) -> Result<M2mTokenView, ApiError> {
    use super::{convert, ssr};
    let expires_at = engine::clock::parse_time("expires_at", expires_at.as_deref())?;
    let token = ssr::engine()?
        .set_own_m2m_token(&ssr::principal()?, expires_at, &ssr::meta()?)
        .await?;
    Ok(convert::m2m_token(token))
}

#[server(prefix = "/_sfn", endpoint = "m2m_token", input = Json)]
pub async fn m2m_token() -> Result<M2mTokenView, ApiError> {
    use super::{convert, ssr};
    let token = ssr::engine()?.own_m2m_token(&ssr::principal()?).await?;
    Ok(convert::m2m_token(token))
}

#[server(prefix = "/_sfn", endpoint = "delete_m2m_token", input = Json)]
pub async fn delete_m2m_token() -> Result<(), ApiError> {
    use super::ssr;
    Ok(ssr::engine()?
        .delete_own_m2m_token(&ssr::principal()?, &ssr::meta()?)
        .await?)
}

#[server(prefix = "/_sfn", endpoint = "sessions", input = Json)]
pub async fn sessions() -> Result<Vec<SessionView>, ApiError> {
    use super::{convert, ssr};
    Ok(convert::sessions(
        ssr::engine()?.sessions(&ssr::principal()?).await?,
    ))
}

#[server(prefix = "/_sfn", endpoint = "end_session", input = Json)]
pub async fn end_session(id: String) -> Result<(), ApiError> {
    use super::ssr;
    Ok(ssr::engine()?
        .end_own_session(&ssr::principal()?, &id, &ssr::meta()?)
        .await?)
}

#[server(prefix = "/_sfn", endpoint = "end_other_sessions", input = Json)]
pub async fn end_other_sessions() -> Result<(), ApiError> {
    use super::ssr;
    Ok(ssr::engine()?
        .end_other_sessions(&ssr::principal()?, &ssr::meta()?)
        .await?)
}

#[server(prefix = "/_sfn", endpoint = "callbacks", input = Json)]
pub async fn callbacks() -> Result<Vec<CallbackView>, ApiError> {
    use super::{convert, ssr};
    Ok(convert::callbacks(
        ssr::engine()?.callbacks(&ssr::principal()?).await?,
    ))
}

#[server(prefix = "/_sfn", endpoint = "set_callbacks", input = Json)]
pub async fn set_callbacks(list: Vec<CallbackSet>) -> Result<Vec<CallbackView>, ApiError> {
    use super::{convert, ssr};
    let saved = ssr::engine()?
        .set_callbacks(
            &ssr::principal()?,
            &convert::callback_inputs(list),
            &ssr::meta()?,
        )
        .await?;
    Ok(convert::callbacks(saved))
}

#[server(prefix = "/_sfn", endpoint = "test_callback", input = Json)]
pub async fn test_callback(url: String) -> Result<CallbackTestResult, ApiError> {
    use super::{convert, ssr};
    let outcome = ssr::engine()?
        .test_callback(&ssr::principal()?, &url, &ssr::meta()?)
        .await?;
    Ok(convert::callback_test(outcome))
}

//! Server functions of passkeys: login from the login page, registration and management on
//! the passkeys page, re-authentication in the "confirm it is you" prompt.

use super::ApiError;
use super::passkey_types::{CeremonyStart, PasskeyView};
use super::types::SessionInfo;
use leptos::prelude::*;
use serde_json::Value;
use server_fn::codec::Json;

#[server(prefix = "/_sfn", endpoint = "passkey_login_start", input = Json)]
pub async fn passkey_login_start(username: Option<String>) -> Result<CeremonyStart, ApiError> {
    use super::{convert, ssr};
    let ceremony = ssr::engine()?
        .start_passkey_login(username.as_deref())
        .await?;
    Ok(convert::ceremony(ceremony))
}

/// A complete login: the tokens go into HttpOnly cookies, as for a password login.
#[server(prefix = "/_sfn", endpoint = "passkey_login_finish", input = Json)]
pub async fn passkey_login_finish(
    challenge_id: String,
    credential: Value,
) -> Result<SessionInfo, ApiError> {
    use super::ssr;
    let engine = ssr::engine()?;
    let tokens = engine
        .finish_passkey_login(&challenge_id, &credential, &ssr::meta()?)
        .await?;
    let signed_in = engine::SignedIn {
        tokens,
        device_token: None,
    };
    super::security::signed_in(&engine, signed_in).await
}

#[server(prefix = "/_sfn", endpoint = "list_passkeys", input = Json)]
pub async fn list_passkeys() -> Result<Vec<PasskeyView>, ApiError> {
    use super::{convert, ssr};
    let keys = ssr::engine()?.passkeys(&ssr::principal()?).await?;
    Ok(keys.into_iter().map(convert::passkey).collect())
}

#[server(prefix = "/_sfn", endpoint = "passkey_register_start", input = Json)]
pub async fn passkey_register_start(name: String) -> Result<CeremonyStart, ApiError> {
    use super::{convert, ssr};
    let ceremony = ssr::engine()?
        .start_passkey_registration(&ssr::principal()?, &name)
        .await?;
    Ok(convert::ceremony(ceremony))
}

#[server(prefix = "/_sfn", endpoint = "passkey_register_finish", input = Json)]
pub async fn passkey_register_finish(
    challenge_id: String,
    credential: Value,
) -> Result<PasskeyView, ApiError> {
    use super::{convert, ssr};
    let key = ssr::engine()?
        .finish_passkey_registration(
            &ssr::principal()?,
            &challenge_id,
            &credential,
            &ssr::meta()?,
        )
        .await?;
    Ok(convert::passkey(key))
}

#[server(prefix = "/_sfn", endpoint = "rename_passkey", input = Json)]
pub async fn rename_passkey(id: String, name: String) -> Result<PasskeyView, ApiError> {
    use super::{convert, ssr};
    let key = ssr::engine()?
        .rename_passkey(&ssr::principal()?, &id, &name, &ssr::meta()?)
        .await?;
    Ok(convert::passkey(key))
}

#[server(prefix = "/_sfn", endpoint = "delete_passkey", input = Json)]
pub async fn delete_passkey(id: String) -> Result<(), ApiError> {
    use super::ssr;
    Ok(ssr::engine()?
        .delete_passkey(&ssr::principal()?, &id, &ssr::meta()?)
        .await?)
}

#[server(prefix = "/_sfn", endpoint = "passkey_reauth_start", input = Json)]
pub async fn passkey_reauth_start() -> Result<CeremonyStart, ApiError> {
    use super::{convert, ssr};
    let ceremony = ssr::engine()?
        .start_passkey_reauth(&ssr::principal()?)
        .await?;
    Ok(convert::ceremony(ceremony))
}

#[server(prefix = "/_sfn", endpoint = "passkey_reauth", input = Json)]
pub async fn passkey_reauth(challenge_id: String, credential: Value) -> Result<(), ApiError> {
    use super::ssr;
    Ok(ssr::engine()?
        .reauth_with_passkey(
            &ssr::principal()?,
            &challenge_id,
            &credential,
            &ssr::meta()?,
        )
        .await?)
}

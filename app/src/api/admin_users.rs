//! Server functions of the admin users pages: the same engine calls as `/api/v01/admin/users`.

use super::ApiError;
use super::account_types::M2mTokenView;
use super::security_types::LoginAttemptView;
use super::types::{Profile, UserCreate, UserList, UserPatch};
use leptos::prelude::*;
use server_fn::codec::Json;

#[server(prefix = "/_sfn", endpoint = "admin_list_users", input = Json)]
pub async fn list_users(q: String, page: u32) -> Result<UserList, ApiError> {
    use super::{convert, ssr};
    let found = ssr::engine()?
        .list_users(&ssr::principal()?, &q, page)
        .await?;
    Ok(UserList {
        users: found
            .users
            .into_iter()
            .map(|u| convert::profile(u, true))
            .collect(),
        total: found.total,
    })
}

#[server(prefix = "/_sfn", endpoint = "admin_create_user", input = Json)]
pub async fn create_user(user: UserCreate) -> Result<Profile, ApiError> {
    use super::{convert, ssr};
    let created = ssr::engine()?
        .create_user(&ssr::principal()?, &convert::new_user(&user), &ssr::meta()?)
        .await?;
    Ok(convert::profile(created, true))
}

#[server(prefix = "/_sfn", endpoint = "admin_get_user", input = Json)]
pub async fn get_user(username: String) -> Result<Profile, ApiError> {
    use super::{convert, ssr};
    let user = ssr::engine()?
        .get_user(&ssr::principal()?, &username)
        .await?;
    Ok(convert::profile(user, true))
}

#[server(prefix = "/_sfn", endpoint = "admin_update_user", input = Json)]
pub async fn update_user(username: String, patch: UserPatch) -> Result<Profile, ApiError> {
    use super::{convert, ssr};
    let user = ssr::engine()?
        .update_user(
            &ssr::principal()?,
            &username,
            &convert::user_changes(&patch),
            &ssr::meta()?,
        )
        .await?;
    Ok(convert::profile(user, true))
}

#[server(prefix = "/_sfn", endpoint = "admin_delete_user", input = Json)]
pub async fn delete_user(username: String) -> Result<(), ApiError> {
    use super::ssr;
    Ok(ssr::engine()?
        .delete_user(&ssr::principal()?, &username, &ssr::meta()?)
        .await?)
}

#[server(prefix = "/_sfn", endpoint = "admin_unlock_user", input = Json)]
pub async fn unlock_user(username: String) -> Result<(), ApiError> {
    use super::ssr;
    Ok(ssr::engine()?
        .unlock_user(&ssr::principal()?, &username, &ssr::meta()?)
        .await?)
}

#[server(prefix = "/_sfn", endpoint = "admin_end_sessions", input = Json)]
pub async fn end_user_sessions(username: String) -> Result<(), ApiError> {
    use super::ssr;
    Ok(ssr::engine()?
        .admin_end_sessions(&ssr::principal()?, &username, &ssr::meta()?)
        .await?)
}

#[server(prefix = "/_sfn", endpoint = "admin_set_m2m_token", input = Json)]
pub async fn set_user_m2m_token(
    username: String,
    expires_at: Option<String>,
) -> Result<M2mTokenView, ApiError> {
    use super::{convert, ssr};
    let expires_at = engine::clock::parse_time("expires_at", expires_at.as_deref())?;
    let token = ssr::engine()?
        .admin_set_m2m_token(&ssr::principal()?, &username, expires_at, &ssr::meta()?)
        .await?;
    Ok(convert::m2m_token(token))
}

#[server(prefix = "/_sfn", endpoint = "admin_delete_m2m_token", input = Json)]
pub async fn delete_user_m2m_token(username: String) -> Result<(), ApiError> {
    use super::ssr;
    Ok(ssr::engine()?
        .admin_delete_m2m_token(&ssr::principal()?, &username, &ssr::meta()?)
        .await?)
}

#[server(prefix = "/_sfn", endpoint = "admin_login_attempts", input = Json)]
pub async fn user_login_attempts(username: String) -> Result<Vec<LoginAttemptView>, ApiError> {
    use super::{convert, ssr};
    let list = ssr::engine()?
        .user_login_attempts(&ssr::principal()?, &username)
        .await?;
    Ok(convert::login_attempts(list))
}

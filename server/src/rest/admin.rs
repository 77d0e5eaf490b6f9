//! `/api/v01/admin/*`: platform settings, users, audit events (admin role).

use crate::AppState;
use crate::error::HttpResult;
use crate::json::ApiJson;
use crate::session::{AdminCaller, Meta};
use app::api::convert;
use app::api::security_types::LoginAttemptView;
use app::api::types::{
    AuditEventView, ErrorBody, PlatformSettings, Profile, UserCreate, UserList, UserPatch,
};
use axum::Json;
use axum::extract::{Path, Query, State};
use http::StatusCode;
use serde::Deserialize;

#[utoipa::path(get, path = "/api/v01/admin/config", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = PlatformSettings), (status = 403, body = ErrorBody)))]
pub async fn get_config(
    State(s): State<AppState>,
    _admin: AdminCaller,
) -> HttpResult<Json<serde_json::Value>> {
    Ok(Json(s.engine.settings().admin_view()))
}

/// Any subset of the settings; an invalid value is 400 naming the field, and nothing is saved.
#[utoipa::path(put, path = "/api/v01/admin/config", tag = "admin", security(("bearer" = [])), request_body = PlatformSettings,
    responses((status = 200, body = PlatformSettings), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn put_config(
    State(s): State<AppState>,
    AdminCaller(p): AdminCaller,
    Meta(meta): Meta,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> HttpResult<Json<serde_json::Value>> {
    let saved = s.engine.update_settings(&p, &body, &meta).await?;
    Ok(Json(saved.admin_view()))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct UserQuery {
    /// Search in username, names and email.
    q: Option<String>,
    /// 1-based page of 50.
    page: Option<u32>,
}

#[utoipa::path(get, path = "/api/v01/admin/users", tag = "admin", security(("bearer" = [])), params(UserQuery),
    responses((status = 200, body = UserList), (status = 403, body = ErrorBody)))]
pub async fn list_users(
    State(s): State<AppState>,
    AdminCaller(p): AdminCaller,
    Query(q): Query<UserQuery>,
) -> HttpResult<Json<UserList>> {
    let page = s
        .engine
        .list_users(&p, q.q.as_deref().unwrap_or(""), q.page.unwrap_or(1))
        .await?;
    Ok(Json(UserList {
        users: page
            .users
            .into_iter()
            .map(|u| convert::profile(u, true))
            .collect(),
        total: page.total,
    }))
}

#[utoipa::path(post, path = "/api/v01/admin/users", tag = "admin", security(("bearer" = [])), request_body = UserCreate,
    responses((status = 201, body = Profile), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn create_user(
    State(s): State<AppState>,
    AdminCaller(p): AdminCaller,
    Meta(meta): Meta,
    ApiJson(body): ApiJson<UserCreate>,
) -> HttpResult<(StatusCode, Json<Profile>)> {
    let user = s
        .engine
        .create_user(&p, &convert::new_user(&body), &meta)
        .await?;
    Ok((StatusCode::CREATED, Json(convert::profile(user, true))))
}

#[utoipa::path(get, path = "/api/v01/admin/users/{username}", tag = "admin", security(("bearer" = [])),
    params(("username" = String, Path)), responses((status = 200, body = Profile), (status = 404, body = ErrorBody)))]
pub async fn get_user(
    State(s): State<AppState>,
    AdminCaller(p): AdminCaller,
    Path(username): Path<String>,
) -> HttpResult<Json<Profile>> {
    Ok(Json(convert::profile(
        s.engine.get_user(&p, &username).await?,
        true,
    )))
}

#[utoipa::path(patch, path = "/api/v01/admin/users/{username}", tag = "admin", security(("bearer" = [])),
    params(("username" = String, Path)), request_body = UserPatch,
    responses((status = 200, body = Profile), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn patch_user(
    State(s): State<AppState>,
    AdminCaller(p): AdminCaller,
    Meta(meta): Meta,
    Path(username): Path<String>,
    ApiJson(body): ApiJson<UserPatch>,
) -> HttpResult<Json<Profile>> {
    let user = s
        .engine
        .update_user(&p, &username, &convert::user_changes(&body), &meta)
        .await?;
    Ok(Json(convert::profile(user, true)))
}

#[utoipa::path(delete, path = "/api/v01/admin/users/{username}", tag = "admin", security(("bearer" = [])),
    params(("username" = String, Path)), responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn delete_user(
    State(s): State<AppState>,
    AdminCaller(p): AdminCaller,
    Meta(meta): Meta,
    Path(username): Path<String>,
) -> HttpResult<StatusCode> {
    s.engine.delete_user(&p, &username, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct EventQuery {
    user: Option<String>,
    #[serde(rename = "type")]
    #[param(rename = "type")]
    kind: Option<String>,
    /// RFC 3339.
    since: Option<String>,
}

/// Audit events, newest first (at most 500).
#[utoipa::path(get, path = "/api/v01/admin/events", tag = "admin", security(("bearer" = [])), params(EventQuery),
    responses((status = 200, body = Vec<AuditEventView>), (status = 400, body = ErrorBody)))]
pub async fn events(
    State(s): State<AppState>,
    AdminCaller(p): AdminCaller,
    Query(q): Query<EventQuery>,
) -> HttpResult<Json<Vec<AuditEventView>>> {
    let filter = convert::audit_filter(q.user, q.kind, q.since.as_deref())?;
    let events = s.engine.audit_events(&p, filter).await?;
    Ok(Json(events.into_iter().map(convert::audit_event).collect()))
}

/// The user's last 15 login attempts, with the reasons of the failures.
#[utoipa::path(get, path = "/api/v01/admin/users/{username}/login_attempts", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = Vec<LoginAttemptView>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn login_attempts(
    State(s): State<AppState>,
    AdminCaller(p): AdminCaller,
    Path(username): Path<String>,
) -> HttpResult<Json<Vec<LoginAttemptView>>> {
    let list = s.engine.user_login_attempts(&p, &username).await?;
    Ok(Json(convert::login_attempts(list)))
}

/// Ends a lockout now.
#[utoipa::path(post, path = "/api/v01/admin/users/{username}/unlock", tag = "admin", security(("bearer" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn unlock(
    State(s): State<AppState>,
    AdminCaller(p): AdminCaller,
    Meta(meta): Meta,
    Path(username): Path<String>,
) -> HttpResult<StatusCode> {
    s.engine.unlock_user(&p, &username, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}

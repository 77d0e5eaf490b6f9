//! `/api/v01/me/m2m_token` and `/api/v01/admin/users/{username}/m2m_token`: per-user M2M tokens.

use crate::AppState;
use crate::error::HttpResult;
use crate::json::ApiJson;
use crate::session::{AdminCaller, Caller, Meta};
use app::api::account_types::{M2mTokenRequest, M2mTokenView};
use app::api::convert;
use app::api::types::ErrorBody;
use axum::Json;
use axum::extract::{Path, State};
use engine::clock::parse_time;
use http::StatusCode;

/// A new M2M token, replacing any earlier one (needs a recent re-authentication).
#[utoipa::path(put, path = "/api/v01/me/m2m_token", tag = "me", security(("bearer" = [])), request_body = M2mTokenRequest,
    responses((status = 200, body = M2mTokenView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn put_own(
    State(s): State<AppState>,
    Caller(p): Caller,
    Meta(meta): Meta,
    ApiJson(body): ApiJson<M2mTokenRequest>,
) -> HttpResult<Json<M2mTokenView>> {
    let expires_at = parse_time("expires_at", body.expires_at.as_deref())?;
    let token = s.engine.set_own_m2m_token(&p, expires_at, &meta).await?;
    Ok(Json(convert::m2m_token(token)))
}

/// The caller's M2M token again, for copying (needs a recent re-authentication); 404 when
/// none is set.
#[utoipa::path(get, path = "/api/v01/me/m2m_token", tag = "me", security(("bearer" = [])),
    responses((status = 200, body = M2mTokenView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_own(
    State(s): State<AppState>,
    Caller(p): Caller,
) -> HttpResult<Json<M2mTokenView>> {
    Ok(Json(convert::m2m_token(s.engine.own_m2m_token(&p).await?)))
}

/// Removes the caller's M2M token (needs a recent re-authentication).
#[utoipa::path(delete, path = "/api/v01/me/m2m_token", tag = "me", security(("bearer" = [])),
    responses((status = 204), (status = 403, body = ErrorBody)))]
pub async fn delete_own(
    State(s): State<AppState>,
    Caller(p): Caller,
    Meta(meta): Meta,
) -> HttpResult<StatusCode> {
    s.engine.delete_own_m2m_token(&p, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Regenerates a user's M2M token; the token is in the answer only for `system` users.
#[utoipa::path(put, path = "/api/v01/admin/users/{username}/m2m_token", tag = "admin", security(("bearer" = [])),
    params(("username" = String, Path)), request_body = M2mTokenRequest,
    responses((status = 200, body = M2mTokenView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn put_user(
    State(s): State<AppState>,
    AdminCaller(p): AdminCaller,
    Meta(meta): Meta,
    Path(username): Path<String>,
    ApiJson(body): ApiJson<M2mTokenRequest>,
) -> HttpResult<Json<M2mTokenView>> {
    let expires_at = parse_time("expires_at", body.expires_at.as_deref())?;
    let token = s
        .engine
        .admin_set_m2m_token(&p, &username, expires_at, &meta)
        .await?;
    Ok(Json(convert::m2m_token(token)))
}

#[utoipa::path(delete, path = "/api/v01/admin/users/{username}/m2m_token", tag = "admin", security(("bearer" = [])),
    params(("username" = String, Path)), responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_user(
    State(s): State<AppState>,
    AdminCaller(p): AdminCaller,
    Meta(meta): Meta,
    Path(username): Path<String>,
) -> HttpResult<StatusCode> {
    s.engine
        .admin_delete_m2m_token(&p, &username, &meta)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

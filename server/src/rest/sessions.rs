//! `/api/v01/me/sessions` and `/api/v01/admin/users/{username}/sessions`.

use crate::AppState;
use crate::error::HttpResult;
use crate::session::{AdminCaller, Caller, Meta};
use app::api::account_types::SessionView;
use app::api::convert;
use app::api::types::ErrorBody;
use axum::Json;
use axum::extract::{Path, State};
use http::StatusCode;

/// The caller's live sessions, most recently used first; `current` marks this one.
#[utoipa::path(get, path = "/api/v01/me/sessions", tag = "me", security(("bearer" = [])),
    responses((status = 200, body = Vec<SessionView>), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    Caller(p): Caller,
) -> HttpResult<Json<Vec<SessionView>>> {
    Ok(Json(convert::sessions(s.engine.sessions(&p).await?)))
}

/// Ends every session of the caller but this one.
#[utoipa::path(delete, path = "/api/v01/me/sessions", tag = "me", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn end_others(
    State(s): State<AppState>,
    Caller(p): Caller,
    Meta(meta): Meta,
) -> HttpResult<StatusCode> {
    s.engine.end_other_sessions(&p, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Ends one of the caller's sessions; another user's is 404.
#[utoipa::path(delete, path = "/api/v01/me/sessions/{id}", tag = "me", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn end_one(
    State(s): State<AppState>,
    Caller(p): Caller,
    Meta(meta): Meta,
    Path(id): Path<String>,
) -> HttpResult<StatusCode> {
    s.engine.end_own_session(&p, &id, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Ends every session of the user at once, on every instance.
#[utoipa::path(delete, path = "/api/v01/admin/users/{username}/sessions", tag = "admin", security(("bearer" = [])),
    params(("username" = String, Path)), responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn end_user(
    State(s): State<AppState>,
    AdminCaller(p): AdminCaller,
    Meta(meta): Meta,
    Path(username): Path<String>,
) -> HttpResult<StatusCode> {
    s.engine.admin_end_sessions(&p, &username, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}

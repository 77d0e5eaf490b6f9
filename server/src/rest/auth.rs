//! `/api/v01/auth/*`: public authentication endpoints.

use crate::AppState;
use crate::error::{HttpError, HttpResult};
use crate::json::ApiJson;
use crate::session::{Meta, bearer};
use app::api::convert;
use app::api::types::{
    ErrorBody, LoginRequest, ResetConfirm, ResetRequest, TokenResponse, UiConfig,
};
use axum::Json;
use axum::extract::State;
use http::{StatusCode, request::Parts};

fn tokens(t: engine::Tokens) -> Json<TokenResponse> {
    Json(TokenResponse {
        access_token: t.access_token,
        refresh_token: t.refresh_token,
        token: None,
    })
}

/// Password login. Every failure is the same 401 `invalid_credentials`.
#[utoipa::path(post, path = "/api/v01/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = TokenResponse), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 413, body = ErrorBody)))]
pub async fn login(
    State(s): State<AppState>,
    Meta(meta): Meta,
    ApiJson(req): ApiJson<LoginRequest>,
) -> HttpResult<Json<TokenResponse>> {
    Ok(tokens(
        s.engine.login(&req.username, &req.password, &meta).await?,
    ))
}

/// A new access token for the refresh token in `Authorization: Bearer`.
#[utoipa::path(get, path = "/api/v01/auth/access_token", tag = "auth",
    security(("bearer" = [])),
    responses((status = 200, body = TokenResponse), (status = 401, body = ErrorBody)))]
pub async fn access_token(
    State(s): State<AppState>,
    Meta(meta): Meta,
    parts: Parts,
) -> HttpResult<Json<TokenResponse>> {
    let token = bearer(&parts).ok_or(HttpError::from(engine::Error::InvalidToken))??;
    Ok(tokens(s.engine.refresh(token, &meta).await?))
}

/// Ends the session of the access or refresh token in `Authorization: Bearer`.
#[utoipa::path(post, path = "/api/v01/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn logout(
    State(s): State<AppState>,
    Meta(meta): Meta,
    parts: Parts,
) -> HttpResult<StatusCode> {
    let token = bearer(&parts).ok_or(HttpError::from(engine::Error::InvalidToken))??;
    s.engine.logout(token, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Public keys of the access tokens, for offline verification.
#[utoipa::path(get, path = "/api/v01/auth/jwks.json", tag = "auth",
    responses((status = 200, description = "JSON Web Key Set", body = Object)))]
pub async fn jwks(State(s): State<AppState>) -> Json<serde_json::Value> {
    Json(s.engine.jwks())
}

/// What the login page needs before anyone signs in.
#[utoipa::path(get, path = "/api/v01/auth/ui_config", tag = "auth", responses((status = 200, body = UiConfig)))]
pub async fn ui_config(State(s): State<AppState>) -> Json<UiConfig> {
    Json(convert::ui_config(&s.engine.settings()))
}

/// Mails a reset link (or calls the notification workflow). The answer is the same, and as
/// fast, for unknown users, SSO users and repeated requests.
#[utoipa::path(post, path = "/api/v01/auth/reset_password", tag = "auth", request_body = ResetRequest,
    responses((status = 200, body = Object), (status = 400, body = ErrorBody)))]
pub async fn reset_password(
    State(s): State<AppState>,
    Meta(meta): Meta,
    ApiJson(req): ApiJson<ResetRequest>,
) -> Json<serde_json::Value> {
    s.engine
        .request_password_reset(convert::reset_request(req), &meta);
    Json(serde_json::json!({}))
}

/// Sets a password from a single-use link token (reset, welcome, first admin). Issues no tokens.
#[utoipa::path(post, path = "/api/v01/auth/reset_password/confirm", tag = "auth", request_body = ResetConfirm,
    responses((status = 200, body = Object), (status = 400, body = ErrorBody)))]
pub async fn reset_confirm(
    State(s): State<AppState>,
    Meta(meta): Meta,
    ApiJson(req): ApiJson<ResetConfirm>,
) -> HttpResult<Json<serde_json::Value>> {
    s.engine
        .confirm_password_reset(&req.token, &req.password, &meta)
        .await?;
    Ok(Json(serde_json::json!({})))
}

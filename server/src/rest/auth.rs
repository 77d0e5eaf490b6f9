//! `/api/v01/auth/*`: public authentication endpoints.

use crate::AppState;
use crate::error::{HttpError, HttpResult};
use crate::json::ApiJson;
use crate::session::{Meta, bearer};
use app::api::convert;
use app::api::security_types::{SecondFactorRequest, SecondFactorResend};
use app::api::types::{
    ErrorBody, LoginAnswer, LoginRequest, ResetConfirm, ResetRequest, TokenResponse, UiConfig,
};
use axum::Json;
use axum::extract::State;
use http::{StatusCode, request::Parts};

fn tokens(t: engine::Tokens) -> Json<TokenResponse> {
    Json(convert::tokens(t, None))
}

/// Password login: the tokens, or `{2fa_payload, option}` when a second factor is due.
/// Every failure is the same 401 `invalid_credentials`.
#[utoipa::path(post, path = "/api/v01/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = LoginAnswer), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 413, body = ErrorBody)))]
pub async fn login(
    State(s): State<AppState>,
    Meta(meta): Meta,
    ApiJson(req): ApiJson<LoginRequest>,
) -> HttpResult<Json<LoginAnswer>> {
    let input = engine::LoginInput {
        username: req.username,
        password: req.password,
        device_token: req.device_token,
        proxy: req.proxy,
    };
    Ok(Json(convert::login_answer(
        s.engine.login(&input, &meta).await?,
    )))
}

/// The 2FA step: the code (or a recovery code) for the payload of a login. A wrong code is
/// 401; the fifth kills the payload.
#[utoipa::path(post, path = "/api/v01/auth/2fa", tag = "auth", request_body = SecondFactorRequest,
    responses((status = 200, body = TokenResponse), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody)))]
pub async fn second_factor(
    State(s): State<AppState>,
    Meta(meta): Meta,
    ApiJson(req): ApiJson<SecondFactorRequest>,
) -> HttpResult<Json<TokenResponse>> {
    let done = s
        .engine
        .complete_second_factor(&convert::second_factor_input(req), &meta)
        .await?;
    Ok(Json(convert::tokens(done.tokens, done.device_token)))
}

/// Mails a new code (email option), at most once a minute; wrong codes stay counted.
#[utoipa::path(post, path = "/api/v01/auth/2fa/resend", tag = "auth", request_body = SecondFactorResend,
    responses((status = 204), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn second_factor_resend(
    State(s): State<AppState>,
    Meta(meta): Meta,
    ApiJson(req): ApiJson<SecondFactorResend>,
) -> HttpResult<StatusCode> {
    s.engine.resend_second_factor(&req.payload, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
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
    Json(convert::ui_config(
        &s.engine,
        &s.engine.sso_sign_in_providers(),
    ))
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

//! `/api/v01/me`: the signed-in user.

use crate::AppState;
use crate::error::HttpResult;
use crate::json::ApiJson;
use crate::session::{Caller, Meta};
use app::api::convert;
use app::api::passkey_types::ReauthBody;
use app::api::types::{ErrorBody, PasswordChange, Profile, ProfilePatch, ReauthNeeds};
use axum::Json;
use axum::extract::State;
use http::StatusCode;

#[utoipa::path(get, path = "/api/v01/me", tag = "me", security(("bearer" = [])),
    responses((status = 200, body = Profile), (status = 401, body = ErrorBody)))]
pub async fn get(State(s): State<AppState>, Caller(p): Caller) -> HttpResult<Json<Profile>> {
    Ok(Json(convert::profile(s.engine.me(&p).await?, false)))
}

/// Changes the caller's own profile fields; others are ignored. Email needs re-authentication.
#[utoipa::path(patch, path = "/api/v01/me", tag = "me", security(("bearer" = [])), request_body = ProfilePatch,
    responses((status = 200, body = Profile), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn patch(
    State(s): State<AppState>,
    Caller(p): Caller,
    Meta(meta): Meta,
    ApiJson(body): ApiJson<ProfilePatch>,
) -> HttpResult<Json<Profile>> {
    let user = s
        .engine
        .update_me(&p, &convert::profile_changes(&body), &meta)
        .await?;
    Ok(Json(convert::profile(user, false)))
}

/// Changes the password; the user's other sessions end.
#[utoipa::path(put, path = "/api/v01/me/password", tag = "me", security(("bearer" = [])), request_body = PasswordChange,
    responses((status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn password(
    State(s): State<AppState>,
    Caller(p): Caller,
    Meta(meta): Meta,
    ApiJson(body): ApiJson<PasswordChange>,
) -> HttpResult<StatusCode> {
    s.engine
        .change_password(&p, &body.current_password, &body.new_password, &meta)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Re-authenticates this session for sensitive changes: with the password (and code), or
/// with a passkey assertion.
#[utoipa::path(post, path = "/api/v01/me/reauth", tag = "me", security(("bearer" = [])), request_body = ReauthBody,
    responses((status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn reauth(
    State(s): State<AppState>,
    Caller(p): Caller,
    Meta(meta): Meta,
    ApiJson(body): ApiJson<ReauthBody>,
) -> HttpResult<StatusCode> {
    match body {
        ReauthBody::Password(b) => {
            s.engine
                .reauth_with_password(&p, &b.password, b.code.as_deref(), &meta)
                .await?
        }
        ReauthBody::Passkey(b) => {
            s.engine
                .reauth_with_passkey(&p, &b.challenge_id, &b.credential, &meta)
                .await?
        }
    }
    Ok(StatusCode::NO_CONTENT)
}

/// What a re-authentication asks for besides the password.
#[utoipa::path(get, path = "/api/v01/me/reauth", tag = "me", security(("bearer" = [])),
    responses((status = 200, body = ReauthNeeds), (status = 401, body = ErrorBody)))]
pub async fn reauth_needs(
    State(s): State<AppState>,
    Caller(p): Caller,
) -> HttpResult<Json<ReauthNeeds>> {
    let code = s.engine.reauth_code_option(&p).await?;
    Ok(Json(ReauthNeeds {
        code: code.map(str::to_string),
    }))
}

/// Mails a code for `POST /api/v01/me/reauth` to a user of email 2FA; at most once a minute,
/// each new code replacing the last.
#[utoipa::path(post, path = "/api/v01/me/reauth/email", tag = "me", security(("bearer" = [])),
    responses((status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 429, body = ErrorBody)))]
pub async fn reauth_email(
    State(s): State<AppState>,
    Caller(p): Caller,
    Meta(meta): Meta,
) -> HttpResult<StatusCode> {
    s.engine.send_reauth_code(&p, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}

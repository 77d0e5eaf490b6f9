//! `/api/v01/auth/webauthn/*` and `/api/v01/me/passkeys`: passkey login, registration and
//! management. Ceremony starts answer `{challenge_id, publicKey}`; finishes take
//! `{challenge_id, credential}`.

use crate::AppState;
use crate::error::HttpResult;
use crate::json::ApiJson;
use crate::session::{Caller, Meta};
use app::api::convert;
use app::api::passkey_types::*;
use app::api::types::{ErrorBody, TokenResponse};
use axum::Json;
use axum::extract::{Path, State};
use http::StatusCode;

/// Starts a passkey login: with `username`, that user's passkeys; without, any passkey of
/// this site (discoverable, also what autofill uses). 404 while passkeys are disabled.
#[utoipa::path(post, path = "/api/v01/auth/webauthn/login/start", tag = "auth", request_body = PasskeyLoginStart,
    responses((status = 200, body = CeremonyStart), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn login_start(
    State(s): State<AppState>,
    ApiJson(body): ApiJson<PasskeyLoginStart>,
) -> HttpResult<Json<CeremonyStart>> {
    let ceremony = s
        .engine
        .start_passkey_login(body.username.as_deref())
        .await?;
    Ok(Json(convert::ceremony(ceremony)))
}

/// Finishes a passkey login: a complete login (no 2FA step). Every refusal is 401.
#[utoipa::path(post, path = "/api/v01/auth/webauthn/login/finish", tag = "auth", request_body = CeremonyFinish,
    responses((status = 200, body = TokenResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn login_finish(
    State(s): State<AppState>,
    Meta(meta): Meta,
    ApiJson(body): ApiJson<CeremonyFinish>,
) -> HttpResult<Json<TokenResponse>> {
    let tokens = s
        .engine
        .finish_passkey_login(&body.challenge_id, &body.credential, &meta)
        .await?;
    Ok(Json(convert::tokens(tokens, None)))
}

#[utoipa::path(get, path = "/api/v01/me/passkeys", tag = "me", security(("bearer" = [])),
    responses((status = 200, body = Vec<PasskeyView>), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    Caller(p): Caller,
) -> HttpResult<Json<Vec<PasskeyView>>> {
    let keys = s.engine.passkeys(&p).await?;
    Ok(Json(keys.into_iter().map(convert::passkey).collect()))
}

/// Starts registering a passkey (needs a recent re-authentication).
#[utoipa::path(post, path = "/api/v01/me/passkeys/register/start", tag = "me", security(("bearer" = [])), request_body = PasskeyName,
    responses((status = 200, body = CeremonyStart), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody)))]
pub async fn register_start(
    State(s): State<AppState>,
    Caller(p): Caller,
    ApiJson(body): ApiJson<PasskeyName>,
) -> HttpResult<Json<CeremonyStart>> {
    let ceremony = s.engine.start_passkey_registration(&p, &body.name).await?;
    Ok(Json(convert::ceremony(ceremony)))
}

/// Finishes the registration in the session that started it. A credential registered
/// before is 409.
#[utoipa::path(post, path = "/api/v01/me/passkeys/register/finish", tag = "me", security(("bearer" = [])), request_body = CeremonyFinish,
    responses((status = 201, body = PasskeyView), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn register_finish(
    State(s): State<AppState>,
    Caller(p): Caller,
    Meta(meta): Meta,
    ApiJson(body): ApiJson<CeremonyFinish>,
) -> HttpResult<(StatusCode, Json<PasskeyView>)> {
    let key = s
        .engine
        .finish_passkey_registration(&p, &body.challenge_id, &body.credential, &meta)
        .await?;
    Ok((StatusCode::CREATED, Json(convert::passkey(key))))
}

#[utoipa::path(patch, path = "/api/v01/me/passkeys/{id}", tag = "me", security(("bearer" = [])), request_body = PasskeyName,
    responses((status = 200, body = PasskeyView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn rename(
    State(s): State<AppState>,
    Caller(p): Caller,
    Meta(meta): Meta,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PasskeyName>,
) -> HttpResult<Json<PasskeyView>> {
    let key = s.engine.rename_passkey(&p, &id, &body.name, &meta).await?;
    Ok(Json(convert::passkey(key)))
}

/// Deletes a passkey (needs a recent re-authentication).
#[utoipa::path(delete, path = "/api/v01/me/passkeys/{id}", tag = "me", security(("bearer" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete(
    State(s): State<AppState>,
    Caller(p): Caller,
    Meta(meta): Meta,
    Path(id): Path<String>,
) -> HttpResult<StatusCode> {
    s.engine.delete_passkey(&p, &id, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Starts a re-authentication with one of the caller's passkeys; the answer goes to
/// `POST /api/v01/me/reauth`.
#[utoipa::path(post, path = "/api/v01/me/reauth/webauthn/start", tag = "me", security(("bearer" = [])),
    responses((status = 200, body = CeremonyStart), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn reauth_start(
    State(s): State<AppState>,
    Caller(p): Caller,
) -> HttpResult<Json<CeremonyStart>> {
    Ok(Json(convert::ceremony(
        s.engine.start_passkey_reauth(&p).await?,
    )))
}

//! `/api/v01/me/2fa`, `/me/trusted`, `/me/login_attempts`, `/me/ip_whitelist`: the signed-in
//! user's second factor and login protection.

use crate::AppState;
use crate::error::HttpResult;
use crate::json::ApiJson;
use crate::session::{Caller, Meta};
use app::api::convert;
use app::api::security_types::*;
use app::api::types::ErrorBody;
use axum::Json;
use axum::extract::{Path, State};
use http::StatusCode;

#[utoipa::path(get, path = "/api/v01/me/2fa", tag = "me", security(("bearer" = [])),
    responses((status = 200, body = TwoFactorInfo), (status = 401, body = ErrorBody)))]
pub async fn get_2fa(
    State(s): State<AppState>,
    Caller(p): Caller,
) -> HttpResult<Json<TwoFactorInfo>> {
    Ok(Json(convert::two_factor_info(
        s.engine.two_factor_status(&p).await?,
    )))
}

/// Chooses the second factor (needs a recent re-authentication).
#[utoipa::path(put, path = "/api/v01/me/2fa", tag = "me", security(("bearer" = [])), request_body = TwoFactorChoice,
    responses((status = 204), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn put_2fa(
    State(s): State<AppState>,
    Caller(p): Caller,
    Meta(meta): Meta,
    ApiJson(body): ApiJson<TwoFactorChoice>,
) -> HttpResult<StatusCode> {
    s.engine
        .set_two_factor_option(&p, &body.option, &meta)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Starts a TOTP enrolment (needs a recent re-authentication); nothing changes until confirmed.
#[utoipa::path(post, path = "/api/v01/me/2fa/totp", tag = "me", security(("bearer" = [])),
    responses((status = 200, body = TotpEnrolmentBody), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn start_totp(
    State(s): State<AppState>,
    Caller(p): Caller,
) -> HttpResult<Json<TotpEnrolmentBody>> {
    Ok(Json(convert::totp_enrolment(
        s.engine.start_totp_enrolment(&p).await?,
    )))
}

/// Confirms the enrolment with a code from the app: TOTP becomes the option.
#[utoipa::path(post, path = "/api/v01/me/2fa/totp/confirm", tag = "me", security(("bearer" = [])), request_body = CodeBody,
    responses((status = 204), (status = 400, body = ErrorBody)))]
pub async fn confirm_totp(
    State(s): State<AppState>,
    Caller(p): Caller,
    Meta(meta): Meta,
    ApiJson(body): ApiJson<CodeBody>,
) -> HttpResult<StatusCode> {
    s.engine.confirm_totp(&p, &body.code, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Ten new single-use recovery codes, shown this once (needs a recent re-authentication).
#[utoipa::path(post, path = "/api/v01/me/2fa/recovery_codes", tag = "me", security(("bearer" = [])),
    responses((status = 200, body = RecoveryCodes), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn recovery_codes(
    State(s): State<AppState>,
    Caller(p): Caller,
    Meta(meta): Meta,
) -> HttpResult<Json<RecoveryCodes>> {
    let codes = s.engine.regenerate_recovery_codes(&p, &meta).await?;
    Ok(Json(RecoveryCodes { codes }))
}

#[utoipa::path(get, path = "/api/v01/me/trusted", tag = "me", security(("bearer" = [])),
    responses((status = 200, body = TrustedView), (status = 401, body = ErrorBody)))]
pub async fn trusted(
    State(s): State<AppState>,
    Caller(p): Caller,
) -> HttpResult<Json<TrustedView>> {
    Ok(Json(convert::trusted(s.engine.trusted(&p).await?)))
}

/// Adds a trusted location (needs a recent re-authentication).
#[utoipa::path(post, path = "/api/v01/me/trusted/locations", tag = "me", security(("bearer" = [])), request_body = NewTrustedLocation,
    responses((status = 201, body = TrustedLocationView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn add_location(
    State(s): State<AppState>,
    Caller(p): Caller,
    Meta(meta): Meta,
    ApiJson(body): ApiJson<NewTrustedLocation>,
) -> HttpResult<(StatusCode, Json<TrustedLocationView>)> {
    let location = s
        .engine
        .add_trusted_location(&p, &body.cidr, &body.label, &meta)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(convert::trusted_location(location)),
    ))
}

/// Removes a trusted device or location of the caller.
#[utoipa::path(delete, path = "/api/v01/me/trusted/{id}", tag = "me", security(("bearer" = [])),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete_trusted(
    State(s): State<AppState>,
    Caller(p): Caller,
    Meta(meta): Meta,
    Path(id): Path<String>,
) -> HttpResult<StatusCode> {
    s.engine.delete_trusted(&p, &id, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's last 5 login attempts.
#[utoipa::path(get, path = "/api/v01/me/login_attempts", tag = "me", security(("bearer" = [])),
    responses((status = 200, body = Vec<LoginAttemptView>), (status = 401, body = ErrorBody)))]
pub async fn login_attempts(
    State(s): State<AppState>,
    Caller(p): Caller,
) -> HttpResult<Json<Vec<LoginAttemptView>>> {
    Ok(Json(convert::login_attempts(
        s.engine.own_login_attempts(&p).await?,
    )))
}

#[utoipa::path(get, path = "/api/v01/me/ip_whitelist", tag = "me", security(("bearer" = [])),
    responses((status = 200, body = Vec<String>), (status = 401, body = ErrorBody)))]
pub async fn get_whitelist(
    State(s): State<AppState>,
    Caller(p): Caller,
) -> HttpResult<Json<Vec<String>>> {
    Ok(Json(s.engine.ip_whitelist(&p).await?))
}

/// Replaces the whitelist (needs a recent re-authentication); empty means no restriction. A
/// list without the caller's current address is 409.
#[utoipa::path(put, path = "/api/v01/me/ip_whitelist", tag = "me", security(("bearer" = [])), request_body = Vec<String>,
    responses((status = 200, body = Vec<String>), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody)))]
pub async fn put_whitelist(
    State(s): State<AppState>,
    Caller(p): Caller,
    Meta(meta): Meta,
    ApiJson(body): ApiJson<Vec<String>>,
) -> HttpResult<Json<Vec<String>>> {
    Ok(Json(s.engine.set_ip_whitelist(&p, &body, &meta).await?))
}

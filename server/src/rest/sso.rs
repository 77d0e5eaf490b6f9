//! `/api/v01/admin/sso*`: the single sign-on providers, and `/api/v01/admin/broadworks`
//! (admin role).

use crate::AppState;
use crate::error::HttpResult;
use crate::json::ApiJson;
use crate::session::{AdminCaller, Meta};
use app::api::sso_convert::{broadworks_input, broadworks_view, provider_input, provider_view};
use app::api::sso_types::{BroadWorksBody, BroadWorksView, SsoProviderBody, SsoProviderView};
use app::api::types::ErrorBody;
use axum::Json;
use axum::extract::{Path, State};
use http::StatusCode;

/// Every provider, enabled or not.
#[utoipa::path(get, path = "/api/v01/admin/sso", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = Vec<SsoProviderView>), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    AdminCaller(p): AdminCaller,
) -> HttpResult<Json<Vec<SsoProviderView>>> {
    let all = s.engine.sso_providers(&p).await?;
    Ok(Json(all.into_iter().map(provider_view).collect()))
}

#[utoipa::path(get, path = "/api/v01/admin/sso/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "[a-z0-9-]{1,32}")),
    responses((status = 200, body = SsoProviderView), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(s): State<AppState>,
    AdminCaller(p): AdminCaller,
    Path(id): Path<String>,
) -> HttpResult<Json<SsoProviderView>> {
    Ok(Json(provider_view(s.engine.sso_provider(&p, &id).await?)))
}

/// Creates or replaces; an invalid setting is 400 naming the field, and nothing is saved.
/// The client secret is write-only: without one, the stored secret stays.
#[utoipa::path(put, path = "/api/v01/admin/sso/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "[a-z0-9-]{1,32}")),
    request_body = SsoProviderBody,
    responses((status = 200, body = SsoProviderView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn put(
    State(s): State<AppState>,
    AdminCaller(p): AdminCaller,
    Meta(meta): Meta,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<SsoProviderBody>,
) -> HttpResult<Json<SsoProviderView>> {
    let saved = s
        .engine
        .save_sso_provider(&p, &id, provider_input(body), &meta)
        .await?;
    Ok(Json(provider_view(saved)))
}

#[utoipa::path(delete, path = "/api/v01/admin/sso/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete(
    State(s): State<AppState>,
    AdminCaller(p): AdminCaller,
    Meta(meta): Meta,
    Path(id): Path<String>,
) -> HttpResult<StatusCode> {
    s.engine.delete_sso_provider(&p, &id, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The BroadWorks settings (API.md "BroadWorks"); the password only as `password_set`.
#[utoipa::path(get, path = "/api/v01/admin/broadworks", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = BroadWorksView), (status = 403, body = ErrorBody)))]
pub async fn broadworks_get(
    State(s): State<AppState>,
    AdminCaller(p): AdminCaller,
) -> HttpResult<Json<BroadWorksView>> {
    Ok(Json(broadworks_view(
        s.engine.broadworks_settings(&p).await?,
    )))
}

/// Replaces the BroadWorks settings; an invalid value is 400 naming the field, and nothing
/// is saved. The password is write-only: without one, the stored password stays.
#[utoipa::path(put, path = "/api/v01/admin/broadworks", tag = "admin", security(("bearer" = [])),
    request_body = BroadWorksBody,
    responses((status = 200, body = BroadWorksView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn broadworks_put(
    State(s): State<AppState>,
    AdminCaller(p): AdminCaller,
    Meta(meta): Meta,
    ApiJson(body): ApiJson<BroadWorksBody>,
) -> HttpResult<Json<BroadWorksView>> {
    let saved = s
        .engine
        .save_broadworks_settings(&p, broadworks_input(body), &meta)
        .await?;
    Ok(Json(broadworks_view(saved)))
}

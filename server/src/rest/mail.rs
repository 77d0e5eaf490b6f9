//! `/api/v01/admin/mail_templates*`: the mail templates (admin role).

use crate::AppState;
use crate::error::HttpResult;
use crate::json::ApiJson;
use crate::session::{AdminCaller, Meta};
use app::api::convert;
use app::api::types::{ErrorBody, MailPreview, MailTemplateBody, MailTemplateView};
use axum::Json;
use axum::extract::{Path, State};
use http::StatusCode;

/// Every template: the shipped defaults and the admins' own.
#[utoipa::path(get, path = "/api/v01/admin/mail_templates", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = Vec<MailTemplateView>), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    AdminCaller(p): AdminCaller,
) -> HttpResult<Json<Vec<MailTemplateView>>> {
    let all = s.engine.mail_templates(&p).await?;
    Ok(Json(
        all.into_iter().map(convert::mail_template_view).collect(),
    ))
}

#[utoipa::path(get, path = "/api/v01/admin/mail_templates/{name}", tag = "admin", security(("bearer" = [])),
    params(("name" = String, Path, description = "e.g. mails.reset_password.fr")),
    responses((status = 200, body = MailTemplateView), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(s): State<AppState>,
    AdminCaller(p): AdminCaller,
    Path(name): Path<String>,
) -> HttpResult<Json<MailTemplateView>> {
    let t = s.engine.mail_template(&p, &name).await?;
    Ok(Json(convert::mail_template_view(t)))
}

/// Creates or replaces; a template that does not render (syntax, unknown variable) is 400
/// naming the part, and nothing is saved.
#[utoipa::path(put, path = "/api/v01/admin/mail_templates/{name}", tag = "admin", security(("bearer" = [])),
    params(("name" = String, Path, description = "e.g. mails.reset_password.fr")),
    request_body = MailTemplateBody,
    responses((status = 200, body = MailTemplateView), (status = 400, body = ErrorBody)))]
pub async fn put(
    State(s): State<AppState>,
    AdminCaller(p): AdminCaller,
    Meta(meta): Meta,
    Path(name): Path<String>,
    ApiJson(body): ApiJson<MailTemplateBody>,
) -> HttpResult<Json<MailTemplateView>> {
    let saved = s
        .engine
        .save_mail_template(&p, &name, &convert::mail_template(body), &meta)
        .await?;
    Ok(Json(convert::mail_template_view(saved)))
}

/// Drops an admin's edit; the shipped default of that name, if any, applies again.
#[utoipa::path(delete, path = "/api/v01/admin/mail_templates/{name}", tag = "admin", security(("bearer" = [])),
    params(("name" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete(
    State(s): State<AppState>,
    AdminCaller(p): AdminCaller,
    Meta(meta): Meta,
    Path(name): Path<String>,
) -> HttpResult<StatusCode> {
    s.engine.delete_mail_template(&p, &name, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Renders a template with example values, without saving it.
#[utoipa::path(post, path = "/api/v01/admin/mail_template_preview", tag = "admin", security(("bearer" = [])),
    request_body = MailTemplateBody,
    responses((status = 200, body = MailPreview), (status = 400, body = ErrorBody)))]
pub async fn preview(
    State(s): State<AppState>,
    AdminCaller(p): AdminCaller,
    ApiJson(body): ApiJson<MailTemplateBody>,
) -> HttpResult<Json<MailPreview>> {
    let r = s
        .engine
        .preview_mail_template(&p, &convert::mail_template(body))?;
    Ok(Json(convert::mail_preview(r)))
}

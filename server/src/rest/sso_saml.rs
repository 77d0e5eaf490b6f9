//! `/api/v01/auth/sso/{id}/metadata` and `/acs`: the SAML service provider's metadata and its
//! assertion consumer service (HTTP-POST binding).
//!
//! The IdP's form POST is cross-site, so the browser leaves out the `SameSite=Lax` cookie that
//! binds it to its flow. The first POST without that cookie is answered with a page of ours
//! that posts the same form again: a same-site request, which carries the cookie. Another
//! browser's assertion (login CSRF) then meets the wrong cookie and is refused.

use super::sso_sign_in::{browser_cookie_name, finish_response};
use crate::AppState;
use crate::error::HttpResult;
use crate::headers::CspNonce;
use crate::session::Meta;
use app::api::ssr::cookie_value;
use app::api::types::{ErrorBody, LoginAnswer};
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Response};
use http::{HeaderMap, HeaderValue, header};
use serde::Deserialize;

/// Our SAML metadata, for the IdP.
#[utoipa::path(get, path = "/api/v01/auth/sso/{id}/metadata", tag = "auth", params(("id" = String, Path)),
    responses((status = 200, description = "SAML 2.0 SP metadata (XML)"), (status = 404, body = ErrorBody)))]
pub async fn metadata(State(s): State<AppState>, Path(id): Path<String>) -> HttpResult<Response> {
    let xml = s.engine.saml_metadata(&id).await?;
    let mut response = xml.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/samlmetadata+xml"),
    );
    Ok(response)
}

#[derive(Debug, Deserialize)]
pub struct AcsForm {
    #[serde(rename = "SAMLResponse")]
    saml_response: String,
    #[serde(rename = "RelayState", default)]
    relay_state: String,
    /// Set by our own page's second POST.
    #[serde(default)]
    bounced: Option<String>,
}

/// The IdP's answer: to the UI, or JSON for a flow a REST client started.
#[utoipa::path(post, path = "/api/v01/auth/sso/{id}/acs", tag = "auth", params(("id" = String, Path)),
    request_body(content_type = "application/x-www-form-urlencoded", description = "SAMLResponse, RelayState"),
    responses((status = 302, description = "to the UI"), (status = 200, body = LoginAnswer),
              (status = 401, body = ErrorBody)))]
pub async fn acs(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Meta(meta): Meta,
    nonce: Option<axum::Extension<CspNonce>>,
    headers: HeaderMap,
    Form(form): Form<AcsForm>,
) -> Response {
    let engine = &s.engine;
    let browser = cookie_value(&headers, browser_cookie_name(engine));
    if browser.is_none() && form.bounced.is_none() {
        let nonce = nonce.map(|n| n.0.0).unwrap_or_default();
        return post_again(&id, &form, &nonce);
    }
    let finish = engine
        .finish_saml(
            &id,
            &form.saml_response,
            &form.relay_state,
            browser.as_deref(),
            &meta,
        )
        .await;
    finish_response(engine, finish, &headers).await
}

fn escape(v: &str) -> String {
    v.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The same form, posted again from this site (so the browser's cookie goes with it).
fn post_again(id: &str, form: &AcsForm, nonce: &str) -> Response {
    let action = format!("/api/v01/auth/sso/{}/acs", escape(id));
    Html(format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>…</title></head><body>\
         <form method=\"post\" action=\"{action}\">\
         <input type=\"hidden\" name=\"SAMLResponse\" value=\"{}\">\
         <input type=\"hidden\" name=\"RelayState\" value=\"{}\">\
         <input type=\"hidden\" name=\"bounced\" value=\"1\">\
         <noscript><button type=\"submit\">Continue</button></noscript></form>\
         <script nonce=\"{nonce}\">document.forms[0].submit()</script></body></html>",
        escape(&form.saml_response),
        escape(&form.relay_state),
    ))
    .into_response()
}

//! `/api/v01/auth/sso*`: signing in through an identity provider. The browser is bound to
//! its flow by a cookie set at the start; the end is a redirect to the UI (session cookies
//! set), or JSON when a REST client started the flow with `Accept: application/json`.
//!
//! The UI is reached through `/login?sso=…`: the session cookies are `SameSite=Strict`, so
//! the page the IdP's cross-site redirect lands on does not see them yet; the login page then
//! moves on by itself (a same-site navigation, which sends them).

use crate::AppState;
use crate::error::{HttpError, HttpResult};
use crate::session::Meta;
use app::api::convert;
use app::api::ssr::{cookie_value, sign_in_cookies, sso_second_factor_cookie};
use app::api::types::{ErrorBody, LoginAnswer, SsoButton};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use engine::sso::{OidcCallback, SsoFinish};
use engine::{Engine, LoginOutcome};
use http::{HeaderMap, HeaderValue, StatusCode, header};
use serde::Deserialize;

/// Lives as long as a flow (ten minutes); sent only to these endpoints.
const BROWSER_COOKIE_MAX_AGE: u64 = 600;
const BROWSER_COOKIE_PATH: &str = "/api/v01/auth/sso";

pub(super) fn browser_cookie_name(engine: &Engine) -> &'static str {
    if engine.config().is_https() {
        "__Secure-apio_sso"
    } else {
        "apio_sso"
    }
}

/// `SameSite=Lax`: the IdP's redirect back is a cross-site top-level navigation.
fn browser_cookie(engine: &Engine, value: &str) -> String {
    let secure = if engine.config().is_https() {
        "; Secure"
    } else {
        ""
    };
    format!(
        "{}={value}; Path={BROWSER_COOKIE_PATH}; HttpOnly; SameSite=Lax; Max-Age={BROWSER_COOKIE_MAX_AGE}{secure}",
        browser_cookie_name(engine)
    )
}

fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains("application/json"))
}

fn redirect(location: &str, cookies: &[String]) -> Response {
    let mut response = StatusCode::FOUND.into_response();
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(location) {
        headers.insert(header::LOCATION, v);
    }
    for c in cookies {
        if let Ok(v) = HeaderValue::from_str(c) {
            headers.append(header::SET_COOKIE, v);
        }
    }
    response
}

/// The providers one can sign in with, for the login page's buttons.
#[utoipa::path(get, path = "/api/v01/auth/sso", tag = "auth",
    responses((status = 200, body = Vec<SsoButton>)))]
pub async fn list(State(s): State<AppState>) -> Json<Vec<SsoButton>> {
    Json(convert::sso_buttons(&s.engine.sso_sign_in_providers()))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct StartQuery {
    /// A path of this site to land on after signing in (default `/profile`).
    return_to: Option<String>,
    /// Passed on to the IdP (which account to sign in with).
    login_hint: Option<String>,
}

/// Redirects to the identity provider. A REST client sends `Accept: application/json` and
/// keeps the cookie: the callback then answers with the tokens as JSON.
#[utoipa::path(get, path = "/api/v01/auth/sso/{id}/start", tag = "auth", params(("id" = String, Path), StartQuery),
    responses((status = 302, description = "to the identity provider"), (status = 400, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub async fn start(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<StartQuery>,
    headers: HeaderMap,
) -> HttpResult<Response> {
    let engine = &s.engine;
    let known = cookie_value(&headers, browser_cookie_name(engine));
    let started = engine
        .start_sso(
            &id,
            q.return_to.as_deref(),
            q.login_hint.as_deref(),
            wants_json(&headers),
            known.as_deref(),
        )
        .await?;
    Ok(redirect(
        &started.location,
        &[browser_cookie(engine, &started.browser)],
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    /// The IdP's refusal (`access_denied`, …).
    error: Option<String>,
}

/// The OpenID provider's answer: to the UI (signed in, the second factor, or refused), or
/// JSON for a flow a REST client started.
#[utoipa::path(get, path = "/api/v01/auth/sso/{id}/callback", tag = "auth", params(("id" = String, Path), CallbackQuery),
    responses((status = 302, description = "to the UI"), (status = 200, body = LoginAnswer),
              (status = 401, body = ErrorBody)))]
pub async fn callback(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<CallbackQuery>,
    Meta(meta): Meta,
    headers: HeaderMap,
) -> Response {
    let engine = &s.engine;
    let browser = cookie_value(&headers, browser_cookie_name(engine));
    let callback = OidcCallback {
        code: q.code,
        state: q.state,
        error: q.error,
    };
    let finish = engine
        .finish_oidc(&id, &callback, browser.as_deref(), &meta)
        .await;
    finish_response(engine, finish, &headers).await
}

/// The end of a sign-in: JSON when a REST client started it (or, for an unknown flow, when
/// this request asks for JSON), else the way back to the UI.
pub(super) async fn finish_response(
    engine: &Engine,
    finish: SsoFinish,
    headers: &HeaderMap,
) -> Response {
    if finish.json.unwrap_or_else(|| wants_json(headers)) {
        return match finish.outcome {
            Ok(outcome) => Json(convert::login_answer(outcome)).into_response(),
            Err(e) => HttpError::from(e).into_response(),
        };
    }
    to_the_ui(engine, finish).await
}

/// The browser's end of a sign-in: `/login?sso=done|2fa|failed` (and `to`, where to go next).
async fn to_the_ui(engine: &Engine, finish: SsoFinish) -> Response {
    let to = finish.return_to.unwrap_or_else(|| "/profile".into());
    let to = url::form_urlencoded::byte_serialize(to.as_bytes()).collect::<String>();
    match finish.outcome {
        Ok(LoginOutcome::SignedIn(signed_in)) => match sign_in_cookies(engine, &signed_in).await {
            Ok((_, cookies)) => redirect(&format!("/login?sso=done&to={to}"), &cookies),
            Err(e) => {
                tracing::error!(error = ?e, "SSO sign-in cookies");
                redirect("/login?sso=failed", &[])
            }
        },
        Ok(LoginOutcome::SecondFactor(c)) => {
            let value = format!("{}.{}", c.option, c.payload);
            let cookie = sso_second_factor_cookie(engine.config(), &value, 600);
            redirect(&format!("/login?sso=2fa&to={to}"), &[cookie])
        }
        Err(e) => {
            if !matches!(e, engine::Error::InvalidCredentials) {
                tracing::warn!(error = %e, "SSO sign-in failed");
            }
            // Any earlier pending second factor of an SSO sign-in is void now.
            let clear = sso_second_factor_cookie(engine.config(), "", 0);
            redirect("/login?sso=failed", &[clear])
        }
    }
}

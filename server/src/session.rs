//! The web UI's session cookies and the authenticated caller of the REST door.
//!
//! The cookie middleware turns the cookies into a `CookieSession` once per request: a valid
//! access cookie is used as is; otherwise the refresh cookie renews both (new cookies on the
//! response). A state-changing request authenticated by cookie, and every server function
//! call, must carry this site's `Origin`.

use crate::AppState;
use crate::error::HttpError;
use app::api::ssr::{
    CookieSession, clear_cookies, cookie_names, cookie_value as cookie, session_cookies,
};
use axum::extract::{FromRequestParts, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use engine::{Principal, RequestMeta};
use http::{HeaderValue, Method, header, request::Parts};

pub const SERVER_FN_PREFIX: &str = "/_sfn/";

pub async fn cookies(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if path.starts_with("/pkg/") {
        return next.run(req).await;
    }
    let engine = &state.engine;
    let names = cookie_names(engine.config());
    let access = cookie(req.headers(), names.access);
    let mut refresh = cookie(req.headers(), names.refresh);
    let mut principal = access.and_then(|t| engine.authenticate(&t).ok());
    let mut set_cookie: Vec<String> = Vec::new();
    if principal.is_none()
        && let Some(token) = refresh.take()
        && let Some(meta) = req.extensions().get::<RequestMeta>().cloned()
    {
        match engine.refresh(&token, &meta).await {
            Ok(tokens) => {
                principal = engine.authenticate(&tokens.access_token).ok();
                set_cookie.extend(session_cookies(engine.config(), &tokens));
                refresh = Some(tokens.refresh_token);
            }
            Err(_) => set_cookie.extend(clear_cookies(engine.config())),
        }
    }
    let by_cookie = principal.is_some() && !req.headers().contains_key(header::AUTHORIZATION);
    let changes_state = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if changes_state && (by_cookie || req.uri().path().starts_with(SERVER_FN_PREFIX)) {
        let origin = req
            .headers()
            .get(header::ORIGIN)
            .and_then(|v| v.to_str().ok());
        if origin != Some(engine.config().public_origin().as_str()) {
            return HttpError::status(403, "forbidden", "Cross-site request refused (Origin).")
                .into_response();
        }
    }
    req.extensions_mut().insert(CookieSession {
        principal,
        refresh_token: refresh,
    });
    let mut response = next.run(req).await;
    // A handler that set the session cookies itself (sign-in, sign-out) has the last word.
    if response.headers().contains_key(header::SET_COOKIE) {
        return response;
    }
    for value in set_cookie {
        if let Ok(v) = HeaderValue::from_str(&value) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    response
}

/// The token of `Authorization: Bearer <token>`, if that header is present.
pub fn bearer(parts: &Parts) -> Option<Result<&str, HttpError>> {
    let value = parts.headers.get(header::AUTHORIZATION)?;
    Some(
        value
            .to_str()
            .ok()
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| engine::Error::InvalidToken.into()),
    )
}

/// The authenticated caller: a Bearer access token or M2M token, or the UI's session cookie.
pub struct Caller(pub Principal);

impl FromRequestParts<AppState> for Caller {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, HttpError> {
        if let Some(token) = bearer(parts) {
            let token = token?.to_string();
            if token.starts_with(engine::M2M_PREFIX) {
                let Meta(meta) = Meta::from_request_parts(parts, state).await?;
                return Ok(Caller(state.engine.authenticate_m2m(&token, &meta).await?));
            }
            return Ok(Caller(state.engine.authenticate(&token)?));
        }
        parts
            .extensions
            .get::<CookieSession>()
            .and_then(|s| s.principal.clone())
            .map(Caller)
            .ok_or_else(|| engine::Error::InvalidToken.into())
    }
}

/// An authenticated caller with the admin role, checked before the body is read, so that
/// non-admins learn nothing from validation errors.
pub struct AdminCaller(pub Principal);

impl FromRequestParts<AppState> for AdminCaller {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, HttpError> {
        let Caller(p) = Caller::from_request_parts(parts, state).await?;
        p.require_admin()?;
        Ok(AdminCaller(p))
    }
}

/// The resolved client IP and user agent.
pub struct Meta(pub RequestMeta);

impl<S: Send + Sync> FromRequestParts<S> for Meta {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, HttpError> {
        parts
            .extensions
            .get::<RequestMeta>()
            .cloned()
            .map(Meta)
            .ok_or_else(|| engine::Error::Internal("client IP not resolved".into()).into())
    }
}

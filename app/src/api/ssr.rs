//! Server-side plumbing of the server functions: the engine, the caller, and the session
//! cookies (also used by the server's cookie middleware, so they are defined once).

use super::ApiError;
use engine::{Config, Engine, Principal, RequestMeta, Tokens};
use http::request::Parts;
use leptos::prelude::*;

/// What the server's middleware learned about the caller from the session cookies; put in
/// the request extensions before any handler or server function runs.
#[derive(Clone, Debug)]
pub struct CookieSession {
    pub principal: Option<Principal>,
    /// The refresh token from the cookie, for sign-out.
    pub refresh_token: Option<String>,
}

pub fn engine() -> Result<Engine, ApiError> {
    use_context::<Engine>()
        .ok_or_else(|| ApiError::from(engine::Error::Internal("no engine in context".into())))
}

fn parts() -> Result<Parts, ApiError> {
    use_context::<Parts>()
        .ok_or_else(|| ApiError::from(engine::Error::Internal("no request in context".into())))
}

pub fn meta() -> Result<RequestMeta, ApiError> {
    parts()?
        .extensions
        .get::<RequestMeta>()
        .cloned()
        .ok_or_else(|| ApiError::from(engine::Error::Internal("no client meta".into())))
}

pub fn cookie_session() -> Result<CookieSession, ApiError> {
    Ok(parts()?
        .extensions
        .get::<CookieSession>()
        .cloned()
        .unwrap_or(CookieSession {
            principal: None,
            refresh_token: None,
        }))
}

/// The signed-in caller, or `invalid_token`.
pub fn principal() -> Result<Principal, ApiError> {
    cookie_session()?
        .principal
        .ok_or_else(|| engine::Error::InvalidToken.into())
}

pub struct CookieNames {
    pub access: &'static str,
    pub refresh: &'static str,
    /// The trusted-device token of "trust this device".
    pub device: &'static str,
}

/// `__Host-` names on https (bound to this exact host, Secure, path /).
pub fn cookie_names(config: &Config) -> CookieNames {
    if config.is_https() {
        CookieNames {
            access: "__Host-apio_at",
            refresh: "__Host-apio_rt",
            device: "__Host-apio_dt",
        }
    } else {
        CookieNames {
            access: "apio_at",
            refresh: "apio_rt",
            device: "apio_dt",
        }
    }
}

fn cookie(config: &Config, name: &str, value: &str, max_age: u64) -> String {
    let secure = if config.is_https() { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}")
}

/// The `Set-Cookie` values that carry a session's tokens.
pub fn session_cookies(config: &Config, tokens: &Tokens) -> [String; 2] {
    let names = cookie_names(config);
    [
        cookie(
            config,
            names.access,
            &tokens.access_token,
            tokens.expires_in,
        ),
        cookie(
            config,
            names.refresh,
            &tokens.refresh_token,
            config.tokens.refresh_ttl.as_secs(),
        ),
    ]
}

/// The `Set-Cookie` value that keeps a trusted-device token (30 days).
pub fn device_cookie(config: &Config, token: &str) -> String {
    cookie(config, cookie_names(config).device, token, 30 * 24 * 3600)
}

/// A cookie of the request, by name.
pub fn request_cookie(name: &str) -> Option<String> {
    cookie_value(&use_context::<Parts>()?.headers, name)
}

/// A cookie of these headers, by name (empty values count as absent).
pub fn cookie_value(headers: &http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, v)| *k == name && !v.is_empty())
        .map(|(_, v)| v.to_string())
}

/// The cookies of a complete sign-in in the UI (the session, a device trusted in the 2FA
/// step, the language of the profile), and who signed in.
pub async fn sign_in_cookies(
    engine: &Engine,
    s: &engine::SignedIn,
) -> Result<(super::types::SessionInfo, Vec<String>), ApiError> {
    let principal = engine.authenticate(&s.tokens.access_token)?;
    let mut cookies = session_cookies(engine.config(), &s.tokens).to_vec();
    if let Some(device) = &s.device_token {
        cookies.push(device_cookie(engine.config(), device));
    }
    let info = super::auth::session_info_of(engine, &principal).await;
    cookies.extend(crate::components::language::language_cookie(&info.language));
    Ok((info, cookies))
}

/// Where a second factor due after a sign-in through an identity provider waits for the
/// login page: `{option}.{payload}`, HttpOnly (never in a URL), ten minutes. `SameSite=Lax`,
/// because the page is reached by the IdP's cross-site redirect.
pub fn sso_second_factor_cookie_name(config: &Config) -> &'static str {
    if config.is_https() {
        "__Host-apio_sso_2fa"
    } else {
        "apio_sso_2fa"
    }
}

pub fn sso_second_factor_cookie(config: &Config, value: &str, max_age: u64) -> String {
    let secure = if config.is_https() { "; Secure" } else { "" };
    let name = sso_second_factor_cookie_name(config);
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")
}

pub fn clear_cookies(config: &Config) -> [String; 2] {
    let names = cookie_names(config);
    [
        cookie(config, names.access, "", 0),
        cookie(config, names.refresh, "", 0),
    ]
}

pub fn set_cookies(values: impl IntoIterator<Item = String>) {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        for v in values {
            if let Ok(v) = http::HeaderValue::from_str(&v) {
                response.append_header(http::header::SET_COOKIE, v);
            }
        }
    }
}

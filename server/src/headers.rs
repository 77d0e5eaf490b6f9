//! Security headers on every response, the per-request CSP nonce of the hydration script,
//! and CORS for the configured origins only.

use crate::AppState;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use http::{HeaderName, HeaderValue, Method, header};
use rand::RngCore;
use tower_http::cors::{AllowOrigin, CorsLayer};

/// The nonce that lets the hydration script (and only it) run under the CSP.
#[derive(Clone, Debug)]
pub struct CspNonce(pub String);

pub const DOCS_PATH: &str = "/api/docs";

pub async fn security(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let nonce = URL_SAFE_NO_PAD.encode(bytes);
    req.extensions_mut().insert(CspNonce(nonce.clone()));
    let path = req.uri().path().to_string();
    let mut response = next.run(req).await;
    let h = response.headers_mut();
    let csp = if path == DOCS_PATH {
        // The API reference page (no tokens on it) loads its viewer from a CDN.
        "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; \
         style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.scalar.com; \
         font-src 'self' data: https://fonts.scalar.com; img-src 'self' data:; \
         connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
            .to_string()
    } else {
        format!(
            "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
             style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
             frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"
        )
    };
    set(h, header::CONTENT_SECURITY_POLICY, &csp);
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(h, header::X_FRAME_OPTIONS, "DENY");
    set(h, header::REFERRER_POLICY, "no-referrer");
    if state.engine.config().is_https() {
        set(
            h,
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=63072000; includeSubDomains",
        );
    }
    // Pages and API answers carry personal data or tokens: never cached. Built assets may be.
    if !path.starts_with("/pkg/") && !path.starts_with("/favicon") {
        set(h, header::CACHE_CONTROL, "no-store");
        set(h, header::PRAGMA, "no-cache");
    }
    response
}

fn set(headers: &mut http::HeaderMap, name: HeaderName, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        headers.insert(name, v);
    }
}

/// CORS for the REST door: exact origins from the settings (read live), never `null`, never
/// credentials (other sites call with Bearer tokens, never with our cookies).
pub fn cors(state: &AppState) -> CorsLayer {
    let engine = state.engine.clone();
    CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(move |origin: &HeaderValue, _| {
            let Ok(origin) = origin.to_str() else {
                return false;
            };
            origin != "null"
                && engine
                    .settings()
                    .allowed_origins
                    .iter()
                    .any(|o| o.trim_end_matches('/') == origin)
        }))
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
        .max_age(std::time::Duration::from_secs(600))
}

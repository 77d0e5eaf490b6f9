//! The APIO auth server: the router that puts the REST door, the Leptos UI (pages and server
//! functions) and the middleware around one engine.

pub mod client_ip;
pub mod error;
pub mod headers;
pub mod json;
pub mod rest;
pub mod session;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRef, Request, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Router, middleware};
use engine::Engine;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list, handle_server_fns_with_context};
use std::net::SocketAddr;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, Predicate, SizeAbove};

/// Request bodies above this are refused with 413 before they are read in full.
pub const BODY_LIMIT: usize = 64 * 1024;

#[derive(Clone)]
pub struct AppState {
    pub engine: Engine,
    pub leptos: LeptosOptions,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}

/// The Leptos settings: Leptos.toml, embedded at build time, with `LEPTOS_*` overrides.
pub fn leptos_options() -> Result<LeptosOptions, String> {
    leptos_config::get_config_from_str(include_str!("../../Leptos.toml"))
        .map_err(|e| format!("Leptos.toml: {e}"))
}

/// What every page render and server function call gets in its context.
fn provide_request_context(engine: &Engine) {
    provide_context(engine.clone());
    if let Some(parts) = leptos::prelude::use_context::<http::request::Parts>()
        && let Some(nonce) = parts.extensions.get::<headers::CspNonce>()
    {
        provide_context(leptos::nonce::Nonce::from_value(nonce.0.clone()));
    }
}

/// The app's routes, generated once per process. Generating them renders the app with a
/// process-wide "suppress resource loads" flag raised (leptos_server); a page render that
/// polls a resource for the first time meanwhile waits forever (leptos issue #4773). Once
/// per process, before any server listens, no render can overlap it — even with several
/// servers in one process, as in the tests.
fn route_list() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> =
        std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(app::App)).clone()
}

/// The OpenAPI document (as JSON) and the docs page around it, written on the first request
/// for either: building the document runs about a megabyte of code that an idle server would
/// otherwise keep resident.
fn api_docs() -> &'static (Bytes, String) {
    static DOCS: std::sync::OnceLock<(Bytes, String)> = std::sync::OnceLock::new();
    DOCS.get_or_init(|| {
        let doc = rest::openapi();
        // Writing it cannot fail: it holds only strings, numbers and string-keyed maps.
        let json = Bytes::from(serde_json::to_vec(&doc).unwrap_or_default());
        (json, utoipa_scalar::Scalar::new(doc).to_html())
    })
}

pub fn router(engine: Engine, leptos: LeptosOptions) -> Router {
    let state = AppState {
        engine: engine.clone(),
        leptos: leptos.clone(),
    };
    let page_context = {
        let engine = engine.clone();
        move || provide_request_context(&engine)
    };
    let shell = {
        let options = leptos.clone();
        move || app::shell(options.clone())
    };
    let routes = route_list();
    Router::new()
        .merge(rest::router())
        .route(
            "/api/v01/openapi.json",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "application/json")],
                    api_docs().0.clone(),
                )
            }),
        )
        .route(
            headers::DOCS_PATH,
            get(|| async { Html(api_docs().1.as_str()) }),
        )
        .route("/api/{*rest}", axum::routing::any(api_not_found))
        .route(
            &format!("{}{{*fn_name}}", session::SERVER_FN_PREFIX),
            post(server_fn),
        )
        .leptos_routes_with_context(&state, routes, page_context.clone(), shell)
        // Unknown paths render the app's 404 page, which needs the engine like every page
        // (its top bar shows who is signed in).
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(page_context, app::shell))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        // Brotli or gzip for what is worth it (the WASM, pages); small API answers stay plain.
        .layer(
            CompressionLayer::new()
                .compress_when(DefaultPredicate::new().and(SizeAbove::new(1024))),
        )
        .layer(middleware::from_fn_with_state(
            state.clone(),
            session::cookies,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            client_ip::resolve,
        ))
        .layer(headers::cors(&state))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            headers::security,
        ))
        .with_state(state)
}

async fn server_fn(State(state): State<AppState>, req: Request) -> impl IntoResponse {
    let engine = state.engine.clone();
    handle_server_fns_with_context(move || provide_request_context(&engine), req).await
}

async fn api_not_found() -> Response {
    error::HttpError::status(404, "not_found", "No such API path.").into_response()
}

/// Serves until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

#[cfg(test)]
mod tests {
    #[test]
    fn leptos_settings_in_sync() {
        let cargo = include_str!("../../Cargo.toml");
        let leptos = include_str!("../../Leptos.toml");
        assert!(
            cargo.contains(leptos),
            "Cargo.toml's Leptos block differs from Leptos.toml: run scripts/sync-leptos-toml.sh"
        );
        super::leptos_options().unwrap();
    }
}

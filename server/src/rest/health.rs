//! Liveness and readiness, no auth.

use crate::AppState;
use axum::extract::State;
use http::StatusCode;

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "health", responses((status = 200)))]
pub async fn healthz() -> StatusCode {
    StatusCode::OK
}

/// The database is reachable and the migrations are applied.
#[utoipa::path(get, path = "/readyz", tag = "health", responses((status = 200), (status = 503)))]
pub async fn readyz(State(s): State<AppState>) -> StatusCode {
    if s.engine.ready().await {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    }
}

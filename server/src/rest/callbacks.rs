//! `/api/v01/me/callbacks`: the URLs called when a workflow the user triggered completes or is
//! blocked.

use crate::AppState;
use crate::error::HttpResult;
use crate::json::ApiJson;
use crate::session::{Caller, Meta};
use app::api::account_types::{CallbackSet, CallbackTestRequest, CallbackTestResult, CallbackView};
use app::api::convert;
use app::api::types::ErrorBody;
use axum::Json;
use axum::extract::State;

#[utoipa::path(get, path = "/api/v01/me/callbacks", tag = "me", security(("bearer" = [])),
    responses((status = 200, body = Vec<CallbackView>), (status = 401, body = ErrorBody)))]
pub async fn get(
    State(s): State<AppState>,
    Caller(p): Caller,
) -> HttpResult<Json<Vec<CallbackView>>> {
    Ok(Json(convert::callbacks(s.engine.callbacks(&p).await?)))
}

/// Replaces the list; an invalid entry is 400 naming it, and nothing is saved.
#[utoipa::path(put, path = "/api/v01/me/callbacks", tag = "me", security(("bearer" = [])), request_body = Vec<CallbackSet>,
    responses((status = 200, body = Vec<CallbackView>), (status = 400, body = ErrorBody)))]
pub async fn put(
    State(s): State<AppState>,
    Caller(p): Caller,
    Meta(meta): Meta,
    ApiJson(body): ApiJson<Vec<CallbackSet>>,
) -> HttpResult<Json<Vec<CallbackView>>> {
    let saved = s
        .engine
        .set_callbacks(&p, &convert::callback_inputs(body), &meta)
        .await?;
    Ok(Json(convert::callbacks(saved)))
}

/// Posts a signed sample event (`x-apio-event: test`) to one of the saved callbacks and
/// reports the answer.
#[utoipa::path(post, path = "/api/v01/me/callbacks/test", tag = "me", security(("bearer" = [])), request_body = CallbackTestRequest,
    responses((status = 200, body = CallbackTestResult), (status = 404, body = ErrorBody)))]
pub async fn test(
    State(s): State<AppState>,
    Caller(p): Caller,
    Meta(meta): Meta,
    ApiJson(body): ApiJson<CallbackTestRequest>,
) -> HttpResult<Json<CallbackTestResult>> {
    let outcome = s.engine.test_callback(&p, &body.url, &meta).await?;
    Ok(Json(convert::callback_test(outcome)))
}

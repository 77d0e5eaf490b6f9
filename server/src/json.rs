//! The JSON body extractor of the REST door: size-bounded (the body limit layer), and any
//! malformed body, unknown field or wrong type is a 400 that names the field.

use crate::error::HttpError;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = HttpError;

    async fn from_request(req: Request, state: &S) -> Result<Self, HttpError> {
        let is_json = req
            .headers()
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.split(';')
                    .next()
                    .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
            });
        if !is_json {
            return Err(HttpError::invalid(
                "body",
                "Content-Type must be application/json",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == http::StatusCode::PAYLOAD_TOO_LARGE {
                HttpError::status(413, "payload_too_large", "The request body is too large.")
            } else {
                HttpError::invalid("body", "could not read the request body")
            }
        })?;
        parse(&bytes).map(ApiJson)
    }
}

pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, HttpError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let message = e.inner().to_string();
        let path = e.path().to_string();
        let field = if path == "." || path.is_empty() {
            // serde names an unknown or missing field only in its message.
            message.split('`').nth(1).unwrap_or("body").to_string()
        } else {
            path
        };
        let message = if e.inner().is_syntax() || e.inner().is_eof() {
            format!("malformed JSON: {message}")
        } else {
            format!("{field}: {message}")
        };
        HttpError::invalid(&field, message)
    })
}

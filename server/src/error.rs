//! The one place where errors become HTTP responses.

use app::api::ApiError;
use axum::Json;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};

/// An error on its way to the client: `{error, message, field?}` with its status.
#[derive(Debug)]
pub struct HttpError(pub ApiError);

impl From<engine::Error> for HttpError {
    fn from(e: engine::Error) -> Self {
        HttpError(ApiError::from(e))
    }
}

impl From<ApiError> for HttpError {
    fn from(e: ApiError) -> Self {
        HttpError(e)
    }
}

impl HttpError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        HttpError(ApiError::invalid_request(field, message))
    }

    pub fn status(status: u16, code: &str, message: &str) -> Self {
        HttpError(ApiError::new(status, code, message))
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, Json(self.0.body())).into_response();
        if let Some(secs) = self.0.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

pub type HttpResult<T> = Result<T, HttpError>;

#[cfg(test)]
mod tests {
    use super::*;

    async fn parts(e: engine::Error) -> (u16, serde_json::Value, Option<String>) {
        let r = HttpError::from(e).into_response();
        let status = r.status().as_u16();
        let retry = r
            .headers()
            .get(header::RETRY_AFTER)
            .map(|v| v.to_str().unwrap().to_string());
        let body = axum::body::to_bytes(r.into_body(), 10_000).await.unwrap();
        (status, serde_json::from_slice(&body).unwrap(), retry)
    }

    #[tokio::test]
    async fn every_engine_error_has_its_status_and_code() {
        use engine::Error as E;
        let cases = [
            (E::InvalidCredentials, 401, "invalid_credentials"),
            (E::InvalidToken, 401, "invalid_token"),
            (E::InvalidLinkToken, 400, "invalid_token"),
            (E::Forbidden, 403, "forbidden"),
            (E::ReauthRequired, 403, "reauthentication_required"),
            (E::PasswordChangeRequired, 403, "password_change_required"),
            (E::NotFound, 404, "not_found"),
            (E::Conflict("x".into()), 409, "conflict"),
            (E::invalid("email", "bad"), 400, "invalid_request"),
            (
                E::TooLarge {
                    field: "password".into(),
                },
                413,
                "payload_too_large",
            ),
            (E::RateLimited { retry_after: 7 }, 429, "rate_limited"),
            (E::Unavailable { retry_after: 1 }, 503, "unavailable"),
            (E::Internal("db password=secret".into()), 500, "internal"),
        ];
        for (err, status, code) in cases {
            let (s, body, _) = parts(err).await;
            assert_eq!((s, body["error"].as_str().unwrap()), (status, code));
            assert!(
                !body.to_string().contains("secret"),
                "internal detail leaked: {body}"
            );
        }
        let (_, body, _) = parts(E::invalid("email", "bad")).await;
        assert_eq!(body["field"], "email");
        assert!(body["message"].as_str().unwrap().contains("email"));
        let (_, _, retry) = parts(E::RateLimited { retry_after: 7 }).await;
        assert_eq!(retry.as_deref(), Some("7"));
    }
}

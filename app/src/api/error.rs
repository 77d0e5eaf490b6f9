//! The error both doors speak: `{error, message, field?}` with its HTTP status. Built from
//! the engine's error in exactly one place (`From<engine::Error>`), which also logs internal
//! details once and never sends them.

use super::types::ErrorBody;
use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    pub status: u16,
    pub error: String,
    pub message: String,
    pub field: Option<String>,
    /// Seconds, for 429 and 503.
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: u16, error: &str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            error: error.into(),
            message: message.into(),
            field: None,
            retry_after: None,
        }
    }

    pub fn invalid_request(field: &str, message: impl Into<String>) -> Self {
        let mut e = ApiError::new(400, "invalid_request", message);
        e.field = Some(field.into());
        e
    }

    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            error: self.error.clone(),
            message: self.message.clone(),
            field: self.field.clone(),
        }
    }
}

impl FromServerFnError for ApiError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(m) | ServerFnErrorErr::Deserialization(m) => {
                ApiError::new(400, "invalid_request", m)
            }
            ServerFnErrorErr::Request(m) => ApiError::new(
                0,
                "network",
                format!("The server could not be reached: {m}"),
            ),
            other => ApiError::new(500, "internal", other.to_string()),
        }
    }
}

#[cfg(feature = "ssr")]
impl From<engine::Error> for ApiError {
    fn from(err: engine::Error) -> Self {
        use engine::Error as E;
        match err {
            E::InvalidCredentials => {
                ApiError::new(401, "invalid_credentials", "Invalid username or password.")
            }
            E::InvalidToken => {
                ApiError::new(401, "invalid_token", "The token is invalid or expired.")
            }
            E::InvalidLinkToken => ApiError::new(
                400,
                "invalid_token",
                "This link is invalid, already used or expired.",
            ),
            E::Forbidden => ApiError::new(403, "forbidden", "You are not allowed to do this."),
            E::ReauthRequired => ApiError::new(
                403,
                "reauthentication_required",
                "Please confirm your identity again to make this change.",
            ),
            E::PasswordChangeRequired => ApiError::new(
                403,
                "password_change_required",
                "You must change your password first.",
            ),
            E::NotFound => ApiError::new(404, "not_found", "Not found."),
            E::Conflict(m) => ApiError::new(409, "conflict", m),
            E::Invalid { field, reason } => {
                ApiError::invalid_request(&field, format!("{field}: {reason}"))
            }
            E::TooLarge { field } => {
                let mut e =
                    ApiError::new(413, "payload_too_large", format!("{field} is too large"));
                e.field = Some(field);
                e
            }
            E::RateLimited { retry_after } => {
                let mut e =
                    ApiError::new(429, "rate_limited", "Too many requests; try again later.");
                e.retry_after = Some(retry_after);
                e
            }
            E::Unavailable { retry_after } => {
                let mut e =
                    ApiError::new(503, "unavailable", "The server is busy; try again shortly.");
                e.retry_after = Some(retry_after);
                e
            }
            E::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                ApiError::new(500, "internal", "Internal error.")
            }
        }
    }
}

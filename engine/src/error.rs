//! The one error type of the engine. The doors map it to HTTP (server) and to the server
//! function error (app) in one place each; `Internal` details are logged there, never sent.

use std::fmt;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Any failed login, whatever the real reason (that goes to the audit events).
    #[error("invalid credentials")]
    InvalidCredentials,
    /// A missing, malformed, expired or revoked token.
    #[error("invalid token")]
    InvalidToken,
    /// A single-use link token that is unknown, used or expired (400, unlike `InvalidToken`).
    #[error("the link is invalid, used or expired")]
    InvalidLinkToken,
    #[error("forbidden")]
    Forbidden,
    #[error("a recent re-authentication is required")]
    ReauthRequired,
    #[error("the password must be changed first")]
    PasswordChangeRequired,
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    /// A bad value; `field` names it for the client.
    #[error("{field}: {reason}")]
    Invalid { field: String, reason: String },
    /// A value over its size limit (a 1 MB password is refused before any hashing).
    #[error("{field} is too large")]
    TooLarge { field: String },
    #[error("too many requests")]
    RateLimited { retry_after: u64 },
    /// The server is saturated (e.g. the password hashing queue is full).
    #[error("the server is busy")]
    Unavailable { retry_after: u64 },
    #[error("internal error")]
    Internal(String),
}

impl Error {
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::Invalid {
            field: field.into(),
            reason: reason.into(),
        }
    }

    pub fn internal(context: &str, err: impl fmt::Display) -> Self {
        Error::Internal(format!("{context}: {err}"))
    }
}

impl From<sqlx::Error> for Error {
    fn from(err: sqlx::Error) -> Self {
        Error::internal("database", err)
    }
}

impl From<sqlx::migrate::MigrateError> for Error {
    fn from(err: sqlx::migrate::MigrateError) -> Self {
        Error::internal("migrations", err)
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

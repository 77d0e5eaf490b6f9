//! The wire types, the error, and the server functions: thin calls into the engine.

pub mod account;
pub mod account_types;
pub mod admin;
pub mod admin_sso;
pub mod admin_users;
pub mod auth;
pub mod error;
pub mod json_codec;
pub mod me;
pub mod passkey_types;
pub mod passkeys;
pub mod security;
pub mod security_types;
pub mod sso_types;
pub mod types;

#[cfg(feature = "ssr")]
pub mod convert;
#[cfg(feature = "ssr")]
pub mod sso_convert;
#[cfg(feature = "ssr")]
pub mod ssr;

pub use error::ApiError;

//! Reusable pieces of the pages.

pub mod browser;
pub mod context;
pub mod erased;
pub mod errors;
pub mod fields;
pub mod guard;
pub mod language;
pub mod m2m_token;
pub mod nav;
pub mod new_password;
pub mod passkey_login;
pub mod password_change;
pub mod reauth;
pub mod second_factor;
pub mod server_text;
pub mod sso_buttons;
pub mod top_bar;
pub mod webauthn;

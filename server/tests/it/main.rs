//! Integration tests: the real server on an ephemeral port, over HTTP, on SQLite and
//! PostgreSQL. One binary for all of them (link time).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly

mod admin;
mod auth;
mod authenticator;
mod bootstrap;
mod broadworks;
mod callbacks;
mod counterparts;
mod harness;
mod http;
mod languages;
mod m2m;
mod mail_templates;
mod mail_transport;
mod me;
mod modules;
mod multi_instance;
mod node_tool;
mod ocip_fake;
mod oidc_idp;
mod oidc_idp_smoke;
mod passkeys;
mod protection;
mod reauth;
mod reset;
mod saml_idp;
mod sessions;
mod sso_oidc;
mod sso_saml;
mod sso_settings;
mod tokens;
mod two_factor;

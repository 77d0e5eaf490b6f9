//! Single sign-on with external identity providers (OpenID Connect, SAML). This part holds
//! the providers' settings, which admins manage and the login page lists; the sign-in flows
//! build on them.

mod providers;
mod rules;

pub use providers::{
    CreationRule, OidcSettings, Protocol, Provider, ProviderInput, ProviderSettings, SamlSettings,
};

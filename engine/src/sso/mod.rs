//! Single sign-on with external identity providers: the providers' settings (admins), the
//! sign-in flow (start, the IdP's answer), OpenID Connect, SAML, and what happens after the IdP
//! (link or create the user, the rules, the checks every login path makes).

mod broadworks;
mod flow;
mod link;
mod oidc;
mod providers;
mod rules;
mod saml;

pub use broadworks::{BROADWORKS_IDP, BroadWorksInput, BroadWorksProxy, BroadWorksView};
pub(crate) use flow::SignInProviders;
pub use flow::{OidcCallback, SsoFinish, SsoStart};
pub(crate) use oidc::DiscoveryCache;
pub use providers::{
    CreationRule, OidcSettings, Protocol, Provider, ProviderInput, ProviderSettings, SamlSettings,
};
pub(crate) use saml::MetadataCache;

use serde_json::{Map, Value};

/// Who the IdP says signed in, after every check of its answer.
pub(crate) struct ExternalIdentity {
    pub issuer: String,
    pub subject: String,
    /// Every claim (ID token, then userinfo), for the rules and the mapping.
    pub claims: Map<String, Value>,
    /// How the IdP authenticated the user (RFC 8176 values), when it says.
    pub amr: Vec<String>,
}

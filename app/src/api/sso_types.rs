//! Wire types of the single sign-on providers admins configure (`/api/v01/admin/sso/{id}`,
//! API.md "SSO provider settings").

use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum SsoProtocol {
    Oidc,
    Saml,
}

fn yes() -> bool {
    true
}

fn openid_email_profile() -> Vec<String> {
    ["openid", "email", "profile"].map(String::from).to_vec()
}

/// `PUT /api/v01/admin/sso/{id}`: creates or replaces the provider.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SsoProviderBody {
    /// The button's label: "Login with {name}".
    pub name: String,
    pub protocol: SsoProtocol,
    #[serde(default = "yes")]
    pub enabled: bool,
    #[serde(default)]
    pub oidc: Option<OidcBody>,
    #[serde(default)]
    pub saml: Option<SamlBody>,
    /// A CEL expression over the claims; false rejects the user.
    #[serde(default)]
    pub extra_rule: Option<String>,
    #[serde(default)]
    pub user_creation_rules: Vec<CreationRuleBody>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OidcBody {
    pub issuer: String,
    pub client_id: String,
    /// Write-only: absent keeps the stored secret, empty removes it.
    #[serde(default)]
    pub client_secret: Option<String>,
    #[serde(default = "openid_email_profile")]
    pub scopes: Vec<String>,
    #[serde(default)]
    pub redirect_uri: Option<String>,
    /// Also read the userinfo endpoint's claims.
    #[serde(default)]
    pub userinfo: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SamlBody {
    #[serde(default)]
    pub idp_metadata_xml: Option<String>,
    #[serde(default)]
    pub idp_metadata_url: Option<String>,
    #[serde(default)]
    pub sp_entity_id: Option<String>,
}

/// The first rule whose `when` holds creates the user; the other fields name claims.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreationRuleBody {
    pub when: String,
    pub username: String,
    #[serde(default)]
    pub firstname: Option<String>,
    #[serde(default)]
    pub lastname: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub language: Option<String>,
    /// Given as it is, not a claim.
    #[serde(default)]
    pub profile: Option<String>,
    #[serde(default)]
    pub roles: Vec<String>,
}

/// A provider as admins see it: the client secret only as `client_secret_set`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct SsoProviderView {
    pub id: String,
    pub name: String,
    pub protocol: SsoProtocol,
    pub enabled: bool,
    pub oidc: Option<OidcView>,
    pub saml: Option<SamlBody>,
    pub extra_rule: Option<String>,
    pub user_creation_rules: Vec<CreationRuleBody>,
    /// RFC 3339.
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct OidcView {
    pub issuer: String,
    pub client_id: String,
    pub client_secret_set: bool,
    pub scopes: Vec<String>,
    pub redirect_uri: Option<String>,
    pub userinfo: bool,
}

/// A named OCI-P endpoint: the `proxy` of logins and password reset requests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BroadWorksProxyBody {
    pub name: String,
    /// `tcp://host:port` or an `https://` SOAP endpoint.
    pub ocip_url: String,
}

/// `PUT /api/v01/admin/broadworks` (API.md "BroadWorks").
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BroadWorksBody {
    pub enabled: bool,
    /// The default endpoint: `tcp://host:port` (OCI-P over TCP) or an `https://` SOAP URL.
    #[serde(default)]
    pub ocip_url: String,
    /// The BroadWorks admin account that sets reset passwords.
    #[serde(default)]
    pub username: String,
    /// Write-only: absent keeps the stored password, empty removes it.
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default)]
    pub proxies: Vec<BroadWorksProxyBody>,
}

/// The BroadWorks settings as admins see them: the password only as `password_set`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct BroadWorksView {
    pub enabled: bool,
    pub ocip_url: String,
    pub username: String,
    pub password_set: bool,
    pub proxies: Vec<BroadWorksProxyBody>,
}

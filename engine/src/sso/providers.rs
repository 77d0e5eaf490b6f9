//! The identity providers admins configure (`/api/v01/admin/sso/{id}`): validated on save,
//! the OIDC client secret write-only and sealed at rest, audited.

use super::rules;
use crate::Engine;
use crate::audit::Event;
use crate::clock::from_unix_ms;
use crate::error::{Error, Result};
use crate::principal::{Principal, RequestMeta};
use crate::settings::outbound_url;
use crate::store::ProviderRow;
use crate::users::text;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// More would be a configuration mistake, and each one is a button on the login page.
const MAX_PROVIDERS: usize = 20;
const MAX_RULES: usize = 20;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    Oidc,
    Saml,
}

impl Protocol {
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Oidc => "oidc",
            Protocol::Saml => "saml",
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct OidcSettings {
    /// Discovery at `{issuer}/.well-known/openid-configuration`.
    pub issuer: String,
    pub client_id: String,
    pub scopes: Vec<String>,
    /// Default `{public_url}/api/v01/auth/sso/{id}/callback`.
    pub redirect_uri: Option<String>,
    /// Also read the claims of the userinfo endpoint (JSON), for IdPs that keep the ID
    /// token small. The ID token's claims win where both have one.
    #[serde(default)]
    pub userinfo: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SamlSettings {
    pub idp_metadata_xml: Option<String>,
    pub idp_metadata_url: Option<String>,
    /// Default `{public_url}/api/v01/auth/sso/{id}/metadata`.
    pub sp_entity_id: Option<String>,
}

/// Creates a user the first time someone signs in, when `when` holds: each field names the
/// claim it is taken from (`profile` and `roles` are given as they are).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CreationRule {
    pub when: String,
    pub username: String,
    pub firstname: Option<String>,
    pub lastname: Option<String>,
    pub email: Option<String>,
    pub language: Option<String>,
    pub profile: Option<String>,
    pub roles: Vec<String>,
}

/// A provider's settings as stored and shown, without the client secret.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProviderSettings {
    pub name: String,
    pub protocol: Protocol,
    pub enabled: bool,
    pub oidc: Option<OidcSettings>,
    pub saml: Option<SamlSettings>,
    pub extra_rule: Option<String>,
    pub user_creation_rules: Vec<CreationRule>,
}

/// What an admin sends: the settings, and the client secret (None keeps the stored one,
/// empty removes it).
pub struct ProviderInput {
    pub settings: ProviderSettings,
    pub client_secret: Option<String>,
}

/// A stored provider.
#[derive(Clone, Debug)]
pub struct Provider {
    pub id: String,
    pub settings: ProviderSettings,
    pub client_secret_set: bool,
    pub updated_at: DateTime<Utc>,
}

fn check_id(id: &str) -> Result<()> {
    let ok = (1..=32).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(Error::invalid("id", "1 to 32 of a-z 0-9 -"))
    }
}

fn check_oidc(o: &OidcSettings) -> Result<()> {
    let issuer = outbound_url("oidc.issuer", &o.issuer)?;
    if issuer.query().is_some() || issuer.fragment().is_some() {
        return Err(Error::invalid(
            "oidc.issuer",
            "an issuer URL has no query or fragment",
        ));
    }
    if o.client_id.trim().is_empty() {
        return Err(Error::invalid("oidc.client_id", "must not be empty"));
    }
    text("oidc.client_id", &o.client_id, 255)?;
    if !o.scopes.iter().any(|s| s == "openid") {
        return Err(Error::invalid("oidc.scopes", "must include openid"));
    }
    let scope_ok = |s: &String| {
        !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_graphic() && b != b'"')
    };
    if o.scopes.len() > 20 || !o.scopes.iter().all(scope_ok) {
        return Err(Error::invalid(
            "oidc.scopes",
            "at most 20 scopes, each a word",
        ));
    }
    if let Some(uri) = &o.redirect_uri {
        outbound_url("oidc.redirect_uri", uri)?;
    }
    Ok(())
}

fn check_saml(s: &SamlSettings) -> Result<()> {
    match (&s.idp_metadata_xml, &s.idp_metadata_url) {
        (Some(xml), None) => {
            if xml.len() > 256 * 1024 {
                return Err(Error::invalid("saml.idp_metadata_xml", "at most 256 KiB"));
            }
            // No DTDs ever (XXE, entity expansion): refused before any XML parser sees it.
            if xml.contains("<!DOCTYPE") || xml.contains("<!ENTITY") {
                return Err(Error::invalid(
                    "saml.idp_metadata_xml",
                    "must not contain a DOCTYPE",
                ));
            }
            if !xml.contains("EntityDescriptor") {
                return Err(Error::invalid(
                    "saml.idp_metadata_xml",
                    "must be SAML metadata (an EntityDescriptor)",
                ));
            }
            super::saml::check_idp_metadata("saml.idp_metadata_xml", xml)?;
        }
        (None, Some(url)) => {
            outbound_url("saml.idp_metadata_url", url)?;
        }
        _ => {
            return Err(Error::invalid(
                "saml",
                "give either idp_metadata_xml or idp_metadata_url",
            ));
        }
    }
    if let Some(id) = &s.sp_entity_id {
        if id.trim().is_empty() {
            return Err(Error::invalid("saml.sp_entity_id", "must not be empty"));
        }
        text("saml.sp_entity_id", id, 255)?;
    }
    Ok(())
}

fn check_rule(i: usize, r: &CreationRule) -> Result<()> {
    let field = |name: &str| format!("user_creation_rules[{i}].{name}");
    rules::check(&field("when"), &r.when)?;
    let claims = [
        ("username", Some(&r.username)),
        ("firstname", r.firstname.as_ref()),
        ("lastname", r.lastname.as_ref()),
        ("email", r.email.as_ref()),
        ("language", r.language.as_ref()),
    ];
    for (name, claim) in claims {
        if let Some(claim) = claim {
            let ok = (1..=64).contains(&claim.len())
                && claim
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"_-.:/".contains(&b));
            if !ok {
                return Err(Error::invalid(field(name), "the name of a claim"));
            }
        }
    }
    if let Some(profile) = &r.profile {
        text(&field("profile"), profile, 100)?;
    }
    crate::users::check_roles(&field("roles"), &r.roles)
}

/// Checks everything an admin may get wrong; the first problem names its field.
fn check(id: &str, s: &ProviderSettings) -> Result<()> {
    check_id(id)?;
    if s.name.trim().is_empty() {
        return Err(Error::invalid("name", "must not be empty"));
    }
    text("name", &s.name, 64)?;
    match s.protocol {
        Protocol::Oidc => check_oidc(
            s.oidc
                .as_ref()
                .ok_or_else(|| Error::invalid("oidc", "required for protocol oidc"))?,
        )?,
        Protocol::Saml => check_saml(
            s.saml
                .as_ref()
                .ok_or_else(|| Error::invalid("saml", "required for protocol saml"))?,
        )?,
    }
    if let Some(rule) = &s.extra_rule {
        rules::check("extra_rule", rule)?;
    }
    if s.user_creation_rules.len() > MAX_RULES {
        return Err(Error::invalid(
            "user_creation_rules",
            format!("at most {MAX_RULES} rules"),
        ));
    }
    for (i, r) in s.user_creation_rules.iter().enumerate() {
        check_rule(i, r)?;
    }
    Ok(())
}

pub(super) fn provider(row: ProviderRow) -> Result<Provider> {
    let settings = serde_json::from_str(&row.settings)
        .map_err(|e| Error::internal("stored SSO provider", e))?;
    Ok(Provider {
        id: row.id,
        settings,
        client_secret_set: row.client_secret_enc.is_some(),
        updated_at: from_unix_ms(row.updated_at),
    })
}

impl Engine {
    /// Every provider (admin).
    pub async fn sso_providers(&self, p: &Principal) -> Result<Vec<Provider>> {
        p.require_admin()?;
        self.store()
            .sso_providers()
            .await?
            .into_iter()
            .map(provider)
            .collect()
    }

    /// One provider (admin); unknown → 404.
    pub async fn sso_provider(&self, p: &Principal, id: &str) -> Result<Provider> {
        p.require_admin()?;
        let row = self
            .store()
            .sso_provider(id)
            .await?
            .ok_or(Error::NotFound)?;
        provider(row)
    }

    /// Creates or replaces a provider (admin); invalid settings name the field and save
    /// nothing. The OIDC client secret is sealed; without one in the input, the stored one
    /// stays (it is never shown).
    pub async fn save_sso_provider(
        &self,
        p: &Principal,
        id: &str,
        input: ProviderInput,
        meta: &RequestMeta,
    ) -> Result<Provider> {
        p.require_admin()?;
        check(id, &input.settings)?;
        let existing = self.store().sso_provider(id).await?;
        if existing.is_none() && self.store().sso_providers().await?.len() >= MAX_PROVIDERS {
            return Err(Error::invalid(
                "id",
                format!("at most {MAX_PROVIDERS} providers"),
            ));
        }
        let client_secret_enc = match input.client_secret.as_deref() {
            None => existing.and_then(|r| r.client_secret_enc),
            Some("") => None,
            Some(secret) => {
                text("oidc.client_secret", secret, 512)?;
                Some(self.0.secrets.seal(self.entropy(), secret)?)
            }
        };
        let settings = serde_json::to_string(&input.settings)
            .map_err(|e| Error::internal("SSO provider", e))?;
        let row = ProviderRow {
            id: id.to_string(),
            settings,
            client_secret_enc,
            updated_at: self.now_ms(),
        };
        self.store().save_sso_provider(&row, &p.username).await?;
        self.reload_sso_providers(true).await?;
        self.audit(
            Event::new("sso_provider_saved", "success")
                .actor(p)
                .ip(meta)
                .detail(serde_json::json!({
                    "id": id,
                    "protocol": input.settings.protocol.as_str(),
                    "enabled": input.settings.enabled,
                    "client_secret_changed": input.client_secret.is_some(),
                })),
        )
        .await;
        provider(row)
    }

    /// Removes a provider (admin); unknown → 404.
    pub async fn delete_sso_provider(
        &self,
        p: &Principal,
        id: &str,
        meta: &RequestMeta,
    ) -> Result<()> {
        p.require_admin()?;
        if !self.store().delete_sso_provider(id).await? {
            return Err(Error::NotFound);
        }
        self.store().delete_sso_links(id).await?;
        self.reload_sso_providers(true).await?;
        self.audit(
            Event::new("sso_provider_deleted", "success")
                .actor(p)
                .ip(meta)
                .detail(serde_json::json!({ "id": id })),
        )
        .await;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oidc() -> ProviderSettings {
        ProviderSettings {
            name: "Corporate IdP".into(),
            protocol: Protocol::Oidc,
            enabled: true,
            oidc: Some(OidcSettings {
                issuer: "https://idp.example.com".into(),
                client_id: "apio".into(),
                scopes: vec!["openid".into(), "email".into()],
                redirect_uri: None,
                userinfo: false,
            }),
            saml: None,
            extra_rule: Some("hd == \"example.com\"".into()),
            user_creation_rules: vec![CreationRule {
                when: "true".into(),
                username: "preferred_username".into(),
                email: Some("email".into()),
                ..Default::default()
            }],
        }
    }

    fn field_of(id: &str, s: &ProviderSettings) -> Option<String> {
        match check(id, s) {
            Err(Error::Invalid { field, .. }) => Some(field),
            Err(other) => Some(format!("unexpected {other:?}")),
            Ok(()) => None,
        }
    }

    #[test]
    fn good_settings_pass() {
        assert_eq!(field_of("corp", &oidc()), None);
        let saml = ProviderSettings {
            protocol: Protocol::Saml,
            oidc: None,
            saml: Some(SamlSettings {
                idp_metadata_url: Some("https://idp.example.com/metadata".into()),
                ..Default::default()
            }),
            ..oidc()
        };
        assert_eq!(field_of("saml-1", &saml), None);
    }

    #[test]
    fn each_mistake_names_its_field() {
        assert_eq!(field_of("Corp", &oidc()).as_deref(), Some("id"));
        assert_eq!(field_of(&"a".repeat(33), &oidc()).as_deref(), Some("id"));
        let with = |f: &dyn Fn(&mut ProviderSettings)| {
            let mut s = oidc();
            f(&mut s);
            s
        };
        let oidc_with = |f: &dyn Fn(&mut OidcSettings)| {
            with(&|s| {
                if let Some(o) = s.oidc.as_mut() {
                    f(o)
                }
            })
        };
        let cases: Vec<(ProviderSettings, &str)> = vec![
            (with(&|s| s.name = " ".into()), "name"),
            (with(&|s| s.oidc = None), "oidc"),
            (
                oidc_with(&|o| o.issuer = "http://idp.example.com".into()),
                "oidc.issuer",
            ),
            (
                oidc_with(&|o| o.issuer = "https://idp.example.com/?x=1".into()),
                "oidc.issuer",
            ),
            (oidc_with(&|o| o.client_id = "".into()), "oidc.client_id"),
            (
                oidc_with(&|o| o.scopes = vec!["email".into()]),
                "oidc.scopes",
            ),
            (
                oidc_with(&|o| o.redirect_uri = Some("ftp://x".into())),
                "oidc.redirect_uri",
            ),
            (with(&|s| s.extra_rule = Some("hd ==".into())), "extra_rule"),
            (
                with(&|s| s.user_creation_rules[0].when = "(".into()),
                "user_creation_rules[0].when",
            ),
            (
                with(&|s| s.user_creation_rules[0].username = "a b".into()),
                "user_creation_rules[0].username",
            ),
            (
                with(&|s| s.user_creation_rules[0].roles = vec!["Not A Role".into()]),
                "user_creation_rules[0].roles",
            ),
            (
                with(&|s| {
                    s.protocol = Protocol::Saml;
                    s.saml = Some(SamlSettings::default());
                }),
                "saml",
            ),
            (
                with(&|s| {
                    s.protocol = Protocol::Saml;
                    s.saml = Some(SamlSettings {
                        idp_metadata_xml: Some(
                            "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><EntityDescriptor/>"
                                .into(),
                        ),
                        ..Default::default()
                    });
                }),
                "saml.idp_metadata_xml",
            ),
        ];
        for (settings, field) in cases {
            assert_eq!(field_of("corp", &settings).as_deref(), Some(field));
        }
    }
}

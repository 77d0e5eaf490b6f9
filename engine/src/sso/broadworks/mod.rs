//! BroadWorks accounts: the OCI-P endpoint, the admin account and the named proxies
//! (`/admin/broadworks`, admins); the login of users whose password BroadWorks holds and
//! their password reset ([`sign_in`]).

mod ocip;
mod sign_in;

use crate::Engine;
use crate::audit::Event;
use crate::error::{Error, Result};
use crate::principal::{Principal, RequestMeta};
use crate::users::text;
use ocip::Endpoint;
use serde::{Deserialize, Serialize};

/// The `idp` of users whose password BroadWorks holds.
pub const BROADWORKS_IDP: &str = "broadworks";
/// The provider of their identity links (the issuer is the proxy, the subject the BroadWorks
/// user id); not a slug, so no SSO provider can take it.
const LINK_PROVIDER: &str = "@broadworks";
const MAX_PROXIES: usize = 50;

/// A named OCI-P endpoint (the `proxy` of logins and reset requests).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BroadWorksProxy {
    pub name: String,
    pub ocip_url: String,
}

/// The settings as stored: the admin password only sealed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BroadWorksSettings {
    pub enabled: bool,
    pub ocip_url: String,
    pub username: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_enc: Option<String>,
    pub proxies: Vec<BroadWorksProxy>,
}

/// The settings as admins see them.
#[derive(Clone, Debug, PartialEq)]
pub struct BroadWorksView {
    pub enabled: bool,
    pub ocip_url: String,
    pub username: String,
    pub password_set: bool,
    pub proxies: Vec<BroadWorksProxy>,
}

/// What an admin sends: the password is write-only (None keeps it, empty removes it).
#[derive(Clone, Debug, Default)]
pub struct BroadWorksInput {
    pub enabled: bool,
    pub ocip_url: String,
    pub username: String,
    pub password: Option<String>,
    pub proxies: Vec<BroadWorksProxy>,
}

impl BroadWorksSettings {
    fn view(&self) -> BroadWorksView {
        BroadWorksView {
            enabled: self.enabled,
            ocip_url: self.ocip_url.clone(),
            username: self.username.clone(),
            password_set: self.password_enc.is_some(),
            proxies: self.proxies.clone(),
        }
    }

    /// The endpoint of `proxy` (None: the default one); an unknown name is `None`.
    fn endpoint(&self, proxy: Option<&str>) -> Option<Endpoint> {
        let url = match proxy {
            None => &self.ocip_url,
            Some(name) => &self.proxies.iter().find(|p| p.name == name)?.ocip_url,
        };
        Endpoint::parse(url)
    }
}

fn check_url(field: &str, raw: &str) -> Result<()> {
    match Endpoint::parse(raw) {
        Some(_) => Ok(()),
        None => Err(Error::invalid(
            field,
            "tcp://host:port, or an https:// SOAP endpoint (http only to loopback)",
        )),
    }
}

/// A proxy name: what `{proxy}` puts into mail template names, so a plain word.
fn check_proxy_name(field: &str, name: &str) -> Result<()> {
    let ok = (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(field, "1 to 64 of A-Z a-z 0-9 - _ ."))
    }
}

fn check(input: &BroadWorksInput, password_set: bool) -> Result<()> {
    text("username", &input.username, 255)?;
    if input.enabled || !input.ocip_url.is_empty() {
        check_url("ocip_url", &input.ocip_url)?;
    }
    if input.enabled && input.username.trim().is_empty() {
        return Err(Error::invalid("username", "must not be empty when enabled"));
    }
    if input.proxies.len() > MAX_PROXIES {
        return Err(Error::invalid(
            "proxies",
            format!("at most {MAX_PROXIES} proxies"),
        ));
    }
    for (i, p) in input.proxies.iter().enumerate() {
        check_proxy_name(&format!("proxies[{i}].name"), &p.name)?;
        check_url(&format!("proxies[{i}].ocip_url"), &p.ocip_url)?;
        if input.proxies[..i].iter().any(|q| q.name == p.name) {
            return Err(Error::invalid(
                format!("proxies[{i}].name"),
                "names must be unique",
            ));
        }
    }
    if input.enabled && !password_set {
        return Err(Error::invalid("password", "must be set when enabled"));
    }
    Ok(())
}

impl Engine {
    /// The stored settings; never saved: off.
    pub(crate) async fn broadworks(&self) -> Result<BroadWorksSettings> {
        match self.store().broadworks_settings().await? {
            Some(body) => serde_json::from_str(&body)
                .map_err(|e| Error::internal("stored BroadWorks settings", e)),
            None => Ok(BroadWorksSettings::default()),
        }
    }

    /// The settings (admin).
    pub async fn broadworks_settings(&self, p: &Principal) -> Result<BroadWorksView> {
        p.require_admin()?;
        Ok(self.broadworks().await?.view())
    }

    /// Replaces the settings (admin); an invalid value names its field and saves nothing.
    pub async fn save_broadworks_settings(
        &self,
        p: &Principal,
        input: BroadWorksInput,
        meta: &RequestMeta,
    ) -> Result<BroadWorksView> {
        p.require_admin()?;
        let stored = self.broadworks().await?;
        let password_enc = match input.password.as_deref() {
            None => stored.password_enc,
            Some("") => None,
            Some(pw) => {
                text("password", pw, 255)?;
                Some(self.0.secrets.seal(self.entropy(), pw)?)
            }
        };
        check(&input, password_enc.is_some())?;
        let settings = BroadWorksSettings {
            enabled: input.enabled,
            ocip_url: input.ocip_url.trim().to_string(),
            username: input.username.trim().to_string(),
            password_enc,
            proxies: input.proxies,
        };
        let body = serde_json::to_string(&settings)
            .map_err(|e| Error::internal("BroadWorks settings", e))?;
        self.store()
            .save_broadworks_settings(&body, self.now_ms())
            .await?;
        self.audit(
            Event::new("broadworks_saved", "success")
                .actor(p)
                .ip(meta)
                .detail(serde_json::json!({
                    "enabled": settings.enabled,
                    "ocip_url": settings.ocip_url,
                    "proxies": settings.proxies.iter().map(|p| &p.name).collect::<Vec<_>>(),
                    "password_changed": input.password.is_some(),
                })),
        )
        .await;
        Ok(settings.view())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> BroadWorksInput {
        BroadWorksInput {
            enabled: true,
            ocip_url: "tcp://bw.example.com:2208".into(),
            username: "admin".into(),
            password: None,
            proxies: vec![BroadWorksProxy {
                name: "east".into(),
                ocip_url: "https://bw-east.example.com/webservice/services/ProvisioningService"
                    .into(),
            }],
        }
    }

    fn field_of(r: Result<()>) -> String {
        match r {
            Err(Error::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn settings_are_validated_field_by_field() {
        assert!(check(&input(), true).is_ok());
        assert_eq!(field_of(check(&input(), false)), "password");
        let mut i = input();
        i.ocip_url = "ftp://bw.example.com".into();
        assert_eq!(field_of(check(&i, true)), "ocip_url");
        let mut i = input();
        i.proxies[0].name = "../x".into();
        assert_eq!(field_of(check(&i, true)), "proxies[0].name");
        let mut i = input();
        i.proxies.push(i.proxies[0].clone());
        assert_eq!(field_of(check(&i, true)), "proxies[1].name");
        let mut i = input();
        i.proxies[0].ocip_url = "http://bw.example.com/x".into();
        assert_eq!(field_of(check(&i, true)), "proxies[0].ocip_url");
        // Off, nothing needs to be set.
        assert!(check(&BroadWorksInput::default(), false).is_ok());
    }

    #[test]
    fn proxies_choose_the_endpoint() {
        let s = BroadWorksSettings {
            enabled: true,
            ocip_url: "tcp://default.example.com:2208".into(),
            proxies: vec![BroadWorksProxy {
                name: "east".into(),
                ocip_url: "tcp://east.example.com:2208".into(),
            }],
            ..Default::default()
        };
        let host = |e: Option<Endpoint>| match e {
            Some(Endpoint::Tcp { host, .. }) => host,
            other => panic!("{other:?}"),
        };
        assert_eq!(host(s.endpoint(None)), "default.example.com");
        assert_eq!(host(s.endpoint(Some("east"))), "east.example.com");
        assert!(s.endpoint(Some("west")).is_none());
    }
}

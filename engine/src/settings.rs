//! Platform settings (CONFIG.md §2): one typed document in the database, validated on write
//! with the field named, cached in memory and re-read by every instance when its version moves.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub const MODULES: [&str; 11] = [
    "profile",
    "security",
    "passkeys",
    "callbacks",
    "trusted",
    "login_attempts",
    "ip_whitelist",
    "sessions",
    "admin_users",
    "admin_settings",
    "admin_events",
];

/// An outbound HTTPS call; its shared secret is kept encrypted (`secret_enc`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Workflow {
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_enc: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    pub label: String,
    pub modules: Vec<String>,
    pub welcome_mail_template: String,
    pub reset_password_mail_template: String,
    pub reset_password_notification_workflow: Option<Workflow>,
    pub post_reset_password_workflow: Option<Workflow>,
    pub lockout_duration_minutes: u32,
    pub lockout_threshold: u32,
    pub force_two_factor: bool,
    /// Email 2FA is offered only when set.
    pub two_factor_mail_template: Option<String>,
    pub client_ip_header: Option<String>,
    /// TOTP is offered only when set.
    pub totp_issuer: Option<String>,
    pub allowed_origins: Vec<String>,
    pub session_idle_timeout_minutes: u32,
    pub webauthn_enabled: bool,
    pub webauthn_display_name: String,
    /// None: the host of `server.public_url`.
    pub webauthn_rp_id: Option<String>,
    /// None: `[server.public_url]`.
    pub webauthn_rp_origins: Option<Vec<String>>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            label: String::new(),
            modules: MODULES.iter().map(|m| m.to_string()).collect(),
            welcome_mail_template: "mails.welcome".into(),
            reset_password_mail_template: "mails.reset_password".into(),
            reset_password_notification_workflow: None,
            post_reset_password_workflow: None,
            lockout_duration_minutes: 15,
            lockout_threshold: 5,
            force_two_factor: false,
            two_factor_mail_template: Some("mails.two_factor".into()),
            client_ip_header: None,
            totp_issuer: Some("APIO".into()),
            allowed_origins: Vec::new(),
            session_idle_timeout_minutes: 60,
            webauthn_enabled: true,
            webauthn_display_name: "APIO".into(),
            webauthn_rp_id: None,
            webauthn_rp_origins: None,
        }
    }
}

impl Settings {
    pub fn module_enabled(&self, module: &str) -> bool {
        self.modules.iter().any(|m| m == module)
    }

    /// The document as admins see it: workflow secrets shown only as `secret_set`.
    pub fn admin_view(&self) -> Value {
        let mut v = serde_json::to_value(self).unwrap_or(Value::Null);
        for key in WORKFLOW_KEYS {
            if let Some(Value::Object(w)) = v.get_mut(key) {
                let set = w.remove("secret_enc").is_some();
                w.insert("secret_set".into(), Value::Bool(set));
            }
        }
        v
    }

    /// Applies a (partial) admin update: unknown fields, wrong types and invalid values are
    /// refused with the field named; `seal` encrypts a workflow secret that was given.
    pub fn apply_update(
        &self,
        update: &Value,
        public_url: &url::Url,
        seal: impl Fn(&str) -> Result<String>,
    ) -> Result<Settings> {
        let Value::Object(update) = update else {
            return Err(Error::invalid("body", "must be a JSON object"));
        };
        let Value::Object(mut doc) =
            serde_json::to_value(self).map_err(|e| Error::internal("settings", e))?
        else {
            return Err(Error::Internal("settings are not an object".into()));
        };
        for (key, value) in update {
            let value = if WORKFLOW_KEYS.contains(&key.as_str()) {
                workflow_update(key, value, doc.get(key), &seal)?
            } else {
                value.clone()
            };
            doc.insert(key.clone(), value);
        }
        let settings: Settings =
            serde_path_to_error::deserialize(Value::Object(doc)).map_err(|e| {
                let field = match e.path().to_string() {
                    p if p == "." => unknown_field(update).unwrap_or_else(|| "body".into()),
                    p => p,
                };
                Error::invalid(field, e.inner().to_string())
            })?;
        settings.validate(public_url)?;
        Ok(settings)
    }

    pub fn validate(&self, public_url: &url::Url) -> Result<()> {
        if self.label.chars().count() > 100 || self.label.chars().any(char::is_control) {
            return Err(Error::invalid(
                "label",
                "at most 100 characters, no control characters",
            ));
        }
        for (i, m) in self.modules.iter().enumerate() {
            if !MODULES.contains(&m.as_str()) {
                return Err(Error::invalid(
                    "modules",
                    format!("unknown module {m:?}; known: {}", MODULES.join(", ")),
                ));
            }
            if self.modules[..i].contains(m) {
                return Err(Error::invalid("modules", format!("{m:?} is listed twice")));
            }
        }
        // Without it no admin could ever turn a module back on (its endpoints would be 404).
        if !self.module_enabled("admin_settings") {
            return Err(Error::invalid(
                "modules",
                "admin_settings cannot be disabled: it is where modules are turned back on",
            ));
        }
        template_name("welcome_mail_template", &self.welcome_mail_template)?;
        template_name(
            "reset_password_mail_template",
            &self.reset_password_mail_template,
        )?;
        if let Some(t) = &self.two_factor_mail_template {
            template_name("two_factor_mail_template", t)?;
        }
        for (key, wf) in [
            (
                "reset_password_notification_workflow",
                &self.reset_password_notification_workflow,
            ),
            (
                "post_reset_password_workflow",
                &self.post_reset_password_workflow,
            ),
        ] {
            if let Some(wf) = wf {
                workflow_url(key, &wf.url)?;
            }
        }
        range(
            "lockout_duration_minutes",
            self.lockout_duration_minutes,
            1,
            7 * 24 * 60,
        )?;
        range("lockout_threshold", self.lockout_threshold, 1, 100)?;
        range(
            "session_idle_timeout_minutes",
            self.session_idle_timeout_minutes,
            1,
            7 * 24 * 60,
        )?;
        if let Some(h) = &self.client_ip_header
            && (h.is_empty() || http_header_name_invalid(h))
        {
            return Err(Error::invalid(
                "client_ip_header",
                "must be an HTTP header name, e.g. X-Forwarded-For",
            ));
        }
        if let Some(issuer) = &self.totp_issuer
            && (issuer.trim().is_empty() || issuer.contains(':') || issuer.chars().count() > 64)
        {
            return Err(Error::invalid(
                "totp_issuer",
                "1 to 64 characters, without ':'",
            ));
        }
        for o in &self.allowed_origins {
            origin("allowed_origins", o)?;
        }
        let name = self.webauthn_display_name.trim();
        if name.is_empty() || name.chars().count() > 64 {
            return Err(Error::invalid(
                "webauthn_display_name",
                "1 to 64 characters",
            ));
        }
        let origins = self.rp_origins(public_url);
        for o in &origins {
            origin("webauthn_rp_origins", o)?;
        }
        if self.webauthn_rp_origins.as_ref().is_some_and(Vec::is_empty) {
            return Err(Error::invalid("webauthn_rp_origins", "at least one origin"));
        }
        let rp_id = self.rp_id(public_url);
        if rp_id.is_empty()
            || !rp_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        {
            return Err(Error::invalid(
                "webauthn_rp_id",
                "must be a domain name, e.g. example.com",
            ));
        }
        for o in &origins {
            let host = url::Url::parse(o)
                .ok()
                .and_then(|u| u.host_str().map(str::to_string))
                .unwrap_or_default();
            if host != rp_id && !host.ends_with(&format!(".{rp_id}")) {
                return Err(Error::invalid(
                    "webauthn_rp_id",
                    format!("{rp_id:?} is not the host of {o:?} nor a domain above it"),
                ));
            }
        }
        // What webauthn-rs itself refuses (an IP address as RP ID…), when the admin chose the
        // values; derived defaults that cannot work only leave passkeys unavailable.
        if self.webauthn_rp_id.is_some() || self.webauthn_rp_origins.is_some() {
            crate::passkeys::relying_party(self, public_url)?;
        }
        Ok(())
    }

    pub fn rp_id(&self, public_url: &url::Url) -> String {
        self.webauthn_rp_id
            .clone()
            .unwrap_or_else(|| public_url.host_str().unwrap_or_default().to_string())
    }

    pub fn rp_origins(&self, public_url: &url::Url) -> Vec<String> {
        self.webauthn_rp_origins
            .clone()
            .unwrap_or_else(|| vec![public_url.origin().ascii_serialization()])
    }
}

const WORKFLOW_KEYS: [&str; 2] = [
    "reset_password_notification_workflow",
    "post_reset_password_workflow",
];

/// `{url, secret?}` from the admin into the stored `{url, secret_enc?}`; without `secret`
/// the stored one is kept.
fn workflow_update(
    key: &str,
    value: &Value,
    stored: Option<&Value>,
    seal: &impl Fn(&str) -> Result<String>,
) -> Result<Value> {
    let Value::Object(input) = value else {
        return Ok(value.clone()); // null clears; other types fail deserialisation, named
    };
    let mut out = Map::new();
    for (k, v) in input {
        match (k.as_str(), v) {
            ("url", Value::String(_)) => {
                out.insert("url".into(), v.clone());
            }
            ("secret", Value::String(s)) if !s.is_empty() => {
                out.insert("secret_enc".into(), Value::String(seal(s)?));
            }
            ("secret", Value::Null) | ("secret_set", _) => {}
            (k, _) => {
                return Err(Error::invalid(
                    format!("{key}.{k}"),
                    "unknown field or wrong type",
                ));
            }
        }
    }
    if !out.contains_key("secret_enc")
        && input.get("secret") != Some(&Value::Null)
        && let Some(old) = stored.and_then(|s| s.get("secret_enc"))
    {
        out.insert("secret_enc".into(), old.clone());
    }
    Ok(Value::Object(out))
}

fn unknown_field(update: &Map<String, Value>) -> Option<String> {
    let known = serde_json::to_value(Settings::default()).ok()?;
    update
        .keys()
        .find(|k| known.get(k.as_str()).is_none())
        .cloned()
}

fn range(field: &str, v: u32, min: u32, max: u32) -> Result<()> {
    if v < min || v > max {
        return Err(Error::invalid(
            field,
            format!("must be between {min} and {max}"),
        ));
    }
    Ok(())
}

fn template_name(field: &str, name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 200
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-{}".contains(c));
    if !ok {
        return Err(Error::invalid(
            field,
            "letters, digits, '.', '_', '-' and {variables} only",
        ));
    }
    Ok(())
}

fn workflow_url(field: &str, raw: &str) -> Result<()> {
    outbound_url(&format!("{field}.url"), raw).map(|_| ())
}

/// A URL this server calls out to (a workflow, an identity provider): https, or plain http
/// to this machine only (tests, a sidecar).
pub(crate) fn outbound_url(field: &str, raw: &str) -> Result<url::Url> {
    let u = url::Url::parse(raw).map_err(|_| Error::invalid(field, "not a URL"))?;
    let loopback = matches!(u.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    if u.scheme() != "https" && !(u.scheme() == "http" && loopback) {
        return Err(Error::invalid(
            field,
            "must be https (http only to loopback)",
        ));
    }
    Ok(u)
}

/// An exact origin: scheme, host, optional port; never `null` or a wildcard.
fn origin(field: &str, raw: &str) -> Result<()> {
    let bad = || {
        Error::invalid(
            field,
            format!("{raw:?} is not an origin like https://app.example.com"),
        )
    };
    let u = url::Url::parse(raw).map_err(|_| bad())?;
    if !matches!(u.scheme(), "http" | "https")
        || u.host_str().is_none()
        || u.origin().ascii_serialization() != raw.trim_end_matches('/')
    {
        return Err(bad());
    }
    Ok(())
}

fn http_header_name_invalid(h: &str) -> bool {
    !h.chars()
        .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn url() -> url::Url {
        url::Url::parse("https://auth.example.com").unwrap()
    }

    fn no_seal(_: &str) -> Result<String> {
        Ok("sealed".into())
    }

    #[test]
    fn defaults_are_valid_and_complete() {
        let s = Settings::default();
        s.validate(&url()).unwrap();
        assert_eq!(
            serde_json::to_value(&s).unwrap().as_object().unwrap().len(),
            18
        );
        assert_eq!(s.rp_id(&url()), "auth.example.com");
    }

    #[test]
    fn invalid_updates_name_the_field() {
        let s = Settings::default();
        let field = |v: Value| match s.apply_update(&v, &url(), no_seal) {
            Err(Error::Invalid { field, .. }) => field,
            other => panic!("expected Invalid, got {other:?}"),
        };
        assert_eq!(field(json!({"lockout_threshold": 0})), "lockout_threshold");
        assert_eq!(
            field(json!({"lockout_threshold": "five"})),
            "lockout_threshold"
        );
        assert_eq!(field(json!({"no_such_setting": 1})), "no_such_setting");
        assert_eq!(field(json!({"modules": ["profile", "games"]})), "modules");
        assert_eq!(field(json!({"modules": ["profile"]})), "modules");
        assert_eq!(
            field(json!({"allowed_origins": ["null"]})),
            "allowed_origins"
        );
        assert_eq!(
            field(json!({"allowed_origins": ["https://a.example.com/path"]})),
            "allowed_origins"
        );
        assert_eq!(
            field(json!({"webauthn_rp_id": "other.org"})),
            "webauthn_rp_id"
        );
        assert_eq!(
            field(json!({"client_ip_header": "X Forwarded"})),
            "client_ip_header"
        );
        assert_eq!(
            field(json!({"post_reset_password_workflow": {"url": "http://example.com"}})),
            "post_reset_password_workflow.url"
        );
    }

    #[test]
    fn workflow_secret_is_sealed_kept_and_hidden() {
        let s = Settings::default()
            .apply_update(&json!({"post_reset_password_workflow": {"url": "https://wf.example.com", "secret": "s3"}}), &url(), no_seal)
            .unwrap();
        assert_eq!(
            s.post_reset_password_workflow
                .as_ref()
                .unwrap()
                .secret_enc
                .as_deref(),
            Some("sealed")
        );
        let s = s
            .apply_update(
                &json!({"post_reset_password_workflow": {"url": "https://wf2.example.com"}}),
                &url(),
                no_seal,
            )
            .unwrap();
        assert_eq!(
            s.post_reset_password_workflow
                .as_ref()
                .unwrap()
                .secret_enc
                .as_deref(),
            Some("sealed")
        );
        let view = s.admin_view();
        assert_eq!(
            view["post_reset_password_workflow"],
            json!({"url": "https://wf2.example.com", "secret_set": true})
        );
    }

    #[test]
    fn rp_id_may_be_a_parent_domain() {
        let s = Settings::default()
            .apply_update(&json!({"webauthn_rp_id": "example.com", "webauthn_rp_origins": ["https://auth.example.com", "https://app.example.com"]}), &url(), no_seal)
            .unwrap();
        assert_eq!(s.rp_id(&url()), "example.com");
    }
}

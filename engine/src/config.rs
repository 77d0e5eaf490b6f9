//! Deployment settings (CONFIG.md §1): a TOML file, every key overridable by an environment
//! variable `APIO_<SECTION>_<KEY>`, read once at start. Errors name the key.

use ipnet::IpNet;
use serde::{Deserialize, Serialize};
use std::{collections::BTreeMap, path::PathBuf, time::Duration};

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub server: ServerConfig,
    pub database: DatabaseConfig,
    pub tokens: TokensConfig,
    pub smtp: SmtpConfig,
    pub workflows: WorkflowsConfig,
    pub callbacks: CallbacksConfig,
    pub secrets: SecretsConfig,
    pub password: PasswordConfig,
    pub bootstrap: BootstrapConfig,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// Address to bind.
    pub listen: String,
    /// The URL users reach: mailed links, cookie security, the default WebAuthn origin.
    /// Never taken from request headers.
    pub public_url: url::Url,
    /// Peers whose client-IP header is believed.
    pub trusted_proxies: Vec<IpNet>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: "127.0.0.1:3000".into(),
            public_url: default_public_url(),
            trusted_proxies: Vec::new(),
        }
    }
}

#[allow(clippy::expect_used)] // a constant that always parses
fn default_public_url() -> url::Url {
    url::Url::parse("http://localhost:3000").expect("constant URL")
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseConfig {
    /// `sqlite://…` or `postgres://…`.
    pub url: String,
    /// Pool size; 0 picks one by engine.
    pub max_connections: u32,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        DatabaseConfig {
            url: "sqlite://data/apio.db".into(),
            max_connections: 0,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TokensConfig {
    pub signing_key_file: PathBuf,
    #[serde(with = "humantime_serde")]
    pub access_ttl: Duration,
    #[serde(with = "humantime_serde")]
    pub refresh_ttl: Duration,
    #[serde(with = "humantime_serde")]
    pub session_max: Duration,
    #[serde(with = "humantime_serde")]
    pub reauth_window: Duration,
    /// How long the set-password link of a welcome mail works.
    #[serde(with = "humantime_serde")]
    pub welcome_link_ttl: Duration,
}

impl Default for TokensConfig {
    fn default() -> Self {
        TokensConfig {
            signing_key_file: "data/signing.key".into(),
            access_ttl: Duration::from_secs(5 * 60),
            refresh_ttl: Duration::from_secs(8 * 3600),
            session_max: Duration::from_secs(12 * 3600),
            reauth_window: Duration::from_secs(5 * 60),
            welcome_link_ttl: Duration::from_secs(7 * 24 * 3600),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SmtpConfig {
    /// `smtp://host:port` (plain; `?tls=required` for STARTTLS), `smtps://host:port` (TLS),
    /// credentials as `smtp://user:password@host`. None: no mail leaves the server.
    pub url: Option<String>,
    /// The sender; None: `noreply@<host of server.public_url>`.
    pub from: Option<String>,
    /// Per attempt (connect and send).
    #[serde(with = "humantime_serde")]
    pub timeout: Duration,
    /// Further attempts after a temporary failure, each delay three times the last.
    pub retries: u32,
    #[serde(with = "humantime_serde")]
    pub retry_delay: Duration,
    /// A PEM file of certificates trusted for the relay's TLS besides the public roots (a
    /// relay with a private CA). Only with a TLS `url`.
    pub ca_file: Option<PathBuf>,
}

impl Default for SmtpConfig {
    fn default() -> Self {
        SmtpConfig {
            url: None,
            from: None,
            timeout: Duration::from_secs(10),
            retries: 4,
            retry_delay: Duration::from_secs(5),
            ca_file: None,
        }
    }
}

/// Outbound workflow calls (platform settings hold their URLs and secrets).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WorkflowsConfig {
    #[serde(with = "humantime_serde")]
    pub timeout: Duration,
    /// Further attempts after a failure that may pass (network, 5xx, 408, 429).
    pub retries: u32,
    #[serde(with = "humantime_serde")]
    pub retry_delay: Duration,
}

impl Default for WorkflowsConfig {
    fn default() -> Self {
        WorkflowsConfig {
            timeout: Duration::from_secs(10),
            retries: 3,
            retry_delay: Duration::from_secs(2),
        }
    }
}

/// The users' callback URLs (`/me/callbacks`).
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct CallbacksConfig {
    /// Allows callbacks to private (10/8, 172.16/12, 192.168/16, fc00::/7) and link-local
    /// addresses. Off by default: a callback must not be a way into the internal network.
    pub allow_private_targets: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SecretsConfig {
    pub key_file: PathBuf,
}

impl Default for SecretsConfig {
    fn default() -> Self {
        SecretsConfig {
            key_file: "data/secret.key".into(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PasswordConfig {
    pub m_kib: u32,
    pub t: u32,
    pub p: u32,
    /// Hashes computed at once; 0 means the number of cores.
    pub max_parallel: usize,
}

impl Default for PasswordConfig {
    fn default() -> Self {
        PasswordConfig {
            m_kib: 19456,
            t: 2,
            p: 1,
            max_parallel: 0,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BootstrapConfig {
    pub admin: String,
    pub admin_password: Option<String>,
}

impl Default for BootstrapConfig {
    fn default() -> Self {
        BootstrapConfig {
            admin: "admin".into(),
            admin_password: None,
        }
    }
}

/// A configuration error, naming the key at fault.
#[derive(Debug, thiserror::Error)]
#[error("configuration: {key}: {reason}")]
pub struct ConfigError {
    pub key: String,
    pub reason: String,
}

fn config_error(key: impl Into<String>, reason: impl ToString) -> ConfigError {
    ConfigError {
        key: key.into(),
        reason: reason.to_string(),
    }
}

impl Config {
    /// Reads the optional TOML file, then the `APIO_*` variables of `env` over it.
    pub fn load(
        file: Option<&std::path::Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config, ConfigError> {
        let text = match file {
            Some(path) => std::fs::read_to_string(path)
                .map_err(|e| config_error(path.display().to_string(), e))?,
            None => String::new(),
        };
        Config::from_parts(&text, env)
    }

    pub fn from_parts(
        toml_text: &str,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config, ConfigError> {
        let mut table: toml::Table =
            toml::from_str(toml_text).map_err(|e| config_error("file", e.message()))?;
        let defaults =
            toml::Table::try_from(Config::default()).map_err(|e| config_error("defaults", e))?;
        let vars: BTreeMap<String, String> = env.into_iter().collect();
        for (name, value) in &vars {
            let Some(rest) = name.strip_prefix("APIO_") else {
                continue;
            };
            if rest == "CONFIG" {
                continue;
            }
            let Some((section, key)) = rest.split_once('_') else {
                return Err(config_error(name, "expected APIO_<SECTION>_<KEY>"));
            };
            let (section, key) = (section.to_ascii_lowercase(), key.to_ascii_lowercase());
            let kind = defaults.get(&section).and_then(|s| s.get(&key));
            let parsed = env_value(kind, value).map_err(|r| config_error(name, r))?;
            let entry = table
                .entry(section.clone())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            let toml::Value::Table(section_table) = entry else {
                return Err(config_error(section, "must be a table"));
            };
            section_table.insert(key, parsed);
        }
        let config: Config = serde_path_to_error::deserialize(toml::Value::Table(table))
            .map_err(|e| config_error(e.path().to_string(), e.inner().message()))?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if !matches!(self.server.public_url.scheme(), "http" | "https") {
            return Err(config_error(
                "server.public_url",
                "must be an http or https URL",
            ));
        }
        if !(self.database.url.starts_with("sqlite:") || self.database.url.starts_with("postgres"))
        {
            return Err(config_error(
                "database.url",
                "must start with sqlite:// or postgres://",
            ));
        }
        let t = &self.tokens;
        for (key, value) in [
            ("tokens.access_ttl", t.access_ttl),
            ("tokens.refresh_ttl", t.refresh_ttl),
            ("tokens.session_max", t.session_max),
            ("tokens.reauth_window", t.reauth_window),
        ] {
            if value < Duration::from_secs(1) {
                return Err(config_error(key, "must be at least one second"));
            }
        }
        if argon2::Params::new(self.password.m_kib, self.password.t, self.password.p, None).is_err()
        {
            return Err(config_error(
                "password",
                "invalid argon2 parameters (m_kib, t, p)",
            ));
        }
        if self.bootstrap.admin.trim().is_empty() {
            return Err(config_error("bootstrap.admin", "must not be empty"));
        }
        Ok(())
    }

    /// Whether cookies can carry `Secure` and the `__Host-` prefix.
    pub fn is_https(&self) -> bool {
        self.server.public_url.scheme() == "https"
    }

    /// The origin of `server.public_url`, e.g. `https://auth.example.com`.
    pub fn public_origin(&self) -> String {
        self.server.public_url.origin().ascii_serialization()
    }
}

/// An environment value typed like the default it overrides: lists are comma-separated.
fn env_value(default: Option<&toml::Value>, value: &str) -> Result<toml::Value, String> {
    Ok(match default {
        Some(toml::Value::Integer(_)) => toml::Value::Integer(
            value
                .trim()
                .parse()
                .map_err(|_| format!("expected a whole number, got {value:?}"))?,
        ),
        Some(toml::Value::Boolean(_)) => toml::Value::Boolean(
            value
                .trim()
                .parse()
                .map_err(|_| format!("expected true or false, got {value:?}"))?,
        ),
        Some(toml::Value::Array(_)) => toml::Value::Array(
            value
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| toml::Value::String(s.into()))
                .collect(),
        ),
        _ => toml::Value::String(value.into()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_without_file() {
        let c = Config::from_parts("", env(&[])).unwrap();
        assert_eq!(c.server.listen, "127.0.0.1:3000");
        assert_eq!(c.database.url, "sqlite://data/apio.db");
        assert_eq!(c.tokens.access_ttl, Duration::from_secs(300));
        assert_eq!(c.password.m_kib, 19456);
    }

    #[test]
    fn env_overrides_file_with_typed_values() {
        let file = "[server]\nlisten = \"0.0.0.0:8080\"\n[tokens]\naccess_ttl = \"10m\"\n";
        let c = Config::from_parts(
            file,
            env(&[
                ("APIO_SERVER_TRUSTED_PROXIES", "127.0.0.1/32, 10.0.0.0/8"),
                ("APIO_PASSWORD_MAX_PARALLEL", "2"),
                ("APIO_TOKENS_SESSION_MAX", "1h"),
                ("OTHER", "x"),
            ]),
        )
        .unwrap();
        assert_eq!(c.server.listen, "0.0.0.0:8080");
        assert_eq!(c.server.trusted_proxies.len(), 2);
        assert_eq!(c.password.max_parallel, 2);
        assert_eq!(c.tokens.access_ttl, Duration::from_secs(600));
        assert_eq!(c.tokens.session_max, Duration::from_secs(3600));
    }

    #[test]
    fn errors_name_the_key() {
        let e = Config::from_parts("[password]\nm_kib = \"lots\"\n", env(&[])).unwrap_err();
        assert_eq!(e.key, "password.m_kib");
        let e = Config::from_parts("[server]\nlisten_on = 1\n", env(&[])).unwrap_err();
        assert!(e.to_string().contains("listen_on"), "{e}");
        let e = Config::from_parts("", env(&[("APIO_PASSWORD_T", "two")])).unwrap_err();
        assert_eq!(e.key, "APIO_PASSWORD_T");
        let e = Config::from_parts("", env(&[("APIO_SERVER_TRUSTED_PROXIES", "nonsense")]))
            .unwrap_err();
        assert!(e.key.starts_with("server.trusted_proxies"), "{}", e.key);
        let e = Config::from_parts("", env(&[("APIO_DATABASE_URL", "mysql://x")])).unwrap_err();
        assert_eq!(e.key, "database.url");
    }
}

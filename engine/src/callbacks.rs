//! Callbacks: for users who represent another system, the URLs this platform calls when a
//! workflow they triggered completes or is blocked. Kept on the user as JSON, each with an
//! optional signing secret (encrypted); calls are signed like workflow calls
//! (`x-apio-signature` over `"<timestamp>.<body>"`).
//!
//! A callback URL is an outbound request chosen by a user, so it must not reach into the
//! internal network: https only (plain http only to loopback, for local receivers and tests),
//! no credentials in the URL, and no private or link-local targets unless the deployment
//! allows them (`callbacks.allow_private_targets`). Host names are resolved when sending, every
//! address is checked, and the connection goes to the checked addresses only (no DNS
//! rebinding between the check and the call).

use crate::Engine;
use crate::audit::Event;
use crate::error::{Error, Result};
use crate::principal::{Principal, RequestMeta};
use crate::workflows::{SIGNATURE_HEADER, TIMESTAMP_HEADER, signature};
use serde::{Deserialize, Serialize};
use std::net::{IpAddr, SocketAddr};
use url::{Host, Url};

/// The events a callback may ask for.
pub const CALLBACK_EVENTS: [&str; 2] = ["completed", "blocked"];
/// The header naming the event of a callback call (`test` for the test button).
pub const EVENT_HEADER: &str = "x-apio-event";
const MAX_CALLBACKS: usize = 10;
const MAX_URL_LEN: usize = 2048;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Stored {
    url: String,
    events: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    secret_enc: Option<String>,
}

/// A callback as its owner sees it: the secret is never shown again.
#[derive(Debug, Clone, PartialEq)]
pub struct Callback {
    pub url: String,
    pub events: Vec<String>,
    pub has_secret: bool,
}

/// One entry of `PUT /me/callbacks`.
#[derive(Debug, Clone, Default)]
pub struct CallbackInput {
    pub url: String,
    pub events: Vec<String>,
    /// `None` keeps the secret the same URL had; an empty string removes it.
    pub secret: Option<String>,
}

/// What the receiver of a test call answered.
#[derive(Debug, Clone)]
pub struct CallbackTest {
    pub ok: bool,
    pub status: Option<u16>,
    pub error: Option<String>,
}

impl Engine {
    pub async fn callbacks(&self, p: &Principal) -> Result<Vec<Callback>> {
        p.require_active()?;
        self.require_module("callbacks")?;
        let user = self.current_user(p).await?;
        Ok(stored(&user.callbacks).iter().map(view).collect())
    }

    /// Replaces the caller's callbacks; every entry is checked, and nothing is saved unless
    /// all pass.
    pub async fn set_callbacks(
        &self,
        p: &Principal,
        input: &[CallbackInput],
        meta: &RequestMeta,
    ) -> Result<Vec<Callback>> {
        p.require_active()?;
        self.require_module("callbacks")?;
        if input.len() > MAX_CALLBACKS {
            return Err(Error::invalid(
                "callbacks",
                format!("at most {MAX_CALLBACKS} callbacks"),
            ));
        }
        let user = self.current_user(p).await?;
        let before = stored(&user.callbacks);
        let allow_private = self.config().callbacks.allow_private_targets;
        let mut next: Vec<Stored> = Vec::with_capacity(input.len());
        for (i, c) in input.iter().enumerate() {
            let field = format!("callbacks[{i}]");
            let url = check_url(&format!("{field}.url"), &c.url, allow_private)?;
            if next.iter().any(|s| s.url == url.as_str()) {
                return Err(Error::invalid(format!("{field}.url"), "is listed twice"));
            }
            let events = check_events(&format!("{field}.events"), &c.events)?;
            let secret_enc = match c.secret.as_deref().map(str::trim) {
                None => before
                    .iter()
                    .find(|b| b.url == url.as_str())
                    .and_then(|b| b.secret_enc.clone()),
                Some("") => None,
                Some(secret) => {
                    if !(16..=256).contains(&secret.chars().count()) {
                        return Err(Error::invalid(
                            format!("{field}.secret"),
                            "16 to 256 characters",
                        ));
                    }
                    Some(self.0.secrets.seal(self.entropy(), secret)?)
                }
            };
            next.push(Stored {
                url: url.to_string(),
                events,
                secret_enc,
            });
        }
        let json = serde_json::to_string(&next).map_err(|e| Error::internal("callbacks", e))?;
        self.store()
            .set_callbacks(&user.id, &json, self.now_ms())
            .await?;
        self.audit(
            Event::new("callbacks_changed", "success")
                .actor(p)
                .ip(meta)
                .field("count", next.len()),
        )
        .await;
        Ok(next.iter().map(view).collect())
    }

    /// Posts a signed sample event to one of the caller's callbacks, once, and reports what
    /// the receiver answered.
    pub async fn test_callback(
        &self,
        p: &Principal,
        url: &str,
        meta: &RequestMeta,
    ) -> Result<CallbackTest> {
        p.require_active()?;
        self.require_module("callbacks")?;
        let user = self.current_user(p).await?;
        let entry = stored(&user.callbacks)
            .into_iter()
            .find(|c| c.url == url.trim())
            .ok_or(Error::NotFound)?;
        let secret = match &entry.secret_enc {
            Some(sealed) => Some(self.0.secrets.open(sealed)?),
            None => None,
        };
        let now = self.now();
        let body = serde_json::json!({
            "event": "test",
            "username": user.username,
            "sent_at": now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "workflow": {"name": "sample", "status": "completed"},
        })
        .to_string();
        let outcome = match self
            .post_callback(&entry.url, secret.as_deref(), now.timestamp(), &body)
            .await
        {
            Ok(status) => CallbackTest {
                ok: (200..300).contains(&status),
                status: Some(status),
                error: None,
            },
            Err(error) => CallbackTest {
                ok: false,
                status: None,
                error: Some(error),
            },
        };
        self.audit(
            Event::new(
                "callback_test",
                if outcome.ok { "success" } else { "failure" },
            )
            .actor(p)
            .ip(meta)
            .detail(serde_json::json!({
                "url": audited_url(&entry.url),
                "status": outcome.status,
                "error": outcome.error,
            })),
        )
        .await;
        Ok(outcome)
    }

    /// One signed POST to a checked address of `url`; the HTTP status, or why none came.
    async fn post_callback(
        &self,
        url: &str,
        secret: Option<&str>,
        timestamp: i64,
        body: &str,
    ) -> std::result::Result<u16, String> {
        let url = Url::parse(url).map_err(|e| format!("invalid URL: {e}"))?;
        let addrs = self.checked_addresses(&url).await?;
        let mut client = reqwest::Client::builder()
            .timeout(self.config().workflows.timeout)
            .redirect(reqwest::redirect::Policy::none());
        if let Some(Host::Domain(domain)) = url.host() {
            client = client.resolve_to_addrs(domain, &addrs);
        }
        let client = client.build().map_err(|e| format!("client: {e}"))?;
        let mut request = client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(EVENT_HEADER, "test")
            .header(TIMESTAMP_HEADER, timestamp.to_string());
        if let Some(secret) = secret {
            request = request.header(SIGNATURE_HEADER, signature(secret, timestamp, body));
        }
        let response = request
            .body(body.to_string())
            .send()
            .await
            .map_err(|e| format!("no answer: {}", without_url(e)))?;
        Ok(response.status().as_u16())
    }

    /// Every address the URL's host stands for, each allowed as a target.
    async fn checked_addresses(&self, url: &Url) -> std::result::Result<Vec<SocketAddr>, String> {
        let port = url.port_or_known_default().ok_or("no port")?;
        let addrs: Vec<SocketAddr> = match url.host() {
            Some(Host::Ipv4(ip)) => vec![SocketAddr::new(IpAddr::V4(ip), port)],
            Some(Host::Ipv6(ip)) => vec![SocketAddr::new(IpAddr::V6(ip), port)],
            Some(Host::Domain(domain)) => tokio::net::lookup_host((domain, port))
                .await
                .map_err(|e| format!("cannot resolve {domain}: {e}"))?
                .collect(),
            None => return Err("no host".into()),
        };
        if addrs.is_empty() {
            return Err("the host has no address".into());
        }
        let allow_private = self.config().callbacks.allow_private_targets;
        for addr in &addrs {
            target_allowed(addr.ip(), allow_private)
                .map_err(|why| format!("{} is {why}", addr.ip()))?;
        }
        Ok(addrs)
    }
}

fn stored(json: &str) -> Vec<Stored> {
    serde_json::from_str(json).unwrap_or_default()
}

fn view(s: &Stored) -> Callback {
    Callback {
        url: s.url.clone(),
        events: s.events.clone(),
        has_secret: s.secret_enc.is_some(),
    }
}

/// A URL we may call: https (http only to loopback), no credentials, an allowed host.
fn check_url(field: &str, raw: &str, allow_private: bool) -> Result<Url> {
    let raw = raw.trim();
    if raw.len() > MAX_URL_LEN {
        return Err(Error::invalid(
            field,
            format!("at most {MAX_URL_LEN} characters"),
        ));
    }
    let url =
        Url::parse(raw).map_err(|_| Error::invalid(field, "must be an absolute https:// URL"))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::invalid(
            field,
            "must not carry a user name or password",
        ));
    }
    let loopback = match url.host() {
        Some(Host::Domain(d)) => d == "localhost" || d.ends_with(".localhost"),
        Some(Host::Ipv4(ip)) => check_ip(field, IpAddr::V4(ip), allow_private)?,
        Some(Host::Ipv6(ip)) => check_ip(field, IpAddr::V6(ip), allow_private)?,
        None => return Err(Error::invalid(field, "must name a host")),
    };
    match url.scheme() {
        "https" => Ok(url),
        "http" if loopback => Ok(url),
        "http" => Err(Error::invalid(
            field,
            "must use https (plain http only to loopback)",
        )),
        _ => Err(Error::invalid(field, "must be an https:// URL")),
    }
}

/// Whether the address is loopback, after refusing the ones we never call.
fn check_ip(field: &str, ip: IpAddr, allow_private: bool) -> Result<bool> {
    target_allowed(ip, allow_private)
        .map_err(|why| Error::invalid(field, format!("{ip} is {why}")))?;
    Ok(ip.to_canonical().is_loopback())
}

/// Why an address may not be a callback target, if it may not.
fn target_allowed(ip: IpAddr, allow_private: bool) -> std::result::Result<(), &'static str> {
    let ip = ip.to_canonical();
    let (never, private) = match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            (
                v4.is_unspecified() || v4.is_broadcast() || v4.is_multicast(),
                v4.is_private()
                    || v4.is_link_local()
                    || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
                    || a == 0,
            )
        }
        IpAddr::V6(v6) => (
            v6.is_unspecified() || v6.is_multicast(),
            v6.is_unique_local() || v6.is_unicast_link_local(),
        ),
    };
    if never {
        Err("not an address to call")
    } else if private && !allow_private {
        Err("a private or link-local address (see callbacks.allow_private_targets)")
    } else {
        Ok(())
    }
}

fn check_events(field: &str, events: &[String]) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for e in events {
        if !CALLBACK_EVENTS.contains(&e.as_str()) {
            return Err(Error::invalid(
                field,
                format!("unknown event {e:?}; known: {}", CALLBACK_EVENTS.join(", ")),
            ));
        }
        if !out.contains(e) {
            out.push(e.clone());
        }
    }
    if out.is_empty() {
        return Err(Error::invalid(field, "choose at least one event"));
    }
    Ok(out)
}

/// A callback URL as the audit events keep it: without query and fragment, where receivers
/// put keys of their own (credentials in the URL are refused outright).
fn audited_url(url: &str) -> String {
    match Url::parse(url) {
        Ok(mut u) => {
            u.set_query(None);
            u.set_fragment(None);
            u.to_string()
        }
        Err(_) => String::new(),
    }
}

/// reqwest's errors name the URL; the audit event already has it.
fn without_url(e: reqwest::Error) -> String {
    let e = e.without_url();
    match std::error::Error::source(&e) {
        Some(source) => format!("{e}: {source}"),
        None => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(raw: &str, allow_private: bool) -> Option<String> {
        check_url("url", raw, allow_private)
            .err()
            .map(|e| e.to_string())
    }

    #[test]
    fn urls_are_checked() {
        assert!(field_of("https://hooks.example.com/apio", false).is_none());
        assert!(field_of("http://127.0.0.1:8080/hook", false).is_none());
        assert!(field_of("http://[::1]:8080/hook", false).is_none());
        assert!(field_of("http://localhost/hook", false).is_none());
        for bad in [
            "http://hooks.example.com/",
            "ftp://hooks.example.com/",
            "https://user:pw@hooks.example.com/",
            "https://10.1.2.3/",
            "https://192.168.1.1/",
            "https://172.16.0.1/",
            "https://169.254.169.254/latest/meta-data",
            "https://[fd00::1]/",
            "https://[fe80::1]/",
            "https://[::ffff:10.0.0.1]/",
            "https://0.0.0.0/",
            "https://100.64.0.1/",
            "not a url",
        ] {
            assert!(field_of(bad, false).is_some(), "{bad} accepted");
        }
        assert!(field_of("https://10.1.2.3/", true).is_none());
        assert!(field_of("https://0.0.0.0/", true).is_some());
    }

    #[test]
    fn audited_urls_lose_query_and_fragment() {
        assert_eq!(
            audited_url("https://hooks.example.com/apio?key=s3cret#x"),
            "https://hooks.example.com/apio"
        );
        assert_eq!(
            audited_url("http://127.0.0.1:8080/hook"),
            "http://127.0.0.1:8080/hook"
        );
    }

    #[test]
    fn events_are_known_and_not_empty() {
        let s = |v: &[&str]| v.iter().map(|e| e.to_string()).collect::<Vec<_>>();
        assert_eq!(
            check_events("e", &s(&["blocked", "completed", "blocked"])).unwrap(),
            s(&["blocked", "completed"])
        );
        assert!(check_events("e", &[]).is_err());
        assert!(check_events("e", &s(&["deleted"])).is_err());
    }
}

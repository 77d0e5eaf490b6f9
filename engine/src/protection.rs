//! Login protection around the password: the per-user IP whitelist, the login attempts a
//! user and the admins see, and the admin's unlock.

use crate::Engine;
use crate::audit::Event;
use crate::clock::from_unix_ms;
use crate::error::{Error, Result};
use crate::principal::{Principal, RequestMeta};
use crate::store::{AuditRow, UserRow};
use chrono::{DateTime, Utc};
use ipnet::IpNet;
use std::net::IpAddr;

/// At most this many entries in a whitelist.
const MAX_WHITELIST: usize = 100;
/// Login attempts shown to the user and to admins.
pub const OWN_ATTEMPTS: i64 = 5;
pub const ADMIN_ATTEMPTS: i64 = 15;

/// One login attempt: a `login` audit event of the user.
#[derive(Debug, Clone)]
pub struct LoginAttempt {
    pub at: DateTime<Utc>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub method: String,
    pub success: bool,
    /// `success`, `failure`, or `second_factor` (the password was right, a second factor
    /// was asked).
    pub outcome: String,
    /// Why it failed; admins only.
    pub reason: Option<String>,
}

/// Whether `ip` may sign in under this stored whitelist (JSON list; empty: anyone).
pub(crate) fn ip_allowed(stored: &str, ip: IpAddr) -> bool {
    let nets: Vec<String> = serde_json::from_str(stored).unwrap_or_default();
    nets.is_empty()
        || nets
            .iter()
            .filter_map(|n| parse_net(n))
            .any(|net| net.contains(&ip))
}

/// Why this account may not sign in now, whatever it proved: outside its IP whitelist,
/// locked, or disabled (the first that applies is the reason recorded).
pub(crate) fn account_refusal(user: &UserRow, ip: IpAddr, now: i64) -> Option<&'static str> {
    if !ip_allowed(&user.ip_whitelist, ip) {
        Some("ip_not_allowed")
    } else if user.locked_until.is_some_and(|t| t > now) {
        Some("locked")
    } else if user.disabled != 0 {
        Some("disabled")
    } else {
        None
    }
}

/// A CIDR or a single address (as a /32 or /128).
pub(crate) fn parse_net(s: &str) -> Option<IpNet> {
    let s = s.trim();
    s.parse::<IpNet>()
        .ok()
        .or_else(|| s.parse::<IpAddr>().ok().map(IpNet::from))
        .map(|n| n.trunc())
}

/// How a network is shown and stored: a single address without its prefix.
pub(crate) fn show_net(net: &IpNet) -> String {
    if net.prefix_len() == net.max_prefix_len() {
        net.addr().to_string()
    } else {
        net.to_string()
    }
}

/// Validates a list of CIDRs (the field is named with the bad entry's index).
pub(crate) fn parse_nets(field: &str, entries: &[String]) -> Result<Vec<IpNet>> {
    if entries.len() > MAX_WHITELIST {
        return Err(Error::invalid(
            field,
            format!("at most {MAX_WHITELIST} entries"),
        ));
    }
    entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            parse_net(e).ok_or_else(|| {
                Error::invalid(
                    format!("{field}[{i}]"),
                    format!("{e:?} is not an IPv4 or IPv6 address or CIDR"),
                )
            })
        })
        .collect()
}

impl Engine {
    pub async fn ip_whitelist(&self, p: &Principal) -> Result<Vec<String>> {
        p.require_active()?;
        self.require_module("ip_whitelist")?;
        let user = self.current_user(p).await?;
        Ok(serde_json::from_str(&user.ip_whitelist).unwrap_or_default())
    }

    /// Replaces the caller's whitelist. Needs a recent authentication; a list that would
    /// shut out the caller's own address is a conflict.
    pub async fn set_ip_whitelist(
        &self,
        p: &Principal,
        entries: &[String],
        meta: &RequestMeta,
    ) -> Result<Vec<String>> {
        p.require_active()?;
        self.require_module("ip_whitelist")?;
        let nets = parse_nets("ip_whitelist", entries)?;
        self.require_recent_auth(p).await?;
        if !nets.is_empty() && !nets.iter().any(|n| n.contains(&meta.ip)) {
            return Err(Error::Conflict(format!(
                "the list does not contain your current address {}; saving it would lock you out",
                meta.ip
            )));
        }
        let mut shown: Vec<String> = Vec::with_capacity(nets.len());
        for net in nets.iter().map(show_net) {
            if !shown.contains(&net) {
                shown.push(net);
            }
        }
        let json = serde_json::to_string(&shown).map_err(|e| Error::internal("whitelist", e))?;
        self.store()
            .set_ip_whitelist(&p.user_id, &json, self.now_ms())
            .await?;
        self.audit(
            Event::new("ip_whitelist_changed", "success")
                .actor(p)
                .ip(meta)
                .detail(serde_json::json!({ "entries": shown })),
        )
        .await;
        Ok(shown)
    }

    /// The caller's last login attempts, without the reasons.
    pub async fn own_login_attempts(&self, p: &Principal) -> Result<Vec<LoginAttempt>> {
        p.require_active()?;
        self.require_module("login_attempts")?;
        let rows = self
            .store()
            .login_attempts(&p.user_id, OWN_ATTEMPTS)
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| LoginAttempt {
                reason: None,
                ..attempt(r)
            })
            .collect())
    }

    /// A user's last login attempts with the reasons (admins).
    pub async fn user_login_attempts(
        &self,
        p: &Principal,
        username: &str,
    ) -> Result<Vec<LoginAttempt>> {
        let user = self.managed_user(p, username).await?;
        let rows = self
            .store()
            .login_attempts(&user.id, ADMIN_ATTEMPTS)
            .await?;
        Ok(rows.into_iter().map(attempt).collect())
    }

    /// Ends a lockout now (admins).
    pub async fn unlock_user(
        &self,
        p: &Principal,
        username: &str,
        meta: &RequestMeta,
    ) -> Result<()> {
        let user = self.managed_user(p, username).await?;
        self.store().unlock_user(&user.id, self.now_ms()).await?;
        self.audit(Event::by_admin("account_unlocked", p, &user, meta))
            .await;
        Ok(())
    }
}

fn attempt(r: AuditRow) -> LoginAttempt {
    let detail: serde_json::Value = serde_json::from_str(&r.detail).unwrap_or_default();
    let text = |key: &str| detail.get(key).and_then(|v| v.as_str()).map(str::to_string);
    LoginAttempt {
        at: from_unix_ms(r.at),
        ip: r.ip,
        user_agent: text("user_agent"),
        method: text("method").unwrap_or_default(),
        success: r.outcome == "success",
        reason: text("reason"),
        outcome: r.outcome,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitelist_matching() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert!(ip_allowed("[]", ip("198.51.100.7")));
        let list = r#"["203.0.113.0/24","2001:db8::1"]"#;
        assert!(ip_allowed(list, ip("203.0.113.200")));
        assert!(ip_allowed(list, ip("2001:db8::1")));
        assert!(!ip_allowed(list, ip("2001:db8::2")));
        assert!(!ip_allowed(list, ip("198.51.100.7")));
        assert_eq!(
            show_net(&parse_net("203.0.113.9/24").unwrap()),
            "203.0.113.0/24"
        );
        assert_eq!(
            show_net(&parse_net(" 2001:db8::1 ").unwrap()),
            "2001:db8::1"
        );
        assert!(parse_net("203.0.113.0/33").is_none());
        assert!(parse_net("example.org").is_none());
    }
}

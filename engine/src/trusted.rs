//! Trusted devices and locations: a login from either skips the second factor. Devices come
//! from "trust this device" in the 2FA step (a token the UI keeps in an HttpOnly cookie, 30
//! days, revocable); locations are networks the user manages.

use crate::Engine;
use crate::audit::Event;
use crate::clock::from_unix_ms;
use crate::error::{Error, Result};
use crate::principal::{Principal, RequestMeta};
use crate::protection::{parse_net, show_net};
use crate::secrets::{hash_secret, random_id, random_token};
use crate::store::{NewDevice, UserRow};
use chrono::{DateTime, Utc};
use ipnet::IpNet;
use std::net::IpAddr;

const DEVICE_TTL_MS: i64 = 30 * 24 * 3_600_000;
const MAX_LOCATIONS: usize = 50;

#[derive(Debug, Clone)]
pub struct TrustedDevice {
    pub id: String,
    pub label: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
pub struct TrustedLocation {
    pub id: String,
    pub cidr: String,
    pub label: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct Trusted {
    pub devices: Vec<TrustedDevice>,
    pub locations: Vec<TrustedLocation>,
}

fn clean_label(field: &str, label: &str) -> Result<String> {
    let label = label.trim();
    if label.chars().count() > 100 || label.chars().any(char::is_control) {
        return Err(Error::invalid(
            field,
            "at most 100 characters, no control characters",
        ));
    }
    Ok(label.to_string())
}

/// The network "trust this network" means: the /24 of an IPv4 address, the /64 of an IPv6.
fn network_of(ip: IpAddr) -> IpNet {
    let prefix = if ip.is_ipv4() { 24 } else { 64 };
    IpNet::new(ip, prefix).map_or(IpNet::from(ip), |n| n.trunc())
}

impl Engine {
    pub async fn trusted(&self, p: &Principal) -> Result<Trusted> {
        p.require_active()?;
        self.require_module("trusted")?;
        let devices = self.store().devices(&p.user_id, self.now_ms()).await?;
        let locations = self.store().locations(&p.user_id).await?;
        Ok(Trusted {
            devices: devices
                .into_iter()
                .map(|d| TrustedDevice {
                    id: d.id,
                    label: d.label,
                    created_at: from_unix_ms(d.created_at),
                    last_used_at: d.last_used_at.map(from_unix_ms),
                })
                .collect(),
            locations: locations
                .into_iter()
                .map(|l| TrustedLocation {
                    id: l.id,
                    cidr: l.cidr,
                    label: l.label,
                    created_at: from_unix_ms(l.created_at),
                })
                .collect(),
        })
    }

    /// Adds a trusted location (needs a recent authentication: it weakens the second factor).
    pub async fn add_trusted_location(
        &self,
        p: &Principal,
        cidr: &str,
        label: &str,
        meta: &RequestMeta,
    ) -> Result<TrustedLocation> {
        p.require_active()?;
        self.require_module("trusted")?;
        let net = parse_net(cidr)
            .ok_or_else(|| Error::invalid("cidr", "an IPv4 or IPv6 address or CIDR"))?;
        let label = clean_label("label", label)?;
        self.require_recent_auth(p).await?;
        if self.store().locations(&p.user_id).await?.len() >= MAX_LOCATIONS {
            return Err(Error::invalid(
                "cidr",
                format!("at most {MAX_LOCATIONS} trusted locations"),
            ));
        }
        let location = self.insert_location(&p.user_id, &net, &label).await?;
        self.audit(
            Event::new("trusted_location_added", "success")
                .actor(p)
                .ip(meta)
                .detail(serde_json::json!({ "cidr": location.cidr })),
        )
        .await;
        Ok(location)
    }

    async fn insert_location(
        &self,
        user_id: &str,
        net: &IpNet,
        label: &str,
    ) -> Result<TrustedLocation> {
        let id = random_id(self.entropy());
        let now = self.now_ms();
        let cidr = show_net(net);
        self.store()
            .insert_location(&id, user_id, &cidr, label, now)
            .await?;
        Ok(TrustedLocation {
            id,
            cidr,
            label: label.to_string(),
            created_at: from_unix_ms(now),
        })
    }

    /// Removes one of the caller's trusted devices or locations.
    pub async fn delete_trusted(&self, p: &Principal, id: &str, meta: &RequestMeta) -> Result<()> {
        p.require_active()?;
        self.require_module("trusted")?;
        if !self.store().delete_trusted(&p.user_id, id).await? {
            return Err(Error::NotFound);
        }
        self.audit(
            Event::new("trusted_removed", "success")
                .actor(p)
                .ip(meta)
                .detail(serde_json::json!({ "id": id })),
        )
        .await;
        Ok(())
    }

    pub(crate) async fn in_trusted_location(&self, user_id: &str, ip: IpAddr) -> Result<bool> {
        Ok(self
            .store()
            .locations(user_id)
            .await?
            .iter()
            .filter_map(|l| parse_net(&l.cidr))
            .any(|n| n.contains(&ip)))
    }

    /// A new trusted-device token for the user (its hash is stored).
    pub(crate) async fn trust_device(&self, user: &UserRow, meta: &RequestMeta) -> Result<String> {
        let token = random_token(self.entropy(), 32);
        let now = self.now_ms();
        let label: String = meta
            .user_agent
            .as_deref()
            .filter(|ua| !ua.trim().is_empty())
            .unwrap_or("Unknown device")
            .chars()
            .filter(|c| !c.is_control())
            .take(100)
            .collect();
        self.store()
            .insert_device(&NewDevice {
                id: &random_id(self.entropy()),
                user_id: &user.id,
                token_hash: &hash_secret(&token),
                label: &label,
                now,
                expires_at: now + DEVICE_TTL_MS,
            })
            .await?;
        self.audit(
            Event::new("trusted_device_added", "success")
                .user(Some(&user.id), &user.username)
                .ip(meta),
        )
        .await;
        Ok(token)
    }

    /// "Trust this network" from the 2FA step: the client's network, unless already trusted.
    pub(crate) async fn trust_network(&self, user: &UserRow, meta: &RequestMeta) -> Result<()> {
        if self.in_trusted_location(&user.id, meta.ip).await? {
            return Ok(());
        }
        let location = self
            .insert_location(&user.id, &network_of(meta.ip), "Added at sign-in")
            .await?;
        self.audit(
            Event::new("trusted_location_added", "success")
                .user(Some(&user.id), &user.username)
                .ip(meta)
                .detail(serde_json::json!({ "cidr": location.cidr })),
        )
        .await;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks_of_addresses() {
        assert_eq!(
            network_of("203.0.113.77".parse().unwrap()).to_string(),
            "203.0.113.0/24"
        );
        assert_eq!(
            network_of("2001:db8::5".parse().unwrap()).to_string(),
            "2001:db8::/64"
        );
    }
}

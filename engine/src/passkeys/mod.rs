//! Passkeys (WebAuthn) with webauthn-rs: the relying party built from the platform settings,
//! ceremonies kept in the store between start and finish, and the user's list of passkeys.
//! Registration is in `register.rs`; login and re-authentication in `login.rs`.

mod login;
mod register;

use crate::Engine;
use crate::audit::Event;
use crate::clock::from_unix_ms;
use crate::error::{Error, Result};
use crate::principal::{Principal, RequestMeta};
use crate::secrets::{hash_secret, random_token};
use crate::settings::Settings;
use crate::store::{CeremonyRow, PasskeyRow};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;
use webauthn_rs::prelude::{Passkey, Url, Uuid, Webauthn, WebauthnBuilder};

/// Ceremonies live 5 minutes (SECURITY.md), the timeout the browser is given too.
const CEREMONY_TTL_MS: i64 = 5 * 60_000;
const MAX_PASSKEYS: i64 = 25;

/// What a ceremony start hands to the browser: the id to send back with the answer, and the
/// options for `navigator.credentials.create`/`get` (the `publicKey` member).
#[derive(Debug, Clone)]
pub struct Ceremony {
    pub challenge_id: String,
    pub public_key: serde_json::Value,
}

/// A registered passkey as its owner sees it.
#[derive(Debug, Clone)]
pub struct PasskeyInfo {
    pub id: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

impl From<&PasskeyRow> for PasskeyInfo {
    fn from(r: &PasskeyRow) -> Self {
        PasskeyInfo {
            id: r.id.clone(),
            name: r.name.clone(),
            created_at: from_unix_ms(r.created_at),
            last_used_at: r.last_used_at.map(from_unix_ms),
        }
    }
}

/// The relying party of these settings. The defaults come from `server.public_url`; when
/// that host cannot be an RP ID (an IP address) and the admin set nothing, passkeys are
/// simply unavailable, which is not an error of the settings.
pub(crate) fn relying_party(s: &Settings, public_url: &Url) -> Result<Webauthn> {
    let rp_id = s.rp_id(public_url);
    let origins = s.rp_origins(public_url);
    let parsed: Vec<Url> = origins
        .iter()
        .map(|o| Url::parse(o).map_err(|e| Error::invalid("webauthn_rp_origins", e.to_string())))
        .collect::<Result<_>>()?;
    let Some((first, rest)) = parsed.split_first() else {
        return Err(Error::invalid("webauthn_rp_origins", "at least one origin"));
    };
    let field = if s.webauthn_rp_id.is_some() {
        "webauthn_rp_id"
    } else {
        "webauthn_rp_origins"
    };
    let builder = WebauthnBuilder::new(&rp_id, first).map_err(|_| {
        Error::invalid(
            field,
            format!("{rp_id:?} must be a domain name equal to or above the host of {first}"),
        )
    })?;
    rest.iter()
        .fold(builder, |b, o| b.append_allowed_origin(o))
        .rp_name(s.webauthn_display_name.trim())
        .timeout(std::time::Duration::from_millis(CEREMONY_TTL_MS as u64))
        .build()
        .map_err(|e| Error::invalid(field, e.to_string()))
}

/// The WebAuthn user handle of a user: the 128 random bits of the user id. Not personal data,
/// stable across renames.
fn user_handle(user_id: &str) -> Result<Uuid> {
    hex::decode(user_id)
        .ok()
        .and_then(|b| Uuid::from_slice(&b).ok())
        .ok_or_else(|| Error::internal("user handle", "the user id is not 128 bits of hex"))
}

fn user_id_of(handle: &Uuid) -> String {
    hex::encode(handle.as_bytes())
}

fn clean_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.chars().count() > 64 || name.chars().any(char::is_control) {
        return Err(Error::invalid(
            "name",
            "at most 64 characters, no control characters",
        ));
    }
    Ok(if name.is_empty() {
        "Passkey".into()
    } else {
        name.to_string()
    })
}

fn to_json<T: Serialize>(what: &str, v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| Error::internal(what, e))
}

fn from_json<T: DeserializeOwned>(what: &str, s: &str) -> Result<T> {
    serde_json::from_str(s).map_err(|e| Error::internal(what, e))
}

/// Removes `null` members: the browsers' JSON parsers of WebAuthn options
/// (`parseCreationOptionsFromJSON`) refuse a `null` where they expect a list, and an absent
/// member means the same.
fn drop_nulls(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            map.retain(|_, m| !m.is_null());
            map.values_mut().for_each(drop_nulls);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(drop_nulls),
        _ => {}
    }
}

/// The browser's answer, as webauthn-rs reads it; a malformed one names the field.
fn parse_credential<T: DeserializeOwned>(credential: &serde_json::Value) -> Result<T> {
    T::deserialize(credential)
        .map_err(|e| Error::invalid("credential", format!("not a PublicKeyCredential JSON: {e}")))
}

impl Engine {
    /// The relying party of the current settings, or 404 when passkeys are off or cannot work
    /// with this deployment's URL.
    fn webauthn(&self) -> Result<std::sync::Arc<Webauthn>> {
        self.0
            .relying_party
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .ok_or(Error::NotFound)
    }

    /// Rebuilds the relying party for new settings (every instance does, on sync).
    pub(crate) fn rebuild_relying_party(&self, s: &Settings) {
        let rp = if s.webauthn_enabled {
            match relying_party(s, &self.0.config.server.public_url) {
                Ok(rp) => Some(std::sync::Arc::new(rp)),
                Err(e) => {
                    tracing::warn!(error = %e, "passkeys unavailable with these settings");
                    None
                }
            }
        } else {
            None
        };
        *self
            .0
            .relying_party
            .write()
            .unwrap_or_else(|p| p.into_inner()) = rp;
    }

    /// Whether passkeys can be used now (for the login page).
    pub fn passkeys_available(&self) -> bool {
        self.webauthn().is_ok()
    }

    /// Stores a ceremony of `purpose` for `user_id` (and the session that started it) and
    /// returns its id for the browser: 256 bits, kept as a hash.
    async fn begin_ceremony(
        &self,
        purpose: &str,
        owner: Option<&Principal>,
        user_id: Option<&str>,
        name: Option<String>,
        state: &impl Serialize,
        public_key: impl Serialize,
    ) -> Result<Ceremony> {
        let challenge_id = random_token(self.entropy(), 32);
        let row = CeremonyRow {
            purpose: purpose.into(),
            user_id: owner
                .map(|p| p.user_id.as_str())
                .or(user_id)
                .map(str::to_string),
            session_id: owner.map(|p| p.session_id.clone()),
            name,
            state: to_json("ceremony state", state)?,
            expires_at: self.now_ms() + CEREMONY_TTL_MS,
        };
        self.store()
            .insert_ceremony(&hash_secret(&challenge_id), &row)
            .await?;
        let mut public_key =
            serde_json::to_value(public_key).map_err(|e| Error::internal("ceremony options", e))?;
        drop_nulls(&mut public_key);
        Ok(Ceremony {
            challenge_id,
            public_key,
        })
    }

    /// Takes the ceremony: whatever happens next, it cannot be used again. `None` when it is
    /// unknown, already used or was started for something else; an expired one is returned
    /// (the caller refuses it, knowing whose it was) with `alive` false.
    async fn take_ceremony(
        &self,
        challenge_id: &str,
        purpose: &str,
    ) -> Result<Option<(CeremonyRow, bool)>> {
        if challenge_id.len() > 128 {
            return Ok(None);
        }
        let row = self
            .store()
            .take_ceremony(&hash_secret(challenge_id))
            .await?;
        let now = self.now_ms();
        Ok(row.filter(|r| r.purpose == purpose).map(|r| {
            let alive = r.expires_at > now;
            (r, alive)
        }))
    }

    pub async fn passkeys(&self, p: &Principal) -> Result<Vec<PasskeyInfo>> {
        p.require_active()?;
        self.require_module("passkeys")?;
        let rows = self.store().passkeys(&p.user_id).await?;
        Ok(rows.iter().map(PasskeyInfo::from).collect())
    }

    pub async fn rename_passkey(
        &self,
        p: &Principal,
        id: &str,
        name: &str,
        meta: &RequestMeta,
    ) -> Result<PasskeyInfo> {
        p.require_active()?;
        self.require_module("passkeys")?;
        let name = clean_name(name)?;
        if !self.store().rename_passkey(&p.user_id, id, &name).await? {
            return Err(Error::NotFound);
        }
        self.audit(
            Event::new("passkey_renamed", "success")
                .actor(p)
                .ip(meta)
                .field("passkey", id),
        )
        .await;
        let rows = self.store().passkeys(&p.user_id).await?;
        rows.iter()
            .find(|r| r.id == id)
            .map(PasskeyInfo::from)
            .ok_or(Error::NotFound)
    }

    pub async fn delete_passkey(&self, p: &Principal, id: &str, meta: &RequestMeta) -> Result<()> {
        p.require_active()?;
        self.require_module("passkeys")?;
        self.require_recent_auth(p).await?;
        if !self.store().delete_passkey(&p.user_id, id).await? {
            return Err(Error::NotFound);
        }
        self.audit(
            Event::new("passkey_deleted", "success")
                .actor(p)
                .ip(meta)
                .field("passkey", id),
        )
        .await;
        Ok(())
    }
}

/// The user's passkeys with their stored webauthn-rs state.
fn credentials(rows: &[PasskeyRow]) -> Result<Vec<Passkey>> {
    rows.iter()
        .map(|r| from_json("passkey", &r.passkey))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_handles_round_trip_to_the_user_id() {
        let id = "00112233445566778899aabbccddeeff";
        assert_eq!(user_id_of(&user_handle(id).unwrap()), id);
        assert!(user_handle("not-hex").is_err());
    }

    #[test]
    fn nulls_are_dropped_at_every_depth() {
        let mut v = serde_json::json!({"a": null, "b": [{"c": null, "d": 1}], "e": {"f": null}});
        drop_nulls(&mut v);
        assert_eq!(v, serde_json::json!({"b": [{"d": 1}], "e": {}}));
    }

    #[test]
    fn an_ip_address_cannot_be_the_relying_party() {
        let url = Url::parse("http://127.0.0.1:3000").unwrap();
        assert!(relying_party(&Settings::default(), &url).is_err());
        let url = Url::parse("http://localhost:3000").unwrap();
        assert!(relying_party(&Settings::default(), &url).is_ok());
    }
}

//! Per-user M2M tokens: one opaque `m2m_` token per user, optionally expiring, accepted as a
//! Bearer token with exactly the user's rights and restrictions. Stored twice: its SHA-256 to
//! find the user, and encrypted so the login answer (and the user, after a re-authentication)
//! can have it again.

use crate::Engine;
use crate::audit::Event;
use crate::clock::{from_unix_ms, unix_ms};
use crate::error::{Error, Result};
use crate::principal::{Principal, RequestMeta};
use crate::protection::ip_allowed;
use crate::secrets::{hash_secret, random_token};
use crate::sessions::parse_roles;
use crate::store::UserRow;
use chrono::{DateTime, Utc};

pub const M2M_PREFIX: &str = "m2m_";
const M2M_TOKEN_BYTES: usize = 32;

/// A user's M2M token as its owner (or an admin, for a `system` user) sees it.
#[derive(Debug, Clone)]
pub struct M2mToken {
    /// `None` where the viewer may not see it (an admin, for a user without `system`).
    pub token: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
}

impl Engine {
    /// The caller behind an `m2m_` Bearer token. One indexed read; refused (as any bad token)
    /// when unknown, expired, the user disabled, or the client IP outside the user's
    /// whitelist. A lockout does not stop it: lockouts answer password guessing, and letting
    /// wrong passwords cut off an integration would hand anyone a switch to turn it off.
    pub async fn authenticate_m2m(&self, token: &str, meta: &RequestMeta) -> Result<Principal> {
        if !token.starts_with(M2M_PREFIX) {
            return Err(Error::InvalidToken);
        }
        let Some(user) = self.store().user_by_m2m_hash(&hash_secret(token)).await? else {
            return Err(Error::InvalidToken);
        };
        let refusal = if user.m2m_expires_at.is_some_and(|t| t <= self.now_ms()) {
            Some("expired")
        } else if user.disabled != 0 {
            Some("disabled")
        } else if !ip_allowed(&user.ip_whitelist, meta.ip) {
            Some("ip_not_allowed")
        } else {
            None
        };
        if let Some(reason) = refusal {
            self.audit(
                Event::new("m2m_token_refused", "failure")
                    .user(Some(&user.id), &user.username)
                    .ip(meta)
                    .field("reason", reason),
            )
            .await;
            return Err(Error::InvalidToken);
        }
        Ok(Principal {
            roles: parse_roles(&user.roles),
            amr: vec!["m2m".into()],
            pwd_change: user.force_change_password != 0,
            user_id: user.id,
            username: user.username,
            session_id: String::new(),
            m2m: true,
        })
    }

    /// A new M2M token for the caller, replacing any earlier one. Needs a recent
    /// authentication.
    pub async fn set_own_m2m_token(
        &self,
        p: &Principal,
        expires_at: Option<DateTime<Utc>>,
        meta: &RequestMeta,
    ) -> Result<M2mToken> {
        p.require_active()?;
        self.require_module("profile")?;
        self.require_recent_auth(p).await?;
        let user = self.current_user(p).await?;
        let token = self.issue_m2m_token(&user, expires_at).await?;
        self.audit(Event::new("m2m_token_set", "success").actor(p).ip(meta))
            .await;
        Ok(M2mToken {
            token: Some(token),
            expires_at,
        })
    }

    pub async fn delete_own_m2m_token(&self, p: &Principal, meta: &RequestMeta) -> Result<()> {
        p.require_active()?;
        self.require_module("profile")?;
        self.require_recent_auth(p).await?;
        self.store()
            .set_m2m_token(&p.user_id, None, None, None, self.now_ms())
            .await?;
        self.audit(Event::new("m2m_token_deleted", "success").actor(p).ip(meta))
            .await;
        Ok(())
    }

    /// The caller's token again (for the copy button), after a recent authentication.
    pub async fn own_m2m_token(&self, p: &Principal) -> Result<M2mToken> {
        p.require_active()?;
        self.require_module("profile")?;
        self.require_recent_auth(p).await?;
        let user = self.current_user(p).await?;
        self.m2m_of(&user, true)?.ok_or(Error::NotFound)
    }

    /// An admin replaces a user's token; the token itself comes back only for `system` users.
    pub async fn admin_set_m2m_token(
        &self,
        p: &Principal,
        username: &str,
        expires_at: Option<DateTime<Utc>>,
        meta: &RequestMeta,
    ) -> Result<M2mToken> {
        let user = self.managed_user(p, username).await?;
        let token = self.issue_m2m_token(&user, expires_at).await?;
        self.audit(Event::by_admin("m2m_token_set", p, &user, meta))
            .await;
        Ok(M2mToken {
            token: (user.system != 0).then_some(token),
            expires_at,
        })
    }

    pub async fn admin_delete_m2m_token(
        &self,
        p: &Principal,
        username: &str,
        meta: &RequestMeta,
    ) -> Result<()> {
        let user = self.managed_user(p, username).await?;
        self.store()
            .set_m2m_token(&user.id, None, None, None, self.now_ms())
            .await?;
        self.audit(Event::by_admin("m2m_token_deleted", p, &user, meta))
            .await;
        Ok(())
    }

    async fn issue_m2m_token(
        &self,
        user: &UserRow,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<String> {
        let now = self.now_ms();
        let expires_ms = expires_at.map(unix_ms);
        if expires_ms.is_some_and(|t| t <= now) {
            return Err(Error::invalid("expires_at", "must be in the future"));
        }
        let token = format!(
            "{M2M_PREFIX}{}",
            random_token(self.entropy(), M2M_TOKEN_BYTES)
        );
        let sealed = self.0.secrets.seal(self.entropy(), &token)?;
        self.store()
            .set_m2m_token(
                &user.id,
                Some(&hash_secret(&token)),
                Some(&sealed),
                expires_ms,
                now,
            )
            .await?;
        Ok(token)
    }

    /// The user's token, if set; `reveal` decrypts it.
    pub(crate) fn m2m_of(&self, user: &UserRow, reveal: bool) -> Result<Option<M2mToken>> {
        let Some(sealed) = &user.m2m_token_enc else {
            return Ok(None);
        };
        Ok(Some(M2mToken {
            token: if reveal {
                Some(self.0.secrets.open(sealed)?)
            } else {
                None
            },
            expires_at: user.m2m_expires_at.map(from_unix_ms),
        }))
    }

    /// What the login answer carries as `token`: the live M2M token, if any.
    pub(crate) fn live_m2m_token(&self, user: &UserRow) -> Option<String> {
        if user.m2m_expires_at.is_some_and(|t| t <= self.now_ms()) {
            return None;
        }
        let sealed = user.m2m_token_enc.as_deref()?;
        match self.0.secrets.open(sealed) {
            Ok(token) => Some(token),
            Err(e) => {
                tracing::error!(error = %e, "stored M2M token unreadable");
                None
            }
        }
    }
}

//! Sessions and their tokens: issue at login, refresh with near-expiry rotation and a grace,
//! replay detection, idle and absolute limits, revocation seen by every instance.

use crate::Engine;
use crate::audit::Event;
use crate::error::{Error, Result};
use crate::principal::{Principal, RequestMeta};
use crate::protection::ip_allowed;
use crate::secrets::{hash_secret, random_id, random_token};
use crate::store::{NewSession, RefreshLookup, Rotation, UserRow};
use crate::tokens::{AUDIENCE, AccessClaims};

/// A replaced refresh token keeps working this long (parallel requests of one client).
pub const REFRESH_GRACE_MS: i64 = 30_000;
/// `last_used_at` is written at most this often: most refreshes are then a single read.
const TOUCH_EVERY_MS: i64 = 30_000;
const REFRESH_TOKEN_BYTES: usize = 32;

#[derive(Debug, Clone)]
pub struct Tokens {
    pub access_token: String,
    pub refresh_token: String,
    pub session_id: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// The user's live M2M token, carried by a login answer (`token`), never by a refresh.
    pub m2m_token: Option<String>,
}

impl Engine {
    /// Opens a session for a user who has just fully authenticated.
    pub(crate) async fn open_session(
        &self,
        user: &UserRow,
        amr: &[&str],
        meta: &RequestMeta,
    ) -> Result<Tokens> {
        let now = self.now_ms();
        let cfg = &self.config().tokens;
        let session_id = random_id(self.entropy());
        let refresh = random_token(self.entropy(), REFRESH_TOKEN_BYTES);
        let expires_at = now + cfg.session_max.as_millis() as i64;
        let token_expires_at = (now + cfg.refresh_ttl.as_millis() as i64).min(expires_at);
        let amr_json = serde_json::to_string(amr).map_err(|e| Error::internal("amr", e))?;
        let ip = meta.ip.to_string();
        self.store()
            .insert_session(&NewSession {
                id: &session_id,
                user_id: &user.id,
                token_hash: &hash_secret(&refresh),
                token_expires_at,
                now,
                expires_at,
                amr: &amr_json,
                ip: Some(&ip),
                user_agent: meta.user_agent.as_deref(),
            })
            .await?;
        let roles = parse_roles(&user.roles);
        let amr: Vec<String> = amr.iter().map(|s| s.to_string()).collect();
        let access = self.sign_access(
            &user.id,
            &user.username,
            &session_id,
            roles,
            amr,
            user.force_change_password != 0,
        )?;
        Ok(Tokens {
            access_token: access,
            refresh_token: refresh,
            session_id,
            expires_in: cfg.access_ttl.as_secs(),
            m2m_token: self.live_m2m_token(user),
        })
    }

    fn sign_access(
        &self,
        user_id: &str,
        username: &str,
        sid: &str,
        roles: Vec<String>,
        amr: Vec<String>,
        pwd_change: bool,
    ) -> Result<String> {
        let now = self.now().timestamp();
        let claims = AccessClaims {
            iss: self.0.signer.issuer().to_string(),
            aud: AUDIENCE.into(),
            sub: user_id.into(),
            username: username.into(),
            sid: sid.into(),
            iat: now,
            nbf: now,
            exp: now + self.config().tokens.access_ttl.as_secs() as i64,
            jti: random_id(self.entropy()),
            amr,
            roles,
            pwd_change,
        };
        self.0.signer.sign(&claims)
    }

    /// Verifies an access token: signature and claims, and that its session was not revoked.
    /// No database access.
    pub fn authenticate(&self, token: &str) -> Result<Principal> {
        let claims = self.0.signer.verify(token, self.now().timestamp())?;
        if self
            .0
            .revoked
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .contains(&claims.sid)
        {
            return Err(Error::InvalidToken);
        }
        Ok(Principal {
            user_id: claims.sub,
            username: claims.username,
            session_id: claims.sid,
            m2m: false,
            roles: claims.roles,
            amr: claims.amr,
            pwd_change: claims.pwd_change,
        })
    }

    /// A new access token for a refresh token, which stays the same until the last 20 % of its
    /// life; then it is replaced, and the old one still answers for 30 seconds.
    pub async fn refresh(&self, refresh_token: &str, meta: &RequestMeta) -> Result<Tokens> {
        let hash = hash_secret(refresh_token);
        for _ in 0..2 {
            let Some(found) = self.store().refresh_lookup(&hash).await? else {
                return Err(Error::InvalidToken);
            };
            match self
                .refresh_found(refresh_token, &hash, &found, meta)
                .await?
            {
                Some(tokens) => return Ok(tokens),
                None => continue, // lost a rotation race: read again, the grace path answers
            }
        }
        Err(Error::InvalidToken)
    }

    async fn refresh_found(
        &self,
        presented: &str,
        hash: &str,
        f: &RefreshLookup,
        meta: &RequestMeta,
    ) -> Result<Option<Tokens>> {
        let now = self.now_ms();
        if f.revoked_at.is_some() {
            return Err(Error::InvalidToken);
        }
        let refuse = |reason: &'static str| async move {
            self.end_session(&f.session_id, &f.user_id, &f.username, reason, meta)
                .await;
            Err(Error::InvalidToken)
        };
        if let Some(replaced_at) = f.replaced_at {
            let current = f
                .current_token_enc
                .as_deref()
                .map(|enc| self.0.secrets.open(enc));
            return match current {
                Some(Ok(current)) if now - replaced_at <= REFRESH_GRACE_MS => {
                    self.tokens_for(f, current).map(Some)
                }
                _ => refuse("refresh_token_replayed").await,
            };
        }
        if f.expires_at <= now {
            return refuse("session_expired").await;
        }
        let idle_ms = i64::from(self.settings().session_idle_timeout_minutes) * 60_000;
        if now - f.last_used_at > idle_ms {
            return refuse("idle_timeout").await;
        }
        if f.token_expires_at <= now {
            return Err(Error::InvalidToken);
        }
        if f.disabled != 0
            || f.locked_until.is_some_and(|t| t > now)
            || !ip_allowed(&f.ip_whitelist, meta.ip)
        {
            return Err(Error::InvalidToken);
        }
        let life = f.token_expires_at - f.token_issued_at;
        let remaining = f.token_expires_at - now;
        let cfg = &self.config().tokens;
        let new_expiry = (now + cfg.refresh_ttl.as_millis() as i64).min(f.expires_at);
        if remaining * 5 < life && new_expiry > f.token_expires_at {
            let next = random_token(self.entropy(), REFRESH_TOKEN_BYTES);
            let sealed = self.0.secrets.seal(self.entropy(), &next)?;
            let won = self
                .store()
                .rotate_refresh(&Rotation {
                    session_id: &f.session_id,
                    old_hash: hash,
                    new_hash: &hash_secret(&next),
                    new_token_enc: &sealed,
                    new_expires_at: new_expiry,
                    now,
                })
                .await?;
            if !won {
                return Ok(None);
            }
            return self.tokens_for(f, next).map(Some);
        }
        if now - f.last_used_at >= TOUCH_EVERY_MS {
            self.store().touch_session(&f.session_id, now).await?;
        }
        self.tokens_for(f, presented.to_string()).map(Some)
    }

    fn tokens_for(&self, f: &RefreshLookup, refresh_token: String) -> Result<Tokens> {
        let amr: Vec<String> = serde_json::from_str(&f.amr).unwrap_or_default();
        let access = self.sign_access(
            &f.user_id,
            &f.username,
            &f.session_id,
            parse_roles(&f.roles),
            amr,
            f.force_change_password != 0,
        )?;
        Ok(Tokens {
            access_token: access,
            refresh_token,
            session_id: f.session_id.clone(),
            expires_in: self.config().tokens.access_ttl.as_secs(),
            m2m_token: None,
        })
    }

    /// Ends the session of an access or refresh token.
    pub async fn logout(&self, token: &str, meta: &RequestMeta) -> Result<()> {
        let (session_id, user_id, username) = match self.authenticate(token) {
            Ok(p) => (p.session_id, p.user_id, p.username),
            Err(_) => match self.store().refresh_lookup(&hash_secret(token)).await? {
                Some(f) if f.revoked_at.is_none() && f.replaced_at.is_none() => {
                    (f.session_id, f.user_id, f.username)
                }
                _ => return Err(Error::InvalidToken),
            },
        };
        self.end_session(&session_id, &user_id, &username, "logout", meta)
            .await;
        Ok(())
    }

    /// Revokes a session here and (through the store) on every instance.
    pub(crate) async fn end_session(
        &self,
        session_id: &str,
        user_id: &str,
        username: &str,
        reason: &'static str,
        meta: &RequestMeta,
    ) {
        let now = self.now_ms();
        match self
            .store()
            .revoke_session(session_id, reason, now, self.revocation_horizon(now))
            .await
        {
            Ok(true) => {
                self.mark_revoked([session_id.to_string()]);
                let outcome = if reason == "logout" {
                    "success"
                } else {
                    "revoked"
                };
                self.audit(
                    Event::new("session_ended", outcome)
                        .user(Some(user_id), username)
                        .ip(meta)
                        .detail(serde_json::json!({ "reason": reason })),
                )
                .await;
            }
            Ok(false) => {}
            Err(e) => tracing::error!(error = %e, "session revocation failed"),
        }
    }

    /// Ends every session of a user but `keep`; how many ended.
    pub(crate) async fn end_user_sessions(
        &self,
        user_id: &str,
        keep: Option<&str>,
        reason: &str,
    ) -> Result<usize> {
        let now = self.now_ms();
        let ids = self
            .store()
            .revoke_user_sessions(user_id, keep, reason, now, self.revocation_horizon(now))
            .await?;
        let count = ids.len();
        self.mark_revoked(ids);
        Ok(count)
    }

    fn mark_revoked(&self, ids: impl IntoIterator<Item = String>) {
        self.0
            .revoked
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .extend(ids);
    }

    /// Until when other instances must remember a revocation: every access token issued
    /// before it has expired by then.
    fn revocation_horizon(&self, now: i64) -> i64 {
        now + self.config().tokens.access_ttl.as_millis() as i64 + 60_000
    }

    /// Sensitive changes need an authentication younger than `tokens.reauth_window`.
    pub(crate) async fn require_recent_auth(&self, p: &Principal) -> Result<()> {
        let session = self
            .store()
            .session(p.session()?)
            .await?
            .ok_or(Error::InvalidToken)?;
        if session.revoked_at.is_some() {
            return Err(Error::InvalidToken);
        }
        let window = self.config().tokens.reauth_window.as_millis() as i64;
        if self.now_ms() - session.auth_at > window {
            return Err(Error::ReauthRequired);
        }
        Ok(())
    }
}

pub(crate) fn parse_roles(json: &str) -> Vec<String> {
    serde_json::from_str(json).unwrap_or_default()
}

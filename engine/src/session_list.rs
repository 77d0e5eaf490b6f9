//! The sessions a user sees and ends (`/me/sessions`), and an admin's "end every session".

use crate::Engine;
use crate::audit::Event;
use crate::clock::from_unix_ms;
use crate::error::{Error, Result};
use crate::principal::{Principal, RequestMeta};
use chrono::{DateTime, Utc};

#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub id: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: DateTime<Utc>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// The session of the request asking.
    pub current: bool,
}

impl Engine {
    /// The caller's sessions that can still refresh, most recently used first.
    pub async fn sessions(&self, p: &Principal) -> Result<Vec<SessionInfo>> {
        p.require_active()?;
        self.require_module("sessions")?;
        let now = self.now_ms();
        let idle_ms = i64::from(self.settings().session_idle_timeout_minutes) * 60_000;
        let rows = self
            .store()
            .live_sessions(&p.user_id, now, now - idle_ms)
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| SessionInfo {
                current: !p.m2m && r.id == p.session_id,
                created_at: from_unix_ms(r.created_at),
                last_used_at: from_unix_ms(r.last_used_at),
                id: r.id,
                ip: r.ip,
                user_agent: r.user_agent,
            })
            .collect())
    }

    /// Ends one of the caller's sessions (the current one too: that is a sign-out). Another
    /// user's session, or an ended one, is 404.
    pub async fn end_own_session(&self, p: &Principal, id: &str, meta: &RequestMeta) -> Result<()> {
        p.require_active()?;
        self.require_module("sessions")?;
        let session = self.store().session(id).await?;
        if !session.is_some_and(|s| s.user_id == p.user_id && s.revoked_at.is_none()) {
            return Err(Error::NotFound);
        }
        self.end_session(id, &p.user_id, &p.username, "revoked_by_user", meta)
            .await;
        Ok(())
    }

    /// Ends every session of the caller but the current one.
    pub async fn end_other_sessions(&self, p: &Principal, meta: &RequestMeta) -> Result<()> {
        p.require_active()?;
        self.require_module("sessions")?;
        let keep = (!p.m2m).then_some(p.session_id.as_str());
        let count = self
            .end_user_sessions(&p.user_id, keep, "revoked_by_user")
            .await?;
        self.audit(
            Event::new("sessions_ended", "success")
                .actor(p)
                .ip(meta)
                .field("count", count),
        )
        .await;
        Ok(())
    }

    /// An admin ends every session of a user at once, on every instance.
    pub async fn admin_end_sessions(
        &self,
        p: &Principal,
        username: &str,
        meta: &RequestMeta,
    ) -> Result<()> {
        let user = self.managed_user(p, username).await?;
        let count = self
            .end_user_sessions(&user.id, None, "revoked_by_admin")
            .await?;
        self.audit(Event::by_admin("sessions_ended", p, &user, meta).field("count", count))
            .await;
        Ok(())
    }
}

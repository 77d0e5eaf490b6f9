use super::Store;
use crate::error::Result;
use sqlx::FromRow;

#[derive(Debug, Clone, FromRow)]
pub struct SessionRow {
    pub id: String,
    pub user_id: String,
    pub created_at: i64,
    pub last_used_at: i64,
    pub expires_at: i64,
    pub auth_at: i64,
    pub amr: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub revoked_at: Option<i64>,
}

/// What a refresh needs, in one indexed read: the token, its session and its user.
#[derive(Debug, Clone, FromRow)]
pub struct RefreshLookup {
    pub session_id: String,
    pub token_issued_at: i64,
    pub token_expires_at: i64,
    pub replaced_at: Option<i64>,
    pub current_hash: String,
    pub current_token_enc: Option<String>,
    pub last_used_at: i64,
    pub expires_at: i64,
    pub amr: String,
    pub revoked_at: Option<i64>,
    pub user_id: String,
    pub username: String,
    pub roles: String,
    pub disabled: i64,
    pub locked_until: Option<i64>,
    pub force_change_password: i64,
    pub ip_whitelist: String,
}

pub struct NewSession<'a> {
    pub id: &'a str,
    pub user_id: &'a str,
    pub token_hash: &'a str,
    pub token_expires_at: i64,
    pub now: i64,
    pub expires_at: i64,
    pub amr: &'a str,
    pub ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
}

pub struct Rotation<'a> {
    pub session_id: &'a str,
    pub old_hash: &'a str,
    pub new_hash: &'a str,
    pub new_token_enc: &'a str,
    pub new_expires_at: i64,
    pub now: i64,
}

impl Store {
    pub async fn insert_session(&self, s: &NewSession<'_>) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO sessions (id, user_id, current_hash, created_at, last_used_at, \
             expires_at, auth_at, amr, ip, user_agent) \
             VALUES ($1, $2, $3, $4, $4, $5, $4, $6, $7, $8)",
        )
        .bind(s.id)
        .bind(s.user_id)
        .bind(s.token_hash)
        .bind(s.now)
        .bind(s.expires_at)
        .bind(s.amr)
        .bind(s.ip)
        .bind(s.user_agent)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO refresh_tokens (hash, session_id, issued_at, expires_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(s.token_hash)
        .bind(s.id)
        .bind(s.now)
        .bind(s.token_expires_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn refresh_lookup(&self, token_hash: &str) -> Result<Option<RefreshLookup>> {
        Ok(sqlx::query_as(
            "SELECT rt.session_id, rt.issued_at AS token_issued_at, \
             rt.expires_at AS token_expires_at, rt.replaced_at, s.current_hash, \
             s.current_token_enc, s.last_used_at, s.expires_at, s.amr, s.revoked_at, \
             u.id AS user_id, u.username, u.roles, u.disabled, u.locked_until, \
             u.force_change_password, u.ip_whitelist \
             FROM refresh_tokens rt JOIN sessions s ON s.id = rt.session_id \
             JOIN users u ON u.id = s.user_id WHERE rt.hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Replaces the live refresh token if it is still `old_hash`; false when another request
    /// rotated it first.
    pub async fn rotate_refresh(&self, r: &Rotation<'_>) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let won = sqlx::query(
            "UPDATE sessions SET current_hash = $3, current_token_enc = $4, last_used_at = $5 \
             WHERE id = $1 AND current_hash = $2 AND revoked_at IS NULL",
        )
        .bind(r.session_id)
        .bind(r.old_hash)
        .bind(r.new_hash)
        .bind(r.new_token_enc)
        .bind(r.now)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if !won {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO refresh_tokens (hash, session_id, issued_at, expires_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(r.new_hash)
        .bind(r.session_id)
        .bind(r.now)
        .bind(r.new_expires_at)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE refresh_tokens SET replaced_at = $2 WHERE hash = $1")
            .bind(r.old_hash)
            .bind(r.now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    pub async fn touch_session(&self, id: &str, now: i64) -> Result<()> {
        sqlx::query("UPDATE sessions SET last_used_at = $2 WHERE id = $1")
            .bind(id)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn session(&self, id: &str) -> Result<Option<SessionRow>> {
        Ok(sqlx::query_as(
            "SELECT id, user_id, created_at, last_used_at, expires_at, auth_at, amr, ip, \
             user_agent, revoked_at FROM sessions WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// The user's sessions that can still refresh: not revoked, not past their lifetime, used
    /// since `active_since`; most recently used first.
    pub async fn live_sessions(
        &self,
        user_id: &str,
        now: i64,
        active_since: i64,
    ) -> Result<Vec<SessionRow>> {
        Ok(sqlx::query_as(
            "SELECT id, user_id, created_at, last_used_at, expires_at, auth_at, amr, ip, \
             user_agent, revoked_at FROM sessions WHERE user_id = $1 AND revoked_at IS NULL \
             AND expires_at > $2 AND last_used_at > $3 ORDER BY last_used_at DESC, id",
        )
        .bind(user_id)
        .bind(now)
        .bind(active_since)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn mark_authenticated(&self, id: &str, now: i64) -> Result<()> {
        sqlx::query("UPDATE sessions SET auth_at = $2 WHERE id = $1 AND revoked_at IS NULL")
            .bind(id)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Revokes one session; returns whether it was live.
    pub async fn revoke_session(
        &self,
        id: &str,
        reason: &str,
        now: i64,
        publish_until: i64,
    ) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let live = sqlx::query(
            "UPDATE sessions SET revoked_at = $2, revoked_reason = $3, current_token_enc = NULL \
             WHERE id = $1 AND revoked_at IS NULL",
        )
        .bind(id)
        .bind(now)
        .bind(reason)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            > 0;
        if live {
            publish_revocation(&mut tx, id, publish_until).await?;
        }
        tx.commit().await?;
        Ok(live)
    }

    /// Revokes every live session of a user except `keep`; returns the revoked ids.
    pub async fn revoke_user_sessions(
        &self,
        user_id: &str,
        keep: Option<&str>,
        reason: &str,
        now: i64,
        publish_until: i64,
    ) -> Result<Vec<String>> {
        let mut tx = self.pool.begin().await?;
        let ids: Vec<String> = sqlx::query_scalar(
            "UPDATE sessions SET revoked_at = $3, revoked_reason = $4, current_token_enc = NULL \
             WHERE user_id = $1 AND revoked_at IS NULL AND id <> $2 RETURNING id",
        )
        .bind(user_id)
        .bind(keep.unwrap_or(""))
        .bind(now)
        .bind(reason)
        .fetch_all(&mut *tx)
        .await?;
        for id in &ids {
            publish_revocation(&mut tx, id, publish_until).await?;
        }
        tx.commit().await?;
        Ok(ids)
    }

    /// Sessions revoked recently enough that some access token of theirs may still be alive.
    pub async fn live_revocations(&self, now: i64) -> Result<Vec<String>> {
        Ok(
            sqlx::query_scalar("SELECT session_id FROM revocations WHERE expires_at > $1")
                .bind(now)
                .fetch_all(&self.pool)
                .await?,
        )
    }

    /// Drops what can no longer matter: old revocation notices, dead sessions and tokens.
    pub async fn purge_expired(&self, now: i64) -> Result<()> {
        sqlx::query("DELETE FROM revocations WHERE expires_at <= $1")
            .bind(now)
            .execute(&self.pool)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(&self.pool)
            .await?;
        for table in [
            "one_time_tokens",
            "two_factor_challenges",
            "trusted_devices",
            "webauthn_challenges",
            "sso_flows",
            "saml_assertions",
        ] {
            sqlx::query(&format!("DELETE FROM {table} WHERE expires_at <= $1"))
                .bind(now)
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }
}

async fn publish_revocation(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    session_id: &str,
    until: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO revocations (session_id, expires_at) VALUES ($1, $2) \
         ON CONFLICT (session_id) DO UPDATE SET expires_at = excluded.expires_at",
    )
    .bind(session_id)
    .bind(until)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

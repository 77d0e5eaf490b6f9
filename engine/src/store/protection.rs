//! Login protection in the store: the lockout counter (atomic, so concurrent wrong passwords
//! on any instance lock at exactly the threshold), the IP whitelist and the login attempts.

use super::{AuditRow, Store};
use crate::error::Result;

/// What one counted wrong password did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureCount {
    /// Counted; the account is not locked.
    Counted,
    /// This failure reached the threshold: the account is now locked.
    Locked,
    /// The account was already locked (by a concurrent failure): not counted.
    AlreadyLocked,
}

impl Store {
    /// Counts a wrong password unless the account is locked; the failure that reaches
    /// `threshold` locks it until `until` and starts the count again.
    pub async fn count_failed_login(
        &self,
        user_id: &str,
        threshold: i64,
        now: i64,
        until: i64,
    ) -> Result<FailureCount> {
        let row: Option<(Option<i64>,)> = sqlx::query_as(
            "UPDATE users SET \
             failed_logins = CASE WHEN failed_logins + 1 >= $2 THEN 0 ELSE failed_logins + 1 END, \
             locked_until = CASE WHEN failed_logins + 1 >= $2 THEN $4 ELSE locked_until END \
             WHERE id = $1 AND (locked_until IS NULL OR locked_until <= $3) \
             RETURNING locked_until",
        )
        .bind(user_id)
        .bind(threshold)
        .bind(now)
        .bind(until)
        .fetch_optional(&self.pool)
        .await?;
        Ok(match row {
            None => FailureCount::AlreadyLocked,
            Some((Some(t),)) if t == until => FailureCount::Locked,
            Some(_) => FailureCount::Counted,
        })
    }

    /// A successful password: the count of consecutive failures starts again.
    pub async fn clear_failed_logins(&self, user_id: &str) -> Result<()> {
        sqlx::query("UPDATE users SET failed_logins = 0 WHERE id = $1 AND failed_logins <> 0")
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn unlock_user(&self, user_id: &str, now: i64) -> Result<()> {
        sqlx::query(
            "UPDATE users SET failed_logins = 0, locked_until = NULL, updated_at = $2 \
             WHERE id = $1",
        )
        .bind(user_id)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn set_ip_whitelist(&self, user_id: &str, json: &str, now: i64) -> Result<()> {
        sqlx::query("UPDATE users SET ip_whitelist = $2, updated_at = $3 WHERE id = $1")
            .bind(user_id)
            .bind(json)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The user's `login` audit events, newest first.
    pub async fn login_attempts(&self, user_id: &str, limit: i64) -> Result<Vec<AuditRow>> {
        Ok(sqlx::query_as(
            "SELECT id, at, kind, outcome, user_id, username, actor, ip, detail FROM audit_events \
             WHERE user_id = $1 AND kind = 'login' ORDER BY at DESC, id DESC LIMIT $2",
        )
        .bind(user_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }
}

//! Second factors in the store: pending 2FA challenges, the TOTP seed and its last accepted
//! step, the user's option, and recovery codes. Every single-use rule is one conditional
//! UPDATE, so it holds across concurrent requests and instances.

use super::Store;
use crate::error::Result;
use sqlx::FromRow;

#[derive(Debug, Clone, FromRow)]
pub struct ChallengeRow {
    pub hash: String,
    pub user_id: String,
    pub option: String,
    pub amr: String,
    pub code_hash: Option<String>,
    pub failures: i64,
    pub created_at: i64,
    pub sent_at: Option<i64>,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

impl Store {
    pub async fn insert_challenge(&self, c: &ChallengeRow) -> Result<()> {
        sqlx::query(
            "INSERT INTO two_factor_challenges (hash, user_id, option, amr, code_hash, failures, \
             created_at, sent_at, expires_at) VALUES ($1, $2, $3, $4, $5, 0, $6, $7, $8)",
        )
        .bind(&c.hash)
        .bind(&c.user_id)
        .bind(&c.option)
        .bind(&c.amr)
        .bind(&c.code_hash)
        .bind(c.created_at)
        .bind(c.sent_at)
        .bind(c.expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn challenge(&self, hash: &str) -> Result<Option<ChallengeRow>> {
        Ok(sqlx::query_as(
            "SELECT hash, user_id, option, amr, code_hash, failures, created_at, sent_at, \
             expires_at, used_at FROM two_factor_challenges WHERE hash = $1",
        )
        .bind(hash)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Counts a wrong code while the challenge is alive; false when it was already dead.
    pub async fn count_challenge_failure(&self, hash: &str, max: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE two_factor_challenges SET failures = failures + 1 \
             WHERE hash = $1 AND used_at IS NULL AND failures < $2",
        )
        .bind(hash)
        .bind(max)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Uses the challenge up; false when it is used, expired or exhausted (only one request
    /// ever gets true).
    pub async fn consume_challenge(&self, hash: &str, now: i64, max: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE two_factor_challenges SET used_at = $2 \
             WHERE hash = $1 AND used_at IS NULL AND failures < $3 AND expires_at > $2",
        )
        .bind(hash)
        .bind(now)
        .bind(max)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Replaces the emailed code, at most once per `gap` ms; false when too early or dead.
    /// The failure count is left as it is.
    pub async fn renew_challenge_code(
        &self,
        hash: &str,
        code_hash: &str,
        now: i64,
        gap: i64,
        max: i64,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE two_factor_challenges SET code_hash = $2, sent_at = $3 \
             WHERE hash = $1 AND used_at IS NULL AND failures < $5 AND expires_at > $3 \
             AND option = 'email' AND (sent_at IS NULL OR sent_at <= $3 - $4)",
        )
        .bind(hash)
        .bind(code_hash)
        .bind(now)
        .bind(gap)
        .bind(max)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Opens a session's re-authentication code, or replaces it when the last was sent at
    /// least `gap` ms ago: a live challenge keeps its count of wrong codes (a new code does not
    /// reset it), a used, expired or exhausted one starts afresh. When too early: the time the
    /// last was sent.
    pub async fn renew_reauth_challenge(
        &self,
        c: &ChallengeRow,
        gap: i64,
        max: i64,
    ) -> Result<Option<i64>> {
        let now = c.created_at;
        let done = sqlx::query(
            "INSERT INTO two_factor_challenges AS t (hash, user_id, option, amr, code_hash, \
             failures, created_at, sent_at, expires_at) VALUES ($1, $2, $3, $4, $5, 0, $6, $6, $7) \
             ON CONFLICT (hash) DO UPDATE SET code_hash = excluded.code_hash, \
             sent_at = excluded.sent_at, expires_at = excluded.expires_at, used_at = NULL, \
             failures = CASE WHEN t.used_at IS NULL AND t.expires_at > $6 AND t.failures < $9 \
             THEN t.failures ELSE 0 END \
             WHERE t.user_id = $2 AND (t.sent_at IS NULL OR t.sent_at <= $6 - $8)",
        )
        .bind(&c.hash)
        .bind(&c.user_id)
        .bind(&c.option)
        .bind(&c.amr)
        .bind(&c.code_hash)
        .bind(now)
        .bind(c.expires_at)
        .bind(gap)
        .bind(max)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 1 {
            return Ok(None);
        }
        let last: Option<(Option<i64>,)> =
            sqlx::query_as("SELECT sent_at FROM two_factor_challenges WHERE hash = $1")
                .bind(&c.hash)
                .fetch_optional(&self.pool)
                .await?;
        Ok(Some(last.and_then(|(s,)| s).unwrap_or(now)))
    }

    pub async fn set_totp_pending(&self, user_id: &str, sealed: &str, now: i64) -> Result<()> {
        sqlx::query("UPDATE users SET totp_pending_enc = $2, updated_at = $3 WHERE id = $1")
            .bind(user_id)
            .bind(sealed)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Makes the pending seed (still `pending`) the user's TOTP and TOTP the option; `step`,
    /// the step of the confirming code, can then not sign in.
    pub async fn confirm_totp(
        &self,
        user_id: &str,
        pending: &str,
        step: i64,
        now: i64,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE users SET totp_secret_enc = totp_pending_enc, totp_pending_enc = NULL, \
             totp_last_step = $3, two_factor_option = 'totp', updated_at = $4 \
             WHERE id = $1 AND totp_pending_enc = $2",
        )
        .bind(user_id)
        .bind(pending)
        .bind(step)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Accepts a TOTP time step once: false when this step or a later one was already used.
    pub async fn accept_totp_step(&self, user_id: &str, step: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE users SET totp_last_step = $2 \
             WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)",
        )
        .bind(user_id)
        .bind(step)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Sets the option `none` or `email`; the TOTP seed goes (a later TOTP enrols anew), and
    /// with `none` the recovery codes too.
    pub async fn set_two_factor_option(&self, user_id: &str, option: &str, now: i64) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE users SET two_factor_option = $2, totp_secret_enc = NULL, \
             totp_pending_enc = NULL, totp_last_step = NULL, updated_at = $3 WHERE id = $1",
        )
        .bind(user_id)
        .bind(option)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if option == "none" {
            sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Replaces every recovery code of the user.
    pub async fn replace_recovery_codes(
        &self,
        user_id: &str,
        hashes: &[String],
        now: i64,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        for hash in hashes {
            sqlx::query(
                "INSERT INTO recovery_codes (code_hash, user_id, created_at) VALUES ($1, $2, $3)",
            )
            .bind(hash)
            .bind(user_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Uses a recovery code up; false when unknown, another user's, or already used.
    pub async fn use_recovery_code(&self, user_id: &str, hash: &str, now: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE recovery_codes SET used_at = $3 \
             WHERE code_hash = $1 AND user_id = $2 AND used_at IS NULL",
        )
        .bind(hash)
        .bind(user_id)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn recovery_codes_left(&self, user_id: &str) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL",
        )
        .bind(user_id)
        .fetch_one(&self.pool)
        .await?)
    }
}

use super::Store;
use crate::error::Result;

impl Store {
    /// Stores a new single-use token, voiding the user's earlier unused ones of that purpose.
    pub async fn insert_one_time(
        &self,
        hash: &str,
        user_id: &str,
        purpose: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE one_time_tokens SET used_at = $3 \
             WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL",
        )
        .bind(user_id)
        .bind(purpose)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO one_time_tokens (hash, user_id, purpose, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(hash)
        .bind(user_id)
        .bind(purpose)
        .bind(now)
        .bind(expires_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Marks the token used, atomically: of two concurrent uses only one gets the user id.
    pub async fn consume_one_time(
        &self,
        hash: &str,
        purposes: &[&str],
        now: i64,
    ) -> Result<Option<String>> {
        let user: Option<(String, String)> = sqlx::query_as(
            "UPDATE one_time_tokens SET used_at = $2 \
             WHERE hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING user_id, purpose",
        )
        .bind(hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        Ok(user
            .filter(|(_, p)| purposes.contains(&p.as_str()))
            .map(|(u, _)| u))
    }

    /// The user of a live token, without using it.
    pub async fn peek_one_time(&self, hash: &str, now: i64) -> Result<Option<String>> {
        Ok(sqlx::query_scalar(
            "SELECT user_id FROM one_time_tokens WHERE hash = $1 AND used_at IS NULL AND expires_at > $2",
        )
        .bind(hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// When the user's newest token of `purpose` was made.
    pub async fn last_one_time(&self, user_id: &str, purpose: &str) -> Result<Option<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT MAX(created_at) FROM one_time_tokens WHERE user_id = $1 AND purpose = $2",
        )
        .bind(user_id)
        .bind(purpose)
        .fetch_one(&self.pool)
        .await?)
    }

    /// Ends every unused link of the user (after a successful reset).
    pub async fn end_one_time(&self, user_id: &str, now: i64) -> Result<()> {
        sqlx::query(
            "UPDATE one_time_tokens SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL",
        )
        .bind(user_id)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

use super::Store;
use crate::error::Result;

impl Store {
    /// The stored settings document and its version, if any was ever saved.
    pub async fn settings(&self) -> Result<Option<(String, i64)>> {
        Ok(
            sqlx::query_as("SELECT body, version FROM settings WHERE id = 1")
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// The BroadWorks settings document (`/admin/broadworks`), kept beside the platform's.
    pub async fn broadworks_settings(&self) -> Result<Option<String>> {
        Ok(sqlx::query_scalar("SELECT body FROM settings WHERE id = 2")
            .fetch_optional(&self.pool)
            .await?)
    }

    pub async fn save_broadworks_settings(&self, body: &str, now: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO settings (id, body, version, updated_at) VALUES (2, $1, 1, $2) \
             ON CONFLICT (id) DO UPDATE SET body = excluded.body, \
             version = settings.version + 1, updated_at = excluded.updated_at",
        )
        .bind(body)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn settings_version(&self) -> Result<i64> {
        let v: Option<i64> = sqlx::query_scalar("SELECT version FROM settings WHERE id = 1")
            .fetch_optional(&self.pool)
            .await?;
        Ok(v.unwrap_or(0))
    }

    /// Saves a new document; the version only grows, so every instance notices the change.
    pub async fn save_settings(&self, body: &str, now: i64) -> Result<i64> {
        let version: i64 = sqlx::query_scalar(
            "INSERT INTO settings (id, body, version, updated_at) VALUES (1, $1, 1, $2) \
             ON CONFLICT (id) DO UPDATE SET body = excluded.body, \
             version = settings.version + 1, updated_at = excluded.updated_at RETURNING version",
        )
        .bind(body)
        .bind(now)
        .fetch_one(&self.pool)
        .await?;
        Ok(version)
    }
}

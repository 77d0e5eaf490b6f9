use super::Store;
use crate::error::Result;

/// A provider as stored: its settings JSON and the sealed client secret.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProviderRow {
    pub id: String,
    pub settings: String,
    pub client_secret_enc: Option<String>,
    pub updated_at: i64,
}

const COLUMNS: &str = "id, settings, client_secret_enc, updated_at";

impl Store {
    pub async fn sso_provider(&self, id: &str) -> Result<Option<ProviderRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM sso_providers WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn sso_providers(&self) -> Result<Vec<ProviderRow>> {
        Ok(
            sqlx::query_as(&format!("SELECT {COLUMNS} FROM sso_providers ORDER BY id"))
                .fetch_all(&self.pool)
                .await?,
        )
    }

    pub async fn save_sso_provider(&self, row: &ProviderRow, by: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO sso_providers (id, settings, client_secret_enc, updated_at, updated_by) \
             VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (id) DO UPDATE SET settings = $2, client_secret_enc = $3, \
             updated_at = $4, updated_by = $5",
        )
        .bind(&row.id)
        .bind(&row.settings)
        .bind(&row.client_secret_enc)
        .bind(row.updated_at)
        .bind(by)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Returns whether there was one.
    pub async fn delete_sso_provider(&self, id: &str) -> Result<bool> {
        let done = sqlx::query("DELETE FROM sso_providers WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }
}

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

    /// Changes whenever a provider is saved or deleted (count, newest change): what other
    /// instances compare to know their copy is stale.
    pub async fn sso_providers_version(&self) -> Result<(i64, i64)> {
        Ok(
            sqlx::query_as("SELECT COUNT(*), COALESCE(MAX(updated_at), 0) FROM sso_providers")
                .fetch_one(&self.pool)
                .await?,
        )
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

/// A sign-in waiting for the identity provider's answer.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FlowRow {
    pub provider_id: String,
    pub browser_hash: String,
    pub return_to: Option<String>,
    pub json: i64,
    pub expires_at: i64,
}

impl Store {
    /// Stores a flow (abandoned ones go with the periodic purge).
    pub async fn insert_sso_flow(&self, hash: &str, f: &FlowRow) -> Result<()> {
        sqlx::query(
            "INSERT INTO sso_flows (hash, provider_id, browser_hash, return_to, json, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(hash)
        .bind(&f.provider_id)
        .bind(&f.browser_hash)
        .bind(&f.return_to)
        .bind(f.json)
        .bind(f.expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Removes and returns the live flow of this browser; `None` when unknown, expired, of
    /// another browser (which leaves it to its own browser) or taken by another request.
    pub async fn take_sso_flow(
        &self,
        hash: &str,
        browser_hash: &str,
        now: i64,
    ) -> Result<Option<FlowRow>> {
        Ok(sqlx::query_as(
            "DELETE FROM sso_flows WHERE hash = $1 AND browser_hash = $2 AND expires_at > $3 \
             RETURNING provider_id, browser_hash, return_to, json, expires_at",
        )
        .bind(hash)
        .bind(browser_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// The user linked to an identity of a provider.
    pub async fn sso_linked_user(
        &self,
        provider_id: &str,
        issuer: &str,
        subject: &str,
    ) -> Result<Option<String>> {
        Ok(sqlx::query_scalar(
            "SELECT user_id FROM sso_links WHERE provider_id = $1 AND issuer = $2 AND subject = $3",
        )
        .bind(provider_id)
        .bind(issuer)
        .bind(subject)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// The issuer of the user's identity at a provider (a BroadWorks user's proxy).
    pub async fn sso_link_issuer(
        &self,
        provider_id: &str,
        user_id: &str,
    ) -> Result<Option<String>> {
        Ok(sqlx::query_scalar(
            "SELECT issuer FROM sso_links WHERE provider_id = $1 AND user_id = $2",
        )
        .bind(provider_id)
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Forgets every identity linked through a provider (deleted: a new provider of the same
    /// id must not inherit them).
    pub async fn delete_sso_links(&self, provider_id: &str) -> Result<()> {
        sqlx::query("DELETE FROM sso_links WHERE provider_id = $1")
            .bind(provider_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Whether a user has this email address (compared without case).
    pub async fn email_in_use(&self, email: &str) -> Result<bool> {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE LOWER(email) = LOWER($1)")
                .bind(email)
                .fetch_one(&self.pool)
                .await?;
        Ok(n > 0)
    }

    /// Records an assertion as used; false when it was already (a replay). Expired ones go
    /// with the periodic purge.
    pub async fn use_saml_assertion(&self, hash: &str, until: i64) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO saml_assertions (hash, expires_at) VALUES ($1, $2) ON CONFLICT (hash) DO NOTHING",
        )
        .bind(hash)
        .bind(until)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}

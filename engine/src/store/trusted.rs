//! Trusted devices (a token from a passed 2FA, by hash) and trusted locations (CIDRs).

use super::Store;
use crate::error::Result;
use sqlx::FromRow;

#[derive(Debug, Clone, FromRow)]
pub struct DeviceRow {
    pub id: String,
    pub label: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub expires_at: i64,
}

#[derive(Debug, Clone, FromRow)]
pub struct LocationRow {
    pub id: String,
    pub cidr: String,
    pub label: String,
    pub created_at: i64,
}

pub struct NewDevice<'a> {
    pub id: &'a str,
    pub user_id: &'a str,
    pub token_hash: &'a str,
    pub label: &'a str,
    pub now: i64,
    pub expires_at: i64,
}

impl Store {
    pub async fn insert_device(&self, d: &NewDevice<'_>) -> Result<()> {
        sqlx::query(
            "INSERT INTO trusted_devices (id, user_id, token_hash, label, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(d.id)
        .bind(d.user_id)
        .bind(d.token_hash)
        .bind(d.label)
        .bind(d.now)
        .bind(d.expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Marks the user's live device with this token as used now; false when there is none.
    pub async fn use_device(&self, user_id: &str, token_hash: &str, now: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE trusted_devices SET last_used_at = $3 \
             WHERE token_hash = $1 AND user_id = $2 AND expires_at > $3",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn devices(&self, user_id: &str, now: i64) -> Result<Vec<DeviceRow>> {
        Ok(sqlx::query_as(
            "SELECT id, label, created_at, last_used_at, expires_at FROM trusted_devices \
             WHERE user_id = $1 AND expires_at > $2 ORDER BY created_at DESC",
        )
        .bind(user_id)
        .bind(now)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn insert_location(
        &self,
        id: &str,
        user_id: &str,
        cidr: &str,
        label: &str,
        now: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO trusted_locations (id, user_id, cidr, label, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(user_id)
        .bind(cidr)
        .bind(label)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn locations(&self, user_id: &str) -> Result<Vec<LocationRow>> {
        Ok(sqlx::query_as(
            "SELECT id, cidr, label, created_at FROM trusted_locations \
             WHERE user_id = $1 ORDER BY created_at DESC",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Deletes the user's trusted device or location with this id; false when neither.
    pub async fn delete_trusted(&self, user_id: &str, id: &str) -> Result<bool> {
        let mut removed = 0;
        for table in ["trusted_devices", "trusted_locations"] {
            removed += sqlx::query(&format!(
                "DELETE FROM {table} WHERE id = $1 AND user_id = $2"
            ))
            .bind(id)
            .bind(user_id)
            .execute(&self.pool)
            .await?
            .rows_affected();
        }
        Ok(removed > 0)
    }
}

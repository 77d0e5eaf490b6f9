//! Passkeys and WebAuthn ceremonies in the store. A ceremony is taken with one
//! `DELETE … RETURNING`, so exactly one finish ever sees it, on any instance; the signature
//! counter only moves forward, in one conditional UPDATE, so two concurrent logins with a
//! cloned credential cannot both pass.

use super::Store;
use crate::error::{Error, Result};
use sqlx::FromRow;

#[derive(Debug, Clone, FromRow)]
pub struct PasskeyRow {
    pub id: String,
    pub user_id: String,
    pub credential_id: String,
    pub name: String,
    pub passkey: String,
    pub counter: i64,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

#[derive(Debug, Clone, FromRow)]
pub struct CeremonyRow {
    pub purpose: String,
    pub user_id: Option<String>,
    pub session_id: Option<String>,
    pub name: Option<String>,
    pub state: String,
    pub expires_at: i64,
}

const PASSKEY_COLUMNS: &str =
    "id, user_id, credential_id, name, passkey, counter, created_at, last_used_at";

impl Store {
    pub async fn insert_ceremony(&self, hash: &str, c: &CeremonyRow) -> Result<()> {
        sqlx::query(
            "INSERT INTO webauthn_challenges (hash, purpose, user_id, session_id, name, state, \
             expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(hash)
        .bind(&c.purpose)
        .bind(&c.user_id)
        .bind(&c.session_id)
        .bind(&c.name)
        .bind(&c.state)
        .bind(c.expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Removes the ceremony and returns it (expired or not: the caller checks); `None` when
    /// it is unknown or another request took it first.
    pub async fn take_ceremony(&self, hash: &str) -> Result<Option<CeremonyRow>> {
        Ok(sqlx::query_as(
            "DELETE FROM webauthn_challenges WHERE hash = $1 \
             RETURNING purpose, user_id, session_id, name, state, expires_at",
        )
        .bind(hash)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Inserts a passkey; a credential id registered before (to anyone) is `Conflict`.
    pub async fn insert_passkey(&self, p: &PasskeyRow) -> Result<()> {
        let result = sqlx::query(&format!(
            "INSERT INTO passkeys ({PASSKEY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        ))
        .bind(&p.id)
        .bind(&p.user_id)
        .bind(&p.credential_id)
        .bind(&p.name)
        .bind(&p.passkey)
        .bind(p.counter)
        .bind(p.created_at)
        .bind(p.last_used_at)
        .execute(&self.pool)
        .await;
        match result {
            Ok(_) => Ok(()),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                Err(Error::Conflict("this passkey is already registered".into()))
            }
            Err(e) => Err(e.into()),
        }
    }

    pub async fn passkeys(&self, user_id: &str) -> Result<Vec<PasskeyRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {PASSKEY_COLUMNS} FROM passkeys WHERE user_id = $1 ORDER BY created_at, id"
        ))
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Records a login with the passkey: its new state and counter, only if the counter
    /// moves forward (or the authenticator keeps none: 0). False when another login got
    /// there first with the same or a higher counter: a cloned credential.
    pub async fn use_passkey(
        &self,
        id: &str,
        passkey: &str,
        counter: i64,
        now: i64,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE passkeys SET passkey = $2, counter = $3, last_used_at = $4 \
             WHERE id = $1 AND (counter < $3 OR $3 = 0)",
        )
        .bind(id)
        .bind(passkey)
        .bind(counter)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Renames the user's passkey; false when the user has no passkey with this id.
    pub async fn rename_passkey(&self, user_id: &str, id: &str, name: &str) -> Result<bool> {
        let done = sqlx::query("UPDATE passkeys SET name = $3 WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(user_id)
            .bind(name)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Deletes the user's passkey; false when the user has no passkey with this id.
    pub async fn delete_passkey(&self, user_id: &str, id: &str) -> Result<bool> {
        let done = sqlx::query("DELETE FROM passkeys WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}

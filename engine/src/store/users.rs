use super::{Store, flag};
use crate::error::{Error, Result};
use sqlx::FromRow;

const USER_COLUMNS: &str = "id, username, password_hash, firstname, lastname, mobile, email, \
    system, profile, ui_profile, registered_on, language, timezone, roles, properties, idp, \
    disabled, force_change_password, two_factor_option, two_factor_forced_email, \
    failed_logins, locked_until, updated_at, ip_whitelist, totp_secret_enc, totp_pending_enc, \
    totp_last_step, m2m_hash, m2m_token_enc, m2m_expires_at, callbacks";

#[derive(Debug, Clone, FromRow)]
pub struct UserRow {
    pub id: String,
    pub username: String,
    pub password_hash: Option<String>,
    pub firstname: String,
    pub lastname: String,
    pub mobile: Option<String>,
    pub email: Option<String>,
    pub system: i64,
    pub profile: Option<String>,
    pub ui_profile: Option<String>,
    pub registered_on: i64,
    pub language: String,
    pub timezone: String,
    pub roles: String,
    pub properties: String,
    pub idp: Option<String>,
    pub disabled: i64,
    pub force_change_password: i64,
    pub two_factor_option: String,
    pub two_factor_forced_email: i64,
    pub failed_logins: i64,
    pub locked_until: Option<i64>,
    pub updated_at: i64,
    pub ip_whitelist: String,
    pub totp_secret_enc: Option<String>,
    pub totp_pending_enc: Option<String>,
    pub totp_last_step: Option<i64>,
    pub m2m_hash: Option<String>,
    pub m2m_token_enc: Option<String>,
    pub m2m_expires_at: Option<i64>,
    pub callbacks: String,
}

pub struct NewUser {
    pub id: String,
    pub username: String,
    pub password_hash: Option<String>,
    pub firstname: String,
    pub lastname: String,
    pub mobile: Option<String>,
    pub email: Option<String>,
    pub system: bool,
    pub profile: Option<String>,
    pub ui_profile: Option<String>,
    pub language: String,
    pub timezone: String,
    pub roles: String,
    pub properties: String,
    pub force_change_password: bool,
    pub disabled: bool,
    pub two_factor_forced_email: bool,
    /// Where the identity lives when not here: `sso:<provider>`, `broadworks`.
    pub idp: Option<String>,
    pub now: i64,
}

/// The identity of a provider a new user is linked to.
pub struct SsoLink<'a> {
    pub provider_id: &'a str,
    pub issuer: &'a str,
    pub subject: &'a str,
}

/// The full set of editable columns, written back at once after a read-modify in the engine.
pub struct UserUpdate<'a> {
    pub firstname: &'a str,
    pub lastname: &'a str,
    pub mobile: Option<&'a str>,
    pub email: Option<&'a str>,
    pub system: bool,
    pub profile: Option<&'a str>,
    pub ui_profile: Option<&'a str>,
    pub language: &'a str,
    pub timezone: &'a str,
    pub roles: &'a str,
    pub properties: &'a str,
    pub disabled: bool,
    pub force_change_password: bool,
    pub two_factor_forced_email: bool,
    pub now: i64,
}

impl Store {
    pub async fn user_by_username(&self, username: &str) -> Result<Option<UserRow>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE username = $1");
        Ok(sqlx::query_as(&sql)
            .bind(username)
            .fetch_optional(&self.pool)
            .await?)
    }

    pub async fn user_by_id(&self, id: &str) -> Result<Option<UserRow>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
        Ok(sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    pub async fn user_by_m2m_hash(&self, hash: &str) -> Result<Option<UserRow>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE m2m_hash = $1");
        Ok(sqlx::query_as(&sql)
            .bind(hash)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// Sets (all three `Some`) or removes (all `None`) the user's M2M token.
    pub async fn set_m2m_token(
        &self,
        id: &str,
        hash: Option<&str>,
        sealed: Option<&str>,
        expires_at: Option<i64>,
        now: i64,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE users SET m2m_hash = $2, m2m_token_enc = $3, m2m_expires_at = $4, \
             updated_at = $5 WHERE id = $1",
        )
        .bind(id)
        .bind(hash)
        .bind(sealed)
        .bind(expires_at)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn set_callbacks(&self, id: &str, json: &str, now: i64) -> Result<()> {
        sqlx::query("UPDATE users SET callbacks = $2, updated_at = $3 WHERE id = $1")
            .bind(id)
            .bind(json)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn count_users(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&self.pool)
            .await?)
    }

    /// Users whose username, names or email contain `q` (case-insensitive), by username.
    pub async fn list_users(
        &self,
        q: &str,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<UserRow>, i64)> {
        let pattern = format!("%{}%", q.to_lowercase().replace(['%', '_'], ""));
        let filter = "WHERE LOWER(username) LIKE $1 OR LOWER(firstname) LIKE $1 \
                      OR LOWER(lastname) LIKE $1 OR LOWER(COALESCE(email, '')) LIKE $1";
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users {filter} ORDER BY username LIMIT $2 OFFSET $3"
        );
        let rows = sqlx::query_as(&sql)
            .bind(&pattern)
            .bind(limit)
            .bind(offset)
            .fetch_all(&self.pool)
            .await?;
        let total: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM users {filter}"))
            .bind(&pattern)
            .fetch_one(&self.pool)
            .await?;
        Ok((rows, total))
    }

    /// Inserts a user, and its link to an identity of a provider in the same transaction;
    /// a taken username (or an identity linked meanwhile) is `Conflict`.
    pub async fn insert_user(&self, u: &NewUser, link: Option<&SsoLink<'_>>) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let result = sqlx::query(
            "INSERT INTO users (id, username, password_hash, firstname, lastname, mobile, email, \
             system, profile, ui_profile, registered_on, language, timezone, roles, properties, \
             force_change_password, disabled, two_factor_forced_email, idp, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
             $18, $19, $11)",
        )
        .bind(&u.id)
        .bind(&u.username)
        .bind(&u.password_hash)
        .bind(&u.firstname)
        .bind(&u.lastname)
        .bind(&u.mobile)
        .bind(&u.email)
        .bind(flag(u.system))
        .bind(&u.profile)
        .bind(&u.ui_profile)
        .bind(u.now)
        .bind(&u.language)
        .bind(&u.timezone)
        .bind(&u.roles)
        .bind(&u.properties)
        .bind(flag(u.force_change_password))
        .bind(flag(u.disabled))
        .bind(flag(u.two_factor_forced_email))
        .bind(&u.idp)
        .execute(&mut *tx)
        .await;
        let result = match (result, link) {
            (Ok(_), Some(l)) => sqlx::query(
                "INSERT INTO sso_links (provider_id, issuer, subject, user_id, created_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(l.provider_id)
            .bind(l.issuer)
            .bind(l.subject)
            .bind(&u.id)
            .bind(u.now)
            .execute(&mut *tx)
            .await
            .map(|_| ()),
            (result, _) => result.map(|_| ()),
        };
        match result {
            Ok(()) => {
                tx.commit().await?;
                Ok(())
            }
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                Err(Error::Conflict("a user with this username exists".into()))
            }
            Err(e) => Err(e.into()),
        }
    }

    pub async fn update_user(&self, id: &str, u: &UserUpdate<'_>) -> Result<()> {
        sqlx::query(
            "UPDATE users SET firstname = $2, lastname = $3, mobile = $4, email = $5, \
             system = $6, profile = $7, ui_profile = $8, language = $9, timezone = $10, \
             roles = $11, properties = $12, disabled = $13, force_change_password = $14, \
             two_factor_forced_email = $15, updated_at = $16 WHERE id = $1",
        )
        .bind(id)
        .bind(u.firstname)
        .bind(u.lastname)
        .bind(u.mobile)
        .bind(u.email)
        .bind(flag(u.system))
        .bind(u.profile)
        .bind(u.ui_profile)
        .bind(u.language)
        .bind(u.timezone)
        .bind(u.roles)
        .bind(u.properties)
        .bind(flag(u.disabled))
        .bind(flag(u.force_change_password))
        .bind(flag(u.two_factor_forced_email))
        .bind(u.now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Sets a new password hash; `force_change` is what the flag becomes.
    pub async fn set_password_hash(
        &self,
        id: &str,
        hash: &str,
        force_change: bool,
        now: i64,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE users SET password_hash = $2, force_change_password = $3, failed_logins = 0, \
             locked_until = NULL, updated_at = $4 WHERE id = $1",
        )
        .bind(id)
        .bind(hash)
        .bind(flag(force_change))
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Replaces the hash only if it is still `old` (a rehash after a login must not undo a
    /// password change that happened meanwhile).
    pub async fn upgrade_password_hash(&self, id: &str, old: &str, new: &str) -> Result<()> {
        sqlx::query("UPDATE users SET password_hash = $3 WHERE id = $1 AND password_hash = $2")
            .bind(id)
            .bind(old)
            .bind(new)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn delete_user(&self, id: &str) -> Result<bool> {
        let done = sqlx::query("DELETE FROM users WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }
}

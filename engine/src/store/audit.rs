use super::Store;
use crate::error::Result;
use sqlx::FromRow;

#[derive(Debug, Clone, FromRow)]
pub struct AuditRow {
    pub id: i64,
    pub at: i64,
    pub kind: String,
    pub outcome: String,
    pub user_id: Option<String>,
    pub username: Option<String>,
    pub actor: Option<String>,
    pub ip: Option<String>,
    pub detail: String,
}

#[derive(Debug, Default, Clone)]
pub struct AuditFilter {
    pub username: Option<String>,
    pub kind: Option<String>,
    pub since: Option<i64>,
    pub limit: i64,
}

impl Store {
    pub async fn insert_audit(&self, e: &AuditRow) -> Result<()> {
        sqlx::query(
            "INSERT INTO audit_events (at, kind, outcome, user_id, username, actor, ip, detail) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(e.at)
        .bind(&e.kind)
        .bind(&e.outcome)
        .bind(&e.user_id)
        .bind(&e.username)
        .bind(&e.actor)
        .bind(&e.ip)
        .bind(&e.detail)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Newest first.
    pub async fn audit_events(&self, f: &AuditFilter) -> Result<Vec<AuditRow>> {
        Ok(sqlx::query_as(
            "SELECT id, at, kind, outcome, user_id, username, actor, ip, detail FROM audit_events \
             WHERE ($1 = '' OR username = $1) AND ($2 = '' OR kind = $2) AND at >= $3 \
             ORDER BY at DESC, id DESC LIMIT $4",
        )
        .bind(f.username.as_deref().unwrap_or(""))
        .bind(f.kind.as_deref().unwrap_or(""))
        .bind(f.since.unwrap_or(0))
        .bind(f.limit)
        .fetch_all(&self.pool)
        .await?)
    }
}

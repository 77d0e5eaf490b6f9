use super::Store;
use crate::error::Result;
use crate::mail::templates::MailTemplate;

/// A template as stored by an admin.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TemplateRow {
    pub name: String,
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
    pub updated_at: i64,
    pub updated_by: Option<String>,
}

impl Store {
    pub async fn mail_template(&self, name: &str) -> Result<Option<TemplateRow>> {
        Ok(sqlx::query_as(
            "SELECT name, subject, text, html, updated_at, updated_by FROM mail_templates WHERE name = $1",
        )
        .bind(name)
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn mail_templates(&self) -> Result<Vec<TemplateRow>> {
        Ok(sqlx::query_as(
            "SELECT name, subject, text, html, updated_at, updated_by FROM mail_templates ORDER BY name",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn save_mail_template(
        &self,
        name: &str,
        t: &MailTemplate,
        by: &str,
        now: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO mail_templates (name, subject, text, html, updated_at, updated_by) \
             VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (name) DO UPDATE SET subject = $2, text = $3, html = $4, \
             updated_at = $5, updated_by = $6",
        )
        .bind(name)
        .bind(&t.subject)
        .bind(&t.text)
        .bind(&t.html)
        .bind(now)
        .bind(by)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Returns whether there was one.
    pub async fn delete_mail_template(&self, name: &str) -> Result<bool> {
        let done = sqlx::query("DELETE FROM mail_templates WHERE name = $1")
            .bind(name)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }
}

//! The templates as admins see and edit them: a stored one wins over the shipped default of
//! the same name; deleting a stored one brings the default back.

use super::templates::{self, MailTemplate, Rendered};
use crate::audit::Event;
use crate::error::{Error, Result};
use crate::principal::{Principal, RequestMeta};
use crate::store::TemplateRow;
use crate::{Engine, clock};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// One template with where it comes from.
#[derive(Debug, Clone)]
pub struct TemplateEntry {
    pub name: String,
    pub template: MailTemplate,
    /// Shipped with the product and not edited.
    pub shipped: bool,
    /// A shipped default exists under this name (deleting the edit restores it).
    pub has_default: bool,
    pub updated_at: Option<DateTime<Utc>>,
    pub updated_by: Option<String>,
}

impl Engine {
    /// The template of that exact name, stored or shipped.
    pub(crate) async fn template(&self, name: &str) -> Result<Option<TemplateEntry>> {
        match self.store().mail_template(name).await? {
            Some(row) => stored_entry(row).map(Some),
            None => Ok(templates::shipped(name)?.map(|template| shipped_entry(name, template))),
        }
    }

    /// The first of `names` that exists (the last is always a shipped base).
    pub(crate) async fn first_template(&self, names: &[String]) -> Result<(String, MailTemplate)> {
        for name in names {
            if let Some(t) = self.template(name).await? {
                return Ok((t.name, t.template));
            }
        }
        Err(Error::Internal(format!("no mail template among {names:?}")))
    }

    pub async fn mail_template(&self, p: &Principal, name: &str) -> Result<TemplateEntry> {
        p.require_admin()?;
        templates::check_name(name)?;
        self.template(name).await?.ok_or(Error::NotFound)
    }

    /// Every stored and shipped template, by name (a stored one hides the default).
    pub async fn mail_templates(&self, p: &Principal) -> Result<Vec<TemplateEntry>> {
        p.require_admin()?;
        let mut all = BTreeMap::new();
        for name in templates::shipped_names() {
            if let Some(template) = templates::shipped(name)? {
                all.insert(name.to_string(), shipped_entry(name, template));
            }
        }
        for row in self.store().mail_templates().await? {
            all.insert(row.name.clone(), stored_entry(row)?);
        }
        Ok(all.into_values().collect())
    }

    /// Saves after checking that it renders; errors name the part.
    pub async fn save_mail_template(
        &self,
        p: &Principal,
        name: &str,
        template: &MailTemplate,
        meta: &RequestMeta,
    ) -> Result<TemplateEntry> {
        p.require_admin()?;
        templates::check_name(name)?;
        templates::check(template)?;
        self.store()
            .save_mail_template(name, template, &p.username, self.now_ms())
            .await?;
        self.audit(
            Event::new("mail_template_saved", "success")
                .actor(p)
                .ip(meta)
                .detail(serde_json::json!({ "name": name })),
        )
        .await;
        self.template(name).await?.ok_or(Error::NotFound)
    }

    /// Removes an admin's edit; a shipped default of that name applies again.
    pub async fn delete_mail_template(
        &self,
        p: &Principal,
        name: &str,
        meta: &RequestMeta,
    ) -> Result<()> {
        p.require_admin()?;
        templates::check_name(name)?;
        if !self.store().delete_mail_template(name).await? {
            return Err(Error::NotFound);
        }
        self.audit(
            Event::new("mail_template_deleted", "success")
                .actor(p)
                .ip(meta)
                .detail(serde_json::json!({ "name": name })),
        )
        .await;
        Ok(())
    }

    /// The editor's live preview: rendered with example values, errors named by part.
    pub fn preview_mail_template(
        &self,
        p: &Principal,
        template: &MailTemplate,
    ) -> Result<Rendered> {
        p.require_admin()?;
        templates::check(template)?;
        let mut ctx = templates::sample_context();
        if let Some(ctx) = ctx.as_object_mut() {
            ctx.insert("label".into(), self.label().into());
        }
        templates::render(template, &ctx)
    }
}

fn stored_entry(row: TemplateRow) -> Result<TemplateEntry> {
    Ok(TemplateEntry {
        has_default: templates::shipped(&row.name)?.is_some(),
        template: MailTemplate {
            subject: row.subject,
            text: row.text,
            html: row.html,
        },
        name: row.name,
        shipped: false,
        updated_at: Some(clock::from_unix_ms(row.updated_at)),
        updated_by: row.updated_by,
    })
}

fn shipped_entry(name: &str, template: MailTemplate) -> TemplateEntry {
    TemplateEntry {
        name: name.to_string(),
        template,
        shipped: true,
        has_default: true,
        updated_at: None,
        updated_by: None,
    }
}

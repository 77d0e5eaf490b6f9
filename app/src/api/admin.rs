//! Server functions: platform settings.

use super::ApiError;
use super::types::PlatformSettings;
use leptos::prelude::*;
use server_fn::codec::Json;

#[server(prefix = "/_sfn", endpoint = "get_settings", input = Json)]
pub async fn get_settings() -> Result<PlatformSettings, ApiError> {
    use super::ssr;
    ssr::principal()?.require_admin().map_err(ApiError::from)?;
    Ok(super::convert::settings(&ssr::engine()?.settings()))
}

/// Saves the settings; an invalid value is refused with the field named, nothing saved.
#[server(prefix = "/_sfn", endpoint = "save_settings", input = Json)]
pub async fn save_settings(settings: PlatformSettings) -> Result<PlatformSettings, ApiError> {
    use super::ssr;
    let engine = ssr::engine()?;
    let update = serde_json::to_value(&settings)
        .map_err(|e| ApiError::invalid_request("settings", e.to_string()))?;
    let saved = engine
        .update_settings(&ssr::principal()?, &update, &ssr::meta()?)
        .await?;
    Ok(super::convert::settings(&saved))
}

/// Every mail template, shipped and edited.
#[server(prefix = "/_sfn", endpoint = "mail_templates", input = Json)]
pub async fn mail_templates() -> Result<Vec<super::types::MailTemplateView>, ApiError> {
    use super::ssr;
    let all = ssr::engine()?.mail_templates(&ssr::principal()?).await?;
    Ok(all
        .into_iter()
        .map(super::convert::mail_template_view)
        .collect())
}

/// Saves a template; one that does not render is refused with the part named.
#[server(prefix = "/_sfn", endpoint = "save_mail_template", input = Json)]
pub async fn save_mail_template(
    name: String,
    template: super::types::MailTemplateBody,
) -> Result<super::types::MailTemplateView, ApiError> {
    use super::ssr;
    let saved = ssr::engine()?
        .save_mail_template(
            &ssr::principal()?,
            &name,
            &super::convert::mail_template(template),
            &ssr::meta()?,
        )
        .await?;
    Ok(super::convert::mail_template_view(saved))
}

/// Drops an edit; the shipped default of that name applies again.
#[server(prefix = "/_sfn", endpoint = "delete_mail_template", input = Json)]
pub async fn delete_mail_template(name: String) -> Result<(), ApiError> {
    use super::ssr;
    ssr::engine()?
        .delete_mail_template(&ssr::principal()?, &name, &ssr::meta()?)
        .await?;
    Ok(())
}

/// The editor's live preview, with example values.
#[server(prefix = "/_sfn", endpoint = "preview_mail_template", input = Json)]
pub async fn preview_mail_template(
    template: super::types::MailTemplateBody,
) -> Result<super::types::MailPreview, ApiError> {
    use super::ssr;
    let rendered = ssr::engine()?
        .preview_mail_template(&ssr::principal()?, &super::convert::mail_template(template))?;
    Ok(super::convert::mail_preview(rendered))
}

/// Audit events, newest first (at most 500); blank filters are ignored, `since` is RFC 3339.
#[server(prefix = "/_sfn", endpoint = "audit_events", input = Json)]
pub async fn audit_events(
    user: String,
    kind: String,
    since: String,
) -> Result<Vec<super::types::AuditEventView>, ApiError> {
    use super::{convert, ssr};
    let filter = convert::audit_filter(Some(user), Some(kind), Some(&since))?;
    let events = ssr::engine()?
        .audit_events(&ssr::principal()?, filter)
        .await?;
    Ok(events.into_iter().map(convert::audit_event).collect())
}

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

//! Server functions: the single sign-on providers and BroadWorks (admin page).

use super::ApiError;
use super::sso_types::{BroadWorksBody, BroadWorksView, SsoProviderBody, SsoProviderView};
use leptos::prelude::*;
use server_fn::codec::Json;

#[server(prefix = "/_sfn", endpoint = "sso_providers", input = Json)]
pub async fn sso_providers() -> Result<Vec<SsoProviderView>, ApiError> {
    use super::ssr;
    let all = ssr::engine()?.sso_providers(&ssr::principal()?).await?;
    Ok(all
        .into_iter()
        .map(super::sso_convert::provider_view)
        .collect())
}

/// Creates or replaces provider `id`; invalid settings name the field, nothing saved.
#[server(prefix = "/_sfn", endpoint = "save_sso_provider", input = Json)]
pub async fn save_sso_provider(
    id: String,
    body: SsoProviderBody,
) -> Result<SsoProviderView, ApiError> {
    use super::ssr;
    let saved = ssr::engine()?
        .save_sso_provider(
            &ssr::principal()?,
            &id,
            super::sso_convert::provider_input(body),
            &ssr::meta()?,
        )
        .await?;
    Ok(super::sso_convert::provider_view(saved))
}

#[server(prefix = "/_sfn", endpoint = "delete_sso_provider", input = Json)]
pub async fn delete_sso_provider(id: String) -> Result<(), ApiError> {
    use super::ssr;
    Ok(ssr::engine()?
        .delete_sso_provider(&ssr::principal()?, &id, &ssr::meta()?)
        .await?)
}

#[server(prefix = "/_sfn", endpoint = "broadworks_settings", input = Json)]
pub async fn broadworks_settings() -> Result<BroadWorksView, ApiError> {
    use super::ssr;
    let view = ssr::engine()?
        .broadworks_settings(&ssr::principal()?)
        .await?;
    Ok(super::sso_convert::broadworks_view(view))
}

/// Replaces the BroadWorks settings; an invalid value names the field, nothing saved.
#[server(prefix = "/_sfn", endpoint = "save_broadworks", input = Json)]
pub async fn save_broadworks(body: BroadWorksBody) -> Result<BroadWorksView, ApiError> {
    use super::ssr;
    let saved = ssr::engine()?
        .save_broadworks_settings(
            &ssr::principal()?,
            super::sso_convert::broadworks_input(body),
            &ssr::meta()?,
        )
        .await?;
    Ok(super::sso_convert::broadworks_view(saved))
}

//! The login page's "Login with <name>" buttons: plain links to the start of a sign-in
//! through each identity provider, so they work before the page is hydrated. Their code is a
//! WASM chunk of its own, loaded only where an identity provider is configured.

use crate::api::types::SsoButton;
use crate::i18n::*;
use leptos::prelude::*;

/// A path of this site (`/…`, not `//host` nor `/\host`, which browsers read as another
/// host): where a sign-in may send the browser on.
pub fn local_path(v: &str) -> bool {
    v.starts_with('/') && !v.starts_with("//") && !v.chars().any(|c| c.is_control() || c == '\\')
}

/// Loads the buttons' chunk when the page being hydrated has them (see `top_bar`).
#[cfg(feature = "hydrate")]
pub async fn preload_sso_buttons() {
    if document()
        .query_selector(".sso-buttons")
        .ok()
        .flatten()
        .is_some()
    {
        __preload_sso_button_list().await;
    }
}

/// The buttons of `providers` (not empty).
#[lazy]
pub fn sso_button_list(providers: Vec<SsoButton>) -> AnyView {
    let i18n = use_i18n();
    view! {
        <p class="hint sso-or">{t!(i18n, protection.login.or)}</p>
        <div class="sso-buttons">
            {providers
                .into_iter()
                .map(|p| {
                    let href = format!("/api/v01/auth/sso/{}/start", p.id);
                    let name = p.name;
                    // rel=external: a server endpoint, not a route of the app.
                    view! {
                        <a class="button secondary" href=href rel="external">
                            {t!(i18n, protection.login.sso_with, name = move || name.clone())}
                        </a>
                    }
                })
                .collect_view()}
        </div>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_of_this_site() {
        assert!(local_path("/profile"));
        assert!(local_path("/admin?x=1"));
        for bad in [
            "https://evil.example",
            "//evil.example",
            "/\\evil",
            "x",
            "/a\nb",
        ] {
            assert!(!local_path(bad), "{bad}");
        }
    }
}

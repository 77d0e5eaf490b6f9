//! The login page's "Login with <name>" buttons: plain links to the start of a sign-in
//! through each identity provider, so they work before the page is hydrated.

use crate::components::context::use_ui_config;
use crate::i18n::*;
use leptos::prelude::*;

/// A path of this site (`/…`, not `//host` nor `/\host`, which browsers read as another
/// host): where a sign-in may send the browser on.
pub fn local_path(v: &str) -> bool {
    v.starts_with('/') && !v.starts_with("//") && !v.chars().any(|c| c.is_control() || c == '\\')
}

#[component]
pub fn SsoButtons() -> impl IntoView {
    let i18n = use_i18n();
    let ui = use_ui_config();
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                let providers = ui.await.map(|c| c.sso).unwrap_or_default();
                (!providers.is_empty()).then(|| view! {
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
                })
            })}
        </Suspense>
    }
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

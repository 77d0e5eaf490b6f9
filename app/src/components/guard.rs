//! Pages that need a signed-in user (or an admin) render through `RequireSignIn`.

use super::context::{use_session, use_ui_config};
use super::errors::general_message;
use super::nav::module_on;
use crate::i18n::{t, use_i18n};
use crate::pages::NotFoundPage;
use leptos::prelude::*;
use leptos_router::components::Redirect;

/// Renders `children` for a signed-in user; sends a signed-out visitor to /login (a 302
/// when the page is rendered on the server in async mode), and a user who must change
/// their password to /change-password.
#[component]
pub fn RequireSignIn(
    /// Only admins see the children; others are told they are not allowed.
    #[prop(optional)]
    admin: bool,
    /// Set on /change-password itself, which a forced password change must reach.
    #[prop(optional)]
    password_change_page: bool,
    /// The page belongs to this module (the `modules` setting): while it is off, the page
    /// does not exist.
    #[prop(optional)]
    module: Option<&'static str>,
    children: ChildrenFn,
) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let ui = use_ui_config();
    view! {
        <Suspense fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
            {move || {
                let children = children.clone();
                Suspend::new(async move {
                    let module_off = match module {
                        Some(m) => ui.await.is_ok_and(|c| !module_on(&c.modules, m)),
                        None => false,
                    };
                    match session.await {
                        Ok(None) => view! { <Redirect path="/login" /> }.into_any(),
                        Ok(Some(s)) if s.pwd_change && !password_change_page => {
                            view! { <Redirect path="/change-password" /> }.into_any()
                        }
                        Ok(Some(s)) if admin && !s.is_admin => {
                            view! {
                                <section class="page">
                                    <p class="alert" role="alert">
                                        {t!(i18n, common.not_allowed)}
                                    </p>
                                </section>
                            }
                                .into_any()
                        }
                        Ok(Some(_)) if module_off => view! { <NotFoundPage /> }.into_any(),
                        Ok(Some(_)) => children().into_any(),
                        Err(e) => {
                            view! {
                                <section class="page">
                                    <p class="alert" role="alert">
                                        {general_message(&e)}
                                    </p>
                                </section>
                            }
                                .into_any()
                        }
                    }
                })
            }}
        </Suspense>
    }
}

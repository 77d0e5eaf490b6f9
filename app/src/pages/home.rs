//! `/`: straight on to the first enabled page (the profile), or to the login page.

use crate::components::context::{use_session, use_ui_config};
use crate::components::errors::general_message;
use crate::components::nav::start_page;
use crate::i18n::{t, use_i18n};
use leptos::prelude::*;
use leptos_router::components::Redirect;

#[component]
pub fn HomePage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let ui = use_ui_config();
    view! {
        <Suspense fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match session.await {
                    Ok(Some(_)) => {
                        let modules = ui.await.map(|c| c.modules).unwrap_or_default();
                        view! { <Redirect path=start_page(&modules) /> }.into_any()
                    }
                    Ok(None) => view! { <Redirect path="/login" /> }.into_any(),
                    Err(e) => view! { <p class="alert" role="alert">{general_message(&e)}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

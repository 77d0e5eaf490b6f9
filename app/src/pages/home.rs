//! `/`: straight on to the profile, or to the login page.

use crate::components::context::use_session;
use crate::components::errors::general_message;
use leptos::prelude::*;
use leptos_router::components::Redirect;

#[component]
pub fn HomePage() -> impl IntoView {
    let session = use_session();
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match session.await {
                    Ok(Some(_)) => view! { <Redirect path="/profile" /> }.into_any(),
                    Ok(None) => view! { <Redirect path="/login" /> }.into_any(),
                    Err(e) => view! { <p class="alert" role="alert">{general_message(&e)}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

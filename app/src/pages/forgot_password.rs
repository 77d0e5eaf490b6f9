//! `/forgot-password`: asks for a reset link. The answer never tells whether the account
//! exists. `?ui_id=` from a linking application is passed on to choose the mail template.

use crate::api::ApiError;
use crate::api::auth::request_password_reset;
use crate::components::browser::{browser_language, input_value, use_hydrated};
use crate::components::errors::FormAlert;
use crate::components::fields::UsernameField;
use leptos::html::Input;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let hydrated = use_hydrated();
    let username = NodeRef::<Input>::new();
    let error = RwSignal::new(None::<ApiError>);
    let sent = RwSignal::new(false);
    let query = use_query_map();

    let request = Action::new(move |user: &String| {
        let user = user.clone();
        let ui_id = query.with_untracked(|q| q.get("ui_id"));
        async move {
            match request_password_reset(user, ui_id, browser_language()).await {
                Ok(()) => sent.set(true),
                Err(e) => error.set(Some(e)),
            }
        }
    });
    let pending = request.pending();

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        request.dispatch(input_value(username));
    };

    view! {
        <Title text="Forgot password" />
        <section class="card">
            <h1>"Forgot your password?"</h1>
            <Show
                when=move || sent.get()
                fallback=move || {
                    view! {
                        <p>"Enter your username. If the account has an email address, a link to choose a new password is sent to it."</p>
                        <form class="form" method="post" on:submit=on_submit>
                            <UsernameField node_ref=username />
                            <FormAlert error />
                            <button type="submit" class="primary" disabled=move || !hydrated.get() || pending.get()>
                                {move || if pending.get() { "Sending…" } else { "Send the link" }}
                            </button>
                        </form>
                    }
                }
            >
                <p class="notice" role="status">
                    "If an account with an email address exists for that username, a link is on its way. It works for 20 minutes, once."
                </p>
            </Show>
            <p>
                <a href="/login">"Back to sign in"</a>
            </p>
        </section>
    }
}

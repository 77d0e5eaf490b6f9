//! `/forgot-password`: asks for a reset link. The answer never tells whether the account
//! exists. `?ui_id=` from a linking application is passed on to choose the mail template.

use crate::api::ApiError;
use crate::api::auth::request_password_reset;
use crate::components::browser::{input_value, use_hydrated};
use crate::components::errors::FormAlert;
use crate::components::fields::UsernameField;
use crate::i18n::*;
use leptos::html::Input;
use leptos::prelude::*;
use leptos_i18n::Locale as _;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let hydrated = use_hydrated();
    let i18n = use_i18n();
    let username = NodeRef::<Input>::new();
    let error = RwSignal::new(None::<ApiError>);
    let sent = RwSignal::new(false);
    let query = use_query_map();

    let request = Action::new(move |user: &String| {
        let user = user.clone();
        let ui_id = query.with_untracked(|q| q.get("ui_id"));
        // The mail speaks the language the UI speaks now.
        let ui_language = Some(i18n.get_locale_untracked().as_str().to_string());
        async move {
            match request_password_reset(user, ui_id, ui_language).await {
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
        <Title text=move || t_string!(i18n, account.forgot_password.title) />
        <section class="card">
            <h1>{t!(i18n, account.forgot_password.heading)}</h1>
            <Show
                when=move || sent.get()
                fallback=move || {
                    view! {
                        <p>{t!(i18n, account.forgot_password.intro)}</p>
                        <form class="form" method="post" on:submit=on_submit>
                            <UsernameField node_ref=username />
                            <FormAlert error />
                            <button type="submit" class="primary" disabled=move || !hydrated.get() || pending.get()>
                                {move || {
                                    if pending.get() {
                                        t_string!(i18n, account.forgot_password.sending)
                                    } else {
                                        t_string!(i18n, account.forgot_password.send)
                                    }
                                }}
                            </button>
                        </form>
                    }
                }
            >
                <p class="notice" role="status">
                    {t!(i18n, account.forgot_password.sent)}
                </p>
            </Show>
            <p>
                <a href="/login">{t!(i18n, account.forgot_password.back)}</a>
            </p>
        </section>
    }
}

//! `/login`: the configured label, then username and password (or a passkey, from the button
//! or the username field's autofill), then the second factor when one is due.

use crate::api::ApiError;
use crate::api::security::{LoginStep, login};
use crate::api::types::SessionInfo;
use crate::components::browser::{full_navigation, input_value, use_hydrated};
use crate::components::context::use_ui_config;
use crate::components::errors::FormAlert;
use crate::components::fields::UsernameField;
use crate::components::passkey_login::PasskeyLogin;
use crate::components::second_factor::SecondFactorStep;
use crate::i18n::*;
use leptos::html::Input;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn LoginPage() -> impl IntoView {
    let i18n = use_i18n();
    let ui = use_ui_config();
    let hydrated = use_hydrated();
    let (username, password) = (NodeRef::<Input>::new(), NodeRef::<Input>::new());
    let error = RwSignal::new(None::<ApiError>);
    // Stays set once signed in, so the button stays busy while the next page loads.
    let signed_in = RwSignal::new(false);
    // The payload and option of a due second factor (kept in memory only).
    let challenge = RwSignal::new(None::<(String, String)>);
    let enter = move |info: SessionInfo| {
        signed_in.set(true);
        // A full navigation: the app shell then reads the new session.
        full_navigation(if info.pwd_change {
            "/change-password"
        } else {
            "/profile"
        });
    };

    let submit = Action::new(move |(user, pw): &(String, String)| {
        let (user, pw) = (user.clone(), pw.clone());
        async move {
            match login(user, pw).await {
                Ok(LoginStep::SignedIn(info)) => enter(info),
                Ok(LoginStep::SecondFactor { payload, option }) => {
                    challenge.set(Some((payload, option)))
                }
                Err(e) => error.set(Some(e)),
            }
        }
    });
    let pending = submit.pending();
    let busy = move || pending.get() || signed_in.get();

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        submit.dispatch((input_value(username), input_value(password)));
    };

    // Type-erased: the whole page as one view type is too deep for the compiler.
    let password_form = view! {
        <h1 class:hidden=move || challenge.with(Option::is_some)>{t!(i18n, protection.login.heading)}</h1>
        <form
            class="form"
            class:hidden=move || challenge.with(Option::is_some)
            method="post"
            on:submit=on_submit
        >
            <UsernameField node_ref=username autocomplete="username webauthn" />
            <div class="field">
                <label for="password">{t!(i18n, protection.login.password)}</label>
                <input
                    id="password"
                    name="password"
                    type="password"
                    autocomplete="current-password"
                    required
                    node_ref=password
                />
            </div>
            <FormAlert error />
            <button type="submit" class="primary" disabled=move || !hydrated.get() || busy()>
                {move || {
                    if busy() {
                        t_string!(i18n, protection.login.signing_in)
                    } else {
                        t_string!(i18n, protection.login.sign_in)
                    }
                }}
            </button>
            <Suspense>
                {move || Suspend::new(async move {
                    ui.await
                        .ok()
                        .filter(|c| c.passkeys_enabled)
                        .map(|_| {
                            view! {
                                <PasskeyLogin
                                    username
                                    error
                                    on_done=Callback::new(enter)
                                    busy=Signal::derive(move || !hydrated.get() || busy())
                                />
                            }
                        })
                })}
            </Suspense>
        </form>
    }
    .into_any();

    view! {
        <Title text=move || t_string!(i18n, protection.login.title) />
        <section class="card">
            <Suspense>
                {move || Suspend::new(async move {
                    ui.await
                        .ok()
                        .map(|c| c.label)
                        .filter(|l| !l.trim().is_empty())
                        .map(|label| view! { <p class="label">{label}</p> })
                })}
            </Suspense>
            <Show when=move || challenge.with(Option::is_some)>
                {move || {
                    challenge
                        .get()
                        .map(|(payload, option)| {
                            view! {
                                <SecondFactorStep
                                    payload
                                    option
                                    on_done=Callback::new(enter)
                                    on_restart=Callback::new(move |()| challenge.set(None))
                                />
                            }
                                .into_any()
                        })
                }}
            </Show>
            {password_form}
            <p>
                <a href="/forgot-password">{t!(i18n, protection.login.forgot_password)}</a>
            </p>
        </section>
    }
}

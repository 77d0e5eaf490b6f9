//! `/login`: the configured label, then username and password (or a passkey, from the button
//! or the username field's autofill, or an identity provider's button), then the second
//! factor when one is due.
//!
//! The end of a sign-in through an identity provider comes back here as `?sso=done` (signed
//! in: go on to `to`), `?sso=2fa` (the second factor, whose payload the callback left in an
//! HttpOnly cookie) or `?sso=failed`.

use crate::api::ApiError;
use crate::api::security::{LoginStep, login, sso_second_factor};
use crate::api::types::SessionInfo;
use crate::components::browser::{full_navigation, input_value, use_hydrated};
use crate::components::context::use_ui_config;
use crate::components::erased::erased;
use crate::components::errors::FormAlert;
use crate::components::fields::UsernameField;
use crate::components::passkey_login::PasskeyLogin;
use crate::components::second_factor::second_factor_step;
use crate::components::sso_buttons::{local_path, sso_button_list};
use crate::i18n::*;
use leptos::html::Input;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_query_map;

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
    let query = use_query_map();
    let sso = query.with_untracked(|q| q.get("sso")).unwrap_or_default();
    // Where to go once signed in: `to`, a path of this site.
    let sso_to = query
        .with_untracked(|q| q.get("to"))
        .filter(|t| local_path(t))
        .unwrap_or_else(|| "/profile".into());
    // The second factor of a sign-in through an IdP, until finished or given up.
    let sso_step = RwSignal::new(sso == "2fa");
    let next = StoredValue::new(sso_to.clone());
    let enter = move |info: SessionInfo| {
        signed_in.set(true);
        // A full navigation: the app shell then reads the new session.
        if info.pwd_change {
            full_navigation("/change-password");
        } else {
            next.with_value(|to| full_navigation(to));
        }
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

    let signed_in_by_sso = sso == "done";
    let hide_form = move || challenge.with(Option::is_some) || sso_step.get() || signed_in_by_sso;

    let password_form = view! {
        <h1 class:hidden=move || hide_form()>{t!(i18n, protection.login.heading)}</h1>
        <form
            class="form"
            class:hidden=move || hide_form()
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
            // The passkey button and the identity providers' buttons, as configured.
            <Suspense>
                {move || Suspend::new(async move {
                    let config = ui.await.ok()?;
                    let passkey = config.passkeys_enabled.then(|| {
                        view! {
                            <PasskeyLogin
                                username
                                error
                                on_done=Callback::new(enter)
                                busy=Signal::derive(move || !hydrated.get() || busy())
                            />
                        }
                    });
                    let sso = if config.sso.is_empty() {
                        None
                    } else {
                        Some(sso_button_list(config.sso).await)
                    };
                    Some(erased(move || view! { {passkey} {sso} }))
                })}
            </Suspense>
        </form>
    };

    // The end of a sign-in through an identity provider. Signed in: the session cookies are
    // sent from the next, same-site navigation on; drawn here, as the refresh must be in the
    // document's head. The pending second factor or a failure: a chunk of its own.
    let sso_view = match sso.as_str() {
        "done" => {
            let refresh = format!("0;url={sso_to}");
            let sso_to = sso_to.clone();
            Some(erased(move || {
                view! {
                    <Meta http_equiv="refresh" content=refresh />
                    <p class="notice" role="status">{t!(i18n, protection.login.sso_done)}</p>
                    <a class="button primary" href=sso_to>{t!(i18n, protection.login.sso_continue)}</a>
                }
            }))
        }
        "2fa" | "failed" => {
            let (step, enter) = (sso.clone(), Callback::new(enter));
            Some(erased(move || {
                view! {
                    <Suspense>
                        {move || {
                            let view = sso_return(step.clone(), sso_step, hydrated, enter);
                            Suspend::new(async move { Some(view.await) })
                        }}
                    </Suspense>
                }
            }))
        }
        _ => None,
    };

    // Erased for the router, which would erase it anyway, without the async hydration.
    // The page waits for no resource itself (its <Suspense>s do).
    erased(move || {
        view! {
            <Title text=move || t_string!(i18n, protection.login.title) />
            <section class="card">
                <Suspense>
                    {move || Suspend::new(async move {
                        ui.await
                            .ok()
                            .map(|c| c.label)
                            .filter(|l| !l.trim().is_empty())
                            .map(|label| erased(move || view! { <p class="label">{label}</p> }))
                    })}
                </Suspense>
                <Suspense>
                    {move || {
                        let step = challenge.get().map(|(payload, option)| {
                            second_factor_step(
                                payload,
                                option,
                                Callback::new(enter),
                                Callback::new(move |()| challenge.set(None)),
                            )
                        });
                        Suspend::new(async move {
                            match step {
                                Some(step) => Some(step.await),
                                None => None,
                            }
                        })
                    }}
                </Suspense>
                {sso_view}
                {password_form}
                <p>
                    <a href="/forgot-password">{t!(i18n, protection.login.forgot_password)}</a>
                </p>
            </section>
        }
    })
}

/// Loads the chunk of `sso_return` when the page being hydrated shows one (see
/// `components::top_bar`).
#[cfg(feature = "hydrate")]
pub async fn preload_sso_return() {
    let search = window().location().search().unwrap_or_default();
    if search
        .trim_start_matches('?')
        .split('&')
        .any(|p| p == "sso=2fa" || p == "sso=failed")
    {
        __preload_sso_return().await;
    }
}

/// What the login page shows at the end of a sign-in through an identity provider that did
/// not sign in at once: the pending second factor, or a failure.
#[lazy]
fn sso_return(
    sso: String,
    sso_step: RwSignal<bool>,
    hydrated: ReadSignal<bool>,
    enter: Callback<SessionInfo>,
) -> AnyView {
    let i18n = use_i18n();
    match sso.as_str() {
        // Drawn once hydrated: the step is a lazily loaded chunk, which a page being hydrated
        // cannot wait for (the server's HTML would not match).
        "2fa" => view! {
            <Show
                when=move || sso_step.get() && hydrated.get()
                fallback=move || {
                    (sso_step.get() && !hydrated.get())
                        .then(|| view! { <p class="loading">{t!(i18n, common.loading)}</p> })
                }
            >
                <Suspense>
                    {move || Suspend::new(async move {
                        match sso_second_factor().await.ok().flatten() {
                            Some((payload, option)) => {
                                second_factor_step(
                                    payload,
                                    option,
                                    enter,
                                    Callback::new(move |()| sso_step.set(false)),
                                )
                                .await
                            }
                            None => view! {
                                <p class="alert" role="alert">{t!(i18n, protection.login.sso_expired)}</p>
                                <button type="button" class="secondary" on:click=move |_| sso_step.set(false)>
                                    {t!(i18n, protection.second_factor.start_over)}
                                </button>
                            }
                            .into_any(),
                        }
                    })}
                </Suspense>
            </Show>
        }
        .into_any(),
        "failed" => view! {
            <p class="alert" role="alert">{t!(i18n, protection.login.sso_failed)}</p>
        }
        .into_any(),
        _ => ().into_any(),
    }
}

//! The 2FA step of the login page: the one-time code (or a recovery code), "trust this
//! device" and "trust this network", and for email codes a resend with its countdown.

use crate::api::ApiError;
use crate::api::security::{resend_second_factor, second_factor};
use crate::api::types::SessionInfo;
use crate::components::browser::{input_checked, input_value};
use crate::components::errors::{FieldError, FormAlert, Notice};
use crate::components::language::fill;
use crate::i18n::*;
use leptos::html::Input;
use leptos::prelude::*;
use std::time::Duration;

/// Seconds between two mails of a code (the server's limit).
const RESEND_SECS: u32 = 60;

/// The step as a view of its own WASM chunk (`cargo leptos build --split`): the login page
/// fetches its code only when a second factor is due.
#[lazy]
pub fn second_factor_step(
    payload: String,
    option: String,
    on_done: Callback<SessionInfo>,
    on_restart: Callback<()>,
) -> AnyView {
    view! { <SecondFactorStep payload option on_done on_restart /> }.into_any()
}

#[component]
fn SecondFactorStep(
    payload: String,
    option: String,
    on_done: Callback<SessionInfo>,
    /// Back to the password form (the payload is dead or the user gives up).
    on_restart: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let (code, trust_device, trust_network) = (
        NodeRef::<Input>::new(),
        NodeRef::<Input>::new(),
        NodeRef::<Input>::new(),
    );
    let error = RwSignal::new(None::<ApiError>);
    let notice = RwSignal::new(None::<&'static str>);
    let done = RwSignal::new(false);
    let email = option == "email";
    // Seconds until the code may be mailed again; counts down in the browser.
    let wait = RwSignal::new(if email { RESEND_SECS } else { 0 });
    Effect::new(move |_| {
        let tick = set_interval_with_handle(
            move || wait.update(|w| *w = w.saturating_sub(1)),
            Duration::from_secs(1),
        );
        on_cleanup(move || {
            if let Ok(handle) = tick {
                handle.clear();
            }
        });
    });

    let payload = StoredValue::new(payload);
    let verify = Action::new(move |(code, device, network): &(String, bool, bool)| {
        let (code, device, network) = (code.clone(), *device, *network);
        async move {
            match second_factor(payload.get_value(), code, device, network).await {
                Ok(info) => {
                    done.set(true);
                    on_done.run(info);
                }
                // A dead payload (expired, used, too many wrong codes) cannot recover.
                Err(e) => error.set(Some(e)),
            }
        }
    });
    let resend = Action::new(move |_: &()| async move {
        match resend_second_factor(payload.get_value()).await {
            Ok(()) => {
                wait.set(RESEND_SECS);
                notice.set(Some(t_string!(i18n, protection.second_factor.code_sent)));
            }
            Err(e) => {
                if let Some(secs) = e.retry_after {
                    wait.set(u32::try_from(secs).unwrap_or(RESEND_SECS));
                }
                error.set(Some(e));
            }
        }
    });
    let busy = move || verify.pending().get() || done.get();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        notice.set(None);
        verify.dispatch((
            input_value(code),
            input_checked(trust_device),
            input_checked(trust_network),
        ));
    };
    let prompt = move || {
        if email {
            t_string!(i18n, protection.second_factor.prompt_email)
        } else {
            t_string!(i18n, protection.second_factor.prompt_app)
        }
    };

    view! {
        <h1>{t!(i18n, protection.second_factor.heading)}</h1>
        <form class="form" method="post" on:submit=on_submit>
            <div class="field">
                <label for="code">{t!(i18n, protection.second_factor.code)}</label>
                <p class="hint" id="code-hint">
                    {prompt}
                    " "
                    {t!(i18n, protection.second_factor.recovery)}
                </p>
                <input
                    id="code"
                    name="code"
                    type="text"
                    inputmode="numeric"
                    autocomplete="one-time-code"
                    autofocus
                    required
                    maxlength="16"
                    node_ref=code
                    aria-describedby="code-hint code-error"
                />
                <FieldError id="code" error />
            </div>
            <div class="field check">
                <input id="trust_device" name="trust_device" type="checkbox" node_ref=trust_device />
                <label for="trust_device">{t!(i18n, protection.second_factor.trust_device)}</label>
            </div>
            <div class="field check">
                <input id="trust_network" name="trust_network" type="checkbox" node_ref=trust_network />
                <label for="trust_network">{t!(i18n, protection.second_factor.trust_network)}</label>
            </div>
            <FormAlert error fields=&["code"] />
            <Notice text=notice />
            <button type="submit" class="primary" disabled=busy>
                {move || {
                    if busy() {
                        t_string!(i18n, protection.second_factor.verifying)
                    } else {
                        t_string!(i18n, protection.second_factor.verify)
                    }
                }}
            </button>
            <Show when=move || email>
                <button
                    type="button"
                    class="link"
                    disabled=move || wait.get() > 0 || resend.pending().get()
                    on:click=move |_| {
                        error.set(None);
                        resend.dispatch(());
                    }
                >
                    {move || match wait.get() {
                        0 => t_string!(i18n, protection.second_factor.send_new_code).to_string(),
                        s => fill(
                            t_string!(i18n, protection.second_factor.send_new_code_wait),
                            &[("seconds", &s.to_string())],
                        ),
                    }}
                </button>
            </Show>
            <button type="button" class="link" on:click=move |_| on_restart.run(())>
                {t!(i18n, protection.second_factor.start_over)}
            </button>
        </form>
    }
}

//! "Sign in with a passkey" on the login page, and passkeys in the username field's
//! autofill: a discoverable request waits in the background (conditional mediation) until
//! the user picks a passkey there, and is cancelled when the button is used instead.

use super::browser::input_value;
use super::errors::ErrorSignal;
use super::webauthn;
use crate::api::ApiError;
use crate::api::passkeys::{passkey_login_finish, passkey_login_start};
use crate::api::types::SessionInfo;
use crate::i18n::*;
use leptos::html::Input;
use leptos::prelude::*;
use leptos::task::spawn_local;
use send_wrapper::SendWrapper;

/// The whole ceremony: options from the server, the browser's dialog (or autofill), the
/// answer back to the server, which sets the session cookies.
async fn sign_in(
    username: Option<String>,
    autofill: Option<&web_sys::AbortSignal>,
) -> Result<SessionInfo, ApiError> {
    let start = passkey_login_start(username).await?;
    let credential = webauthn::get(&start.public_key, autofill).await?;
    passkey_login_finish(start.challenge_id, credential).await
}

#[component]
pub fn PasskeyLogin(
    /// The username field: its value makes the login username-first; empty, any passkey.
    username: NodeRef<Input>,
    error: ErrorSignal,
    on_done: Callback<SessionInfo>,
    /// Whether a sign-in is already under way (the password form's).
    busy: Signal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    // Set only in the browser; the wrapper makes it storable in a (thread-safe) StoredValue,
    // which the server drops on another thread, empty.
    let autofill = StoredValue::new(None::<SendWrapper<web_sys::AbortController>>);
    let pending = RwSignal::new(false);
    let outcome = move |result: Result<SessionInfo, ApiError>, autofilled: bool| match result {
        Ok(info) => on_done.run(info),
        // What the browser says of a background autofill request (replaced by the button,
        // dismissed, timed out) is no news to the user; the server's refusal is.
        Err(e) if autofilled && e.error == "passkey" => {}
        Err(e) => error.set(Some(e)),
    };
    // Effects run only in the browser, once hydrated.
    Effect::new(move |_| {
        spawn_local(async move {
            if !webauthn::autofill_available().await {
                return;
            }
            let Ok(controller) = web_sys::AbortController::new() else {
                return;
            };
            let signal = controller.signal();
            autofill.set_value(Some(SendWrapper::new(controller)));
            let result = sign_in(None, Some(&signal)).await;
            outcome(result, true);
        });
    });
    let on_click = move |_| {
        autofill.with_value(|c| c.as_ref().map(|c| c.abort()));
        error.set(None);
        pending.set(true);
        let name = Some(input_value(username).trim().to_string()).filter(|n| !n.is_empty());
        spawn_local(async move {
            let result = sign_in(name, None).await;
            pending.set(result.is_ok());
            outcome(result, false);
        });
    };
    view! {
        <button
            type="button"
            class="secondary passkey"
            on:click=on_click
            disabled=move || pending.get() || busy.get()
        >
            {move || {
                if pending.get() {
                    t_string!(i18n, protection.passkey_login.waiting)
                } else {
                    t_string!(i18n, protection.passkey_login.sign_in)
                }
            }}
        </button>
    }
}

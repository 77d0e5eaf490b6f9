//! "Confirm it is you": the password (and the second factor's code, mailed on request to
//! email-2FA users) again, or a passkey, before a sensitive change is sent once more.

use crate::api::ApiError;
use crate::api::me::{get_reauth_needs, reauth, reauth_email};
use crate::api::passkeys::{passkey_reauth, passkey_reauth_start};
use crate::components::browser::{clear_inputs, input_value, use_hydrated};
use crate::components::context::use_ui_config;
use crate::components::errors::{ErrorSignal, FormAlert, Notice};
use crate::components::webauthn;
use crate::i18n::*;
use leptos::html::Input;
use leptos::prelude::*;

async fn with_passkey() -> Result<(), ApiError> {
    let start = passkey_reauth_start().await?;
    let credential = webauthn::get(&start.public_key, None).await?;
    passkey_reauth(start.challenge_id, credential).await
}

/// Whether an error asks for a re-authentication.
pub fn needs_reauth(e: &ApiError) -> bool {
    e.error == "reauthentication_required"
}

/// How a page sends its changes, one at a time: `run` clears the last message and dispatches;
/// `busy` holds while one is under way, and until hydration (a click then would post the form
/// as plain HTML, which nothing answers).
pub fn change_sender<C: Send + Sync + 'static>(
    change: Action<C, ()>,
    error: ErrorSignal,
    notice: RwSignal<Option<&'static str>>,
) -> (impl Fn(C) + Copy + Send + Sync + 'static, Memo<bool>) {
    let hydrated = use_hydrated();
    let run = move |c: C| {
        error.set(None);
        notice.set(None);
        change.dispatch(c);
    };
    (
        run,
        Memo::new(move |_| change.pending().get() || !hydrated.get()),
    )
}

/// What a page does with the answer to a change it sent: reload its data on success, keep
/// the change for after "confirm it is you" when the server asks for that, show other errors.
pub fn settle<C: Send + Sync + 'static>(
    result: Result<(), ApiError>,
    change: C,
    version: RwSignal<u32>,
    waiting: RwSignal<Option<C>>,
    error: ErrorSignal,
) {
    match result {
        Ok(()) => version.update(|v| *v += 1),
        Err(e) if needs_reauth(&e) => waiting.set(Some(change)),
        Err(e) => error.set(Some(e)),
    }
}

/// The prompt for a change [`settle`] kept, while there is one; confirmed, the change is sent
/// again through `retry`.
#[component]
pub fn ReauthThenRetry<C: Clone + Send + Sync + 'static>(
    waiting: RwSignal<Option<C>>,
    #[prop(into)] reason: TextProp,
    /// The confirm button's text; "Confirm" when not given.
    #[prop(optional, into)]
    action: Option<TextProp>,
    retry: Callback<C>,
) -> impl IntoView {
    let i18n = use_i18n();
    let action =
        action.unwrap_or_else(|| TextProp::from(move || t_string!(i18n, account.reauth.confirm)));
    move || {
        waiting.get().map(|c| {
            view! {
                <ReauthPrompt
                    reason=reason.clone()
                    action=action.clone()
                    on_confirmed=Callback::new(move |()| {
                        waiting.set(None);
                        retry.run(c.clone());
                    })
                    on_cancel=Callback::new(move |()| waiting.set(None))
                />
            }
        })
    }
}

#[component]
pub fn ReauthPrompt(
    /// Why: "Changing your email needs your password again."
    #[prop(into)]
    reason: TextProp,
    /// The confirm button's text, e.g. "Confirm and save".
    #[prop(into)]
    action: TextProp,
    on_confirmed: Callback<()>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let (password, code) = (NodeRef::<Input>::new(), NodeRef::<Input>::new());
    let error: ErrorSignal = RwSignal::new(None);
    let notice = RwSignal::new(None::<&'static str>);
    let confirm = Action::new(move |(pw, code): &(String, String)| {
        let pw = pw.clone();
        let code = Some(code.trim().to_string()).filter(|c| !c.is_empty());
        async move {
            match reauth(pw, code).await {
                Ok(()) => on_confirmed.run(()),
                Err(e) => error.set(Some(e)),
            }
        }
    });
    // Local: the browser's WebAuthn promise is not `Send`.
    let passkey = Action::new_local(move |_: &()| async move {
        match with_passkey().await {
            Ok(()) => on_confirmed.run(()),
            Err(e) => error.set(Some(e)),
        }
    });
    let send_code = Action::new(move |_: &()| async move {
        match reauth_email().await {
            Ok(()) => notice.set(Some(tu_string!(i18n, account.reauth.code_sent))),
            Err(e) => error.set(Some(e)),
        }
    });
    let passkeys = use_ui_config();
    // Which code field to show: asked once the prompt is open (it opens in the browser).
    let needs = LocalResource::new(get_reauth_needs);
    let pending = Signal::derive(move || {
        confirm.pending().get() || passkey.pending().get() || send_code.pending().get()
    });
    // The prompt appears after a click elsewhere: take the keyboard focus to it.
    Effect::new(move |_| {
        if let Some(input) = password.get() {
            let _ = input.focus();
        }
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        notice.set(None);
        let values = (input_value(password), input_value(code));
        clear_inputs(&[password, code]);
        confirm.dispatch(values);
    };
    view! {
        <form class="form reauth" method="post" on:submit=on_submit aria-labelledby="reauth-heading">
            <h3 id="reauth-heading">{t!(i18n, account.reauth.heading)}</h3>
            <p>{move || reason.get()}</p>
            <div class="field">
                <label for="reauth_password">{t!(i18n, account.reauth.password)}</label>
                <input id="reauth_password" name="reauth_password" type="password" autocomplete="current-password" required node_ref=password />
            </div>
            <Suspense>
                {move || Suspend::new(async move {
                    // When the answer is not there, the field is offered: the server decides.
                    let wanted = needs.await.map_or(Some("totp".to_string()), |n| n.code);
                    wanted.map(|option| {
                        let email = option == "email";
                        view! {
                            <div class="field">
                                <label for="reauth_code">{t!(i18n, account.reauth.code)}</label>
                                <p class="hint" id="reauth_code-hint">
                                    {if email {
                                        t_string!(i18n, account.reauth.code_email)
                                    } else {
                                        t_string!(i18n, account.reauth.code_totp)
                                    }}
                                </p>
                                <input id="reauth_code" name="reauth_code" type="text" inputmode="numeric" autocomplete="one-time-code" maxlength="16" required node_ref=code aria-describedby="reauth_code-hint" />
                                {email.then(|| view! {
                                    <button type="button" class="secondary" disabled=move || pending.get() on:click=move |_| {
                                        error.set(None);
                                        notice.set(None);
                                        send_code.dispatch(());
                                    }>
                                        {move || if send_code.pending().get() {
                                            t_string!(i18n, account.reauth.sending)
                                        } else {
                                            t_string!(i18n, account.reauth.send_code)
                                        }}
                                    </button>
                                })}
                            </div>
                        }
                    })
                })}
            </Suspense>
            <Notice text=notice />
            <FormAlert error />
            <div class="row">
                <button type="submit" class="primary" disabled=move || pending.get()>
                    {move || {
                        if pending.get() {
                            t_string!(i18n, account.reauth.confirming).into()
                        } else {
                            action.get()
                        }
                    }}
                </button>
                <Suspense>
                    {move || Suspend::new(async move {
                        passkeys.await.ok().filter(|c| c.passkeys_enabled).map(|_| view! {
                            <button type="button" class="secondary" disabled=move || pending.get() on:click=move |_| {
                                error.set(None);
                                passkey.dispatch_local(());
                            }>
                                {t!(i18n, account.reauth.use_passkey)}
                            </button>
                        })
                    })}
                </Suspense>
                <button type="button" class="secondary" on:click=move |_| on_cancel.run(())>
                    {t!(i18n, account.reauth.cancel)}
                </button>
            </div>
        </form>
    }
}

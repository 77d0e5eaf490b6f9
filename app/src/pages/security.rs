//! `/security`: the user's second factor: the option, authenticator (TOTP) setup with the QR
//! code and the secret for manual entry, email codes, and recovery codes with a download.
//! Every change may first ask "confirm it is you".

use crate::api::ApiError;
use crate::api::security::{
    confirm_totp, regenerate_recovery_codes, set_two_factor_option, start_totp, two_factor_status,
};
use crate::api::security_types::{TotpEnrolmentBody, TwoFactorInfo};
use crate::components::browser::input_value;
use crate::components::context::use_ui_config;
use crate::components::errors::{FieldError, FormAlert, Notice, general_message};
use crate::components::guard::RequireSignIn;
use crate::components::nav::{PROTECTION, enabled};
use crate::components::reauth::{ReauthThenRetry, settle};
use leptos::html::Input;
use leptos::prelude::*;
use leptos_meta::Title;

/// A change the page sends; kept to be sent again after a re-authentication.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Change {
    StartTotp,
    UseEmail,
    TurnOff,
    NewCodes,
}

fn option_label(option: &str) -> &'static str {
    match option {
        "totp" => "Authenticator app",
        "email" => "Email codes",
        _ => "None",
    }
}

/// The codes as a `data:` URL of a text file (they hold only letters, digits and dashes).
fn download_href(codes: &[String]) -> String {
    format!("data:text/plain;charset=utf-8,{}", codes.join("%0A"))
}

#[component]
pub fn SecurityPage() -> impl IntoView {
    let version = RwSignal::new(0u32);
    let status = Resource::new(move || version.get(), |_| two_factor_status());
    let error = RwSignal::new(None::<ApiError>);
    let notice = RwSignal::new(None::<&'static str>);
    let enrolment = RwSignal::new(None::<TotpEnrolmentBody>);
    let codes = RwSignal::new(None::<Vec<String>>);
    let waiting = RwSignal::new(None::<Change>);
    let ui = use_ui_config();

    let change = Action::new(move |c: &Change| {
        let c = *c;
        async move {
            let result = match c {
                Change::StartTotp => start_totp().await.map(|e| enrolment.set(Some(e))),
                Change::UseEmail => set_two_factor_option("email".into()).await.map(|()| {
                    notice.set(Some("Sign-ins now ask for a code sent by email."));
                }),
                Change::TurnOff => set_two_factor_option("none".into()).await.map(|()| {
                    codes.set(None);
                    notice.set(Some("Two-factor authentication is off."));
                }),
                Change::NewCodes => regenerate_recovery_codes()
                    .await
                    .map(|r| codes.set(Some(r.codes))),
            };
            settle(result, c, version, waiting, error);
        }
    });
    let run = move |c: Change| {
        error.set(None);
        notice.set(None);
        change.dispatch(c);
    };
    let busy = change.pending();

    view! {
        <Title text="Security" />
        <RequireSignIn module="security">
            <section class="page">
                <h1>"Security"</h1>
                <h2>"Two-factor authentication"</h2>
                <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match status.await {
                            Ok(info) => view! { <Choices info run busy /> }.into_any(),
                            Err(e) => view! { <p class="alert" role="alert">{general_message(&e)}</p> }.into_any(),
                        }
                    })}
                </Suspense>
                <FormAlert error />
                <Notice text=notice />
                {move || enrolment.get().map(|e| view! {
                    <TotpSetup enrolment=e on_done=Callback::new(move |()| {
                        enrolment.set(None);
                        // The codes to keep, shown once, now that there is a factor to recover.
                        run(Change::NewCodes);
                        notice.set(Some("Sign-ins now ask for a code from your authenticator app."));
                    }) />
                }.into_any())}
                {move || codes.get().map(|list| view! {
                    <div class="recovery-codes">
                        <h3>"Recovery codes"</h3>
                        <p>"Each code signs you in once when your second factor is out of reach. They are shown only now: keep them somewhere safe."</p>
                        <ul>{list.iter().map(|c| view! { <li><code>{c.clone()}</code></li> }).collect_view()}</ul>
                        <a class="button" href=download_href(&list) download="recovery-codes.txt">"Download"</a>
                    </div>
                }.into_any())}
                <h2>"Sign-in protection"</h2>
                <ul class="links">
                    <Suspense>
                        {move || Suspend::new(async move {
                            let modules = ui.await.map(|c| c.modules).unwrap_or_default();
                            PROTECTION
                                .iter()
                                .filter(|p| enabled(&modules, p))
                                .map(|p| view! { <li><a href=p.path>{p.label}</a></li> })
                                .collect_view()
                        })}
                    </Suspense>
                </ul>
                <ReauthThenRetry
                    waiting
                    reason="Changing your second factor needs you to confirm it is you."
                    retry=Callback::new(run)
                />
            </section>
        </RequireSignIn>
    }
}

/// The current option and the buttons that change it.
#[component]
fn Choices(
    info: TwoFactorInfo,
    run: impl Fn(Change) + Copy + Send + Sync + 'static,
    busy: Memo<bool>,
) -> impl IntoView {
    let on = info.option != "none";
    view! {
        <p class="current-option">
            "Second factor: " <strong>{option_label(&info.option)}</strong>
            {info.forced.then_some(" (required for your account)")}
        </p>
        {on.then(|| view! { <p>{format!("Recovery codes left: {}", info.recovery_codes_left)}</p> })}
        <div class="row">
            {(info.totp_available && info.option != "totp").then(|| view! {
                <button type="button" class="primary" disabled=busy on:click=move |_| run(Change::StartTotp)>
                    "Set up an authenticator app"
                </button>
            })}
            {(info.email_available && info.option != "email").then(|| view! {
                <button type="button" class="secondary" disabled=busy on:click=move |_| run(Change::UseEmail)>
                    "Use email codes"
                </button>
            })}
            {on.then(|| view! {
                <button type="button" class="secondary" disabled=busy on:click=move |_| run(Change::NewCodes)>
                    "New recovery codes"
                </button>
            })}
            {(on && !info.forced).then(|| view! {
                <button type="button" class="secondary" disabled=busy on:click=move |_| run(Change::TurnOff)>
                    "Turn off"
                </button>
            })}
        </div>
    }
}

/// Scan or type the secret, then prove it with a code.
#[component]
fn TotpSetup(enrolment: TotpEnrolmentBody, on_done: Callback<()>) -> impl IntoView {
    let code = NodeRef::<Input>::new();
    let error = RwSignal::new(None::<ApiError>);
    let confirm = Action::new(move |c: &String| {
        let c = c.clone();
        async move {
            match confirm_totp(c).await {
                Ok(()) => on_done.run(()),
                Err(e) => error.set(Some(e)),
            }
        }
    });
    let pending = confirm.pending();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        confirm.dispatch(input_value(code));
    };
    view! {
        <form class="form totp-setup" method="post" on:submit=on_submit>
            <h3>"Set up an authenticator app"</h3>
            <p>"Scan the code with your app, or type the secret in it."</p>
            // The SVG comes from our server's QR encoder (squares only, no text).
            <div class="qr" inner_html=enrolment.qr_svg></div>
            <p>"Secret: " <code class="totp-secret">{enrolment.secret}</code></p>
            <div class="field">
                <label for="code">"Code from the app"</label>
                <input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" required maxlength="6" node_ref=code aria-describedby="code-error" />
                <FieldError id="code" error />
            </div>
            <FormAlert error fields=&["code"] />
            <button type="submit" class="primary" disabled=move || pending.get()>
                {move || if pending.get() { "Confirming…" } else { "Confirm" }}
            </button>
        </form>
    }
}

//! `/security`: the user's second factor: the option, authenticator (TOTP) setup with the QR
//! code and the secret for manual entry, email codes, and recovery codes with a download.
//! Every change may first ask "confirm it is you".

use crate::api::ApiError;
use crate::api::json_codec::load;
use crate::api::security::{
    confirm_totp, regenerate_recovery_codes, set_two_factor_option, start_totp, two_factor_status,
};
use crate::api::security_types::{TotpEnrolmentBody, TwoFactorInfo};
use crate::components::browser::{input_value, use_hydrated};
use crate::components::context::use_ui_config;
use crate::components::errors::{FieldError, FormAlert, Notice, general_message};
use crate::components::guard::RequireSignIn;
use crate::components::nav::{PROTECTION, enabled};
use crate::components::reauth::{ReauthThenRetry, settle};
use crate::i18n::*;
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

/// The name of a second-factor option from the server, in the UI's language `l`.
fn option_label(l: Locale, option: &str) -> &'static str {
    match option {
        "totp" => td_string!(l, account.security.option_totp),
        "email" => td_string!(l, account.security.option_email),
        _ => td_string!(l, account.security.option_none),
    }
}

/// The codes as a `data:` URL of a text file (they hold only letters, digits and dashes).
fn download_href(codes: &[String]) -> String {
    format!("data:text/plain;charset=utf-8,{}", codes.join("%0A"))
}

#[component]
pub fn SecurityPage() -> impl IntoView {
    let i18n = use_i18n();
    let version = RwSignal::new(0u32);
    let status = load(move || version.get(), |_| two_factor_status());
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
                    notice.set(Some(tu_string!(i18n, account.security.email_on)));
                }),
                Change::TurnOff => set_two_factor_option("none".into()).await.map(|()| {
                    codes.set(None);
                    notice.set(Some(tu_string!(i18n, account.security.turned_off)));
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
    // Until hydrated, a click would do nothing: the buttons wait for it.
    let (pending, hydrated) = (change.pending(), use_hydrated());
    let busy = Memo::new(move |_| pending.get() || !hydrated.get());

    view! {
        <Title text=move || t_string!(i18n, account.security.title) />
        <RequireSignIn module="security">
            <section class="page">
                <h1>{t!(i18n, account.security.title)}</h1>
                <h2>{t!(i18n, account.security.two_factor)}</h2>
                <Suspense fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
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
                        notice.set(Some(tu_string!(i18n, account.security.totp_on)));
                    }) />
                }.into_any())}
                {move || codes.get().map(|list| view! {
                    <div class="recovery-codes">
                        <h3>{t!(i18n, account.security.recovery_heading)}</h3>
                        <p>{t!(i18n, account.security.recovery_text)}</p>
                        <ul>{list.iter().map(|c| view! { <li><code>{c.clone()}</code></li> }).collect_view()}</ul>
                        <a class="button" href=download_href(&list) download="recovery-codes.txt">{t!(i18n, account.security.download)}</a>
                    </div>
                }.into_any())}
                <h2>{t!(i18n, account.security.protection_heading)}</h2>
                <ul class="links">
                    <Suspense>
                        {move || Suspend::new(async move {
                            let modules = ui.await.map(|c| c.modules).unwrap_or_default();
                            PROTECTION
                                .iter()
                                .filter(|p| enabled(&modules, p))
                                .map(|p| view! { <li><a href=p.path>{move || (p.label)(i18n.get_locale())}</a></li> })
                                .collect_view()
                        })}
                    </Suspense>
                </ul>
                <ReauthThenRetry
                    waiting
                    reason=move || t_string!(i18n, account.security.reauth_reason)
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
    let i18n = use_i18n();
    let on = info.option != "none";
    let option = info.option.clone();
    let left = info.recovery_codes_left;
    view! {
        <p class="current-option">
            {t!(i18n, account.security.second_factor)}
            <strong>{move || option_label(i18n.get_locale(), &option)}</strong>
            {info.forced.then_some(t!(i18n, account.security.required))}
        </p>
        {on.then(|| view! { <p>{t!(i18n, account.security.codes_left, left = left)}</p> })}
        <div class="row">
            {(info.totp_available && info.option != "totp").then(|| view! {
                <button type="button" class="primary" disabled=busy on:click=move |_| run(Change::StartTotp)>
                    {t!(i18n, account.security.set_up_totp)}
                </button>
            })}
            {(info.email_available && info.option != "email").then(|| view! {
                <button type="button" class="secondary" disabled=busy on:click=move |_| run(Change::UseEmail)>
                    {t!(i18n, account.security.use_email)}
                </button>
            })}
            {on.then(|| view! {
                <button type="button" class="secondary" disabled=busy on:click=move |_| run(Change::NewCodes)>
                    {t!(i18n, account.security.new_codes)}
                </button>
            })}
            {(on && !info.forced).then(|| view! {
                <button type="button" class="secondary" disabled=busy on:click=move |_| run(Change::TurnOff)>
                    {t!(i18n, account.security.turn_off)}
                </button>
            })}
        </div>
    }
}

/// Scan or type the secret, then prove it with a code.
#[component]
fn TotpSetup(enrolment: TotpEnrolmentBody, on_done: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
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
            <h3>{t!(i18n, account.security.set_up_totp)}</h3>
            <p>{t!(i18n, account.security.scan)}</p>
            // The SVG comes from our server's QR encoder (squares only, no text).
            <div class="qr" inner_html=enrolment.qr_svg></div>
            <p>{t!(i18n, account.security.secret)} <code class="totp-secret">{enrolment.secret}</code></p>
            <div class="field">
                <label for="code">{t!(i18n, account.security.code_label)}</label>
                <input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" required maxlength="6" node_ref=code aria-describedby="code-error" />
                <FieldError id="code" error />
            </div>
            <FormAlert error fields=&["code"] />
            <button type="submit" class="primary" disabled=move || pending.get()>
                {move || {
                    if pending.get() {
                        t_string!(i18n, account.security.confirming)
                    } else {
                        t_string!(i18n, account.security.confirm)
                    }
                }}
            </button>
        </form>
    }
}

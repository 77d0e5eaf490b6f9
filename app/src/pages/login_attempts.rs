//! `/login-attempts`: the user's last five sign-in attempts, to spot someone else's.

use crate::api::json_codec::load;
use crate::api::security::login_attempts;
use crate::api::security_types::LoginAttemptView;
use crate::components::errors::general_message;
use crate::components::fields::when;
use crate::components::guard::RequireSignIn;
use crate::i18n::*;
use leptos::prelude::*;
use leptos_meta::Title;

fn outcome(l: Locale, a: &LoginAttemptView) -> &'static str {
    match a.outcome.as_str() {
        "success" => td_string!(l, protection.login_attempts.outcome_success),
        "second_factor" => td_string!(l, protection.login_attempts.outcome_second_factor),
        _ => td_string!(l, protection.login_attempts.outcome_refused),
    }
}

/// How a sign-in was made, as the server names it; an unknown name is shown as it is.
fn method(l: Locale, method: &str) -> String {
    let known = match method {
        "password" => td_string!(l, protection.login_attempts.method.password),
        "passkey" => td_string!(l, protection.login_attempts.method.passkey),
        "2fa" => td_string!(l, protection.login_attempts.method.two_factor),
        "totp" => td_string!(l, protection.login_attempts.method.totp),
        "email" => td_string!(l, protection.login_attempts.method.email),
        "recovery_code" => td_string!(l, protection.login_attempts.method.recovery_code),
        "sso" => td_string!(l, protection.login_attempts.method.sso),
        other => return other.to_string(),
    };
    known.to_string()
}

/// Why a sign-in was refused, as the server names it; an unknown reason is shown as it is.
fn reason(l: Locale, reason: &str) -> String {
    let known = match reason {
        "unknown_user" => td_string!(l, protection.login_attempts.reason.unknown_user),
        "no_local_password" => td_string!(l, protection.login_attempts.reason.no_local_password),
        "ip_not_allowed" => td_string!(l, protection.login_attempts.reason.ip_not_allowed),
        "locked" => td_string!(l, protection.login_attempts.reason.locked),
        "wrong_password" => td_string!(l, protection.login_attempts.reason.wrong_password),
        "disabled" => td_string!(l, protection.login_attempts.reason.disabled),
        "unknown" => td_string!(l, protection.login_attempts.reason.unknown),
        "challenge_invalid" => td_string!(l, protection.login_attempts.reason.challenge_invalid),
        "wrong_code" => td_string!(l, protection.login_attempts.reason.wrong_code),
        "counter_regression" => td_string!(l, protection.login_attempts.reason.counter_regression),
        "user_not_verified" => td_string!(l, protection.login_attempts.reason.user_not_verified),
        "wrong_origin" => td_string!(l, protection.login_attempts.reason.wrong_origin),
        "wrong_rp_id" => td_string!(l, protection.login_attempts.reason.wrong_rp_id),
        "wrong_challenge" => td_string!(l, protection.login_attempts.reason.wrong_challenge),
        "unknown_credential" => td_string!(l, protection.login_attempts.reason.unknown_credential),
        "invalid_assertion" => td_string!(l, protection.login_attempts.reason.invalid_assertion),
        "unknown_challenge" => td_string!(l, protection.login_attempts.reason.unknown_challenge),
        "expired_challenge" => td_string!(l, protection.login_attempts.reason.expired_challenge),
        "no_passkeys" => td_string!(l, protection.login_attempts.reason.no_passkeys),
        "no_user_handle" => td_string!(l, protection.login_attempts.reason.no_user_handle),
        other => return other.to_string(),
    };
    known.to_string()
}

#[component]
pub fn LoginAttemptsPage() -> impl IntoView {
    let i18n = use_i18n();
    let attempts = load(|| (), |_| login_attempts());
    view! {
        <Title text=move || t_string!(i18n, protection.login_attempts.title) />
        <RequireSignIn module="login_attempts">
            <section class="page">
                <h1>{t!(i18n, protection.login_attempts.heading)}</h1>
                <p>{t!(i18n, protection.login_attempts.intro)}</p>
                <Suspense fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                    {move || Suspend::new(async move {
                        match attempts.await {
                            Ok(list) if list.is_empty() => view! { <p class="empty">{t!(i18n, protection.login_attempts.empty)}</p> }.into_any(),
                            Ok(list) => view! { <LoginAttemptsTable list reasons=false /> }.into_any(),
                            Err(e) => view! { <p class="alert" role="alert">{general_message(&e)}</p> }.into_any(),
                        }
                    })}
                </Suspense>
            </section>
        </RequireSignIn>
    }
}

/// Sign-in attempts, newest first; `reasons` adds why each failed (for admins only).
#[component]
pub fn LoginAttemptsTable(list: Vec<LoginAttemptView>, reasons: bool) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <table class="attempts">
            <thead>
                <tr>
                    <th scope="col">{t!(i18n, protection.login_attempts.col_when)}</th>
                    <th scope="col">{t!(i18n, protection.login_attempts.col_from)}</th>
                    <th scope="col">{t!(i18n, protection.login_attempts.col_how)}</th>
                    <th scope="col">{t!(i18n, protection.login_attempts.col_outcome)}</th>
                    {reasons.then(|| view! { <th scope="col">{t!(i18n, protection.login_attempts.col_reason)}</th> })}
                    <th scope="col">{t!(i18n, protection.login_attempts.col_browser)}</th>
                </tr>
            </thead>
            <tbody>
                {list.into_iter().map(|a| {
                    let how = a.method.clone();
                    let why = a.reason.clone().unwrap_or_default();
                    let outcome_of = a.clone();
                    view! {
                        <tr class:refused=!a.success>
                            <td>{when(&a.at)}</td>
                            <td>{a.ip.clone().unwrap_or_default()}</td>
                            <td>{move || method(i18n.get_locale(), &how)}</td>
                            <td>{move || outcome(i18n.get_locale(), &outcome_of)}</td>
                            {reasons.then(move || view! { <td>{move || reason(i18n.get_locale(), &why)}</td> })}
                            <td class="user-agent">{a.user_agent.clone().unwrap_or_default()}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

//! `/login-attempts`: the user's last five sign-in attempts, to spot someone else's.

use crate::api::security::login_attempts;
use crate::api::security_types::LoginAttemptView;
use crate::components::errors::general_message;
use crate::components::fields::when;
use crate::components::guard::RequireSignIn;
use leptos::prelude::*;
use leptos_meta::Title;

fn outcome(a: &LoginAttemptView) -> &'static str {
    match a.outcome.as_str() {
        "success" => "Signed in",
        "second_factor" => "Password right, second factor asked",
        _ => "Refused",
    }
}

#[component]
pub fn LoginAttemptsPage() -> impl IntoView {
    let attempts = Resource::new(|| (), |_| login_attempts());
    view! {
        <Title text="Recent sign-ins" />
        <RequireSignIn module="login_attempts">
            <section class="page">
                <h1>"Recent sign-ins"</h1>
                <p>"The last five attempts to sign in as you. One you do not recognise? Change your password."</p>
                <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match attempts.await {
                            Ok(list) if list.is_empty() => view! { <p class="empty">"No sign-in yet."</p> }.into_any(),
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
    view! {
        <table class="attempts">
            <thead>
                <tr>
                    <th scope="col">"When (UTC)"</th>
                    <th scope="col">"From"</th>
                    <th scope="col">"How"</th>
                    <th scope="col">"Outcome"</th>
                    {reasons.then(|| view! { <th scope="col">"Reason"</th> })}
                    <th scope="col">"Browser"</th>
                </tr>
            </thead>
            <tbody>
                {list.into_iter().map(|a| view! {
                    <tr class:refused=!a.success>
                        <td>{when(&a.at)}</td>
                        <td>{a.ip.clone().unwrap_or_default()}</td>
                        <td>{a.method.clone()}</td>
                        <td>{outcome(&a)}</td>
                        {reasons.then(|| view! { <td>{a.reason.clone().unwrap_or_default()}</td> })}
                        <td class="user-agent">{a.user_agent.clone().unwrap_or_default()}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

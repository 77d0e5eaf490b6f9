//! `/sessions`: where the user is signed in, this browser marked; end one, or all the others.

use crate::api::ApiError;
use crate::api::account::{end_other_sessions, end_session, sessions};
use crate::api::json_codec::load;
use crate::components::browser::full_navigation;
use crate::components::errors::{FormAlert, Notice, general_message};
use crate::components::fields::when;
use crate::components::guard::RequireSignIn;
use crate::components::reauth::change_sender;
use crate::i18n::*;
use leptos::prelude::*;
use leptos_meta::Title;

#[derive(Clone, Debug, PartialEq)]
enum Change {
    /// A session, and whether it is this browser's (ending it signs out).
    End(String, bool),
    EndOthers,
}

#[component]
pub fn SessionsPage() -> impl IntoView {
    let i18n = use_i18n();
    let version = RwSignal::new(0u32);
    let list = load(move || version.get(), |_| sessions());
    let error = RwSignal::new(None::<ApiError>);
    let notice = RwSignal::new(None::<&'static str>);
    let change = Action::new(move |c: &Change| {
        let c = c.clone();
        async move {
            let result = match &c {
                Change::End(id, _) => end_session(id.clone()).await,
                Change::EndOthers => end_other_sessions().await,
            };
            match (result, c) {
                (Ok(()), Change::End(_, true)) => full_navigation("/login"),
                (Ok(()), Change::End(_, false)) => {
                    notice.set(Some(t_string!(i18n, protection.sessions.ended)))
                }
                (Ok(()), Change::EndOthers) => {
                    notice.set(Some(t_string!(i18n, protection.sessions.others_ended)))
                }
                (Err(e), _) => error.set(Some(e)),
            }
            version.update(|v| *v += 1);
        }
    });
    let (run, busy) = change_sender(change, error, notice);
    view! {
        <Title text=move || t_string!(i18n, protection.sessions.title) />
        <RequireSignIn module="sessions">
            <section class="page">
                <h1>{t!(i18n, protection.sessions.heading)}</h1>
                <p>{t!(i18n, protection.sessions.intro)}</p>
                <Suspense fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                    {move || Suspend::new(async move {
                        match list.await {
                            Ok(list) => {
                                let others = list.iter().filter(|s| !s.current).count();
                                view! {
                                    <table class="sessions">
                                        <thead>
                                            <tr>
                                                <th scope="col">{t!(i18n, protection.sessions.col_browser)}</th>
                                                <th scope="col">{t!(i18n, protection.sessions.col_from)}</th>
                                                <th scope="col">{t!(i18n, protection.sessions.col_signed_in)}</th>
                                                <th scope="col">{t!(i18n, protection.sessions.col_last_active)}</th>
                                                <th scope="col"><span class="visually-hidden">{t!(i18n, protection.sessions.col_action)}</span></th>
                                            </tr>
                                        </thead>
                                        <tbody>
                                            {list.into_iter().map(|s| {
                                                let (id, current) = (s.id.clone(), s.current);
                                                view! {
                                                    <tr class:current=current>
                                                        <td class="user-agent">
                                                            {match s.user_agent.clone() {
                                                                Some(agent) => agent.into_any(),
                                                                None => t!(i18n, protection.sessions.unknown_browser).into_any(),
                                                            }}
                                                            {current.then(|| view! { " " <strong class="badge">{t!(i18n, protection.sessions.this_browser)}</strong> })}
                                                        </td>
                                                        <td>{s.ip.clone().unwrap_or_default()}</td>
                                                        <td>{when(&s.created_at)}</td>
                                                        <td>{when(&s.last_used_at)}</td>
                                                        <td>
                                                            <button type="button" class="secondary danger" disabled=move || busy.get() on:click=move |_| run(Change::End(id.clone(), current))>
                                                                {move || if current { t_string!(i18n, protection.sessions.sign_out) } else { t_string!(i18n, protection.sessions.end) }}
                                                            </button>
                                                        </td>
                                                    </tr>
                                                }
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                    {(others > 0).then(|| view! {
                                        <button type="button" class="secondary danger" disabled=move || busy.get() on:click=move |_| run(Change::EndOthers)>
                                            {t!(i18n, protection.sessions.end_others)}
                                        </button>
                                    })}
                                }.into_any()
                            }
                            Err(e) => view! { <p class="alert" role="alert">{general_message(&e)}</p> }.into_any(),
                        }
                    })}
                </Suspense>
                <FormAlert error />
                <Notice text=notice />
            </section>
        </RequireSignIn>
    }
}

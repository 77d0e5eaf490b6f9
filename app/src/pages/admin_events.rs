//! `/admin/events`: the audit events, newest first (500 at most), filtered by user, type and
//! a start date.

use crate::api::admin::audit_events;
use crate::api::json_codec::load;
use crate::components::browser::{input_value, use_hydrated};
use crate::components::errors::general_message;
use crate::components::fields::when;
use crate::components::guard::RequireSignIn;
use crate::i18n::*;
use leptos::html::Input;
use leptos::prelude::*;
use leptos_meta::Title;

/// (user, type, since as `YYYY-MM-DD`)
type Filter = (String, String, String);

/// An outcome as the table shows it; one the UI does not know is shown as the server says it.
fn outcome_label(l: Locale, outcome: &str) -> String {
    match outcome {
        "success" => td_string!(l, admin.events.outcome_success).to_string(),
        "failure" => td_string!(l, admin.events.outcome_failure).to_string(),
        other => other.to_string(),
    }
}

#[component]
pub fn AdminEventsPage() -> impl IntoView {
    let i18n = use_i18n();
    let filter = RwSignal::new(Filter::default());
    let events = load(
        move || filter.get(),
        |(user, kind, day)| {
            let since = if day.is_empty() {
                day
            } else {
                format!("{day}T00:00:00Z")
            };
            audit_events(user, kind, since)
        },
    );
    let (user, kind, since) = (
        NodeRef::<Input>::new(),
        NodeRef::<Input>::new(),
        NodeRef::<Input>::new(),
    );
    let hydrated = use_hydrated();
    let on_filter = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        filter.set((input_value(user), input_value(kind), input_value(since)));
    };
    view! {
        <Title text=move || t_string!(i18n, admin.events.title) />
        <RequireSignIn admin=true module="admin_events">
            <section class="page page-wide">
                <h1>{t!(i18n, admin.events.heading)}</h1>
                <form class="form inline" role="search" method="get" on:submit=on_filter>
                    <div class="field">
                        <label for="event-user">{t!(i18n, admin.events.user)}</label>
                        <input id="event-user" type="text" node_ref=user autocapitalize="none" spellcheck="false" />
                    </div>
                    <div class="field">
                        <label for="event-type">{t!(i18n, admin.events.kind)}</label>
                        <input id="event-type" type="text" node_ref=kind placeholder=move || t_string!(i18n, admin.events.kind_placeholder) spellcheck="false" />
                    </div>
                    <div class="field">
                        <label for="event-since">{t!(i18n, admin.events.since)}</label>
                        <input id="event-since" type="date" node_ref=since />
                    </div>
                    <button type="submit" class="secondary" disabled=move || !hydrated.get()>{t!(i18n, admin.events.filter)}</button>
                </form>
                <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                    {move || Suspend::new(async move {
                        match events.await {
                            Ok(list) if list.is_empty() => view! { <p class="empty">{t!(i18n, admin.events.no_match)}</p> }.into_any(),
                            Ok(list) => view! {
                                <table class="events">
                                    <thead>
                                        <tr>
                                            <th scope="col">{t!(i18n, admin.events.col_when)}</th>
                                            <th scope="col">{t!(i18n, admin.events.col_kind)}</th>
                                            <th scope="col">{t!(i18n, admin.events.col_outcome)}</th>
                                            <th scope="col">{t!(i18n, admin.events.col_user)}</th>
                                            <th scope="col">{t!(i18n, admin.events.col_by)}</th>
                                            <th scope="col">{t!(i18n, admin.events.col_from)}</th>
                                            <th scope="col">{t!(i18n, admin.events.col_detail)}</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {list.into_iter().map(|e| {
                                            let outcome = e.outcome.clone();
                                            view! {
                                                <tr class:refused=e.outcome == "failure">
                                                    <td>{when(&e.at)}</td>
                                                    <td>{e.kind.clone()}</td>
                                                    <td>{move || outcome_label(i18n.get_locale(), &outcome)}</td>
                                                    <td>{e.username.clone().unwrap_or_default()}</td>
                                                    <td>{e.actor.clone().filter(|a| Some(a) != e.username.as_ref()).unwrap_or_default()}</td>
                                                    <td>{e.ip.clone().unwrap_or_default()}</td>
                                                    <td><code>{if e.detail.as_object().is_some_and(|o| o.is_empty()) { String::new() } else { e.detail.to_string() }}</code></td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            }.into_any(),
                            Err(e) => view! { <p class="alert" role="alert">{general_message(&e)}</p> }.into_any(),
                        }
                    })}
                </Transition>
            </section>
        </RequireSignIn>
    }
}

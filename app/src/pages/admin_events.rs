//! `/admin/events`: the audit events, newest first (500 at most), filtered by user, type and
//! a start date.

use crate::api::admin::audit_events;
use crate::components::browser::{input_value, use_hydrated};
use crate::components::errors::general_message;
use crate::components::fields::when;
use crate::components::guard::RequireSignIn;
use leptos::html::Input;
use leptos::prelude::*;
use leptos_meta::Title;

/// (user, type, since as `YYYY-MM-DD`)
type Filter = (String, String, String);

#[component]
pub fn AdminEventsPage() -> impl IntoView {
    let filter = RwSignal::new(Filter::default());
    let events = Resource::new(
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
        <Title text="Audit events" />
        <RequireSignIn admin=true module="admin_events">
            <section class="page page-wide">
                <h1>"Audit events"</h1>
                <form class="form inline" role="search" method="get" on:submit=on_filter>
                    <div class="field">
                        <label for="event-user">"User"</label>
                        <input id="event-user" type="text" node_ref=user autocapitalize="none" spellcheck="false" />
                    </div>
                    <div class="field">
                        <label for="event-type">"Type"</label>
                        <input id="event-type" type="text" node_ref=kind placeholder="e.g. login" spellcheck="false" />
                    </div>
                    <div class="field">
                        <label for="event-since">"Since (UTC)"</label>
                        <input id="event-since" type="date" node_ref=since />
                    </div>
                    <button type="submit" class="secondary" disabled=move || !hydrated.get()>"Filter"</button>
                </form>
                <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match events.await {
                            Ok(list) if list.is_empty() => view! { <p class="empty">"No event matches."</p> }.into_any(),
                            Ok(list) => view! {
                                <table class="events">
                                    <thead>
                                        <tr><th scope="col">"When (UTC)"</th><th scope="col">"Type"</th><th scope="col">"Outcome"</th><th scope="col">"User"</th><th scope="col">"By"</th><th scope="col">"From"</th><th scope="col">"Detail"</th></tr>
                                    </thead>
                                    <tbody>
                                        {list.into_iter().map(|e| view! {
                                            <tr class:refused=e.outcome == "failure">
                                                <td>{when(&e.at)}</td>
                                                <td>{e.kind.clone()}</td>
                                                <td>{e.outcome.clone()}</td>
                                                <td>{e.username.clone().unwrap_or_default()}</td>
                                                <td>{e.actor.clone().filter(|a| Some(a) != e.username.as_ref()).unwrap_or_default()}</td>
                                                <td>{e.ip.clone().unwrap_or_default()}</td>
                                                <td><code>{if e.detail.as_object().is_some_and(|o| o.is_empty()) { String::new() } else { e.detail.to_string() }}</code></td>
                                            </tr>
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

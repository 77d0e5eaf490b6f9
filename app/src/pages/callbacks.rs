//! `/callbacks`: for users who stand for another system, the URLs called when a workflow they
//! triggered completes or is blocked; each can be sent a signed test event.

use crate::api::ApiError;
use crate::api::account::{callbacks, set_callbacks, test_callback};
use crate::api::account_types::{CallbackSet, CallbackTestResult, CallbackView};
use crate::components::browser::{clear_inputs, input_checked, input_value};
use crate::components::errors::{FormAlert, Notice, general_message};
use crate::components::fields::TextField;
use crate::components::guard::RequireSignIn;
use crate::components::reauth::change_sender;
use leptos::html::Input;
use leptos::prelude::*;
use leptos_meta::Title;

/// The saved list as it is sent back: each keeps its secret (none given).
fn unchanged(list: &[CallbackView]) -> Vec<CallbackSet> {
    list.iter()
        .map(|c| CallbackSet {
            url: c.url.clone(),
            events: c.events.clone(),
            ..CallbackSet::default()
        })
        .collect()
}

fn test_text(url: &str, r: &CallbackTestResult) -> String {
    match (r.ok, r.status, &r.error) {
        (true, Some(status), _) => format!("{url} answered {status}: received."),
        (false, Some(status), _) => format!("{url} answered {status}: not accepted."),
        (_, _, Some(error)) => format!("{url} could not be reached: {error}."),
        _ => format!("{url}: no answer."),
    }
}

#[derive(Clone, Debug)]
enum Change {
    Save(Vec<CallbackSet>, &'static str),
    Test(String),
}

#[component]
pub fn CallbacksPage() -> impl IntoView {
    let version = RwSignal::new(0u32);
    let list = Resource::new(move || version.get(), |_| callbacks());
    let saved = RwSignal::new(Vec::<CallbackView>::new());
    let (url, secret) = (NodeRef::<Input>::new(), NodeRef::<Input>::new());
    let (completed, blocked) = (NodeRef::<Input>::new(), NodeRef::<Input>::new());
    let error = RwSignal::new(None::<ApiError>);
    let notice = RwSignal::new(None::<&'static str>);
    let tested = RwSignal::new(None::<String>);
    let change = Action::new(move |c: &Change| {
        let c = c.clone();
        async move {
            tested.set(None);
            match c {
                Change::Save(next, done) => match set_callbacks(next).await {
                    Ok(_) => {
                        clear_inputs(&[url, secret]);
                        notice.set(Some(done));
                        version.update(|v| *v += 1);
                    }
                    Err(e) => error.set(Some(e)),
                },
                Change::Test(target) => match test_callback(target.clone()).await {
                    Ok(r) => tested.set(Some(test_text(&target, &r))),
                    Err(e) => error.set(Some(e)),
                },
            }
        }
    });
    let (run, busy) = change_sender(change, error, notice);
    let on_add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut next = unchanged(&saved.get_untracked());
        let events = [("completed", completed), ("blocked", blocked)]
            .into_iter()
            .filter(|(_, input)| input_checked(*input))
            .map(|(e, _)| e.to_string())
            .collect();
        next.push(CallbackSet {
            url: input_value(url),
            events,
            secret: Some(input_value(secret)).filter(|s| !s.is_empty()),
            ..CallbackSet::default()
        });
        run(Change::Save(next, "Callback added."));
    };
    let remove = move |target: String| {
        let mut next = unchanged(&saved.get_untracked());
        next.retain(|c| c.url != target);
        run(Change::Save(next, "Callback removed."));
    };
    view! {
        <Title text="Callbacks" />
        <RequireSignIn module="callbacks">
            <section class="page">
                <h1>"Callbacks"</h1>
                <p>"If you stand for another system: the addresses called when a workflow you started completes or is blocked."</p>
                <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match list.await {
                            Ok(list) => {
                                saved.set(list.clone());
                                if list.is_empty() {
                                    return view! { <p class="empty">"No callback."</p> }.into_any();
                                }
                                view! {
                                    <ul class="callbacks">
                                        {list.into_iter().map(|c| {
                                            let (for_test, for_remove) = (c.url.clone(), c.url.clone());
                                            view! {
                                                <li>
                                                    <code>{c.url.clone()}</code>
                                                    <span class="meta">
                                                        {c.events.join(", ")}
                                                        {if c.has_secret { " · signed" } else { " · not signed" }}
                                                    </span>
                                                    <button type="button" class="secondary" aria-label=format!("Send a test event to {}", c.url) disabled=move || busy.get() on:click=move |_| run(Change::Test(for_test.clone()))>
                                                        "Send test event"
                                                    </button>
                                                    <button type="button" class="secondary danger" aria-label=format!("Remove {}", c.url) disabled=move || busy.get() on:click=move |_| remove(for_remove.clone())>
                                                        "Remove"
                                                    </button>
                                                </li>
                                            }
                                        }).collect_view()}
                                    </ul>
                                }.into_any()
                            }
                            Err(e) => view! { <p class="alert" role="alert">{general_message(&e)}</p> }.into_any(),
                        }
                    })}
                </Suspense>
                {move || tested.get().map(|t| view! { <p class="notice" role="status" id="callback-test-result">{t}</p> })}
                <form class="form" method="post" on:submit=on_add>
                    <h2>"Add a callback"</h2>
                    <TextField id="callback-url" label="URL" kind="url" node_ref=url error hint="https:// (plain http only to this machine)." required=true />
                    <fieldset class="checks">
                        <legend>"Events"</legend>
                        <div class="field check">
                            <input id="event-completed" type="checkbox" checked=true node_ref=completed />
                            <label for="event-completed">"Completed"</label>
                        </div>
                        <div class="field check">
                            <input id="event-blocked" type="checkbox" checked=true node_ref=blocked />
                            <label for="event-blocked">"Blocked"</label>
                        </div>
                    </fieldset>
                    <TextField id="callback-secret" label="Signing secret (optional)" kind="password" autocomplete="new-password" node_ref=secret error hint="16 characters or more. Calls then carry x-apio-signature: sha256 HMAC of \"timestamp.body\"." />
                    <button type="submit" class="primary" disabled=move || busy.get()>"Add callback"</button>
                </form>
                <FormAlert error />
                <Notice text=notice />
            </section>
        </RequireSignIn>
    }
}

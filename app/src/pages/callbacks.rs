//! `/callbacks`: for users who stand for another system, the URLs called when a workflow they
//! triggered completes or is blocked; each can be sent a signed test event.

use crate::api::ApiError;
use crate::api::account::{callbacks, set_callbacks, test_callback};
use crate::api::account_types::{CallbackSet, CallbackTestResult, CallbackView};
use crate::api::json_codec::load;
use crate::components::browser::{clear_inputs, input_checked, input_value};
use crate::components::errors::{FormAlert, Notice, general_message};
use crate::components::fields::TextField;
use crate::components::guard::RequireSignIn;
use crate::components::language::fill;
use crate::components::reauth::change_sender;
use crate::i18n::*;
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

/// What a test event's answer says, in `l`; the reachability error is the server's (as is).
fn test_text(l: Locale, url: &str, r: &CallbackTestResult) -> String {
    match (r.ok, r.status, &r.error) {
        (true, Some(status), _) => fill(
            td_string!(l, protection.callbacks.answered_ok),
            &[("url", url), ("status", &status.to_string())],
        ),
        (false, Some(status), _) => fill(
            td_string!(l, protection.callbacks.answered_refused),
            &[("url", url), ("status", &status.to_string())],
        ),
        (_, _, Some(error)) => fill(
            td_string!(l, protection.callbacks.unreachable),
            &[("url", url), ("error", error)],
        ),
        _ => fill(
            td_string!(l, protection.callbacks.no_answer),
            &[("url", url)],
        ),
    }
}

/// A callback event's name (`completed`, `blocked`); an unknown one is shown as it is.
fn event_label(l: Locale, event: &str) -> String {
    match event {
        "completed" => td_string!(l, protection.callbacks.event_completed).to_string(),
        "blocked" => td_string!(l, protection.callbacks.event_blocked).to_string(),
        other => other.to_string(),
    }
}

#[derive(Clone, Debug)]
enum Change {
    Save(Vec<CallbackSet>, &'static str),
    Test(String),
}

#[component]
pub fn CallbacksPage() -> impl IntoView {
    let i18n = use_i18n();
    let version = RwSignal::new(0u32);
    let list = load(move || version.get(), |_| callbacks());
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
                    Ok(r) => tested.set(Some(test_text(i18n.get_locale_untracked(), &target, &r))),
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
        run(Change::Save(
            next,
            t_string!(i18n, protection.callbacks.added),
        ));
    };
    let remove = move |target: String| {
        let mut next = unchanged(&saved.get_untracked());
        next.retain(|c| c.url != target);
        run(Change::Save(
            next,
            t_string!(i18n, protection.callbacks.removed),
        ));
    };
    view! {
        <Title text=move || t_string!(i18n, protection.callbacks.title) />
        <RequireSignIn module="callbacks">
            <section class="page">
                <h1>{t!(i18n, protection.callbacks.heading)}</h1>
                <p>{t!(i18n, protection.callbacks.intro)}</p>
                <Suspense fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                    {move || Suspend::new(async move {
                        match list.await {
                            Ok(list) => {
                                saved.set(list.clone());
                                if list.is_empty() {
                                    return view! { <p class="empty">{t!(i18n, protection.callbacks.empty)}</p> }.into_any();
                                }
                                view! {
                                    <ul class="callbacks">
                                        {list.into_iter().map(|c| {
                                            let (for_test, for_remove) = (c.url.clone(), c.url.clone());
                                            let (test_url, remove_url) = (c.url.clone(), c.url.clone());
                                            let (events, has_secret) = (c.events.clone(), c.has_secret);
                                            let meta = move || {
                                                let l = i18n.get_locale();
                                                let events: Vec<String> = events.iter().map(|e| event_label(l, e)).collect();
                                                let signed = if has_secret {
                                                    td_string!(l, protection.callbacks.signed)
                                                } else {
                                                    td_string!(l, protection.callbacks.not_signed)
                                                };
                                                format!("{} · {signed}", events.join(", "))
                                            };
                                            view! {
                                                <li>
                                                    <code>{c.url.clone()}</code>
                                                    <span class="meta">{meta}</span>
                                                    <button type="button" class="secondary" aria-label=move || fill(t_string!(i18n, protection.callbacks.test_label), &[("url", &test_url)]) disabled=move || busy.get() on:click=move |_| run(Change::Test(for_test.clone()))>
                                                        {t!(i18n, protection.callbacks.test)}
                                                    </button>
                                                    <button type="button" class="secondary danger" aria-label=move || fill(t_string!(i18n, protection.callbacks.remove_label), &[("url", &remove_url)]) disabled=move || busy.get() on:click=move |_| remove(for_remove.clone())>
                                                        {t!(i18n, protection.callbacks.remove)}
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
                    <h2>{t!(i18n, protection.callbacks.add_heading)}</h2>
                    <TextField id="callback-url" label=move || t_string!(i18n, protection.callbacks.url) kind="url" node_ref=url error hint=move || t_string!(i18n, protection.callbacks.url_hint) required=true />
                    <fieldset class="checks">
                        <legend>{t!(i18n, protection.callbacks.events)}</legend>
                        <div class="field check">
                            <input id="event-completed" type="checkbox" checked=true node_ref=completed />
                            <label for="event-completed">{t!(i18n, protection.callbacks.completed)}</label>
                        </div>
                        <div class="field check">
                            <input id="event-blocked" type="checkbox" checked=true node_ref=blocked />
                            <label for="event-blocked">{t!(i18n, protection.callbacks.blocked)}</label>
                        </div>
                    </fieldset>
                    <TextField id="callback-secret" label=move || t_string!(i18n, protection.callbacks.secret) kind="password" autocomplete="new-password" node_ref=secret error hint=move || t_string!(i18n, protection.callbacks.secret_hint) />
                    <button type="submit" class="primary" disabled=move || busy.get()>{t!(i18n, protection.callbacks.add)}</button>
                </form>
                <FormAlert error />
                <Notice text=notice />
            </section>
        </RequireSignIn>
    }
}

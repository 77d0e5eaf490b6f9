//! `/trusted`: the devices that passed the second factor with "trust this device", and the
//! networks the user trusts; a sign-in from either skips the second factor. Adding a network
//! may first ask "confirm it is you".

use crate::api::ApiError;
use crate::api::json_codec::load;
use crate::api::security::{add_trusted_location, delete_trusted, trusted};
use crate::components::browser::{clear_inputs, input_value};
use crate::components::errors::{FormAlert, Notice, general_message};
use crate::components::fields::{TextField, when};
use crate::components::guard::RequireSignIn;
use crate::components::language::fill;
use crate::components::reauth::{ReauthThenRetry, change_sender, settle};
use crate::i18n::*;
use leptos::html::Input;
use leptos::prelude::*;
use leptos_meta::Title;

#[derive(Clone, Debug, PartialEq)]
enum Change {
    AddNetwork(String, String),
    Remove(String),
}

#[component]
pub fn TrustedPage() -> impl IntoView {
    let i18n = use_i18n();
    let version = RwSignal::new(0u32);
    let list = load(move || version.get(), |_| trusted());
    let (cidr, label) = (NodeRef::<Input>::new(), NodeRef::<Input>::new());
    let error = RwSignal::new(None::<ApiError>);
    let notice = RwSignal::new(None::<&'static str>);
    let waiting = RwSignal::new(None::<Change>);
    let change = Action::new(move |c: &Change| {
        let c = c.clone();
        async move {
            let result = match &c {
                Change::AddNetwork(n, l) => {
                    add_trusted_location(n.clone(), l.clone()).await.map(|_| {
                        clear_inputs(&[cidr, label]);
                        notice.set(Some(t_string!(i18n, protection.trusted.added)));
                    })
                }
                Change::Remove(id) => delete_trusted(id.clone())
                    .await
                    .map(|()| notice.set(Some(t_string!(i18n, protection.trusted.removed)))),
            };
            settle(result, c, version, waiting, error);
        }
    });
    let (run, busy) = change_sender(change, error, notice);
    let on_add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        run(Change::AddNetwork(input_value(cidr), input_value(label)));
    };
    let remove = move |id: String, what: String| {
        view! {
            <button type="button" class="secondary danger" aria-label=move || fill(t_string!(i18n, protection.trusted.remove_label), &[("what", &what)]) disabled=move || busy.get() on:click=move |_| run(Change::Remove(id.clone()))>
                {t!(i18n, protection.trusted.remove)}
            </button>
        }
    };
    view! {
        <Title text=move || t_string!(i18n, protection.trusted.title) />
        <RequireSignIn module="trusted">
            <section class="page">
                <h1>{t!(i18n, protection.trusted.heading)}</h1>
                <p>{t!(i18n, protection.trusted.intro)}</p>
                <Suspense fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                    {move || Suspend::new(async move {
                        match list.await {
                            Ok(t) => view! {
                                <h2>{t!(i18n, protection.trusted.devices)}</h2>
                                {if t.devices.is_empty() {
                                    view! { <p class="empty">{t!(i18n, protection.trusted.no_device)}</p> }.into_any()
                                } else {
                                    view! {
                                        <ul class="trusted-devices">
                                            {t.devices.into_iter().map(|d| {
                                                let (trusted_at, last_used) = (when(&d.created_at), d.last_used_at.as_deref().map(when));
                                                let details = move || {
                                                    let used = last_used.clone().unwrap_or_else(|| t_string!(i18n, protection.trusted.never).to_string());
                                                    fill(t_string!(i18n, protection.trusted.device_details), &[("trusted", &trusted_at), ("used", &used)])
                                                };
                                                view! {
                                                    <li>
                                                        <strong>{d.label.clone()}</strong>
                                                        <span class="meta">{details}</span>
                                                        {remove(d.id, d.label)}
                                                    </li>
                                                }
                                            }).collect_view()}
                                        </ul>
                                    }.into_any()
                                }}
                                <h2>{t!(i18n, protection.trusted.networks)}</h2>
                                {if t.locations.is_empty() {
                                    view! { <p class="empty">{t!(i18n, protection.trusted.no_network)}</p> }.into_any()
                                } else {
                                    view! {
                                        <ul class="trusted-locations">
                                            {t.locations.into_iter().map(|l| view! {
                                                <li>
                                                    <code>{l.cidr.clone()}</code>
                                                    " " {l.label.clone()}
                                                    <span class="meta">{
                                                        let added = when(&l.created_at);
                                                        move || fill(t_string!(i18n, protection.trusted.network_details), &[("added", &added)])
                                                    }</span>
                                                    {remove(l.id, l.cidr)}
                                                </li>
                                            }).collect_view()}
                                        </ul>
                                    }.into_any()
                                }}
                            }.into_any(),
                            Err(e) => view! { <p class="alert" role="alert">{general_message(&e)}</p> }.into_any(),
                        }
                    })}
                </Suspense>
                <form class="form" method="post" on:submit=on_add>
                    <h2>{t!(i18n, protection.trusted.add_heading)}</h2>
                    <TextField id="cidr" label=move || t_string!(i18n, protection.trusted.cidr) node_ref=cidr error hint=move || t_string!(i18n, protection.trusted.cidr_hint) required=true />
                    <TextField id="label" label=move || t_string!(i18n, protection.trusted.label) node_ref=label error hint=move || t_string!(i18n, protection.trusted.label_hint) />
                    <button type="submit" class="primary" disabled=move || busy.get()>{t!(i18n, protection.trusted.add)}</button>
                </form>
                <FormAlert error fields=&["cidr", "label"] />
                <Notice text=notice />
                <ReauthThenRetry
                    waiting
                    reason=move || t_string!(i18n, protection.trusted.reauth_reason)
                    retry=Callback::new(run)
                />
            </section>
        </RequireSignIn>
    }
}

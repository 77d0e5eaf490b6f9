//! `/trusted`: the devices that passed the second factor with "trust this device", and the
//! networks the user trusts; a sign-in from either skips the second factor. Adding a network
//! may first ask "confirm it is you".

use crate::api::ApiError;
use crate::api::security::{add_trusted_location, delete_trusted, trusted};
use crate::components::browser::{clear_inputs, input_value};
use crate::components::errors::{FormAlert, Notice, general_message};
use crate::components::fields::{TextField, when};
use crate::components::guard::RequireSignIn;
use crate::components::reauth::{ReauthThenRetry, change_sender, settle};
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
    let version = RwSignal::new(0u32);
    let list = Resource::new(move || version.get(), |_| trusted());
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
                        notice.set(Some("Network added."));
                    })
                }
                Change::Remove(id) => delete_trusted(id.clone())
                    .await
                    .map(|()| notice.set(Some("Removed."))),
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
            <button type="button" class="secondary danger" aria-label=format!("Remove {what}") disabled=move || busy.get() on:click=move |_| run(Change::Remove(id.clone()))>
                "Remove"
            </button>
        }
    };
    view! {
        <Title text="Trusted devices and networks" />
        <RequireSignIn module="trusted">
            <section class="page">
                <h1>"Trusted devices and networks"</h1>
                <p>"Signing in from one of these skips the second factor."</p>
                <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match list.await {
                            Ok(t) => view! {
                                <h2>"Devices"</h2>
                                {if t.devices.is_empty() {
                                    view! { <p class="empty">"No trusted device."</p> }.into_any()
                                } else {
                                    view! {
                                        <ul class="trusted-devices">
                                            {t.devices.into_iter().map(|d| {
                                                let used = d.last_used_at.as_deref().map_or_else(|| "never".to_string(), when);
                                                view! {
                                                    <li>
                                                        <strong>{d.label.clone()}</strong>
                                                        <span class="meta">{format!("Trusted {} · last used {used}", when(&d.created_at))}</span>
                                                        {remove(d.id, d.label)}
                                                    </li>
                                                }
                                            }).collect_view()}
                                        </ul>
                                    }.into_any()
                                }}
                                <h2>"Networks"</h2>
                                {if t.locations.is_empty() {
                                    view! { <p class="empty">"No trusted network."</p> }.into_any()
                                } else {
                                    view! {
                                        <ul class="trusted-locations">
                                            {t.locations.into_iter().map(|l| view! {
                                                <li>
                                                    <code>{l.cidr.clone()}</code>
                                                    " " {l.label.clone()}
                                                    <span class="meta">{format!("Added {}", when(&l.created_at))}</span>
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
                    <h2>"Trust a network"</h2>
                    <TextField id="cidr" label="Address or network" node_ref=cidr error hint="e.g. 203.0.113.0/24 or 2001:db8::/48" required=true />
                    <TextField id="label" label="Label" node_ref=label error hint="To recognise it later, e.g. Office." />
                    <button type="submit" class="primary" disabled=move || busy.get()>"Add network"</button>
                </form>
                <FormAlert error fields=&["cidr", "label"] />
                <Notice text=notice />
                <ReauthThenRetry
                    waiting
                    reason="Trusting a network weakens the second factor: confirm it is you."
                    retry=Callback::new(run)
                />
            </section>
        </RequireSignIn>
    }
}

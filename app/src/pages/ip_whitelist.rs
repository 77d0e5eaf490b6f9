//! `/ip-whitelist`: the addresses allowed to sign in as the user (empty: anywhere). A list
//! that leaves out the address in use is refused by the server; saving may first ask
//! "confirm it is you".

use crate::api::ApiError;
use crate::api::security::{ip_whitelist, set_ip_whitelist};
use crate::components::browser::{textarea_value, use_hydrated};
use crate::components::errors::{FormAlert, Notice, general_message};
use crate::components::fields::{LinesField, lines_of};
use crate::components::guard::RequireSignIn;
use crate::components::reauth::{ReauthThenRetry, needs_reauth};
use leptos::html::Textarea;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn IpWhitelistPage() -> impl IntoView {
    let current = Resource::new(|| (), |_| ip_whitelist());
    view! {
        <Title text="Allowed addresses" />
        <RequireSignIn module="ip_whitelist">
            <section class="page">
                <h1>"Allowed addresses"</h1>
                <p>"Only these addresses and networks may sign in as you. Leave the list empty to allow any address."</p>
                <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match current.await {
                            Ok(list) => view! { <WhitelistForm list /> }.into_any(),
                            Err(e) => view! { <p class="alert" role="alert">{general_message(&e)}</p> }.into_any(),
                        }
                    })}
                </Suspense>
            </section>
        </RequireSignIn>
    }
}

#[component]
fn WhitelistForm(list: Vec<String>) -> impl IntoView {
    let entries = NodeRef::<Textarea>::new();
    let error = RwSignal::new(None::<ApiError>);
    let notice = RwSignal::new(None::<&'static str>);
    let waiting = RwSignal::new(None::<Vec<String>>);
    let save = Action::new(move |list: &Vec<String>| {
        let list = list.clone();
        async move {
            match set_ip_whitelist(list.clone()).await {
                Ok(saved) => notice.set(Some(if saved.is_empty() {
                    "Saved: any address may sign in."
                } else {
                    "Saved: only these addresses may sign in."
                })),
                Err(e) if needs_reauth(&e) => waiting.set(Some(list)),
                Err(e) => error.set(Some(e)),
            }
        }
    });
    let send = move |list: Vec<String>| {
        error.set(None);
        notice.set(None);
        save.dispatch(list);
    };
    let hydrated = use_hydrated();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        send(lines_of(&textarea_value(entries)));
    };
    view! {
        <form class="form" method="post" on:submit=on_submit>
            <LinesField id="ip_whitelist" label="Addresses and networks" node_ref=entries error lines=list hint="One per line, e.g. 203.0.113.7 or 198.51.100.0/24." />
            <FormAlert error fields=&["ip_whitelist"] />
            <Notice text=notice />
            <button type="submit" class="primary" disabled=move || save.pending().get() || !hydrated.get()>"Save"</button>
        </form>
        <ReauthThenRetry
            waiting
            reason="Changing who may sign in as you needs you to confirm it is you."
            action="Confirm and save"
            retry=Callback::new(send)
        />
    }
}

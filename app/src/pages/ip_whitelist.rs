//! `/ip-whitelist`: the addresses allowed to sign in as the user (empty: anywhere). A list
//! that leaves out the address in use is refused by the server; saving may first ask
//! "confirm it is you".

use crate::api::ApiError;
use crate::api::json_codec::load;
use crate::api::security::{ip_whitelist, set_ip_whitelist};
use crate::components::browser::{textarea_value, use_hydrated};
use crate::components::errors::{FormAlert, Notice, general_message};
use crate::components::fields::{LinesField, lines_of};
use crate::components::guard::RequireSignIn;
use crate::components::reauth::{ReauthThenRetry, needs_reauth};
use crate::i18n::*;
use leptos::html::Textarea;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn IpWhitelistPage() -> impl IntoView {
    let i18n = use_i18n();
    let current = load(|| (), |_| ip_whitelist());
    view! {
        <Title text=move || t_string!(i18n, protection.ip_whitelist.title) />
        <RequireSignIn module="ip_whitelist">
            <section class="page">
                <h1>{t!(i18n, protection.ip_whitelist.heading)}</h1>
                <p>{t!(i18n, protection.ip_whitelist.intro)}</p>
                <Suspense fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
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
    let i18n = use_i18n();
    let entries = NodeRef::<Textarea>::new();
    let error = RwSignal::new(None::<ApiError>);
    let notice = RwSignal::new(None::<&'static str>);
    let waiting = RwSignal::new(None::<Vec<String>>);
    let save = Action::new(move |list: &Vec<String>| {
        let list = list.clone();
        async move {
            match set_ip_whitelist(list.clone()).await {
                Ok(saved) => notice.set(Some(if saved.is_empty() {
                    t_string!(i18n, protection.ip_whitelist.saved_any)
                } else {
                    t_string!(i18n, protection.ip_whitelist.saved_only)
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
            <LinesField id="ip_whitelist" label=move || t_string!(i18n, protection.ip_whitelist.field) node_ref=entries error lines=list hint=move || t_string!(i18n, protection.ip_whitelist.hint) />
            <FormAlert error fields=&["ip_whitelist"] />
            <Notice text=notice />
            <button type="submit" class="primary" disabled=move || save.pending().get() || !hydrated.get()>{t!(i18n, protection.ip_whitelist.save)}</button>
        </form>
        <ReauthThenRetry
            waiting
            reason=move || t_string!(i18n, protection.ip_whitelist.reauth_reason)
            action=move || t_string!(i18n, protection.ip_whitelist.reauth_action)
            retry=Callback::new(send)
        />
    }
}

//! The top bar of signed-in pages: the label, the navigation, the user and "Sign out".
//! A signed-out visitor gets none of it, nor its code: the bar is a WASM chunk of its own,
//! which the browser loads before hydrating a page that has the bar (`preload_signed_in_bar`).

use super::browser::{full_navigation, use_hydrated};
use super::context::{DEFAULT_LABEL, use_session, use_ui_config};
use super::errors::general_message;
use super::nav::{MAIN, enabled, module_on};
use crate::api::auth::logout;
use crate::api::types::SessionInfo;
use crate::i18n::{t, t_string, use_i18n};
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn TopBar() -> impl IntoView {
    let session = use_session();
    let ui = use_ui_config();
    // Here, not in the bar: an effect made inside a Suspend can stall the server's render.
    // Until hydrated, a click would do nothing.
    let hydrated = use_hydrated();
    view! {
        // A transition: the bar stays while the label is reloaded after a settings change.
        <Transition>
            {move || Suspend::new(async move {
                let ui = ui.await.ok();
                let passkeys = ui.as_ref().is_some_and(|c| c.passkeys_enabled);
                let modules = ui.as_ref().map(|c| c.modules.clone()).unwrap_or_default();
                let label = ui.map(|c| c.label).filter(|l| !l.trim().is_empty());
                let user = session.await.ok().flatten()?;
                let label = label.unwrap_or_else(|| DEFAULT_LABEL.to_string());
                Some(signed_in_bar(label, user, passkeys, modules, hydrated).await)
            })}
        </Transition>
    }
}

/// Loads the bar's chunk when the page being hydrated has the bar: hydration cannot wait
/// for it (the server's HTML would not match what a pending view hydrates).
#[cfg(feature = "hydrate")]
pub async fn preload_signed_in_bar() {
    if document()
        .query_selector("header.topbar")
        .ok()
        .flatten()
        .is_some()
    {
        __preload_signed_in_bar().await;
    }
}

#[lazy]
fn signed_in_bar(
    label: String,
    user: SessionInfo,
    passkeys: bool,
    modules: Vec<String>,
    hydrated: ReadSignal<bool>,
) -> AnyView {
    view! { <SignedInBar label user passkeys modules hydrated /> }.into_any()
}

#[component]
fn SignedInBar(
    label: String,
    user: SessionInfo,
    passkeys: bool,
    modules: Vec<String>,
    hydrated: ReadSignal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let links = MAIN
        .iter()
        .filter(|p| enabled(&modules, p) && (passkeys || p.module != "passkeys"))
        .map(|p| view! { <A href=p.path>{move || (p.label)(i18n.get_locale())}</A> })
        .collect_view();
    let settings = module_on(&modules, "admin_settings");
    let users = module_on(&modules, "admin_users");
    let events = module_on(&modules, "admin_events");
    let failed = RwSignal::new(None::<String>);
    let sign_out = Action::new(move |_: &()| async move {
        match logout().await {
            // A new document, so that nothing of the session stays in memory.
            Ok(()) => full_navigation("/login"),
            Err(e) => failed.set(Some(general_message(&e))),
        }
    });
    let pending = sign_out.pending();
    view! {
        <header class="topbar">
            <a class="brand" href="/">
                {label}
            </a>
            <nav aria-label=move || t_string!(i18n, common.nav.main)>
                {links}
                {(user.is_admin && users).then(|| view! { <A href="/admin/users">{t!(i18n, common.nav.users)}</A> })}
                {(user.is_admin && events).then(|| view! { <A href="/admin/events">{t!(i18n, common.nav.events)}</A> })}
                {(user.is_admin && settings)
                    .then(|| {
                        view! {
                            <A href="/admin/settings">{t!(i18n, common.nav.settings)}</A>
                            <A href="/admin/mail-templates">{t!(i18n, common.nav.mail_templates)}</A>
                            <A href="/admin/sso">{t!(i18n, common.nav.sso)}</A>
                        }
                    })}
            </nav>
            <div class="user-menu">
                <span class="username">
                    <span class="visually-hidden">{t!(i18n, common.top_bar.signed_in_as)}</span>
                    {user.username}
                </span>
                <button
                    type="button"
                    class="secondary"
                    on:click=move |_| {
                        sign_out.dispatch(());
                    }
                    disabled=move || !hydrated.get() || pending.get()
                >
                    {move || if pending.get() { t_string!(i18n, common.top_bar.signing_out) } else { t_string!(i18n, common.top_bar.sign_out) }}
                </button>
            </div>
            {move || failed.get().map(|m| view! { <p class="alert bar-alert" role="alert">{m}</p> })}
        </header>
    }
}

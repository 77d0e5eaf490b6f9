//! `/passkeys`: the user's passkeys: add one (the browser's dialog), rename, delete. Adding
//! and deleting may first ask "confirm it is you".

use crate::api::ApiError;
use crate::api::json_codec::load;
use crate::api::passkey_types::PasskeyView;
use crate::api::passkeys::{
    delete_passkey, list_passkeys, passkey_register_finish, passkey_register_start, rename_passkey,
};
use crate::components::browser::{clear_inputs, input_value, use_hydrated};
use crate::components::errors::{FieldError, FormAlert, Notice, general_message};
use crate::components::fields::when;
use crate::components::guard::RequireSignIn;
use crate::components::language::fill;
use crate::components::reauth::{ReauthThenRetry, settle};
use crate::components::webauthn;
use crate::i18n::*;
use leptos::html::Input;
use leptos::prelude::*;
use leptos_meta::Title;

/// A change the page sends; kept to be sent again after a re-authentication.
#[derive(Clone, Debug, PartialEq)]
enum Change {
    Add(String),
    Delete(String),
}

async fn add(name: String) -> Result<PasskeyView, ApiError> {
    let start = passkey_register_start(name).await?;
    let credential = webauthn::create(&start.public_key).await?;
    passkey_register_finish(start.challenge_id, credential).await
}

#[component]
pub fn PasskeysPage() -> impl IntoView {
    let i18n = use_i18n();
    let version = RwSignal::new(0u32);
    let keys = load(move || version.get(), |_| list_passkeys());
    let name = NodeRef::<Input>::new();
    let error = RwSignal::new(None::<ApiError>);
    let notice = RwSignal::new(None::<&'static str>);
    let waiting = RwSignal::new(None::<Change>);

    // Local: the browser's WebAuthn promise is not `Send`.
    let change = Action::new_local(move |c: &Change| {
        let c = c.clone();
        async move {
            let result = match &c {
                Change::Add(n) => add(n.clone()).await.map(|_| {
                    clear_inputs(&[name]);
                    notice.set(Some(t_string!(i18n, protection.passkeys.added)));
                }),
                Change::Delete(id) => delete_passkey(id.clone())
                    .await
                    .map(|()| notice.set(Some(t_string!(i18n, protection.passkeys.deleted)))),
            };
            settle(result, c, version, waiting, error);
        }
    });
    let run = move |c: Change| {
        error.set(None);
        notice.set(None);
        change.dispatch_local(c);
    };
    // Until hydrated, a click would post the form as plain HTML, which nothing answers.
    let hydrated = use_hydrated();
    let busy = Memo::new(move |_| change.pending().get() || !hydrated.get());
    let on_add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        run(Change::Add(input_value(name)));
    };

    view! {
        <Title text=move || t_string!(i18n, protection.passkeys.title) />
        <RequireSignIn module="passkeys">
            <section class="page">
                <h1>{t!(i18n, protection.passkeys.heading)}</h1>
                <p>{t!(i18n, protection.passkeys.intro)}</p>
                <Suspense fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                    {move || Suspend::new(async move {
                        match keys.await {
                            Ok(list) if list.is_empty() => view! { <p class="empty">{t!(i18n, protection.passkeys.empty)}</p> }.into_any(),
                            Ok(list) => view! {
                                <ul class="passkeys">
                                    {list.into_iter().map(|k| view! {
                                        <PasskeyItem key=k busy on_delete=Callback::new(move |id| run(Change::Delete(id))) version error />
                                    }).collect_view()}
                                </ul>
                            }.into_any(),
                            Err(e) => view! { <p class="alert" role="alert">{general_message(&e)}</p> }.into_any(),
                        }
                    })}
                </Suspense>
                <form class="form" method="post" on:submit=on_add>
                    <h2>{t!(i18n, protection.passkeys.add_heading)}</h2>
                    <div class="field">
                        <label for="name">{t!(i18n, protection.passkeys.name)}</label>
                        <p class="hint" id="name-hint">{t!(i18n, protection.passkeys.name_hint)}</p>
                        <input id="name" name="name" type="text" maxlength="64" autocomplete="off" node_ref=name aria-describedby="name-hint name-error" />
                        <FieldError id="name" error />
                    </div>
                    <button type="submit" class="primary" disabled=move || busy.get()>
                        {move || if change.pending().get() { t_string!(i18n, protection.passkeys.waiting) } else { t_string!(i18n, protection.passkeys.add) }}
                    </button>
                </form>
                <FormAlert error fields=&["name"] />
                <Notice text=notice />
                <ReauthThenRetry
                    waiting
                    reason=move || t_string!(i18n, protection.passkeys.reauth_reason)
                    retry=Callback::new(run)
                />
            </section>
        </RequireSignIn>
    }
}

/// One passkey: its name (renamed in place), when it was added and last used, delete.
#[component]
fn PasskeyItem(
    key: PasskeyView,
    busy: Memo<bool>,
    on_delete: Callback<String>,
    version: RwSignal<u32>,
    error: RwSignal<Option<ApiError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let editing = RwSignal::new(false);
    let input = NodeRef::<Input>::new();
    let id = key.id.clone();
    let rename = Action::new(move |(id, name): &(String, String)| {
        let (id, name) = (id.clone(), name.clone());
        async move {
            match rename_passkey(id, name).await {
                Ok(_) => version.update(|v| *v += 1),
                Err(e) => error.set(Some(e)),
            }
        }
    });
    let on_rename = {
        let id = id.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            error.set(None);
            rename.dispatch((id.clone(), input_value(input)));
        }
    };
    let added = when(&key.created_at);
    let last_used = key.last_used_at.as_deref().map(when);
    let details = move || {
        let used = last_used
            .clone()
            .unwrap_or_else(|| t_string!(i18n, protection.passkeys.never).to_string());
        fill(
            t_string!(i18n, protection.passkeys.details),
            &[("added", &added), ("used", &used)],
        )
    };
    let key_name = key.name.clone();
    let label = move || {
        fill(
            t_string!(i18n, protection.passkeys.delete_label),
            &[("name", &key_name)],
        )
    };
    view! {
        <li class="passkey">
            <Show
                when=move || editing.get()
                fallback={
                    let name = key.name.clone();
                    move || view! { <strong class="passkey-name">{name.clone()}</strong> }
                }
            >
                <form class="inline" method="post" on:submit=on_rename.clone()>
                    <label class="visually-hidden" for=format!("rename-{}", key.id)>{t!(i18n, protection.passkeys.new_name)}</label>
                    <input id=format!("rename-{}", key.id) type="text" maxlength="64" value=key.name.clone() node_ref=input />
                    <button type="submit" class="primary" disabled=move || busy.get()>{t!(i18n, protection.passkeys.save)}</button>
                </form>
            </Show>
            <span class="meta">{details}</span>
            <div class="row">
                <button type="button" class="secondary" disabled=move || busy.get() on:click=move |_| editing.update(|e| *e = !*e)>
                    {move || if editing.get() { t_string!(i18n, protection.passkeys.cancel) } else { t_string!(i18n, protection.passkeys.rename) }}
                </button>
                <button type="button" class="secondary danger" aria-label=label disabled=move || busy.get() on:click=move |_| on_delete.run(id.clone())>
                    {t!(i18n, protection.passkeys.delete)}
                </button>
            </div>
        </li>
    }
}

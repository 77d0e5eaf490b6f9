//! The profile's M2M token panel: its state and expiry, generate (replacing the old one),
//! show again and copy, remove. Each change may first ask "confirm it is you".

use crate::api::ApiError;
use crate::api::account::{delete_m2m_token, m2m_token, set_m2m_token};
use crate::api::types::M2mStatus;
use crate::components::browser::{copy_text, input_value};
use crate::components::errors::{FormAlert, Notice};
use crate::components::fields::when;
use crate::components::reauth::{ReauthThenRetry, change_sender, needs_reauth};
use crate::i18n::*;
use leptos::html::Input;
use leptos::prelude::*;
use leptos_i18n::I18nContext;

#[derive(Clone, Debug, PartialEq)]
enum Change {
    /// The expiry date (`YYYY-MM-DD`, end of that day UTC) or none.
    Generate(Option<String>),
    Show,
    Remove,
}

fn status_text(i18n: I18nContext<Locale>, s: &M2mStatus) -> AnyView {
    match (s.set, &s.expires_at) {
        (false, _) => t!(i18n, account.m2m_token.no_token).into_any(),
        (true, None) => t!(i18n, account.m2m_token.no_expiry).into_any(),
        (true, Some(at)) => t!(i18n, account.m2m_token.expires, at = when(at)).into_any(),
    }
}

#[component]
pub fn M2mTokenPanel(status: M2mStatus) -> impl IntoView {
    let i18n = use_i18n();
    let status = RwSignal::new(status);
    let shown = RwSignal::new(None::<String>);
    let expiry = NodeRef::<Input>::new();
    let error = RwSignal::new(None::<ApiError>);
    let notice = RwSignal::new(None::<&'static str>);
    let waiting = RwSignal::new(None::<Change>);
    let change = Action::new(move |c: &Change| {
        let c = c.clone();
        async move {
            let result = match &c {
                Change::Generate(date) => {
                    let at = date.as_ref().map(|d| format!("{d}T23:59:59Z"));
                    set_m2m_token(at).await.map(|t| {
                        status.set(M2mStatus {
                            set: true,
                            expires_at: t.expires_at,
                            token: None,
                        });
                        shown.set(t.token);
                        notice.set(Some(tu_string!(i18n, account.m2m_token.generated)));
                    })
                }
                Change::Show => m2m_token().await.map(|t| shown.set(t.token)),
                Change::Remove => delete_m2m_token().await.map(|()| {
                    status.set(M2mStatus {
                        set: false,
                        expires_at: None,
                        token: None,
                    });
                    shown.set(None);
                    notice.set(Some(tu_string!(i18n, account.m2m_token.removed)));
                }),
            };
            match result {
                Ok(()) => {}
                Err(e) if needs_reauth(&e) => waiting.set(Some(c)),
                Err(e) => error.set(Some(e)),
            }
        }
    });
    let (run, busy) = change_sender(change, error, notice);
    let on_generate = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let date = input_value(expiry);
        run(Change::Generate(Some(date).filter(|d| !d.is_empty())));
    };
    let copy = Action::new_local(move |token: &String| {
        let token = token.clone();
        async move {
            notice.set(Some(if copy_text(&token).await {
                tu_string!(i18n, account.m2m_token.copied)
            } else {
                tu_string!(i18n, account.m2m_token.copy_refused)
            }));
        }
    });
    view! {
        <p id="m2m-status">{move || status.with(|s| status_text(i18n, s))}</p>
        <p class="hint">{t!(i18n, account.m2m_token.explain)}</p>
        {move || shown.get().map(|token| {
            let for_copy = token.clone();
            view! {
                <div class="field token">
                    <label for="m2m-token">{t!(i18n, account.m2m_token.your_token)}</label>
                    <input id="m2m-token" type="text" readonly value=token autocomplete="off" spellcheck="false" />
                    <button type="button" class="secondary" on:click=move |_| { copy.dispatch(for_copy.clone()); }>{t!(i18n, account.m2m_token.copy)}</button>
                </div>
            }
        })}
        <form class="form inline" method="post" on:submit=on_generate>
            <div class="field">
                <label for="m2m-expiry">{t!(i18n, account.m2m_token.expires_on)}</label>
                <input id="m2m-expiry" name="expires_on" type="date" node_ref=expiry aria-describedby="m2m-expiry-hint" />
                <p class="hint" id="m2m-expiry-hint">{t!(i18n, account.m2m_token.expiry_hint)}</p>
            </div>
            <button type="submit" class="primary" disabled=move || busy.get()>
                {move || {
                    if status.with(|s| s.set) {
                        t_string!(i18n, account.m2m_token.replace)
                    } else {
                        t_string!(i18n, account.m2m_token.generate)
                    }
                }}
            </button>
        </form>
        {move || status.with(|s| s.set).then(|| view! {
            <div class="actions">
                {move || shown.with(Option::is_none).then(|| view! {
                    <button type="button" class="secondary" disabled=move || busy.get() on:click=move |_| run(Change::Show)>{t!(i18n, account.m2m_token.show)}</button>
                })}
                <button type="button" class="secondary danger" disabled=move || busy.get() on:click=move |_| run(Change::Remove)>{t!(i18n, account.m2m_token.remove)}</button>
            </div>
        })}
        <FormAlert error />
        <Notice text=notice />
        <ReauthThenRetry
            waiting
            reason=move || t_string!(i18n, account.m2m_token.reauth_reason)
            retry=Callback::new(run)
        />
    }
}

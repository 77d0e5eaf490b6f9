//! The BroadWorks part of `/admin/sso`: the OCI-P endpoint that checks the passwords of
//! BroadWorks users, the admin account that sets their new password after a reset, and the
//! named proxies (the `proxy` of logins and reset requests).

use crate::api::ApiError;
use crate::api::admin_sso::save_broadworks;
use crate::api::sso_types::{BroadWorksBody, BroadWorksProxyBody, BroadWorksView};
use crate::components::browser::{input_checked, input_value, textarea_value};
use crate::components::errors::{ErrorSignal, FieldError, FormAlert, Notice};
use crate::components::fields::{CheckField, TextField};
use crate::i18n::*;
use leptos::html::{Input, Textarea};
use leptos::prelude::*;

const FIELDS: [&str; 4] = ["ocip_url", "username", "password", "proxies"];

/// `name url` per line.
fn proxies_text(proxies: &[BroadWorksProxyBody]) -> String {
    proxies
        .iter()
        .map(|p| format!("{} {}", p.name, p.ocip_url))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The lines back into proxies; a line without a URL keeps an empty one, which the server
/// refuses naming that proxy.
fn proxies_of(text: &str) -> Vec<BroadWorksProxyBody> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| {
            let mut parts = l.split_whitespace();
            BroadWorksProxyBody {
                name: parts.next().unwrap_or_default().to_string(),
                ocip_url: parts.next().unwrap_or_default().to_string(),
            }
        })
        .collect()
}

#[component]
pub fn BroadWorksForm(settings: BroadWorksView, hydrated: ReadSignal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let error: ErrorSignal = RwSignal::new(None::<ApiError>);
    let notice = RwSignal::new(None::<&'static str>);
    let password_set = RwSignal::new(settings.password_set);
    let enabled = NodeRef::<Input>::new();
    let ocip_url = NodeRef::<Input>::new();
    let username = NodeRef::<Input>::new();
    let password = NodeRef::<Input>::new();
    let proxies = NodeRef::<Textarea>::new();
    let save = Action::new(move |body: &BroadWorksBody| {
        let body = body.clone();
        async move {
            match save_broadworks(body).await {
                Ok(saved) => {
                    password_set.set(saved.password_set);
                    if let Some(el) = password.get_untracked() {
                        el.set_value("");
                    }
                    notice.set(Some(t_string!(i18n, admin.broadworks.saved)));
                }
                Err(e) => error.set(Some(e)),
            }
        }
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        notice.set(None);
        save.dispatch(BroadWorksBody {
            enabled: input_checked(enabled),
            ocip_url: input_value(ocip_url).trim().to_string(),
            username: input_value(username).trim().to_string(),
            // Empty keeps the stored password (it is never shown).
            password: Some(input_value(password)).filter(|p| !p.is_empty()),
            proxies: proxies_of(&textarea_value(proxies)),
        });
    };
    view! {
        <form class="form editor" method="post" novalidate on:submit=on_submit>
            <h2>"BroadWorks"</h2>
            <p class="hint">{t!(i18n, admin.broadworks.intro)}</p>
            <CheckField id="broadworks.enabled" label=move || t_string!(i18n, admin.broadworks.enabled) node_ref=enabled error checked=settings.enabled />
            <TextField id="ocip_url" label=move || t_string!(i18n, admin.broadworks.ocip_url) node_ref=ocip_url error value=settings.ocip_url.clone() hint=move || t_string!(i18n, admin.broadworks.ocip_url_hint) />
            <TextField id="username" label=move || t_string!(i18n, admin.broadworks.username) node_ref=username error value=settings.username.clone() autocomplete="off" hint=move || t_string!(i18n, admin.broadworks.username_hint) />
            <TextField
                id="password"
                label=move || t_string!(i18n, admin.broadworks.password)
                node_ref=password
                error
                kind="password"
                autocomplete="new-password"
                hint=move || {
                    if password_set.get() {
                        t_string!(i18n, admin.broadworks.password_kept)
                    } else {
                        t_string!(i18n, admin.broadworks.password_none)
                    }
                }
            />
            <div class="field">
                <label for="proxies">{t!(i18n, admin.broadworks.proxies)}</label>
                <textarea id="proxies" rows="3" spellcheck="false" node_ref=proxies aria-describedby="proxies-hint proxies-error">
                    {proxies_text(&settings.proxies)}
                </textarea>
                <p class="hint" id="proxies-hint">{t!(i18n, admin.broadworks.proxies_hint)}</p>
                <FieldError id="proxies" error />
            </div>
            <FormAlert error fields=&FIELDS />
            <Notice text=notice />
            <div class="actions">
                <button type="submit" class="primary" disabled=move || !hydrated.get() || save.pending().get()>
                    {t!(i18n, admin.broadworks.save)}
                </button>
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxies_are_lines_of_name_and_url() {
        let text = "east tcp://east.example.com:2208\n\n  west https://w.example.com/ws  \nalone";
        let p = proxies_of(text);
        assert_eq!(p.len(), 3);
        assert_eq!(
            (p[1].name.as_str(), p[1].ocip_url.as_str()),
            ("west", "https://w.example.com/ws")
        );
        assert_eq!(p[2].ocip_url, "");
        assert_eq!(proxies_of(&proxies_text(&p[..2])), p[..2].to_vec());
    }
}

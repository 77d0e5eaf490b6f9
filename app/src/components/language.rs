//! Which language the UI speaks: the signed-in user's profile language when the UI has it,
//! else the browser's (the language last used in it, or its preferred languages). The choice
//! is kept in a cookie (set by the page when the language changes, and by the server at
//! sign-in), so the server renders the next document in it straight away.

use super::context::use_session;
use crate::i18n::{Locale, use_i18n};
use leptos::prelude::*;
use leptos_i18n::{I18nContext, Locale as _};
use leptos_use::UseLocalesOptions;
use wasm_bindgen::JsCast;

/// The cookie holding the UI's language (not a secret: a locale name).
const LANGUAGE_COOKIE: &str = "apio_lang";

/// One year, in seconds.
const LANGUAGE_COOKIE_MAX_AGE: i64 = 365 * 24 * 3600;

/// The `Set-Cookie` (or `document.cookie`) value that keeps `locale` for the next documents.
fn cookie_for(locale: Locale) -> String {
    format!(
        "{LANGUAGE_COOKIE}={}; Path=/; Max-Age={LANGUAGE_COOKIE_MAX_AGE}; SameSite=Lax",
        locale.as_str()
    )
}

/// Where the server finds the visitor's languages, for the language context: the cookie's
/// (the language last used in this browser) when it names one of the UI's, else
/// `Accept-Language`. leptos_i18n reads this as the `Accept-Language` value; the browser
/// needs nothing (it hydrates in the document's `lang`).
pub fn visitor_languages() -> UseLocalesOptions {
    #[cfg(feature = "ssr")]
    {
        UseLocalesOptions::default().ssr_lang_header_getter(|| {
            let parts = use_context::<http::request::Parts>()?;
            crate::api::ssr::cookie_value(&parts.headers, LANGUAGE_COOKIE)
                .filter(|tag| locale_of(tag).is_some())
                .or_else(|| {
                    let header = parts.headers.get(http::header::ACCEPT_LANGUAGE)?;
                    header.to_str().ok().map(str::to_string)
                })
        })
    }
    #[cfg(not(feature = "ssr"))]
    UseLocalesOptions::default()
}

/// The UI locale for a language tag like `fr` or `fr-CA`; None when the UI lacks it.
pub fn locale_of(tag: &str) -> Option<Locale> {
    let primary = tag.split(['-', '_']).next()?.trim().to_ascii_lowercase();
    Locale::get_all()
        .iter()
        .copied()
        .find(|l| l.as_str() == primary)
}

/// A translated text with its `{name}` placeholders replaced. For texts built outside a view:
/// leptos_i18n's own `{{ name }}` interpolation works in views only (its string form needs
/// an option its `load_locales!` cannot set).
pub fn fill(text: &str, values: &[(&str, &str)]) -> String {
    values.iter().fold(text.to_string(), |out, (name, value)| {
        out.replace(&format!("{{{name}}}"), value)
    })
}

/// The UI's language, for text made outside a component (an action's error message): the
/// language context's when there is one; else, in the browser, the document's `lang`, which
/// the context keeps current; else English.
pub fn ui_locale() -> Locale {
    if let Some(i18n) = use_context::<I18nContext<Locale>>() {
        return i18n.get_locale_untracked();
    }
    #[cfg(not(feature = "ssr"))]
    if let Some(locale) = document()
        .document_element()
        .and_then(|html| html.get_attribute("lang"))
        .and_then(|lang| locale_of(&lang))
    {
        return locale;
    }
    Locale::default()
}

/// The best UI locale for the browser's preferred languages (English when none fits).
fn browser_locale() -> Locale {
    let languages: Vec<String> = window()
        .navigator()
        .languages()
        .iter()
        .filter_map(|l| l.as_string())
        .collect();
    Locale::find_locale(&languages)
}

/// Switches the UI to the language of a profile (`tag`), or to the browser's when the UI
/// does not have that one. Browser only.
pub fn follow_language(i18n: I18nContext<Locale>, tag: &str) {
    let wanted = locale_of(tag).unwrap_or_else(browser_locale);
    if i18n.get_locale_untracked() != wanted {
        i18n.set_locale(wanted);
    }
}

/// Once the session is known in the browser, puts the UI in its user's language. The server
/// rendered with the cookie's choice (the last language used in this browser) or else
/// Accept-Language's; this corrects it when the profile changed elsewhere. A signed-out
/// visitor keeps that choice, so a French user who signs out gets the French login page.
/// And whatever the UI speaks is kept in the cookie, for the next documents.
#[component]
pub fn FollowLanguage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    Effect::new(move |_| {
        if let Some(Ok(Some(user))) = session.get() {
            follow_language(i18n, &user.language);
        }
    });
    // Effects run only in the browser.
    Effect::new(move |_| {
        let cookie = cookie_for(i18n.get_locale());
        if let Ok(doc) = document().dyn_into::<web_sys::HtmlDocument>() {
            // Failing, the next document speaks the browser's language: nothing to tell.
            let _ = doc.set_cookie(&cookie);
        }
    });
}

/// The `Set-Cookie` value that makes the next document speak `tag`'s language; None when the
/// UI lacks it (the browser's language then applies).
#[cfg(feature = "ssr")]
pub fn language_cookie(tag: &str) -> Option<String> {
    locale_of(tag).map(cookie_for)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use std::path::Path;

    /// Every key of a locale file, flattened (`a.b`), with its text.
    fn flatten(prefix: &str, value: &serde_json::Value, out: &mut BTreeMap<String, String>) {
        match value {
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    let key = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    flatten(&key, v, out);
                }
            }
            other => {
                out.insert(prefix.to_string(), other.as_str().unwrap_or("").to_string());
            }
        }
    }

    fn keys(locale: &str) -> BTreeMap<String, String> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("locales")
            .join(locale);
        let mut out = BTreeMap::new();
        for entry in std::fs::read_dir(&dir).expect("locale directory") {
            let path = entry.expect("entry").path();
            let namespace = path
                .file_stem()
                .expect("name")
                .to_string_lossy()
                .to_string();
            let text = std::fs::read_to_string(&path).expect("readable");
            let json: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
            flatten(&namespace, &json, &mut out);
        }
        out
    }

    /// The placeholders of a text: `{{ name }}` (views) and `{name}` (`fill`).
    fn variables(text: &str) -> Vec<String> {
        let mut vars: Vec<String> = text
            .split('{')
            .skip(1)
            .filter_map(|part| part.split_once('}'))
            .map(|(name, _)| name.trim().to_string())
            .filter(|name| !name.is_empty())
            .collect();
        vars.sort();
        vars
    }

    // leptos_i18n reports a key missing in a locale only as a warning of the generated code,
    // which the lint level of the generating module hides; this is the check that fails.
    #[test]
    fn every_text_exists_in_every_language_with_the_same_placeholders() {
        let en = keys("en");
        let fr = keys("fr");
        assert!(en.len() > 1, "no English texts found");
        let missing: Vec<_> = en.keys().filter(|k| !fr.contains_key(*k)).collect();
        assert!(missing.is_empty(), "missing in French: {missing:?}");
        let surplus: Vec<_> = fr.keys().filter(|k| !en.contains_key(*k)).collect();
        assert!(surplus.is_empty(), "only in French: {surplus:?}");
        for (key, text) in &en {
            assert!(!text.trim().is_empty(), "empty English text: {key}");
            assert!(!fr[key].trim().is_empty(), "empty French text: {key}");
            assert_eq!(
                variables(text),
                variables(&fr[key]),
                "placeholders of {key}"
            );
        }
    }

    #[test]
    fn placeholders_are_filled() {
        assert_eq!(
            fill("{a} and {b}, {a}", &[("a", "1"), ("b", "2")]),
            "1 and 2, 1"
        );
    }

    #[test]
    fn language_tags_map_to_ui_locales() {
        assert_eq!(locale_of("fr"), Some(Locale::fr));
        assert_eq!(locale_of("fr-CA"), Some(Locale::fr));
        assert_eq!(locale_of("EN_gb"), Some(Locale::en));
        assert_eq!(locale_of("de"), None);
        assert_eq!(locale_of(""), None);
    }
}

//! Labelled form fields whose error, if the last submit named them, shows right below.
//! Each input's id and name are the JSON key of the value it edits. Labels and hints are
//! `TextProp`s, so a translated text (`move || t_string!(..)`) follows a language switch.

use super::errors::{ErrorSignal, FieldError, is_field};
use crate::i18n::{t, use_i18n};
use leptos::html::{Input, Textarea};
use leptos::prelude::*;

fn described_by(id: &str, hint: bool) -> String {
    if hint {
        format!("{id}-hint {id}-error")
    } else {
        format!("{id}-error")
    }
}

#[component]
pub fn TextField(
    id: &'static str,
    #[prop(into)] label: TextProp,
    node_ref: NodeRef<Input>,
    error: ErrorSignal,
    /// The initial value; the input is read on submit, not bound.
    #[prop(into, optional)]
    value: String,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional, into)] hint: Option<TextProp>,
    #[prop(optional)] required: bool,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{move || label.get()}</label>
            <input
                id=id
                name=id
                type=kind
                value=value
                autocomplete=autocomplete
                required=required
                node_ref=node_ref
                aria-invalid=move || is_field(error, id).to_string()
                aria-describedby=described_by(id, hint.is_some())
            />
            {hint.map(|h| view! { <p class="hint" id=format!("{id}-hint")>{move || h.get()}</p> })}
            <FieldError id error />
        </div>
    }
}

#[component]
pub fn CheckField(
    id: &'static str,
    #[prop(into)] label: TextProp,
    node_ref: NodeRef<Input>,
    error: ErrorSignal,
    checked: bool,
    #[prop(optional, into)] hint: Option<TextProp>,
) -> impl IntoView {
    view! {
        <div class="field check">
            <input
                id=id
                name=id
                type="checkbox"
                checked=checked
                node_ref=node_ref
                aria-invalid=move || is_field(error, id).to_string()
                aria-describedby=described_by(id, hint.is_some())
            />
            <label for=id>{move || label.get()}</label>
            {hint.map(|h| view! { <p class="hint" id=format!("{id}-hint")>{move || h.get()}</p> })}
            <FieldError id error />
        </div>
    }
}

/// One entry per line.
#[component]
pub fn LinesField(
    id: &'static str,
    #[prop(into)] label: TextProp,
    node_ref: NodeRef<Textarea>,
    error: ErrorSignal,
    lines: Vec<String>,
    #[prop(optional, into)] hint: Option<TextProp>,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{move || label.get()}</label>
            <textarea
                id=id
                name=id
                rows="3"
                spellcheck="false"
                node_ref=node_ref
                aria-invalid=move || is_field(error, id).to_string()
                aria-describedby=described_by(id, hint.is_some())
            >
                {lines.join("\n")}
            </textarea>
            {hint.map(|h| view! { <p class="hint" id=format!("{id}-hint")>{move || h.get()}</p> })}
            <FieldError id error />
        </div>
    }
}

/// The username of the sign-in and reset forms: no capitals or spelling fixes forced on it.
#[component]
pub fn UsernameField(
    node_ref: NodeRef<Input>,
    /// `username webauthn` on the login page: passkeys in the autofill suggestions.
    #[prop(default = "username")]
    autocomplete: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="field">
            <label for="username">{t!(i18n, common.username)}</label>
            <input
                id="username"
                name="username"
                type="text"
                autocomplete=autocomplete
                autocapitalize="none"
                spellcheck="false"
                required
                node_ref=node_ref
            />
        </div>
    }
}

/// `2026-11-23 14:05` of an RFC 3339 time (UTC), for lists of dated things.
pub fn when(at: &str) -> String {
    at.get(..16).unwrap_or(at).replace('T', " ")
}

/// Trimmed lines, empty ones dropped.
pub fn lines_of(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// Trimmed text; `None` when empty.
pub fn optional(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_trimmed_and_blank_ones_dropped() {
        assert_eq!(
            lines_of(" https://a.example \n\n https://b.example\n"),
            ["https://a.example", "https://b.example"]
        );
        assert!(lines_of("  \n").is_empty());
    }

    #[test]
    fn empty_text_is_none() {
        assert_eq!(optional("  "), None);
        assert_eq!(optional(" X-Real-IP "), Some("X-Real-IP".to_string()));
    }
}

//! Showing an `ApiError`: next to the field it names, or as the form's general alert; and
//! the success notice. The server's messages are English; in another UI language they are
//! translated here: by their `error` code, or by the reason's text (`server_text`).

use super::language::{fill, ui_locale};
use super::server_text;
use crate::api::ApiError;
use crate::i18n::{Locale, td_string};
use leptos::prelude::*;

/// The error of the last submit of a form, if any.
pub type ErrorSignal = RwSignal<Option<ApiError>>;

/// The message shown next to its field. The engine prefixes messages with the field's key,
/// which the field's label already says, so the prefix is dropped.
pub fn field_message(e: &ApiError) -> String {
    let locale = ui_locale();
    let message = reason(e).unwrap_or(&e.message);
    sentence(&translated(e, message, locale))
}

/// The message of an error no field shows, with when to try again if the server said.
pub fn general_message(e: &ApiError) -> String {
    let locale = ui_locale();
    let message = match (e.field.as_deref(), reason(e)) {
        (Some(field), Some(reason)) => format!("{field}: {}", translated(e, reason, locale)),
        _ => translated(e, &e.message, locale),
    };
    let message = sentence(&message);
    match e.retry_after {
        Some(secs) => fill(
            td_string!(locale, common.errors.try_again_in),
            &[("message", &message), ("seconds", &secs.to_string())],
        ),
        None => message,
    }
}

/// The reason of a message the engine prefixed with its field's key.
fn reason(e: &ApiError) -> Option<&str> {
    e.field
        .as_deref()
        .and_then(|f| e.message.strip_prefix(f))
        .and_then(|m| m.strip_prefix(": "))
}

/// `message` (all or the reason of `e`'s message) in the UI's language: the server's own
/// English as it is; otherwise the text of the error code, or of the reason.
fn translated(e: &ApiError, message: &str, locale: Locale) -> String {
    if locale == Locale::en {
        return message.to_string();
    }
    let by_code = match (e.error.as_str(), e.status) {
        ("network", _) => Some(td_string!(locale, common.errors.network)),
        ("invalid_credentials", _) => Some(td_string!(locale, common.errors.invalid_credentials)),
        ("invalid_token", 400) => Some(td_string!(locale, common.errors.invalid_link)),
        ("invalid_token", _) => Some(td_string!(locale, common.errors.invalid_token)),
        ("forbidden", _) => Some(td_string!(locale, common.errors.forbidden)),
        ("reauthentication_required", _) => {
            Some(td_string!(locale, common.errors.reauthentication_required))
        }
        ("password_change_required", _) => {
            Some(td_string!(locale, common.errors.password_change_required))
        }
        ("not_found", _) => Some(td_string!(locale, common.errors.not_found)),
        ("payload_too_large", _) => Some(td_string!(locale, common.errors.payload_too_large)),
        ("rate_limited", _) => Some(td_string!(locale, common.errors.rate_limited)),
        ("unavailable", _) => Some(td_string!(locale, common.errors.unavailable)),
        ("internal", _) => Some(td_string!(locale, common.errors.internal)),
        _ => None,
    };
    match by_code {
        Some(text) => text.to_string(),
        None => server_text::french(message).unwrap_or_else(|| message.to_string()),
    }
}

/// Capitalised and ending with a full stop.
fn sentence(message: &str) -> String {
    let mut chars = message.trim().chars();
    let mut out: String = chars
        .next()
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_default();
    out.push_str(chars.as_str());
    if !out.is_empty() && !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

/// Whether `error` names the field `id`.
pub fn is_field(error: ErrorSignal, id: &'static str) -> bool {
    error.with(|e| e.as_ref().is_some_and(|e| e.field.as_deref() == Some(id)))
}

/// The error under a field. Always present (empty and hidden when there is none), so that
/// screen readers announce it when it appears.
#[component]
pub fn FieldError(id: &'static str, error: ErrorSignal) -> impl IntoView {
    let text = move || {
        error.with(|e| {
            e.as_ref()
                .filter(|e| e.field.as_deref() == Some(id))
                .map(field_message)
        })
    };
    view! {
        <p class="field-error" id=format!("{id}-error") role="alert">
            {text}
        </p>
    }
}

/// The error of a form that none of its `fields` shows.
#[component]
pub fn FormAlert(
    error: ErrorSignal,
    #[prop(optional)] fields: &'static [&'static str],
) -> impl IntoView {
    let text = move || {
        error.with(|e| {
            e.as_ref()
                .filter(|e| !e.field.as_deref().is_some_and(|f| fields.contains(&f)))
                .map(general_message)
        })
    };
    view! {
        <p class="alert" role="alert">
            {text}
        </p>
    }
}

/// A success message; role=status, so it is announced without taking the focus.
#[component]
pub fn Notice(text: RwSignal<Option<&'static str>>) -> impl IntoView {
    view! {
        <p class="notice" role="status">
            {move || text.get()}
        </p>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_prefix_is_dropped_and_made_a_sentence() {
        let e = ApiError::invalid_request(
            "lockout_threshold",
            "lockout_threshold: must be between 1 and 100",
        );
        assert_eq!(field_message(&e), "Must be between 1 and 100.");
    }

    #[test]
    fn message_without_prefix_is_kept() {
        let e = ApiError::invalid_request("email", "Not an address.");
        assert_eq!(field_message(&e), "Not an address.");
    }

    #[test]
    fn french_comes_from_the_code_or_the_reason() {
        let e = ApiError::new(401, "invalid_credentials", "Invalid username or password.");
        assert_eq!(
            translated(&e, &e.message, Locale::fr),
            "Nom d'utilisateur ou mot de passe incorrect."
        );
        let e = ApiError::invalid_request("password", "password: must not contain the username");
        let reason = reason(&e).unwrap_or_default();
        assert_eq!(
            translated(&e, reason, Locale::fr),
            "ne doit pas contenir le nom d'utilisateur"
        );
        // English stays the server's; text no catalogue has stays as it came.
        assert_eq!(translated(&e, reason, Locale::en), reason);
        let e = ApiError::new(409, "conflict", "Something new.");
        assert_eq!(translated(&e, &e.message, Locale::fr), "Something new.");
    }

    #[test]
    fn retry_after_is_told() {
        let mut e = ApiError::new(429, "rate_limited", "Too many requests; try again later.");
        e.retry_after = Some(30);
        assert_eq!(
            general_message(&e),
            "Too many requests; try again later. (Try again in 30 s.)"
        );
    }
}

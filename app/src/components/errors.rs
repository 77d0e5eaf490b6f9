//! Showing an `ApiError`: next to the field it names, or as the form's general alert; and
//! the success notice.

use crate::api::ApiError;
use leptos::prelude::*;

/// The error of the last submit of a form, if any.
pub type ErrorSignal = RwSignal<Option<ApiError>>;

/// The message shown next to its field. The engine prefixes messages with the field's key,
/// which the field's label already says, so the prefix is dropped.
pub fn field_message(e: &ApiError) -> String {
    let message = e
        .field
        .as_deref()
        .and_then(|f| e.message.strip_prefix(f))
        .and_then(|m| m.strip_prefix(": "))
        .unwrap_or(&e.message);
    sentence(message)
}

/// The message of an error no field shows, with when to try again if the server said.
pub fn general_message(e: &ApiError) -> String {
    match e.retry_after {
        Some(secs) => format!("{} (Try again in {secs} s.)", sentence(&e.message)),
        None => sentence(&e.message),
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
    fn retry_after_is_told() {
        let mut e = ApiError::new(429, "rate_limited", "Too many requests; try again later.");
        e.retry_after = Some(30);
        assert_eq!(
            general_message(&e),
            "Too many requests; try again later. (Try again in 30 s.)"
        );
    }
}

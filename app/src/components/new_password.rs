//! A new password and its confirmation, with a live length hint; and the checks the browser
//! can make before sending (the server applies the full policy).

use super::errors::{ErrorSignal, FieldError, is_field};
use crate::api::ApiError;
use leptos::html::Input;
use leptos::prelude::*;

/// The server's minimum (engine::passwords).
pub const MIN_CHARS: usize = 8;
/// The length recommended when there is no second factor.
pub const RECOMMENDED_CHARS: usize = 15;

pub fn strength_hint(chars: usize) -> String {
    if chars < MIN_CHARS {
        format!("At least {MIN_CHARS} characters ({chars} so far).")
    } else if chars < RECOMMENDED_CHARS {
        format!(
            "Long enough. {RECOMMENDED_CHARS} or more characters are recommended for accounts without two-factor authentication."
        )
    } else {
        "Good length.".to_string()
    }
}

/// Refuses a password that is too short or does not match its confirmation, naming the
/// field to show the message under.
pub fn check_new_password(
    id: &'static str,
    confirm_id: &'static str,
    password: &str,
    confirmation: &str,
) -> Result<(), ApiError> {
    if password.chars().count() < MIN_CHARS {
        return Err(ApiError::invalid_request(
            id,
            format!("Use at least {MIN_CHARS} characters."),
        ));
    }
    if password != confirmation {
        return Err(ApiError::invalid_request(
            confirm_id,
            "The passwords do not match.",
        ));
    }
    Ok(())
}

#[component]
pub fn NewPasswordFields(
    id: &'static str,
    confirm_id: &'static str,
    new_ref: NodeRef<Input>,
    confirm_ref: NodeRef<Input>,
    error: ErrorSignal,
) -> impl IntoView {
    let chars = RwSignal::new(0_usize);
    view! {
        <div class="field">
            <label for=id>"New password"</label>
            <input
                id=id
                name=id
                type="password"
                autocomplete="new-password"
                required
                node_ref=new_ref
                on:input=move |ev| chars.set(event_target_value(&ev).chars().count())
                aria-invalid=move || is_field(error, id).to_string()
                aria-describedby=format!("{id}-hint {id}-error")
            />
            <p class="hint" id=format!("{id}-hint")>
                {move || strength_hint(chars.get())}
            </p>
            <FieldError id error />
        </div>
        <div class="field">
            <label for=confirm_id>"Confirm new password"</label>
            <input
                id=confirm_id
                name=confirm_id
                type="password"
                autocomplete="new-password"
                required
                node_ref=confirm_ref
                aria-invalid=move || is_field(error, confirm_id).to_string()
                aria-describedby=format!("{confirm_id}-error")
            />
            <FieldError id=confirm_id error />
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hint_follows_length() {
        assert!(strength_hint(3).starts_with("At least 8"));
        assert!(strength_hint(8).starts_with("Long enough"));
        assert_eq!(strength_hint(15), "Good length.");
    }

    #[test]
    fn short_or_mismatched_passwords_are_refused_with_their_field() {
        let short = check_new_password("p", "c", "short", "short")
            .err()
            .and_then(|e| e.field);
        assert_eq!(short.as_deref(), Some("p"));
        let mismatch = check_new_password("p", "c", "long enough one", "long enough two")
            .err()
            .and_then(|e| e.field);
        assert_eq!(mismatch.as_deref(), Some("c"));
        assert!(check_new_password("p", "c", "long enough", "long enough").is_ok());
    }
}

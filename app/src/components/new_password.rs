//! A new password and its confirmation, with a live length hint; and the checks the browser
//! can make before sending (the server applies the full policy).

use super::errors::{ErrorSignal, FieldError, is_field};
use super::language::fill;
use crate::api::ApiError;
use crate::i18n::*;
use leptos::html::Input;
use leptos::prelude::*;

/// The server's minimum (engine::passwords).
pub const MIN_CHARS: usize = 8;
/// The length recommended when there is no second factor.
pub const RECOMMENDED_CHARS: usize = 15;

/// The length hint under the new password, in the UI's language `l`.
pub fn strength_hint(l: Locale, chars: usize) -> String {
    if chars < MIN_CHARS {
        fill(
            td_string!(l, account.new_password.hint_short),
            &[
                ("min", &MIN_CHARS.to_string()),
                ("chars", &chars.to_string()),
            ],
        )
    } else if chars < RECOMMENDED_CHARS {
        fill(
            td_string!(l, account.new_password.hint_enough),
            &[("recommended", &RECOMMENDED_CHARS.to_string())],
        )
    } else {
        td_string!(l, account.new_password.hint_good).to_string()
    }
}

/// Refuses a password that is too short or does not match its confirmation, naming the
/// field to show the message under; the message is in the UI's language `l`.
pub fn check_new_password(
    l: Locale,
    id: &'static str,
    confirm_id: &'static str,
    password: &str,
    confirmation: &str,
) -> Result<(), ApiError> {
    if password.chars().count() < MIN_CHARS {
        return Err(ApiError::invalid_request(
            id,
            fill(
                td_string!(l, account.new_password.too_short),
                &[("min", &MIN_CHARS.to_string())],
            ),
        ));
    }
    if password != confirmation {
        return Err(ApiError::invalid_request(
            confirm_id,
            td_string!(l, account.new_password.mismatch),
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
    let i18n = use_i18n();
    let chars = RwSignal::new(0_usize);
    view! {
        <div class="field">
            <label for=id>{t!(i18n, account.new_password.new)}</label>
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
                {move || strength_hint(i18n.get_locale(), chars.get())}
            </p>
            <FieldError id error />
        </div>
        <div class="field">
            <label for=confirm_id>{t!(i18n, account.new_password.confirm)}</label>
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
        assert!(strength_hint(Locale::en, 3).starts_with("At least 8"));
        assert!(strength_hint(Locale::en, 8).starts_with("Long enough"));
        assert_eq!(strength_hint(Locale::en, 15), "Good length.");
    }

    #[test]
    fn short_or_mismatched_passwords_are_refused_with_their_field() {
        let short = check_new_password(Locale::en, "p", "c", "short", "short")
            .err()
            .and_then(|e| e.field);
        assert_eq!(short.as_deref(), Some("p"));
        let mismatch =
            check_new_password(Locale::en, "p", "c", "long enough one", "long enough two")
                .err()
                .and_then(|e| e.field);
        assert_eq!(mismatch.as_deref(), Some("c"));
        assert!(check_new_password(Locale::en, "p", "c", "long enough", "long enough").is_ok());
    }
}

//! Changing one's password: the current one, then the new one twice. Used by the forced
//! change page and by the profile page.

use super::browser::{clear_inputs, input_value, use_hydrated};
use super::errors::{ErrorSignal, FieldError, FormAlert, is_field};
use super::new_password::{NewPasswordFields, check_new_password};
use crate::api::ApiError;
use crate::api::me::change_password;
use crate::i18n::*;
use leptos::html::Input;
use leptos::prelude::*;

const CURRENT: &str = "current_password";
const NEW: &str = "new_password";
const CONFIRM: &str = "new_password_confirm";

#[component]
pub fn PasswordChangeForm(
    /// Called after the password was changed (the inputs are then emptied).
    on_done: Callback<()>,
    /// The submit button's text; "Change password" when not given.
    #[prop(optional, into)]
    submit_label: Option<TextProp>,
) -> impl IntoView {
    let i18n = use_i18n();
    let submit_label = submit_label
        .unwrap_or_else(|| TextProp::from(move || t_string!(i18n, account.password_change.submit)));
    let hydrated = use_hydrated();
    let (current, new, confirm) = (
        NodeRef::<Input>::new(),
        NodeRef::<Input>::new(),
        NodeRef::<Input>::new(),
    );
    let error: ErrorSignal = RwSignal::new(None);

    let save = Action::new(move |(current_pw, new_pw): &(String, String)| {
        let (current_pw, new_pw) = (current_pw.clone(), new_pw.clone());
        async move {
            match change_password(current_pw, new_pw).await {
                Ok(()) => {
                    clear_inputs(&[current, new, confirm]);
                    on_done.run(());
                }
                // The generic "invalid username or password" would puzzle here.
                Err(e) if e.error == "invalid_credentials" => {
                    error.set(Some(ApiError::invalid_request(
                        CURRENT,
                        tu_string!(i18n, account.password_change.wrong_current),
                    )));
                }
                Err(e) => error.set(Some(e)),
            }
        }
    });
    let pending = save.pending();

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (current_pw, new_pw) = (input_value(current), input_value(new));
        match check_new_password(
            i18n.get_locale_untracked(),
            NEW,
            CONFIRM,
            &new_pw,
            &input_value(confirm),
        ) {
            Ok(()) => {
                error.set(None);
                save.dispatch((current_pw, new_pw));
            }
            Err(e) => error.set(Some(e)),
        }
    };

    view! {
        <form class="form" method="post" on:submit=on_submit>
            <div class="field">
                <label for=CURRENT>{t!(i18n, account.password_change.current)}</label>
                <input
                    id=CURRENT
                    name=CURRENT
                    type="password"
                    autocomplete="current-password"
                    required
                    node_ref=current
                    aria-invalid=move || is_field(error, CURRENT).to_string()
                    aria-describedby=format!("{CURRENT}-error")
                />
                <FieldError id=CURRENT error />
            </div>
            <NewPasswordFields id=NEW confirm_id=CONFIRM new_ref=new confirm_ref=confirm error />
            <FormAlert error fields=&[CURRENT, NEW, CONFIRM] />
            <button type="submit" class="primary" disabled=move || !hydrated.get() || pending.get()>
                {move || {
                    if pending.get() {
                        t_string!(i18n, account.password_change.changing).into()
                    } else {
                        submit_label.get()
                    }
                }}
            </button>
        </form>
    }
}

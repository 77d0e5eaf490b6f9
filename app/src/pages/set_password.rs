//! `/set-password#token=…`: the one-time link of a new account or a password reset. The
//! token is in the fragment, which browsers never send to the server, so it is read here,
//! in the browser, after hydration.

use crate::api::ApiError;
use crate::api::auth::set_password;
use crate::components::browser::{input_value, location_hash, use_hydrated};
use crate::components::errors::{ErrorSignal, FormAlert};
use crate::components::new_password::{NewPasswordFields, check_new_password};
use crate::i18n::*;
use leptos::html::Input;
use leptos::prelude::*;
use leptos_meta::Title;

const PASSWORD: &str = "password";
const CONFIRM: &str = "password_confirm";

/// The `token` parameter of a fragment such as `#token=abc`; `None` when absent or empty.
pub fn token_from_fragment(fragment: &str) -> Option<String> {
    fragment
        .trim_start_matches('#')
        .split('&')
        .find_map(|pair| pair.strip_prefix("token="))
        .filter(|t| !t.is_empty())
        .map(str::to_string)
}

#[component]
pub fn SetPasswordPage() -> impl IntoView {
    // None until read in the browser; then the token, if the link had one.
    let token = RwSignal::new(None::<Option<String>>);
    Effect::new(move |_| token.set(Some(token_from_fragment(&location_hash()))));
    let done = RwSignal::new(false);
    let i18n = use_i18n();

    let body = move || match token.get() {
        None => {
            view! { <p class="loading">{t!(i18n, account.set_password.reading)}</p> }.into_any()
        }
        Some(None) => view! {
            <p class="alert" role="alert">
                {t!(i18n, account.set_password.no_token)}
            </p>
        }
        .into_any(),
        Some(Some(_)) if done.get() => view! {
            <p class="notice" role="status">
                {t!(i18n, account.set_password.done)}
            </p>
            <p>
                <a class="button primary" href="/login">
                    {t!(i18n, account.set_password.go_sign_in)}
                </a>
            </p>
        }
        .into_any(),
        Some(Some(t)) => view! { <SetPasswordForm token=t done /> }.into_any(),
    };

    view! {
        <Title text=move || t_string!(i18n, account.set_password.title) />
        <section class="card">
            <h1>{t!(i18n, account.set_password.title)}</h1>
            {body}
        </section>
    }
}

#[component]
fn SetPasswordForm(token: String, done: RwSignal<bool>) -> impl IntoView {
    let hydrated = use_hydrated();
    let i18n = use_i18n();
    let (new, confirm) = (NodeRef::<Input>::new(), NodeRef::<Input>::new());
    let error: ErrorSignal = RwSignal::new(None::<ApiError>);
    let token = StoredValue::new(token);

    let save = Action::new(move |password: &String| {
        let password = password.clone();
        async move {
            match set_password(token.get_value(), password).await {
                Ok(()) => done.set(true),
                Err(e) => error.set(Some(e)),
            }
        }
    });
    let pending = save.pending();

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let password = input_value(new);
        match check_new_password(
            i18n.get_locale_untracked(),
            PASSWORD,
            CONFIRM,
            &password,
            &input_value(confirm),
        ) {
            Ok(()) => {
                error.set(None);
                save.dispatch(password);
            }
            Err(e) => error.set(Some(e)),
        }
    };

    view! {
        <form class="form" method="post" on:submit=on_submit>
            <NewPasswordFields id=PASSWORD confirm_id=CONFIRM new_ref=new confirm_ref=confirm error />
            <FormAlert error fields=&[PASSWORD, CONFIRM] />
            <button type="submit" class="primary" disabled=move || !hydrated.get() || pending.get()>
                {move || {
                    if pending.get() {
                        t_string!(i18n, account.set_password.saving)
                    } else {
                        t_string!(i18n, account.set_password.submit)
                    }
                }}
            </button>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::token_from_fragment;

    #[test]
    fn token_is_read_from_the_fragment() {
        assert_eq!(
            token_from_fragment("#token=abc-DEF_1").as_deref(),
            Some("abc-DEF_1")
        );
        assert_eq!(token_from_fragment("#x=1&token=t").as_deref(), Some("t"));
        assert_eq!(token_from_fragment("#token="), None);
        assert_eq!(token_from_fragment(""), None);
    }
}

//! `/change-password`: where a user whose password must be changed is sent.

use crate::components::browser::full_navigation;
use crate::components::guard::RequireSignIn;
use crate::components::password_change::PasswordChangeForm;
use crate::i18n::*;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ChangePasswordPage() -> impl IntoView {
    // A new document: the session, read once per document, no longer demands the change.
    let on_done = Callback::new(|()| full_navigation("/profile"));
    let i18n = use_i18n();
    view! {
        <Title text=move || t_string!(i18n, account.change_password.title) />
        <RequireSignIn password_change_page=true>
            <section class="card">
                <h1>{t!(i18n, account.change_password.title)}</h1>
                <p>{t!(i18n, account.change_password.intro)}</p>
                <PasswordChangeForm on_done submit_label=move || t_string!(i18n, account.change_password.submit) />
            </section>
        </RequireSignIn>
    }
}

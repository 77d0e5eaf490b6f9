//! `/change-password`: where a user whose password must be changed is sent.

use crate::components::browser::full_navigation;
use crate::components::guard::RequireSignIn;
use crate::components::password_change::PasswordChangeForm;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ChangePasswordPage() -> impl IntoView {
    // A new document: the session, read once per document, no longer demands the change.
    let on_done = Callback::new(|()| full_navigation("/profile"));
    view! {
        <Title text="Change your password" />
        <RequireSignIn password_change_page=true>
            <section class="card">
                <h1>"Change your password"</h1>
                <p>"Choose a new password before you continue."</p>
                <PasswordChangeForm on_done submit_label="Change password and continue" />
            </section>
        </RequireSignIn>
    }
}

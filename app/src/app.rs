//! The HTML document and the routes.

use crate::components::context::provide_app_context;
use crate::components::top_bar::TopBar;
use crate::pages::{
    AdminMailTemplatesPage, AdminSettingsPage, ChangePasswordPage, ForgotPasswordPage, HomePage,
    LoginPage, NotFoundPage, ProfilePage, SetPasswordPage,
};
use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, path};

/// The whole document, rendered on the server around `App`.
pub fn shell(options: leptos::config::LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <link rel="icon" type="image/svg+xml" href="/favicon.svg" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_app_context();
    // Pages that redirect (signed out, not allowed) render in async mode: the whole page is
    // ready before the response starts, so the server can still answer with a 302.
    view! {
        <Stylesheet id="leptos" href="/pkg/apio.css" />
        <Title formatter=|page: String| if page.is_empty() { "APIO auth".to_string() } else { format!("{page} · APIO auth") } />
        <Router>
            <a class="skip-link" href="#main">
                "Skip to content"
            </a>
            <TopBar />
            <main id="main">
                <Routes fallback=NotFoundPage>
                    <Route path=path!("/") view=HomePage ssr=SsrMode::Async />
                    <Route path=path!("/login") view=LoginPage />
                    <Route path=path!("/set-password") view=SetPasswordPage />
                    <Route path=path!("/forgot-password") view=ForgotPasswordPage />
                    <Route path=path!("/change-password") view=ChangePasswordPage ssr=SsrMode::Async />
                    <Route path=path!("/profile") view=ProfilePage ssr=SsrMode::Async />
                    <Route path=path!("/admin/settings") view=AdminSettingsPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/mail-templates") view=AdminMailTemplatesPage ssr=SsrMode::Async />
                </Routes>
            </main>
        </Router>
    }
}

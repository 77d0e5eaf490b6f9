//! The HTML document and the routes.

use crate::components::context::provide_app_context;
use crate::components::language::{FollowLanguage, visitor_languages};
use crate::components::top_bar::TopBar;
use crate::i18n::{I18nContextProvider, t, use_i18n};
use crate::pages::{
    AdminEventsPage, AdminMailTemplatesPage, AdminSettingsPage, AdminSsoPage, AdminUserPage,
    AdminUsersPage, CallbacksPage, ChangePasswordPage, ForgotPasswordPage, HomePage,
    IpWhitelistPage, LoginAttemptsPage, LoginPage, NotFoundPage, PasskeysPage, ProfilePage,
    SecurityPage, SessionsPage, SetPasswordPage, TrustedPage,
};
use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{Lazy, LazyRoute, SsrMode, lazy_route, path};

/// The whole document, rendered on the server around `App`.
pub fn shell(options: leptos::config::LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        // `lang` (and `dir`) are set by the I18nContextProvider, from the UI's language.
        <html>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <link rel="icon" type="image/svg+xml" href="/favicon.svg" />
                // Here rather than a leptos_meta <Stylesheet> in the app: the same link, with no
                // code in the WASM.
                <link rel="stylesheet" href="/pkg/apio.css" />
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

/// Routes whose page is a separate WASM chunk (`cargo leptos build --split`), loaded when the
/// page is first shown: the login page then downloads only the code it runs.
macro_rules! lazy_pages {
    ($($route:ident => $page:ident),* $(,)?) => {$(
        struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(this: Self) -> AnyView {
                let _ = this;
                view! { <$page /> }.into_any()
            }
        }
    )*};
}

lazy_pages!(
    HomeRoute => HomePage,
    SetPasswordRoute => SetPasswordPage,
    ForgotPasswordRoute => ForgotPasswordPage,
    ChangePasswordRoute => ChangePasswordPage,
    ProfileRoute => ProfilePage,
    SecurityRoute => SecurityPage,
    PasskeysRoute => PasskeysPage,
    TrustedRoute => TrustedPage,
    LoginAttemptsRoute => LoginAttemptsPage,
    IpWhitelistRoute => IpWhitelistPage,
    SessionsRoute => SessionsPage,
    CallbacksRoute => CallbacksPage,
    AdminSettingsRoute => AdminSettingsPage,
    AdminUsersRoute => AdminUsersPage,
    AdminEventsRoute => AdminEventsPage,
    AdminUserRoute => AdminUserPage,
    AdminMailTemplatesRoute => AdminMailTemplatesPage,
    AdminSsoRoute => AdminSsoPage,
);

/// Loads the WASM chunks of the lazily loaded parts the server rendered into this document,
/// before it is hydrated (hydration cannot wait for a chunk: see `components::top_bar`).
/// The routes' chunks are `hydrate_lazy`'s business.
#[cfg(feature = "hydrate")]
pub async fn preload_rendered_parts() {
    crate::components::top_bar::preload_signed_in_bar().await;
    crate::components::sso_buttons::preload_sso_buttons().await;
    crate::pages::preload_sso_return().await;
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_app_context();
    view! {
        <I18nContextProvider ssr_lang_header_getter=visitor_languages()>
            <FollowLanguage />
            <Pages />
        </I18nContextProvider>
    }
}

/// Everything under the language context.
#[component]
fn Pages() -> impl IntoView {
    let i18n = use_i18n();
    // Pages that redirect (signed out, not allowed) render in async mode: the whole page is
    // ready before the response starts, so the server can still answer with a 302.
    view! {
        <Title formatter=|page: String| if page.is_empty() { "APIO auth".to_string() } else { format!("{page} · APIO auth") } />
        <Router>
            <a class="skip-link" href="#main">
                {t!(i18n, common.skip_to_content)}
            </a>
            <TopBar />
            <main id="main">
                <Routes fallback=NotFoundPage>
                    <Route path=path!("/") view={Lazy::<HomeRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/login") view=LoginPage />
                    <Route path=path!("/set-password") view={Lazy::<SetPasswordRoute>::new()} />
                    <Route path=path!("/forgot-password") view={Lazy::<ForgotPasswordRoute>::new()} />
                    <Route path=path!("/change-password") view={Lazy::<ChangePasswordRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/profile") view={Lazy::<ProfileRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/security") view={Lazy::<SecurityRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/passkeys") view={Lazy::<PasskeysRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/trusted") view={Lazy::<TrustedRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/login-attempts") view={Lazy::<LoginAttemptsRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/ip-whitelist") view={Lazy::<IpWhitelistRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/sessions") view={Lazy::<SessionsRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/callbacks") view={Lazy::<CallbacksRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/users") view={Lazy::<AdminUsersRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/users/:username") view={Lazy::<AdminUserRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/events") view={Lazy::<AdminEventsRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/settings") view={Lazy::<AdminSettingsRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/mail-templates") view={Lazy::<AdminMailTemplatesRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/sso") view={Lazy::<AdminSsoRoute>::new()} ssr=SsrMode::Async />
                </Routes>
            </main>
        </Router>
    }
}

//! The HTML document and the routes.

use crate::components::context::provide_app_context;
use crate::components::language::{FollowLanguage, LANGUAGE_COOKIE, LANGUAGE_COOKIE_MAX_AGE};
use crate::components::top_bar::TopBar;
use crate::i18n::{I18nContextProvider, Locale, t, use_i18n};
use crate::pages::{
    AdminEventsPage, AdminMailTemplatesPage, AdminSettingsPage, AdminSsoPage, AdminUserPage,
    AdminUsersPage, CallbacksPage, ChangePasswordPage, ForgotPasswordPage, HomePage,
    IpWhitelistPage, LoginAttemptsPage, LoginPage, NotFoundPage, PasskeysPage, ProfilePage,
    SecurityPage, SessionsPage, SetPasswordPage, TrustedPage,
};
use leptos::prelude::*;
use leptos_i18n::context::CookieOptions;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
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

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_app_context();
    let cookie_options = CookieOptions::<Locale>::default()
        .path("/")
        .max_age(LANGUAGE_COOKIE_MAX_AGE * 1000);
    view! {
        <I18nContextProvider cookie_name=LANGUAGE_COOKIE cookie_options>
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
        <Stylesheet id="leptos" href="/pkg/apio.css" />
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

//! The REST door (API.md): one file per area, collected with their OpenAPI descriptions.

mod admin;
mod auth;
mod callbacks;
mod health;
mod m2m;
mod mail;
mod me;
mod passkeys;
mod security;
mod sessions;
mod sso;
mod sso_saml;
mod sso_sign_in;

use crate::AppState;
use axum::Router;
use axum::routing::MethodRouter;
use utoipa::openapi::OpenApi as OpenApiDoc;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::{PathItemExt, router::OpenApiRouter, routes};

#[derive(OpenApi)]
#[openapi(
    info(title = "APIO auth", description = "Identity and authentication service. Errors are `{error, message, field?}`."),
    modifiers(&BearerScheme)
)]
struct ApiDoc;

struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, api: &mut OpenApiDoc) {
        let components = api.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT or m2m_ token")
                    .build(),
            ),
        );
    }
}

/// Every REST route, listed once; each group holds the handlers of one path. Makes the router,
/// served from the start, and the OpenAPI document, written only when asked for (see
/// `api_docs` in lib.rs).
macro_rules! rest_api {
    ($( [$area:ident :: $handler:ident $(, $more_area:ident :: $more:ident)*] )*) => {
        /// Every REST route.
        pub fn router() -> Router<AppState> {
            Router::new()
                $( .route(
                    &utoipa_axum::paste! { <$area::[<__path_ $handler>] as utoipa::Path>::path() },
                    handler_methods!($area::$handler) $( .merge(handler_methods!($more_area::$more)) )*,
                ) )*
        }

        /// The OpenAPI document of [`router`]'s routes.
        pub fn openapi() -> OpenApiDoc {
            OpenApiRouter::<AppState>::with_openapi(ApiDoc::openapi())
                $( .routes(routes!($area::$handler $(, $more_area::$more)*)) )*
                .split_for_parts()
                .1
        }
    };
}

/// One handler on the methods its OpenAPI description names.
macro_rules! handler_methods {
    ($area:ident :: $handler:ident) => {
        utoipa_axum::paste! {
            <$area::[<__path_ $handler>] as utoipa::Path>::methods()
                .iter()
                .fold(MethodRouter::new(), |router, method| {
                    router.on(method.to_method_filter(), $area::$handler)
                })
        }
    };
}

rest_api! {
    [auth::login]
    [auth::access_token]
    [auth::logout]
    [auth::jwks]
    [auth::ui_config]
    [auth::second_factor]
    [auth::second_factor_resend]
    [auth::reset_password]
    [auth::reset_confirm]
    [sso_sign_in::list]
    [sso_sign_in::start]
    [sso_sign_in::callback]
    [sso_saml::metadata]
    [sso_saml::acs]
    [me::get, me::patch]
    [me::password]
    [me::reauth_needs, me::reauth]
    [me::reauth_email]
    [m2m::get_own, m2m::put_own, m2m::delete_own]
    [sessions::list, sessions::end_others]
    [sessions::end_one]
    [callbacks::get, callbacks::put]
    [callbacks::test]
    [passkeys::login_start]
    [passkeys::login_finish]
    [passkeys::list]
    [passkeys::register_start]
    [passkeys::register_finish]
    [passkeys::rename, passkeys::delete]
    [passkeys::reauth_start]
    [security::get_2fa, security::put_2fa]
    [security::start_totp]
    [security::confirm_totp]
    [security::recovery_codes]
    [security::trusted]
    [security::add_location]
    [security::delete_trusted]
    [security::login_attempts]
    [security::get_whitelist, security::put_whitelist]
    [sso::list]
    [sso::get, sso::put, sso::delete]
    [sso::broadworks_get, sso::broadworks_put]
    [admin::get_config, admin::put_config]
    [admin::list_users, admin::create_user]
    [admin::get_user, admin::patch_user, admin::delete_user]
    [admin::login_attempts]
    [admin::unlock]
    [m2m::put_user, m2m::delete_user]
    [sessions::end_user]
    [admin::events]
    [mail::list]
    [mail::get, mail::put, mail::delete]
    [mail::preview]
    [health::healthz]
    [health::readyz]
}

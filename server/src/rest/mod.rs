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
use utoipa::openapi::OpenApi as OpenApiDoc;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::{router::OpenApiRouter, routes};

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

/// Every REST route, and the OpenAPI document generated from them.
pub fn routes() -> (Router<AppState>, OpenApiDoc) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(auth::login))
        .routes(routes!(auth::access_token))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::jwks))
        .routes(routes!(auth::ui_config))
        .routes(routes!(auth::second_factor))
        .routes(routes!(auth::second_factor_resend))
        .routes(routes!(auth::reset_password))
        .routes(routes!(auth::reset_confirm))
        .routes(routes!(sso_sign_in::list))
        .routes(routes!(sso_sign_in::start))
        .routes(routes!(sso_sign_in::callback))
        .routes(routes!(sso_saml::metadata))
        .routes(routes!(sso_saml::acs))
        .routes(routes!(me::get, me::patch))
        .routes(routes!(me::password))
        .routes(routes!(me::reauth_needs, me::reauth))
        .routes(routes!(me::reauth_email))
        .routes(routes!(m2m::get_own, m2m::put_own, m2m::delete_own))
        .routes(routes!(sessions::list, sessions::end_others))
        .routes(routes!(sessions::end_one))
        .routes(routes!(callbacks::get, callbacks::put))
        .routes(routes!(callbacks::test))
        .routes(routes!(passkeys::login_start))
        .routes(routes!(passkeys::login_finish))
        .routes(routes!(passkeys::list))
        .routes(routes!(passkeys::register_start))
        .routes(routes!(passkeys::register_finish))
        .routes(routes!(passkeys::rename, passkeys::delete))
        .routes(routes!(passkeys::reauth_start))
        .routes(routes!(security::get_2fa, security::put_2fa))
        .routes(routes!(security::start_totp))
        .routes(routes!(security::confirm_totp))
        .routes(routes!(security::recovery_codes))
        .routes(routes!(security::trusted))
        .routes(routes!(security::add_location))
        .routes(routes!(security::delete_trusted))
        .routes(routes!(security::login_attempts))
        .routes(routes!(security::get_whitelist, security::put_whitelist))
        .routes(routes!(sso::list))
        .routes(routes!(sso::get, sso::put, sso::delete))
        .routes(routes!(sso::broadworks_get, sso::broadworks_put))
        .routes(routes!(admin::get_config, admin::put_config))
        .routes(routes!(admin::list_users, admin::create_user))
        .routes(routes!(
            admin::get_user,
            admin::patch_user,
            admin::delete_user
        ))
        .routes(routes!(admin::login_attempts))
        .routes(routes!(admin::unlock))
        .routes(routes!(m2m::put_user, m2m::delete_user))
        .routes(routes!(sessions::end_user))
        .routes(routes!(admin::events))
        .routes(routes!(mail::list))
        .routes(routes!(mail::get, mail::put, mail::delete))
        .routes(routes!(mail::preview))
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .split_for_parts()
}

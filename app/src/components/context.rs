//! What every page may read: the signed-in user and the public UI configuration. Each is
//! loaded once per document; signing in or out loads a new document, so neither is refetched.

use crate::api::ApiError;
use crate::api::auth::{session_info, ui_config};
use crate::api::json_codec::{Loaded, load};
use crate::api::types::{SessionInfo, UiConfig};
use leptos::prelude::*;

pub type SessionResource = Loaded<Result<Option<SessionInfo>, ApiError>>;
pub type UiConfigResource = Loaded<Result<UiConfig, ApiError>>;

// Newtypes, so that the context keys cannot clash with anything else of the same type.
#[derive(Clone, Copy)]
struct Session(SessionResource);
#[derive(Clone, Copy)]
struct Ui(UiConfigResource);

fn load_session() -> SessionResource {
    load(|| (), |_| session_info())
}

fn load_ui_config() -> UiConfigResource {
    load(|| (), |_| ui_config())
}

/// Called once, by `App`, before the router.
pub fn provide_app_context() {
    provide_context(Session(load_session()));
    provide_context(Ui(load_ui_config()));
}

/// The signed-in user (`None`: signed out). Read it inside `<Suspense>`.
pub fn use_session() -> SessionResource {
    // Without the context (a component rendered outside `App`), load it here instead.
    use_context::<Session>().map_or_else(load_session, |s| s.0)
}

pub fn use_ui_config() -> UiConfigResource {
    use_context::<Ui>().map_or_else(load_ui_config, |u| u.0)
}

/// The product name shown when no label is configured.
pub const DEFAULT_LABEL: &str = "APIO auth";

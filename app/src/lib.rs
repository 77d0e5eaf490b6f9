#![recursion_limit = "256"]
//! The Leptos application: compiled with `ssr` into the server, with `hydrate` into WASM.

pub mod api;
mod app;
mod components;
mod pages;

// The `i18n` module: `Locale`, `use_i18n`, `t!`, `I18nContextProvider`, generated from
// app/locales at compile time (a key missing in a locale is a build warning, so an error
// under clippy's -D warnings). The macro is deprecated in favour of a build script whose
// crate (leptos_i18n_build) brings ICU data-export tooling with a network fetcher and a WASM
// runtime; we use no ICU formatting, so the macro, which generates the same code, is kept.
#[allow(deprecated)]
mod locales {
    leptos_i18n::load_locales!();
}
pub(crate) use locales::i18n;

#[cfg(feature = "hydrate")]
pub use app::preload_rendered_parts;
pub use app::{App, shell};

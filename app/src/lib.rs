#![recursion_limit = "256"]
//! The Leptos application: compiled with `ssr` into the server, with `hydrate` into WASM.

pub mod api;
mod app;
mod components;
mod pages;

pub use app::{App, shell};

//! The WASM entry point.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // `hydrate_lazy`: some routes are separate WASM chunks (see app.rs), loaded before the
    // page they render is hydrated.
    leptos::mount::hydrate_lazy(app::App);
}

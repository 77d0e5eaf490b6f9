//! The WASM entry point.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // `hydrate_lazy`: some routes are separate WASM chunks (see app.rs), loaded before the
    // page they render is hydrated; so are the other lazily loaded parts the page shows.
    wasm_bindgen_futures::spawn_local(async {
        app::preload_rendered_parts().await;
        leptos::mount::hydrate_lazy(app::App);
    });
}

/// Room for `cargo leptos build --split`. The splitter moves each lazily loaded chunk's
/// constant data (its texts) out of the main module, repacking the read-only data segment
/// per module; when alignment padding makes the repacked segment longer than the original,
/// it gives up and keeps the whole segment, every page's texts, in the main module (+100 kB
/// before compression). These bytes, which nothing reads, lengthen the original segment and
/// are never emitted.
#[used]
static SPLIT_DATA_SLACK: [u8; 4096] = [0xA5; 4096];

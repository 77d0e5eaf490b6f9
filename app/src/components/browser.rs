//! Browser-only helpers. They are called from event handlers, effects and action futures,
//! none of which run during server rendering.

use leptos::html::{Input, Textarea};
use leptos::prelude::*;

/// False during server rendering and until hydration, then true. Submit buttons stay
/// disabled until then: submitted earlier, a form would be posted as plain HTML, which
/// nothing on the server answers.
pub fn use_hydrated() -> ReadSignal<bool> {
    let (hydrated, set_hydrated) = signal(false);
    // Effects run only in the browser, after hydration.
    Effect::new(move |_| set_hydrated.set(true));
    hydrated
}

/// Loads `path` as a new document, so that the app shell reads the session afresh (after
/// signing in or out, or after a forced password change).
pub fn full_navigation(path: &str) {
    // `assign` fails only for a URL that does not parse; the paths given here are constants.
    let _ = window().location().assign(path);
}

/// The URL fragment, `#` included; empty when there is none.
pub fn location_hash() -> String {
    window().location().hash().unwrap_or_default()
}

/// The current text of an input. The inputs are not bound to signals: what was typed before
/// hydration is kept, and read only on submit.
pub fn input_value(input: NodeRef<Input>) -> String {
    input
        .get_untracked()
        .map(|el| el.value())
        .unwrap_or_default()
}

pub fn input_checked(input: NodeRef<Input>) -> bool {
    input.get_untracked().is_some_and(|el| el.checked())
}

pub fn textarea_value(textarea: NodeRef<Textarea>) -> String {
    textarea
        .get_untracked()
        .map(|el| el.value())
        .unwrap_or_default()
}

/// Empties password inputs once they have been used.
pub fn clear_inputs(inputs: &[NodeRef<Input>]) {
    for input in inputs {
        if let Some(el) = input.get_untracked() {
            el.set_value("");
        }
    }
}

/// Puts `text` on the clipboard; false where the browser refuses (then the text stays
/// selectable on the page).
pub async fn copy_text(text: &str) -> bool {
    use wasm_bindgen::{JsCast, JsValue};
    let navigator = window().navigator();
    let write = js_sys::Reflect::get(&navigator, &JsValue::from_str("clipboard")).and_then(|c| {
        let f = js_sys::Reflect::get(&c, &JsValue::from_str("writeText"))?;
        let f: js_sys::Function = f.dyn_into()?;
        f.call1(&c, &JsValue::from_str(text))
    });
    match write.and_then(|p| p.dyn_into::<js_sys::Promise>()) {
        Ok(promise) => wasm_bindgen_futures::JsFuture::from(promise).await.is_ok(),
        Err(_) => false,
    }
}

/// The IANA time zones the browser knows (`Intl.supportedValuesOf`), for the time zone
/// picker; empty where the browser cannot list them (the field then takes typed names).
pub fn time_zones() -> Vec<String> {
    use wasm_bindgen::{JsCast, JsValue};
    let list = js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("Intl"))
        .and_then(|intl| {
            let f: js_sys::Function =
                js_sys::Reflect::get(&intl, &JsValue::from_str("supportedValuesOf"))?.dyn_into()?;
            f.call1(&intl, &JsValue::from_str("timeZone"))
        })
        .and_then(|v| v.dyn_into::<js_sys::Array>());
    let mut zones: Vec<String> = match list {
        Ok(array) => array.iter().filter_map(|z| z.as_string()).collect(),
        Err(_) => Vec::new(),
    };
    if !zones.is_empty() && !zones.iter().any(|z| z == "UTC") {
        zones.insert(0, "UTC".into());
    }
    zones
}

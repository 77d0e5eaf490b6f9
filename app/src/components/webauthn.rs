//! WebAuthn in the browser: the options JSON from the server go through the browser's own
//! JSON conversions (`PublicKeyCredential.parse…OptionsFromJSON`, `credential.toJSON()`),
//! so no WebAuthn types are compiled into the WASM. Errors become sentences a user can act
//! on, in the UI's language. Browser-only: called from event handlers and effects.

use super::language::{fill, ui_locale};
use crate::i18n::*;
use js_sys::{Function, JSON, Object, Promise, Reflect};
use leptos::prelude::window;
use serde_json::Value;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Why a ceremony did not produce a credential.
#[derive(Debug, Clone, PartialEq)]
pub enum PasskeyError {
    /// The browser has no WebAuthn (or too old a version of it).
    Unsupported,
    /// The user closed the dialog, or no passkey was chosen.
    Cancelled,
    TimedOut,
    /// Registration: the authenticator already holds one of this user's passkeys.
    AlreadyRegistered,
    /// A conditional (autofill) request that a button press replaced: not an error.
    Aborted,
    /// This page's address does not match the relying party settings.
    WrongSite,
    Other(String),
}

impl PasskeyError {
    /// What to tell the user, in the UI's language (empty for [`PasskeyError::Aborted`]).
    pub fn message(&self, locale: Locale) -> String {
        match self {
            PasskeyError::Unsupported => td_string!(locale, protection.webauthn.unsupported).into(),
            PasskeyError::Cancelled => td_string!(locale, protection.webauthn.cancelled).into(),
            PasskeyError::TimedOut => td_string!(locale, protection.webauthn.timed_out).into(),
            PasskeyError::AlreadyRegistered => {
                td_string!(locale, protection.webauthn.already_registered).into()
            }
            PasskeyError::Aborted => String::new(),
            PasskeyError::WrongSite => td_string!(locale, protection.webauthn.wrong_site).into(),
            PasskeyError::Other(m) => fill(
                td_string!(locale, protection.webauthn.failed),
                &[("message", m)],
            ),
        }
    }
}

fn credentials() -> Result<JsValue, PasskeyError> {
    let pkc = Reflect::get(&window(), &"PublicKeyCredential".into()).unwrap_or_default();
    let container = Reflect::get(&window().navigator(), &"credentials".into()).unwrap_or_default();
    if pkc.is_undefined() || container.is_undefined() {
        return Err(PasskeyError::Unsupported);
    }
    Ok(container)
}

/// A static method of `PublicKeyCredential`, with its receiver; `None` when the browser lacks it.
fn static_method(name: &str) -> Option<(JsValue, Function)> {
    let pkc = Reflect::get(&window(), &"PublicKeyCredential".into()).ok()?;
    let f = Reflect::get(&pkc, &name.into())
        .ok()?
        .dyn_into::<Function>()
        .ok()?;
    Some((pkc, f))
}

/// Whether the browser can offer passkeys in the username field's autofill.
pub async fn autofill_available() -> bool {
    let Some((pkc, f)) = static_method("isConditionalMediationAvailable") else {
        return false;
    };
    let Ok(promise) = f.call0(&pkc).and_then(|p| p.dyn_into::<Promise>()) else {
        return false;
    };
    JsFuture::from(promise)
        .await
        .is_ok_and(|v| v.as_bool() == Some(true))
}

/// `navigator.credentials.create` with the server's creation options.
pub async fn create(options: &Value) -> Result<Value, PasskeyError> {
    ceremony("create", "parseCreationOptionsFromJSON", options, None).await
}

/// `navigator.credentials.get` with the server's request options; `conditional` makes it an
/// autofill request, cancelled through the signal.
pub async fn get(
    options: &Value,
    conditional: Option<&web_sys::AbortSignal>,
) -> Result<Value, PasskeyError> {
    ceremony("get", "parseRequestOptionsFromJSON", options, conditional).await
}

async fn ceremony(
    method: &str,
    parser: &str,
    options: &Value,
    conditional: Option<&web_sys::AbortSignal>,
) -> Result<Value, PasskeyError> {
    let container = credentials()?;
    let (pkc, parse) = static_method(parser).ok_or(PasskeyError::Unsupported)?;
    let json = JSON::parse(&options.to_string()).map_err(|e| other(&e))?;
    let public_key = parse.call1(&pkc, &json).map_err(|e| other(&e))?;
    let request = Object::new();
    let set = |k: &str, v: &JsValue| Reflect::set(&request, &k.into(), v).map_err(|e| other(&e));
    set("publicKey", &public_key)?;
    if let Some(signal) = conditional {
        set("mediation", &"conditional".into())?;
        set("signal", signal)?;
    }
    let call = Reflect::get(&container, &method.into())
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
        .ok_or(PasskeyError::Unsupported)?;
    let started = js_sys::Date::now();
    let promise = call
        .call1(&container, &request)
        .and_then(|p| p.dyn_into::<Promise>())
        .map_err(|e| other(&e))?;
    let credential = JsFuture::from(promise).await.map_err(|e| {
        let timeout = options["timeout"].as_f64().unwrap_or(300_000.0);
        classify(&e, js_sys::Date::now() - started >= timeout)
    })?;
    let to_json = Reflect::get(&credential, &"toJSON".into())
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
        .ok_or(PasskeyError::Unsupported)?;
    let answer = to_json.call0(&credential).map_err(|e| other(&e))?;
    let text: String = JSON::stringify(&answer).map_err(|e| other(&e))?.into();
    serde_json::from_str(&text).map_err(|e| PasskeyError::Other(e.to_string()))
}

/// The DOMException names of the WebAuthn spec. A timeout is also a `NotAllowedError`: told
/// apart by how long the request ran.
fn classify(e: &JsValue, ran_out: bool) -> PasskeyError {
    let name = Reflect::get(e, &"name".into())
        .ok()
        .and_then(|n| n.as_string())
        .unwrap_or_default();
    match name.as_str() {
        "NotAllowedError" if ran_out => PasskeyError::TimedOut,
        "NotAllowedError" => PasskeyError::Cancelled,
        "InvalidStateError" => PasskeyError::AlreadyRegistered,
        "AbortError" => PasskeyError::Aborted,
        "NotSupportedError" => PasskeyError::Unsupported,
        "SecurityError" => PasskeyError::WrongSite,
        _ => other(e),
    }
}

fn other(e: &JsValue) -> PasskeyError {
    let message = Reflect::get(e, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .unwrap_or_else(|| format!("{e:?}"));
    PasskeyError::Other(message)
}

/// Told in the UI's current language.
impl From<PasskeyError> for crate::api::ApiError {
    fn from(e: PasskeyError) -> Self {
        crate::api::ApiError::new(0, "passkey", e.message(ui_locale()))
    }
}

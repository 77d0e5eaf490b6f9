//! Wire types of passkeys: the WebAuthn ceremonies (start answers the options for the
//! browser, finish sends its answer back) and the user's list of passkeys.

use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use utoipa::ToSchema;

/// The answer of every ceremony start.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct CeremonyStart {
    /// Opaque, single use, 5 minutes: send it back with the browser's answer.
    pub challenge_id: String,
    /// `PublicKeyCredentialCreationOptions` (registration) or
    /// `PublicKeyCredentialRequestOptions` (login, re-authentication) JSON, base64url fields.
    #[serde(rename = "publicKey")]
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub public_key: serde_json::Value,
}

/// The browser's answer to a ceremony.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CeremonyFinish {
    pub challenge_id: String,
    /// The `PublicKeyCredential` JSON (base64url fields).
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub credential: serde_json::Value,
}

/// `POST /api/v01/auth/webauthn/login/start`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PasskeyLoginStart {
    /// Without it, any passkey of this site the authenticator holds (discoverable).
    #[serde(default)]
    pub username: Option<String>,
}

/// `POST /api/v01/me/passkeys/register/start` and `PATCH /api/v01/me/passkeys/{id}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PasskeyName {
    /// At most 64 characters; empty is "Passkey".
    #[serde(default)]
    pub name: String,
}

/// One of the user's passkeys.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct PasskeyView {
    pub id: String,
    pub name: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
}

/// `POST /api/v01/me/reauth`: the password (and code), or a passkey assertion from
/// `POST /api/v01/me/reauth/webauthn/start`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(untagged)]
pub enum ReauthBody {
    Passkey(CeremonyFinish),
    Password(super::types::ReauthRequest),
}

//! Wire types of what a user manages about their account besides the profile and security:
//! the M2M token, the sessions, the callbacks.

use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use utoipa::ToSchema;

/// `PUT /api/v01/me/m2m_token` and the admin variant.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct M2mTokenRequest {
    /// RFC 3339, in the future; none: the token does not expire.
    #[serde(default)]
    pub expires_at: Option<String>,
}

/// The M2M token: `token` for its owner, and for admins only when the user has `system` set.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct M2mTokenView {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    pub expires_at: Option<String>,
}

/// One entry of `GET /api/v01/me/sessions`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct SessionView {
    pub id: String,
    pub created_at: String,
    pub last_used_at: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// The session making this request.
    pub current: bool,
}

/// One entry of `GET /api/v01/me/callbacks`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct CallbackView {
    pub url: String,
    /// Any of `completed`, `blocked`.
    pub events: Vec<String>,
    /// Calls are signed (`x-apio-signature`); the secret is never shown again.
    pub has_secret: bool,
}

/// One entry of `PUT /api/v01/me/callbacks`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CallbackSet {
    /// https (http only to loopback); no private or link-local targets.
    pub url: String,
    pub events: Vec<String>,
    /// Signing secret (16 to 256 characters). Absent: the same URL keeps its secret; empty:
    /// calls are no longer signed.
    #[serde(default)]
    pub secret: Option<String>,
    /// Accepted (a client may send the list back) and ignored.
    #[serde(default, skip_serializing)]
    #[cfg_attr(feature = "ssr", schema(ignore))]
    pub has_secret: Option<IgnoredAny>,
}

/// `POST /api/v01/me/callbacks/test`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CallbackTestRequest {
    /// One of the saved callbacks.
    pub url: String,
}

/// What the receiver answered to the signed sample event.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct CallbackTestResult {
    /// A 2xx answer.
    pub ok: bool,
    pub status: Option<u16>,
    pub error: Option<String>,
}

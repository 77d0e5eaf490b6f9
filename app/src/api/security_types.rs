//! Wire types of the second factor and login protection: the 2FA step, the user's 2FA option,
//! TOTP enrolment, recovery codes, trusted devices and locations, login attempts.

use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use utoipa::ToSchema;

/// `POST /api/v01/auth/login` when a second factor is due.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct SecondFactorChallenge {
    /// Opaque, single use, bound to this login; 5 minutes (10 for email).
    #[serde(rename = "2fa_payload")]
    pub payload: String,
    /// `email` or `totp`.
    pub option: String,
}

/// `POST /api/v01/auth/2fa`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SecondFactorRequest {
    #[serde(rename = "2fa_payload")]
    pub payload: String,
    /// The 6-digit code, or a recovery code.
    pub code: String,
    /// Answer with a `device_token`: later logins that send it skip 2FA (30 days).
    #[serde(default)]
    pub trust_device: bool,
    /// Make this client's network (/24 or /64) a trusted location.
    #[serde(default)]
    pub trust_network: bool,
}

/// `POST /api/v01/auth/2fa/resend`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SecondFactorResend {
    #[serde(rename = "2fa_payload")]
    pub payload: String,
}

/// `GET /api/v01/me/2fa`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct TwoFactorInfo {
    /// What the user's logins ask for: `none`, `email` or `totp`.
    pub option: String,
    /// Email 2FA is required of this user (platform setting or admin).
    pub forced: bool,
    pub email_available: bool,
    pub totp_available: bool,
    pub recovery_codes_left: i64,
}

/// `PUT /api/v01/me/2fa`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TwoFactorChoice {
    pub option: String,
}

/// `POST /api/v01/me/2fa/totp`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct TotpEnrolmentBody {
    /// Base32, for manual entry in the app.
    pub secret: String,
    pub otpauth_uri: String,
    pub qr_svg: String,
}

/// `POST /api/v01/me/2fa/totp/confirm`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CodeBody {
    pub code: String,
}

/// `POST /api/v01/me/2fa/recovery_codes`: shown once.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct RecoveryCodes {
    pub codes: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct TrustedDeviceView {
    pub id: String,
    pub label: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct TrustedLocationView {
    pub id: String,
    pub cidr: String,
    pub label: String,
    pub created_at: String,
}

/// `GET /api/v01/me/trusted`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct TrustedView {
    pub devices: Vec<TrustedDeviceView>,
    pub locations: Vec<TrustedLocationView>,
}

/// `POST /api/v01/me/trusted/locations`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewTrustedLocation {
    pub cidr: String,
    #[serde(default)]
    pub label: String,
}

/// One login attempt (`reason` for admins only).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct LoginAttemptView {
    pub at: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// `password`, `totp`, `email`, `recovery_code`, `2fa`…
    pub method: String,
    pub success: bool,
    /// `success`, `failure`, or `second_factor` (right password, second factor asked).
    pub outcome: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

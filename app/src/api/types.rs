//! Wire types shared by the UI, the server functions and the REST handlers.

use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[cfg(feature = "ssr")]
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct ErrorBody {
    /// snake_case code: invalid_request, invalid_credentials, invalid_token, forbidden, …
    pub error: String,
    pub message: String,
    /// The field at fault, for `invalid_request`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
    /// Trusted-device token from an earlier 2FA step.
    #[serde(default)]
    pub device_token: Option<String>,
    /// BroadWorks proxy name.
    #[serde(default)]
    pub proxy: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct TokenResponse {
    pub access_token: String,
    pub refresh_token: String,
    /// The user's M2M token, when one is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// After a 2FA step with `trust_device`: send it with later logins to skip 2FA.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_token: Option<String>,
}

/// `POST /api/v01/auth/login`: the tokens, or the second factor that is due.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(untagged)]
pub enum LoginAnswer {
    Tokens(TokenResponse),
    SecondFactor(super::security_types::SecondFactorChallenge),
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct TwoFactorStatus {
    pub option: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct M2mStatus {
    pub set: bool,
    pub expires_at: Option<String>,
    /// Admin view of a `system` user only: the token itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

/// The signed-in user's profile (`GET /api/v01/me`), and a user as admins see it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct Profile {
    pub id: String,
    pub username: String,
    pub firstname: String,
    pub lastname: String,
    pub mobile: Option<String>,
    pub email: Option<String>,
    pub system: bool,
    pub profile: Option<String>,
    pub ui_profile: Option<String>,
    pub registered_on: String,
    pub language: String,
    pub timezone: String,
    pub roles: Vec<String>,
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub properties: Value,
    pub idp: Option<String>,
    pub two_factor: TwoFactorStatus,
    pub m2m_token: M2mStatus,
    pub force_change_password: bool,
    /// Admin view only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled: Option<bool>,
    /// Admin view only: until when the account is locked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locked_until: Option<String>,
    /// Admin view only: an admin requires email 2FA of this user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub two_factor_forced_email: Option<bool>,
}

/// `PATCH /api/v01/me`. Fields a user may not set (roles, system, profile…) are accepted
/// and ignored; unknown fields are refused.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProfilePatch {
    #[serde(default)]
    pub firstname: Option<String>,
    #[serde(default)]
    pub lastname: Option<String>,
    #[serde(default)]
    pub mobile: Option<String>,
    /// Needs a recent re-authentication.
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub language: Option<String>,
    #[serde(default)]
    pub timezone: Option<String>,
    // Fields of the profile a user may not set: accepted (a client may send the profile
    // back) and ignored.
    #[serde(default, skip_serializing)]
    #[cfg_attr(feature = "ssr", schema(ignore))]
    pub id: Option<IgnoredAny>,
    #[serde(default, skip_serializing)]
    #[cfg_attr(feature = "ssr", schema(ignore))]
    pub username: Option<IgnoredAny>,
    #[serde(default, skip_serializing)]
    #[cfg_attr(feature = "ssr", schema(ignore))]
    pub system: Option<IgnoredAny>,
    #[serde(default, skip_serializing)]
    #[cfg_attr(feature = "ssr", schema(ignore))]
    pub profile: Option<IgnoredAny>,
    #[serde(default, skip_serializing)]
    #[cfg_attr(feature = "ssr", schema(ignore))]
    pub ui_profile: Option<IgnoredAny>,
    #[serde(default, skip_serializing)]
    #[cfg_attr(feature = "ssr", schema(ignore))]
    pub registered_on: Option<IgnoredAny>,
    #[serde(default, skip_serializing)]
    #[cfg_attr(feature = "ssr", schema(ignore))]
    pub roles: Option<IgnoredAny>,
    #[serde(default, skip_serializing)]
    #[cfg_attr(feature = "ssr", schema(ignore))]
    pub properties: Option<IgnoredAny>,
    #[serde(default, skip_serializing)]
    #[cfg_attr(feature = "ssr", schema(ignore))]
    pub idp: Option<IgnoredAny>,
    #[serde(default, skip_serializing)]
    #[cfg_attr(feature = "ssr", schema(ignore))]
    pub two_factor: Option<IgnoredAny>,
    #[serde(default, skip_serializing)]
    #[cfg_attr(feature = "ssr", schema(ignore))]
    pub m2m_token: Option<IgnoredAny>,
    #[serde(default, skip_serializing)]
    #[cfg_attr(feature = "ssr", schema(ignore))]
    pub force_change_password: Option<IgnoredAny>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReauthRequest {
    pub password: String,
    /// When the user has a second factor: the authenticator's code, the code mailed by
    /// `POST /api/v01/me/reauth/email`, or a recovery code.
    #[serde(default)]
    pub code: Option<String>,
}

/// `GET /api/v01/me/reauth`: what a re-authentication asks for besides the password.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct ReauthNeeds {
    /// `totp` (the authenticator's code), `email` (a code mailed on request), or null (the
    /// password alone). A recovery code replaces either.
    pub code: Option<String>,
}

/// `POST /api/v01/auth/reset_password`: the optional values choose the mail template.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ResetRequest {
    pub username: String,
    /// Which UI asks (a template name variable).
    #[serde(default)]
    pub ui_id: Option<String>,
    /// The UI's language (a template name variable).
    #[serde(default)]
    pub ui_language: Option<String>,
    #[serde(default)]
    pub proxy: Option<String>,
}

/// A mail template as written by an admin. Variables use MiniJinja syntax (`{{ link }}`);
/// the HTML part is escaped.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MailTemplateBody {
    pub subject: String,
    pub text: String,
    #[serde(default)]
    pub html: Option<String>,
}

/// A mail template as admins see it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct MailTemplateView {
    pub name: String,
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
    /// The shipped default, not edited.
    pub shipped: bool,
    /// A shipped default exists under this name (deleting the edit restores it).
    pub has_default: bool,
    pub updated_at: Option<String>,
    pub updated_by: Option<String>,
}

/// A template rendered with example values.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct MailPreview {
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ResetConfirm {
    pub token: String,
    pub password: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct SsoButton {
    pub id: String,
    pub name: String,
    pub protocol: String,
}

/// What the login page needs before anyone signs in.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct UiConfig {
    pub label: String,
    pub modules: Vec<String>,
    pub passkeys_enabled: bool,
    pub sso: Vec<SsoButton>,
}

/// Admin: profile fields plus what only admins set.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    #[serde(default)]
    pub firstname: Option<String>,
    #[serde(default)]
    pub lastname: Option<String>,
    #[serde(default)]
    pub mobile: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub language: Option<String>,
    #[serde(default)]
    pub timezone: Option<String>,
    #[serde(default)]
    pub system: Option<bool>,
    #[serde(default)]
    pub profile: Option<String>,
    #[serde(default)]
    pub ui_profile: Option<String>,
    #[serde(default)]
    pub roles: Option<Vec<String>>,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<Object>))]
    pub properties: Option<Value>,
    #[serde(default)]
    pub disabled: Option<bool>,
    #[serde(default)]
    pub force_change_password: Option<bool>,
    #[serde(default)]
    pub two_factor_forced_email: Option<bool>,
}

/// Admin: a new user; without `password` the user gets a set-password link.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UserCreate {
    pub username: String,
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default)]
    pub firstname: Option<String>,
    #[serde(default)]
    pub lastname: Option<String>,
    #[serde(default)]
    pub mobile: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub language: Option<String>,
    #[serde(default)]
    pub timezone: Option<String>,
    #[serde(default)]
    pub system: Option<bool>,
    #[serde(default)]
    pub profile: Option<String>,
    #[serde(default)]
    pub ui_profile: Option<String>,
    #[serde(default)]
    pub roles: Option<Vec<String>>,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<Object>))]
    pub properties: Option<Value>,
    #[serde(default)]
    pub force_change_password: Option<bool>,
    #[serde(default)]
    pub disabled: Option<bool>,
    #[serde(default)]
    pub two_factor_forced_email: Option<bool>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct UserList {
    pub users: Vec<Profile>,
    pub total: i64,
}

/// A workflow setting as admins see and send it; the secret is write-only.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct WorkflowSetting {
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    #[serde(default, skip_serializing)]
    pub secret_set: bool,
}

/// The platform settings (CONFIG.md §2), as `GET/PUT /api/v01/admin/config` carry them.
/// A PUT may carry any subset.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct PlatformSettings {
    pub label: String,
    pub modules: Vec<String>,
    pub welcome_mail_template: String,
    pub reset_password_mail_template: String,
    pub reset_password_notification_workflow: Option<WorkflowSetting>,
    pub post_reset_password_workflow: Option<WorkflowSetting>,
    pub lockout_duration_minutes: u32,
    pub lockout_threshold: u32,
    pub force_two_factor: bool,
    pub two_factor_mail_template: Option<String>,
    pub client_ip_header: Option<String>,
    pub totp_issuer: Option<String>,
    pub allowed_origins: Vec<String>,
    pub session_idle_timeout_minutes: u32,
    pub webauthn_enabled: bool,
    pub webauthn_display_name: String,
    pub webauthn_rp_id: Option<String>,
    pub webauthn_rp_origins: Option<Vec<String>>,
}

/// Every module of the `modules` setting, in menu order.
pub const MODULES: [&str; 11] = [
    "profile",
    "security",
    "passkeys",
    "callbacks",
    "trusted",
    "login_attempts",
    "ip_whitelist",
    "sessions",
    "admin_users",
    "admin_settings",
    "admin_events",
];

/// The signed-in user as the app shell needs it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SessionInfo {
    pub username: String,
    pub is_admin: bool,
    pub pwd_change: bool,
    /// The profile's language tag: the UI speaks it when it can.
    pub language: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct AuditEventView {
    pub id: i64,
    pub at: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub outcome: String,
    pub username: Option<String>,
    pub actor: Option<String>,
    pub ip: Option<String>,
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub detail: Value,
}

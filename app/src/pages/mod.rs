//! One module per route.

mod admin_broadworks;
mod admin_events;
mod admin_mail_templates;
mod admin_settings;
mod admin_sso;
mod admin_user;
mod admin_users;
mod callbacks;
mod change_password;
mod forgot_password;
mod home;
mod ip_whitelist;
mod login;
mod login_attempts;
mod not_found;
mod passkeys;
mod profile;
mod security;
mod sessions;
mod set_password;
mod trusted;

pub use admin_events::AdminEventsPage;
pub use admin_mail_templates::AdminMailTemplatesPage;
pub use admin_settings::AdminSettingsPage;
pub use admin_sso::AdminSsoPage;
pub use admin_user::AdminUserPage;
pub use admin_users::AdminUsersPage;
pub use callbacks::CallbacksPage;
pub use change_password::ChangePasswordPage;
pub use forgot_password::ForgotPasswordPage;
pub use home::HomePage;
pub use ip_whitelist::IpWhitelistPage;
pub use login::LoginPage;
#[cfg(feature = "hydrate")]
pub use login::preload_sso_return;
pub use login_attempts::{LoginAttemptsPage, LoginAttemptsTable};
pub use not_found::NotFoundPage;
pub use passkeys::PasskeysPage;
pub use profile::ProfilePage;
pub use security::SecurityPage;
pub use sessions::SessionsPage;
pub use set_password::SetPasswordPage;
pub use trusted::TrustedPage;

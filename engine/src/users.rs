//! Users: the profile a user manages, and the administration of users.

use crate::Engine;
use crate::audit::Event;
use crate::clock::from_unix_ms;
use crate::error::{Error, Result};
use crate::passwords::{check_policy, normalize};
use crate::principal::{Principal, RequestMeta};
use crate::secrets::random_id;
use crate::sessions::parse_roles;
use crate::store::{NewUser, SsoLink, UserRow, UserUpdate};
use chrono::{DateTime, Utc};
use serde_json::Value;
use unicode_normalization::UnicodeNormalization;

const PAGE_SIZE: i64 = 50;

#[derive(Debug, Clone)]
pub struct User {
    pub id: String,
    pub username: String,
    pub firstname: String,
    pub lastname: String,
    pub mobile: Option<String>,
    pub email: Option<String>,
    pub system: bool,
    pub profile: Option<String>,
    pub ui_profile: Option<String>,
    pub registered_on: DateTime<Utc>,
    pub language: String,
    pub timezone: String,
    pub roles: Vec<String>,
    pub properties: Value,
    pub idp: Option<String>,
    pub disabled: bool,
    pub force_change_password: bool,
    pub two_factor_option: String,
    pub two_factor_forced_email: bool,
    pub locked_until: Option<DateTime<Utc>>,
    pub has_password: bool,
    pub m2m_set: bool,
    pub m2m_expires_at: Option<DateTime<Utc>>,
    /// The M2M token itself: only in an admin's view of a `system` user.
    pub m2m_token: Option<String>,
}

impl From<UserRow> for User {
    fn from(r: UserRow) -> Self {
        User {
            roles: parse_roles(&r.roles),
            properties: serde_json::from_str(&r.properties)
                .unwrap_or(Value::Object(Default::default())),
            registered_on: from_unix_ms(r.registered_on),
            locked_until: r.locked_until.map(from_unix_ms),
            has_password: r.password_hash.is_some(),
            m2m_set: r.m2m_hash.is_some(),
            m2m_expires_at: r.m2m_expires_at.map(from_unix_ms),
            m2m_token: None,
            id: r.id,
            username: r.username,
            firstname: r.firstname,
            lastname: r.lastname,
            mobile: r.mobile,
            email: r.email,
            system: r.system != 0,
            profile: r.profile,
            ui_profile: r.ui_profile,
            language: r.language,
            timezone: r.timezone,
            idp: r.idp,
            disabled: r.disabled != 0,
            force_change_password: r.force_change_password != 0,
            two_factor_option: r.two_factor_option,
            two_factor_forced_email: r.two_factor_forced_email != 0,
        }
    }
}

/// What a user may change of their own profile (`PATCH /me`); `None` leaves a field alone,
/// an empty string clears an optional one.
#[derive(Debug, Clone, Default)]
pub struct ProfileChanges {
    pub firstname: Option<String>,
    pub lastname: Option<String>,
    pub mobile: Option<String>,
    pub email: Option<String>,
    pub language: Option<String>,
    pub timezone: Option<String>,
}

/// What an admin may change of a user.
#[derive(Debug, Clone, Default)]
pub struct UserChanges {
    pub profile_fields: ProfileChanges,
    pub system: Option<bool>,
    pub profile: Option<String>,
    pub ui_profile: Option<String>,
    pub roles: Option<Vec<String>>,
    pub properties: Option<Value>,
    pub disabled: Option<bool>,
    pub force_change_password: Option<bool>,
    pub two_factor_forced_email: Option<bool>,
}

#[derive(Debug, Clone, Default)]
pub struct NewUserInput {
    pub username: String,
    pub password: Option<String>,
    pub changes: UserChanges,
}

pub struct UserPage {
    pub users: Vec<User>,
    pub total: i64,
}

/// Usernames compare in NFKC lower case, without surrounding spaces.
pub(crate) fn normalize_username(raw: &str) -> String {
    raw.trim().nfkc().collect::<String>().to_lowercase()
}

fn validate_username(u: &str) -> Result<()> {
    let ok = (1..=128).contains(&u.chars().count())
        && u.chars()
            .all(|c| c.is_alphanumeric() || "._@+-".contains(c));
    if !ok {
        return Err(Error::invalid(
            "username",
            "1 to 128 letters, digits or . _ @ + -",
        ));
    }
    Ok(())
}

/// At most `max` characters, none of them control characters.
pub(crate) fn text(field: &str, v: &str, max: usize) -> Result<()> {
    if v.chars().count() > max || v.chars().any(char::is_control) {
        return Err(Error::invalid(
            field,
            format!("at most {max} characters, no control characters"),
        ));
    }
    Ok(())
}

/// Applies profile changes onto `row`, validating each given field.
fn apply_profile(row: &mut UserRow, c: &ProfileChanges) -> Result<()> {
    if let Some(v) = &c.firstname {
        text("firstname", v, 100)?;
        row.firstname = v.trim().to_string();
    }
    if let Some(v) = &c.lastname {
        text("lastname", v, 100)?;
        row.lastname = v.trim().to_string();
    }
    if let Some(v) = &c.mobile {
        let v = v.trim();
        let ok = v.is_empty()
            || (v.len() <= 32
                && v.chars()
                    .all(|c| c.is_ascii_digit() || " +-().".contains(c))
                && v.chars().any(|c| c.is_ascii_digit()));
        if !ok {
            return Err(Error::invalid(
                "mobile",
                "digits, spaces and + - ( ) . only",
            ));
        }
        row.mobile = (!v.is_empty()).then(|| v.to_string());
    }
    if let Some(v) = &c.email {
        let v = v.trim();
        let ok = v.is_empty()
            || (v.len() <= 254
                && !v.chars().any(|c| c.is_whitespace() || c.is_control())
                && v.split_once('@').is_some_and(|(l, d)| {
                    !l.is_empty() && d.contains('.') && !d.starts_with('.') && !d.ends_with('.')
                }));
        if !ok {
            return Err(Error::invalid(
                "email",
                "must be an email address like name@example.com",
            ));
        }
        row.email = (!v.is_empty()).then(|| v.to_string());
    }
    if let Some(v) = &c.language {
        let ok =
            (2..=16).contains(&v.len()) && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !ok {
            return Err(Error::invalid(
                "language",
                "a language tag like en or fr-CA",
            ));
        }
        row.language = v.clone();
    }
    if let Some(v) = &c.timezone {
        // The IANA database as chrono-tz ships it (canonical names and links like UTC).
        if v.parse::<chrono_tz::Tz>().is_err() {
            return Err(Error::invalid(
                "timezone",
                "an IANA time zone like Europe/Paris",
            ));
        }
        row.timezone = v.clone();
    }
    Ok(())
}

/// Role names: 1 to 32 of a-z 0-9 _ -.
pub(crate) fn check_roles(field: &str, roles: &[String]) -> Result<()> {
    for r in roles {
        if !(1..=32).contains(&r.len())
            || !r
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_-".contains(c))
        {
            return Err(Error::invalid(
                field,
                format!("{r:?}: 1 to 32 of a-z 0-9 _ -"),
            ));
        }
    }
    Ok(())
}

fn validate_roles(roles: &[String]) -> Result<String> {
    check_roles("roles", roles)?;
    let mut roles = roles.to_vec();
    roles.sort();
    roles.dedup();
    serde_json::to_string(&roles).map_err(|e| Error::internal("roles", e))
}

fn update_of(row: &UserRow, now: i64) -> UserUpdate<'_> {
    UserUpdate {
        firstname: &row.firstname,
        lastname: &row.lastname,
        mobile: row.mobile.as_deref(),
        email: row.email.as_deref(),
        system: row.system != 0,
        profile: row.profile.as_deref(),
        ui_profile: row.ui_profile.as_deref(),
        language: &row.language,
        timezone: &row.timezone,
        roles: &row.roles,
        properties: &row.properties,
        disabled: row.disabled != 0,
        force_change_password: row.force_change_password != 0,
        two_factor_forced_email: row.two_factor_forced_email != 0,
        now,
    }
}

impl Engine {
    pub async fn me(&self, p: &Principal) -> Result<User> {
        Ok(self.user_view(self.current_user(p).await?))
    }

    /// A user as the doors show it: the 2FA option is the one logins ask for (a forced email
    /// factor shows as `email` even when the user chose none).
    pub(crate) fn user_view(&self, row: UserRow) -> User {
        let option = self.required_option(&row).unwrap_or("none");
        User {
            two_factor_option: option.into(),
            ..User::from(row)
        }
    }

    /// The caller's row; a deleted user's token is invalid.
    pub(crate) async fn current_user(&self, p: &Principal) -> Result<UserRow> {
        self.store()
            .user_by_id(&p.user_id)
            .await?
            .ok_or(Error::InvalidToken)
    }

    pub async fn update_me(
        &self,
        p: &Principal,
        changes: &ProfileChanges,
        meta: &RequestMeta,
    ) -> Result<User> {
        p.require_active()?;
        self.require_module("profile")?;
        let mut row = self.current_user(p).await?;
        let old_email = row.email.clone();
        apply_profile(&mut row, changes)?;
        if row.email.is_none() && row.two_factor_option == "email" {
            return Err(Error::invalid(
                "email",
                "your second factor is email: choose another option before removing the address",
            ));
        }
        if row.email != old_email {
            self.require_recent_auth(p).await?;
        }
        self.store()
            .update_user(&row.id, &update_of(&row, self.now_ms()))
            .await?;
        self.audit(
            Event::new("profile_updated", "success")
                .actor(p)
                .ip(meta)
                .detail(serde_json::json!({"email_changed": row.email != old_email})),
        )
        .await;
        Ok(self.user_view(row))
    }

    /// Needs the current password; ends the user's other sessions.
    pub async fn change_password(
        &self,
        p: &Principal,
        current: &str,
        new: &str,
        meta: &RequestMeta,
    ) -> Result<()> {
        let current = normalize("current_password", current)?;
        let row = self.current_user(p).await?;
        if let Some(reason) = self.recheck_password(&row, current, meta).await? {
            let reason = if reason == "locked" {
                reason
            } else {
                "wrong_current_password"
            };
            self.audit(
                Event::new("password_changed", "failure")
                    .actor(p)
                    .ip(meta)
                    .detail(serde_json::json!({ "reason": reason })),
            )
            .await;
            return Err(Error::InvalidCredentials);
        }
        let normalized = check_policy("new_password", new, &row.username)?;
        // A BroadWorks user's password is set there, and nothing is stored here.
        if !self
            .set_broadworks_password(&row, "new_password", &normalized)
            .await?
        {
            let hash = self.0.hasher.hash(normalized, self.salt()).await?;
            self.store()
                .set_password_hash(&row.id, &hash, false, self.now_ms())
                .await?;
        }
        if row.failed_logins != 0 {
            self.store().clear_failed_logins(&row.id).await?;
        }
        self.end_user_sessions(&row.id, Some(&p.session_id), "password_changed")
            .await?;
        self.audit(Event::new("password_changed", "success").actor(p).ip(meta))
            .await;
        Ok(())
    }

    pub async fn list_users(&self, p: &Principal, q: &str, page: u32) -> Result<UserPage> {
        p.require_admin()?;
        self.require_module("admin_users")?;
        let page = i64::from(page.max(1));
        let (rows, total) = self
            .store()
            .list_users(q.trim(), PAGE_SIZE, (page - 1) * PAGE_SIZE)
            .await?;
        Ok(UserPage {
            users: rows.into_iter().map(|r| self.user_view(r)).collect(),
            total,
        })
    }

    /// A user as admins see it; the M2M token itself only for `system` users.
    pub async fn get_user(&self, p: &Principal, username: &str) -> Result<User> {
        let row = self.managed_user(p, username).await?;
        let token = match row.system != 0 {
            true => self.m2m_of(&row, true)?.and_then(|m| m.token),
            false => None,
        };
        Ok(User {
            m2m_token: token,
            ..self.user_view(row)
        })
    }

    /// The user an admin acts on: the caller must be an admin, the module on.
    pub(crate) async fn managed_user(&self, p: &Principal, username: &str) -> Result<UserRow> {
        p.require_admin()?;
        self.require_module("admin_users")?;
        self.store()
            .user_by_username(&normalize_username(username))
            .await?
            .ok_or(Error::NotFound)
    }

    pub async fn create_user(
        &self,
        p: &Principal,
        input: &NewUserInput,
        meta: &RequestMeta,
    ) -> Result<User> {
        p.require_admin()?;
        self.require_module("admin_users")?;
        let row = self.insert_user(input).await?;
        self.audit(Event::by_admin("user_created", p, &row, meta))
            .await;
        // Without a password the user chooses one from the welcome mail's link. The user
        // exists either way; a mail that cannot go out is in the audit events.
        if input.password.is_none()
            && let Err(e) = self.send_welcome(&row).await
        {
            tracing::error!(error = %e, "welcome mail not queued");
        }
        Ok(self.user_view(row))
    }

    /// Validates and inserts a user (admin creation and the first admin).
    pub(crate) async fn insert_user(&self, input: &NewUserInput) -> Result<UserRow> {
        self.insert_external_user(input, None, None).await
    }

    /// Validates and inserts a user whose identity lives at `idp`, linked to `link` (SSO).
    pub(crate) async fn insert_external_user(
        &self,
        input: &NewUserInput,
        idp: Option<&str>,
        link: Option<&SsoLink<'_>>,
    ) -> Result<UserRow> {
        let username = normalize_username(&input.username);
        validate_username(&username)?;
        let password_hash = match &input.password {
            Some(pw) => {
                let normalized = check_policy("password", pw, &username)?;
                Some(self.0.hasher.hash(normalized, self.salt()).await?)
            }
            None => None,
        };
        let now = self.now_ms();
        let mut row = UserRow {
            id: random_id(self.entropy()),
            username,
            password_hash,
            firstname: String::new(),
            lastname: String::new(),
            mobile: None,
            email: None,
            system: 0,
            profile: None,
            ui_profile: None,
            registered_on: now,
            language: "en".into(),
            timezone: "UTC".into(),
            roles: "[]".into(),
            properties: "{}".into(),
            idp: idp.map(str::to_string),
            disabled: 0,
            force_change_password: 0,
            two_factor_option: "none".into(),
            two_factor_forced_email: 0,
            failed_logins: 0,
            locked_until: None,
            updated_at: now,
            ip_whitelist: "[]".into(),
            totp_secret_enc: None,
            totp_pending_enc: None,
            totp_last_step: None,
            m2m_hash: None,
            m2m_token_enc: None,
            m2m_expires_at: None,
            callbacks: "[]".into(),
        };
        apply_admin_changes(&mut row, &input.changes)?;
        self.store()
            .insert_user(
                &NewUser {
                    id: row.id.clone(),
                    username: row.username.clone(),
                    password_hash: row.password_hash.clone(),
                    firstname: row.firstname.clone(),
                    lastname: row.lastname.clone(),
                    mobile: row.mobile.clone(),
                    email: row.email.clone(),
                    system: row.system != 0,
                    profile: row.profile.clone(),
                    ui_profile: row.ui_profile.clone(),
                    language: row.language.clone(),
                    timezone: row.timezone.clone(),
                    roles: row.roles.clone(),
                    properties: row.properties.clone(),
                    force_change_password: row.force_change_password != 0,
                    disabled: row.disabled != 0,
                    two_factor_forced_email: row.two_factor_forced_email != 0,
                    idp: row.idp.clone(),
                    now,
                },
                link,
            )
            .await?;
        Ok(row)
    }

    pub async fn update_user(
        &self,
        p: &Principal,
        username: &str,
        changes: &UserChanges,
        meta: &RequestMeta,
    ) -> Result<User> {
        let mut row = self.managed_user(p, username).await?;
        let was_disabled = row.disabled != 0;
        apply_admin_changes(&mut row, changes)?;
        if row.id == p.user_id
            && (row.disabled != 0 || !parse_roles(&row.roles).iter().any(|r| r == "admin"))
        {
            return Err(Error::Conflict(
                "you cannot disable yourself or drop your own admin role".into(),
            ));
        }
        self.store()
            .update_user(&row.id, &update_of(&row, self.now_ms()))
            .await?;
        if row.disabled != 0 && !was_disabled {
            self.end_user_sessions(&row.id, None, "user_disabled")
                .await?;
        }
        self.audit(Event::by_admin("user_updated", p, &row, meta))
            .await;
        Ok(self.user_view(row))
    }

    pub async fn delete_user(
        &self,
        p: &Principal,
        username: &str,
        meta: &RequestMeta,
    ) -> Result<()> {
        let row = self.managed_user(p, username).await?;
        if row.id == p.user_id {
            return Err(Error::Conflict("you cannot delete yourself".into()));
        }
        // Revoked first, so that every instance learns of it before the rows disappear.
        self.end_user_sessions(&row.id, None, "user_deleted")
            .await?;
        self.store().delete_user(&row.id).await?;
        self.audit(Event::by_admin("user_deleted", p, &row, meta))
            .await;
        Ok(())
    }
}

fn apply_admin_changes(row: &mut UserRow, c: &UserChanges) -> Result<()> {
    apply_profile(row, &c.profile_fields)?;
    if let Some(v) = c.system {
        row.system = i64::from(v);
    }
    if let Some(v) = &c.profile {
        text("profile", v, 64)?;
        row.profile = (!v.is_empty()).then(|| v.clone());
    }
    if let Some(v) = &c.ui_profile {
        text("ui_profile", v, 64)?;
        row.ui_profile = (!v.is_empty()).then(|| v.clone());
    }
    if let Some(roles) = &c.roles {
        row.roles = validate_roles(roles)?;
    }
    if let Some(props) = &c.properties {
        if !props.is_object() {
            return Err(Error::invalid("properties", "must be a JSON object"));
        }
        let s = props.to_string();
        if s.len() > 16 * 1024 {
            return Err(Error::invalid("properties", "at most 16 KiB"));
        }
        row.properties = s;
    }
    if let Some(v) = c.disabled {
        row.disabled = i64::from(v);
    }
    if let Some(v) = c.force_change_password {
        row.force_change_password = i64::from(v);
    }
    if let Some(v) = c.two_factor_forced_email {
        row.two_factor_forced_email = i64::from(v);
    }
    Ok(())
}

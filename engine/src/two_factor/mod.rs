//! The second factor of a login: which one is due, the challenge between the password and
//! the code (opaque payload, single use, bound to its login, 5 wrong codes kill it), the email
//! code, and the user's choice of option.

mod reauth;
mod recovery;
mod totp;

pub use totp::TotpEnrolment;

use crate::Engine;
use crate::audit::Event;
use crate::error::{Error, Result};
use crate::login::{SignedIn, login_event};
use crate::mail::templates::{self, NameVars};
use crate::principal::{Principal, RequestMeta};
use crate::protection::ip_allowed;
use crate::secrets::{constant_time_eq, hash_secret, random_token};
use crate::store::{ChallengeRow, UserRow};

/// Wrong codes that kill a challenge.
const MAX_FAILURES: i64 = 5;
const TOTP_CHALLENGE_MS: i64 = 5 * 60_000;
const EMAIL_CHALLENGE_MS: i64 = 10 * 60_000;
/// An emailed code is sent again at most this often.
const RESEND_GAP_MS: i64 = 60_000;

pub const OPTIONS: [&str; 3] = ["none", "email", "totp"];

/// A second factor was asked for: what the client gets.
#[derive(Debug, Clone)]
pub struct SecondFactor {
    pub payload: String,
    pub option: String,
}

/// The 2FA step as the doors receive it.
#[derive(Debug, Clone, Default)]
pub struct SecondFactorInput {
    pub payload: String,
    pub code: String,
    /// "Trust this device": a device token comes back, and later logins with it skip 2FA.
    pub trust_device: bool,
    /// "Trust this network": the client's network becomes a trusted location.
    pub trust_network: bool,
}

/// `GET /me/2fa`.
#[derive(Debug, Clone)]
pub struct TwoFactorStatus {
    /// The factor the user's logins ask for (`none`, `email`, `totp`).
    pub option: String,
    /// The platform or an admin requires email 2FA of this user.
    pub forced: bool,
    pub email_available: bool,
    pub totp_available: bool,
    pub recovery_codes_left: i64,
}

impl Engine {
    /// The factor the user's logins ask for: TOTP once enrolled, else email when chosen or
    /// forced and possible (an address, and the platform's 2FA template).
    pub(crate) fn required_option(&self, user: &UserRow) -> Option<&'static str> {
        if user.two_factor_option == "totp" && user.totp_secret_enc.is_some() {
            return Some("totp");
        }
        let wants_email = user.two_factor_option == "email" || self.forced(user);
        (wants_email && self.email_possible(user)).then_some("email")
    }

    pub(crate) fn has_second_factor(&self, user: &UserRow) -> bool {
        self.required_option(user).is_some()
    }

    fn forced(&self, user: &UserRow) -> bool {
        user.email.is_some()
            && (self.settings().force_two_factor || user.two_factor_forced_email != 0)
    }

    fn email_possible(&self, user: &UserRow) -> bool {
        user.email.is_some() && self.settings().two_factor_mail_template.is_some()
    }

    /// The factor due for this login, unless a trusted device or location skips it.
    pub(crate) async fn second_factor_due(
        &self,
        user: &UserRow,
        device_token: Option<&str>,
        meta: &RequestMeta,
    ) -> Result<Option<&'static str>> {
        let Some(option) = self.required_option(user) else {
            return Ok(None);
        };
        if let Some(token) = device_token.filter(|t| !t.is_empty() && t.len() <= 100)
            && self
                .store()
                .use_device(&user.id, &hash_secret(token), self.now_ms())
                .await?
        {
            return Ok(None);
        }
        if self.in_trusted_location(&user.id, meta.ip).await? {
            return Ok(None);
        }
        Ok(Some(option))
    }

    /// Opens the challenge of a login whose first factor (`amr`) passed; mails the code for
    /// the email option.
    pub(crate) async fn start_second_factor(
        &self,
        user: &UserRow,
        option: &str,
        amr: &[&str],
        meta: &RequestMeta,
    ) -> Result<SecondFactor> {
        let now = self.now_ms();
        let payload = random_token(self.entropy(), 32);
        let hash = hash_secret(&payload);
        let email = option == "email";
        let code = email.then(|| self.six_digits());
        self.store()
            .insert_challenge(&ChallengeRow {
                code_hash: code.as_deref().map(|c| self.code_hash(&hash, c)),
                user_id: user.id.clone(),
                option: option.to_string(),
                amr: serde_json::to_string(amr).map_err(|e| Error::internal("amr", e))?,
                failures: 0,
                created_at: now,
                sent_at: email.then_some(now),
                expires_at: now
                    + if email {
                        EMAIL_CHALLENGE_MS
                    } else {
                        TOTP_CHALLENGE_MS
                    },
                used_at: None,
                hash,
            })
            .await?;
        if let Some(code) = code {
            self.mail_code(user, &code).await?;
        }
        self.audit(
            login_event(
                "second_factor",
                Some(&user.id),
                &user.username,
                amr.first().map_or("password", |m| first_method(m)),
                meta,
            )
            .field("option", option),
        )
        .await;
        Ok(SecondFactor {
            payload,
            option: option.to_string(),
        })
    }

    /// The 2FA step: the code (or a recovery code) of a live challenge completes the login.
    pub async fn complete_second_factor(
        &self,
        input: &SecondFactorInput,
        meta: &RequestMeta,
    ) -> Result<SignedIn> {
        let now = self.now_ms();
        let hash = hash_secret(&input.payload);
        let challenge = match self.store().challenge(&hash).await? {
            Some(c)
                if matches!(c.option.as_str(), "email" | "totp")
                    && c.used_at.is_none()
                    && c.expires_at > now
                    && c.failures < MAX_FAILURES =>
            {
                c
            }
            other => {
                // A dead payload of a known user is one of that user's attempts.
                let user = match other {
                    Some(c) => self.store().user_by_id(&c.user_id).await?,
                    None => None,
                };
                let event = match &user {
                    Some(u) => login_event("failure", Some(&u.id), &u.username, "2fa", meta),
                    None => Event::new("login", "failure").ip(meta).detail(
                        serde_json::json!({ "method": "2fa", "user_agent": meta.user_agent }),
                    ),
                };
                self.audit(event.field("reason", "challenge_invalid")).await;
                return Err(Error::InvalidCredentials);
            }
        };
        let user = self
            .store()
            .user_by_id(&challenge.user_id)
            .await?
            .ok_or(Error::InvalidCredentials)?;
        let refuse = |reason: &'static str, method: &'static str| {
            let event = login_event("failure", Some(&user.id), &user.username, method, meta)
                .field("reason", reason);
            async move {
                self.audit(event).await;
                Err(Error::InvalidCredentials)
            }
        };
        let option: &'static str = if challenge.option == "email" {
            "email"
        } else {
            "totp"
        };
        if !ip_allowed(&user.ip_whitelist, meta.ip) {
            return refuse("ip_not_allowed", option).await;
        }
        if user.locked_until.is_some_and(|t| t > now) {
            return refuse("locked", option).await;
        }
        if user.disabled != 0 {
            return refuse("disabled", option).await;
        }
        let Some(method) = self.check_code(&user, &challenge, &input.code).await? else {
            self.store()
                .count_challenge_failure(&hash, MAX_FAILURES)
                .await?;
            return refuse("wrong_code", option).await;
        };
        if !self
            .store()
            .consume_challenge(&hash, now, MAX_FAILURES)
            .await?
        {
            return refuse("challenge_invalid", option).await;
        }
        let mut amr: Vec<String> = serde_json::from_str(&challenge.amr).unwrap_or_default();
        amr.push(amr_of(method).into());
        amr.push("mfa".into());
        let amr: Vec<&str> = amr.iter().map(String::as_str).collect();
        let device_token = if input.trust_device {
            Some(self.trust_device(&user, meta).await?)
        } else {
            None
        };
        if input.trust_network {
            self.trust_network(&user, meta).await?;
        }
        let tokens = self.sign_in(&user, &amr, method, meta).await?;
        Ok(SignedIn {
            tokens,
            device_token,
        })
    }

    /// Mails a new code for an email challenge, at most once a minute; the count of wrong
    /// codes stays.
    pub async fn resend_second_factor(&self, payload: &str, meta: &RequestMeta) -> Result<()> {
        let now = self.now_ms();
        let hash = hash_secret(payload);
        let challenge = self
            .store()
            .challenge(&hash)
            .await?
            .filter(|c| {
                c.option == "email"
                    && c.used_at.is_none()
                    && c.expires_at > now
                    && c.failures < MAX_FAILURES
            })
            .ok_or(Error::InvalidCredentials)?;
        let wait = |since: i64| Error::RateLimited {
            retry_after: u64::try_from((RESEND_GAP_MS - (now - since)).max(1_000) / 1_000)
                .unwrap_or(60),
        };
        if let Some(sent) = challenge.sent_at
            && now - sent < RESEND_GAP_MS
        {
            return Err(wait(sent));
        }
        let user = self
            .store()
            .user_by_id(&challenge.user_id)
            .await?
            .ok_or(Error::InvalidCredentials)?;
        let code = self.six_digits();
        if !self
            .store()
            .renew_challenge_code(
                &hash,
                &self.code_hash(&hash, &code),
                now,
                RESEND_GAP_MS,
                MAX_FAILURES,
            )
            .await?
        {
            return Err(wait(now));
        }
        self.mail_code(&user, &code).await?;
        self.audit(
            Event::new("two_factor_code_resent", "success")
                .user(Some(&user.id), &user.username)
                .ip(meta),
        )
        .await;
        Ok(())
    }

    /// The method a code proves for this challenge, or None. Six digits are the TOTP or the
    /// emailed code; anything else may be a recovery code.
    async fn check_code(
        &self,
        user: &UserRow,
        c: &ChallengeRow,
        code: &str,
    ) -> Result<Option<&'static str>> {
        let code = code.trim();
        if is_six_digits(code) {
            return Ok(match c.option.as_str() {
                "totp" => self.accept_totp(user, code).await?.then_some("totp"),
                "email" => c
                    .code_hash
                    .as_deref()
                    .filter(|h| {
                        constant_time_eq(h.as_bytes(), self.code_hash(&c.hash, code).as_bytes())
                    })
                    .map(|_| "email"),
                _ => None,
            });
        }
        Ok(self
            .use_recovery_code(user, code)
            .await?
            .then_some("recovery_code"))
    }

    /// Six decimal digits, uniform (rejection sampling over the CSPRNG).
    fn six_digits(&self) -> String {
        loop {
            let mut b = [0u8; 4];
            self.entropy().fill(&mut b);
            let v = u32::from_le_bytes(b);
            // The largest multiple of 10^6 that fits: below it every code is equally likely.
            if v < 4_294_000_000 {
                return format!("{:06}", v % 1_000_000);
            }
        }
    }

    fn code_hash(&self, challenge_hash: &str, code: &str) -> String {
        self.0.secrets.mac(&format!("2fa:{challenge_hash}"), code)
    }

    async fn mail_code(&self, user: &UserRow, code: &str) -> Result<()> {
        let settings = self.settings();
        let Some(template) = settings.two_factor_mail_template.as_deref() else {
            return Err(Error::Internal("email 2FA without a template".into()));
        };
        let vars = NameVars {
            language: Some(&user.language),
            ..Default::default()
        };
        let names = templates::candidates(template, &vars, templates::TWO_FACTOR);
        let extra = serde_json::json!({
            "code": code,
            "valid_minutes": EMAIL_CHALLENGE_MS / 60_000,
        });
        self.mail_user(user, &names, extra).await
    }

    pub async fn two_factor_status(&self, p: &Principal) -> Result<TwoFactorStatus> {
        p.require_active()?;
        self.require_module("security")?;
        let user = self.current_user(p).await?;
        Ok(TwoFactorStatus {
            option: self.required_option(&user).unwrap_or("none").into(),
            forced: self.forced(&user),
            email_available: self.email_possible(&user),
            totp_available: self.settings().totp_issuer.is_some(),
            recovery_codes_left: self.store().recovery_codes_left(&user.id).await?,
        })
    }

    /// Chooses the option. Needs a recent authentication; `email` needs an address and the
    /// platform's template; `totp` needs a confirmed enrolment; `none` is refused while 2FA is
    /// forced.
    pub async fn set_two_factor_option(
        &self,
        p: &Principal,
        option: &str,
        meta: &RequestMeta,
    ) -> Result<()> {
        p.require_active()?;
        self.require_module("security")?;
        if !OPTIONS.contains(&option) {
            return Err(Error::invalid("option", "one of none, email, totp"));
        }
        self.require_recent_auth(p).await?;
        let user = self.current_user(p).await?;
        match option {
            "none" if self.forced(&user) => {
                return Err(Error::invalid(
                    "option",
                    "two-factor authentication is required for your account",
                ));
            }
            "email" if user.email.is_none() => {
                return Err(Error::invalid("option", "add an email address first"));
            }
            "email" if !self.email_possible(&user) => {
                return Err(Error::invalid(
                    "option",
                    "email codes are not enabled on this platform",
                ));
            }
            "totp" if user.totp_secret_enc.is_none() => {
                return Err(Error::invalid(
                    "option",
                    "set up an authenticator app first (POST /api/v01/me/2fa/totp)",
                ));
            }
            "totp" => return Ok(()),
            _ => {}
        }
        self.store()
            .set_two_factor_option(&user.id, option, self.now_ms())
            .await?;
        self.audit(
            Event::new("two_factor_changed", "success")
                .actor(p)
                .ip(meta)
                .detail(serde_json::json!({ "option": option })),
        )
        .await;
        Ok(())
    }
}

/// A TOTP or emailed code, as opposed to a recovery code.
fn is_six_digits(code: &str) -> bool {
    code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit())
}

/// What the first factor of a challenge was, for the `second_factor` attempt.
fn first_method(amr: &str) -> &'static str {
    match amr {
        "pwd" => "password",
        "hwk" | "swk" => "passkey",
        _ => "sso",
    }
}

/// RFC 8176 names where one exists.
fn amr_of(method: &str) -> &'static str {
    match method {
        "totp" => "otp",
        "email" => "email",
        _ => "recovery",
    }
}

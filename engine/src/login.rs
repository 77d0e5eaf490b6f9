//! Password login and re-authentication. Every refusal is the same `InvalidCredentials`
//! after the same work (one argon2 verification); the real reason goes to the audit events,
//! which are also the user's login attempts.

use crate::Engine;
use crate::audit::Event;
use crate::error::{Error, Result};
use crate::passwords::normalize;
use crate::principal::{Principal, RequestMeta};
use crate::protection::ip_allowed;
use crate::sessions::Tokens;
use crate::store::{FailureCount, UserRow};
use crate::two_factor::SecondFactor;
use crate::users::normalize_username;

/// A password login as the doors receive it.
#[derive(Debug, Clone, Default)]
pub struct LoginInput {
    pub username: String,
    pub password: String,
    /// The trusted-device token of an earlier "trust this device".
    pub device_token: Option<String>,
    /// The BroadWorks proxy that checks the password of a BroadWorks user.
    pub proxy: Option<String>,
}

/// Where a login stands after the password.
#[derive(Debug, Clone)]
pub enum LoginOutcome {
    SignedIn(SignedIn),
    /// A second factor is due: the opaque payload for `POST /auth/2fa`, and which factor.
    SecondFactor(SecondFactor),
}

/// A complete login.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub tokens: Tokens,
    /// Only when "trust this device" was asked in the 2FA step.
    pub device_token: Option<String>,
}

impl Engine {
    pub async fn login(&self, input: &LoginInput, meta: &RequestMeta) -> Result<LoginOutcome> {
        let password = normalize("password", &input.password)?;
        let username = normalize_username(&input.username);
        let user = self.store().user_by_username(&username).await?;
        if let Some(route) = self
            .broadworks_login(user.as_ref(), input.proxy.as_deref())
            .await?
        {
            let device = input.device_token.as_deref();
            return self
                .login_through_broadworks(route, user, &username, &password, device, meta)
                .await;
        }
        let hash = user.as_ref().and_then(|u| u.password_hash.clone());
        let verified = self.0.hasher.verify(password.clone(), hash.clone()).await?;
        let now = self.now_ms();
        let refusal = match &user {
            None => Some("unknown_user"),
            Some(u) if u.password_hash.is_none() => Some("no_local_password"),
            // Before the count: outsiders of a whitelist cannot lock the account.
            Some(u) if !ip_allowed(&u.ip_whitelist, meta.ip) => Some("ip_not_allowed"),
            Some(u) if u.locked_until.is_some_and(|t| t > now) => Some("locked"),
            Some(u) if !verified.ok => Some(self.count_wrong_password(u, meta).await?),
            Some(u) if u.disabled != 0 => Some("disabled"),
            Some(_) => None,
        };
        let (Some(user), None) = (&user, refusal) else {
            let id = user.as_ref().map(|u| u.id.as_str());
            self.audit(
                login_event("failure", id, &username, "password", meta)
                    .field("reason", refusal.unwrap_or("unknown")),
            )
            .await;
            return Err(Error::InvalidCredentials);
        };
        if verified.needs_rehash {
            self.upgrade_hash(&user.id, hash, password);
        }
        self.password_accepted(user, input.device_token.as_deref(), "password", meta)
            .await
    }

    /// A login whose password was right: failures forgotten, then the second factor when
    /// one is due, else the session.
    pub(crate) async fn password_accepted(
        &self,
        user: &UserRow,
        device_token: Option<&str>,
        method: &str,
        meta: &RequestMeta,
    ) -> Result<LoginOutcome> {
        if user.failed_logins != 0 {
            self.store().clear_failed_logins(&user.id).await?;
        }
        match self.second_factor_due(user, device_token, meta).await? {
            Some(option) => {
                let challenge = self
                    .start_second_factor(user, option, &["pwd"], meta)
                    .await?;
                Ok(LoginOutcome::SecondFactor(challenge))
            }
            None => {
                let tokens = self.sign_in(user, &["pwd"], method, meta).await?;
                Ok(LoginOutcome::SignedIn(SignedIn {
                    tokens,
                    device_token: None,
                }))
            }
        }
    }

    /// Counts a wrong password; the reason recorded for it.
    pub(crate) async fn count_wrong_password(
        &self,
        user: &UserRow,
        meta: &RequestMeta,
    ) -> Result<&'static str> {
        let settings = self.settings();
        let now = self.now_ms();
        let until = now + i64::from(settings.lockout_duration_minutes) * 60_000;
        let count = self
            .store()
            .count_failed_login(&user.id, i64::from(settings.lockout_threshold), now, until)
            .await?;
        Ok(match count {
            FailureCount::Counted => "wrong_password",
            FailureCount::AlreadyLocked => "locked",
            FailureCount::Locked => {
                self.audit(
                    Event::new("account_locked", "success")
                        .user(Some(&user.id), &user.username)
                        .ip(meta)
                        .detail(serde_json::json!({
                            "until": crate::clock::from_unix_ms(until).to_rfc3339(),
                            "threshold": settings.lockout_threshold,
                        })),
                )
                .await;
                "wrong_password"
            }
        })
    }

    /// Opens the session of a complete login and records it.
    pub(crate) async fn sign_in(
        &self,
        user: &UserRow,
        amr: &[&str],
        method: &str,
        meta: &RequestMeta,
    ) -> Result<Tokens> {
        let tokens = self.open_session(user, amr, meta).await?;
        self.audit(
            login_event("success", Some(&user.id), &user.username, method, meta)
                .field("session", tokens.session_id.clone()),
        )
        .await;
        Ok(tokens)
    }

    /// Stores a hash with the current parameters, off the request's path.
    fn upgrade_hash(&self, user_id: &str, old: Option<String>, password: String) {
        let (engine, user_id) = (self.clone(), user_id.to_string());
        tokio::spawn(async move {
            let Some(old) = old else { return };
            let result = async {
                let new = engine.0.hasher.hash(password, engine.salt()).await?;
                engine
                    .store()
                    .upgrade_password_hash(&user_id, &old, &new)
                    .await
            };
            if let Err(e) = result.await {
                tracing::warn!(error = %e, "password hash upgrade failed");
            }
        });
    }

    /// The signed-in user's password asked again (re-authentication, password change): refused
    /// while the account is locked, and a wrong one counts toward the lockout as at login, so
    /// a stolen session cannot guess it. The reason of a refusal, or None.
    pub(crate) async fn recheck_password(
        &self,
        user: &UserRow,
        password: String,
        meta: &RequestMeta,
    ) -> Result<Option<&'static str>> {
        if user.locked_until.is_some_and(|t| t > self.now_ms()) {
            return Ok(Some("locked"));
        }
        // A BroadWorks user's password is checked by BroadWorks, everyone else's here. When
        // BroadWorks cannot answer, the refusal is a login's: the same error, and not counted.
        let ok = match self.check_broadworks_password(user, &password).await {
            Ok(Some(ok)) => ok,
            Ok(None) => {
                let hash = user.password_hash.clone();
                self.0.hasher.verify(password, hash).await?.ok
            }
            Err(Error::Unavailable { .. }) => return Ok(Some("broadworks_unreachable")),
            Err(e) => return Err(e),
        };
        if ok {
            return Ok(None);
        }
        self.count_wrong_password(user, meta).await.map(Some)
    }

    /// Re-authentication with the password (and the second factor when the user has one):
    /// this session may make sensitive changes for `tokens.reauth_window`.
    pub async fn reauth_with_password(
        &self,
        p: &Principal,
        password: &str,
        code: Option<&str>,
        meta: &RequestMeta,
    ) -> Result<()> {
        let session = p.session()?;
        let password = normalize("password", password)?;
        let user = self.current_user(p).await?;
        let mut refusal = self.recheck_password(&user, password, meta).await?;
        if refusal.is_none() && !self.check_reauth_code(&user, session, code).await? {
            // Wrong codes count toward the lockout too: the password alone must not let a
            // stolen session guess the code.
            refusal = Some(match self.count_wrong_password(&user, meta).await? {
                "locked" => "locked",
                _ => "wrong_code",
            });
        }
        if let Some(reason) = refusal {
            self.audit(
                Event::new("reauth", "failure")
                    .actor(p)
                    .ip(meta)
                    .detail(serde_json::json!({ "reason": reason })),
            )
            .await;
            return Err(Error::InvalidCredentials);
        }
        if user.failed_logins != 0 {
            self.store().clear_failed_logins(&user.id).await?;
        }
        self.store()
            .mark_authenticated(session, self.now_ms())
            .await?;
        self.audit(Event::new("reauth", "success").actor(p).ip(meta))
            .await;
        Ok(())
    }
}

/// A `login` audit event: one login attempt of the user.
pub(crate) fn login_event(
    outcome: &'static str,
    user_id: Option<&str>,
    username: &str,
    method: &str,
    meta: &RequestMeta,
) -> Event {
    Event::new("login", outcome)
        .user(user_id, username)
        .ip(meta)
        .detail(serde_json::json!({ "method": method, "user_agent": meta.user_agent }))
}

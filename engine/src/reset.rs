//! Single-use set-password links: the first admin's, the welcome mail's and the password
//! reset's. All are consumed by [`Engine::confirm_password_reset`].

use crate::Engine;
use crate::audit::Event;
use crate::error::{Error, Result};
use crate::mail::Mail;
use crate::mail::templates::{self, NameVars};
use crate::passwords::check_policy;
use crate::principal::RequestMeta;
use crate::secrets::{hash_secret, random_token};
use crate::store::UserRow;
use crate::users::normalize_username;
use crate::workflows::Subject;

pub(crate) const SET_PASSWORD: &str = "set_password";
pub(crate) const RESET_PASSWORD: &str = "reset_password";

/// A reset link works this long.
const RESET_LINK_MS: i64 = 20 * 60 * 1000;
/// At most one reset mail per user in this time (the answer does not change).
const RESET_INTERVAL_MS: i64 = 5 * 60 * 1000;

/// `POST /auth/reset_password`: the request values choose the mail template.
#[derive(Debug, Clone, Default)]
pub struct ResetRequest {
    pub username: String,
    pub ui_id: Option<String>,
    pub ui_language: Option<String>,
    pub proxy: Option<String>,
}

impl Engine {
    /// A new single-use link token for `user_id`; earlier unused ones of the purpose die.
    pub(crate) async fn issue_link_token(
        &self,
        user_id: &str,
        purpose: &str,
        valid_ms: i64,
    ) -> Result<String> {
        let token = random_token(self.entropy(), 32);
        let now = self.now_ms();
        self.store()
            .insert_one_time(&hash_secret(&token), user_id, purpose, now, now + valid_ms)
            .await?;
        Ok(token)
    }

    /// The link shown or mailed for a token, always built from `server.public_url`. The token
    /// travels in the fragment, which browsers never send to servers or in `Referer`.
    pub fn set_password_link(&self, token: &str) -> String {
        let base = self
            .config()
            .server
            .public_url
            .as_str()
            .trim_end_matches('/');
        format!("{base}/set-password#token={token}")
    }

    /// Starts a reset and returns at once, the same way for every username: the lookup, the
    /// limits and the mail or workflow happen in the background, so neither the answer nor
    /// its timing tells whether the user exists.
    pub fn request_password_reset(&self, req: ResetRequest, meta: &RequestMeta) {
        let Ok(permit) = self.0.background.clone().try_acquire_owned() else {
            tracing::warn!("too many password resets in progress; one was dropped");
            return;
        };
        let engine = self.clone();
        let meta = meta.clone();
        tokio::spawn(async move {
            if let Err(e) = engine.reset_in_background(&req, &meta).await {
                tracing::error!(error = %e, "password reset failed");
            }
            drop(permit);
        });
    }

    async fn reset_in_background(&self, req: &ResetRequest, meta: &RequestMeta) -> Result<()> {
        let username = normalize_username(&req.username);
        let user = if username.len() <= 256 {
            self.store().user_by_username(&username).await?
        } else {
            None
        };
        // What anyone may type is recorded, but not without bound.
        let shown: String = username.chars().take(128).collect();
        let refused = |reason: &str| {
            Event::new("password_reset_requested", "failure")
                .user(user.as_ref().map(|u| u.id.as_str()), &shown)
                .ip(meta)
                .detail(serde_json::json!({ "reason": reason }))
        };
        let Some(user) = &user else {
            self.audit(refused("unknown_user")).await;
            return Ok(());
        };
        let settings = self.settings();
        let workflow = settings.reset_password_notification_workflow.as_ref();
        let reason = if user.disabled != 0 {
            Some("disabled")
        } else if !self.password_resettable(user).await? {
            Some("external_identity")
        } else if user.email.is_none() && workflow.is_none() {
            Some("no_email")
        } else {
            None
        };
        if let Some(reason) = reason {
            self.audit(refused(reason)).await;
            return Ok(());
        }
        let now = self.now_ms();
        if let Some(last) = self.store().last_one_time(&user.id, RESET_PASSWORD).await?
            && now - last < RESET_INTERVAL_MS
        {
            self.audit(refused("too_soon")).await;
            return Ok(());
        }
        let token = self
            .issue_link_token(&user.id, RESET_PASSWORD, RESET_LINK_MS)
            .await?;
        self.audit(
            Event::new("password_reset_requested", "success")
                .user(Some(&user.id), &user.username)
                .ip(meta),
        )
        .await;
        if let Some(wf) = workflow {
            let params = serde_json::json!({
                "username": user.username,
                "token": token,
                "email": user.email,
            });
            self.call_workflow("reset_password_notification", wf, params, subject(user))
                .await;
            return Ok(());
        }
        let vars = NameVars {
            ui_id: req.ui_id.as_deref(),
            ui_language: req.ui_language.as_deref(),
            proxy: req.proxy.as_deref(),
            language: Some(&user.language),
        };
        let names = templates::candidates(
            &settings.reset_password_mail_template,
            &vars,
            templates::RESET_PASSWORD,
        );
        let extra = serde_json::json!({
            "link": self.set_password_link(&token),
            "valid_minutes": RESET_LINK_MS / 60_000,
        });
        self.mail_user(user, &names, extra).await
    }

    /// Sends the welcome mail with a set-password link to a user created without a password.
    pub(crate) async fn send_welcome(&self, user: &UserRow) -> Result<()> {
        let ttl = self.config().tokens.welcome_link_ttl;
        let token = self
            .issue_link_token(
                &user.id,
                SET_PASSWORD,
                i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX),
            )
            .await?;
        let settings = self.settings();
        let vars = NameVars {
            language: Some(&user.language),
            ..Default::default()
        };
        let names =
            templates::candidates(&settings.welcome_mail_template, &vars, templates::WELCOME);
        let extra = serde_json::json!({
            "link": self.set_password_link(&token),
            "valid_days": ttl.as_secs().div_ceil(86_400),
        });
        self.mail_user(user, &names, extra).await
    }

    /// Renders the first template of `names` that exists for the user and queues it.
    pub(crate) async fn mail_user(
        &self,
        user: &UserRow,
        names: &[String],
        extra: serde_json::Value,
    ) -> Result<()> {
        let Some(to) = &user.email else {
            self.audit(
                Event::new("mail_sent", "failure")
                    .user(Some(&user.id), &user.username)
                    .detail(
                        serde_json::json!({"template": names.first(), "error": "no email address"}),
                    ),
            )
            .await;
            return Ok(());
        };
        let (name, template) = self.first_template(names).await?;
        let mut ctx = serde_json::json!({
            "label": self.label(),
            "username": user.username,
            "firstname": user.firstname,
            "lastname": user.lastname,
        });
        if let (Some(ctx), serde_json::Value::Object(extra)) = (ctx.as_object_mut(), extra) {
            ctx.extend(extra);
        }
        let content = templates::render(&template, &ctx)?;
        self.send_mail(Mail {
            to: to.clone(),
            user_id: user.id.clone(),
            username: user.username.clone(),
            template: name,
            content,
        })
        .await;
        Ok(())
    }

    /// Consumes a set-password or reset token: the password is set (policy enforced), the
    /// account unlocked, every session and every other link of the user ended, the post-reset
    /// workflow called. Issues no tokens.
    pub async fn confirm_password_reset(
        &self,
        token: &str,
        password: &str,
        meta: &RequestMeta,
    ) -> Result<()> {
        let hash = hash_secret(token);
        let user = match self.store().peek_one_time(&hash, self.now_ms()).await? {
            Some(user_id) => self.store().user_by_id(&user_id).await?,
            None => None,
        };
        let Some(user) = user else {
            return Err(Error::InvalidLinkToken);
        };
        let normalized = check_policy("password", password, &user.username)?;
        // A BroadWorks user's password is set there (first: a refusal keeps the link), and
        // nothing is stored here.
        let new_hash = if self
            .set_broadworks_password(&user, "password", &normalized)
            .await?
        {
            None
        } else {
            Some(self.0.hasher.hash(normalized.clone(), self.salt()).await?)
        };
        // Consumed only now, so a refused password does not burn the link; of two concurrent
        // uses one wins.
        if self
            .store()
            .consume_one_time(&hash, &[SET_PASSWORD, RESET_PASSWORD], self.now_ms())
            .await?
            .is_none()
        {
            return Err(Error::InvalidLinkToken);
        }
        let now = self.now_ms();
        match &new_hash {
            Some(hash) => {
                self.store()
                    .set_password_hash(&user.id, hash, false, now)
                    .await?
            }
            None => self.store().unlock_user(&user.id, now).await?,
        }
        self.store().end_one_time(&user.id, now).await?;
        self.end_user_sessions(&user.id, None, "password_reset")
            .await?;
        self.audit(
            Event::new("password_reset", "success")
                .user(Some(&user.id), &user.username)
                .ip(meta),
        )
        .await;
        if let Some(wf) = self.settings().post_reset_password_workflow.clone() {
            let engine = self.clone();
            tokio::spawn(async move {
                let params = serde_json::json!({"username": user.username, "password": normalized});
                engine
                    .call_workflow("post_reset_password", &wf, params, subject(&user))
                    .await;
            });
        }
        Ok(())
    }
}

fn subject(user: &UserRow) -> Subject<'_> {
    Subject {
        user_id: &user.id,
        username: &user.username,
    }
}

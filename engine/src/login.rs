//! Password login and re-authentication. Every refusal is the same `InvalidCredentials`
//! after the same work (one argon2 verification); the real reason goes to the audit events.

use crate::Engine;
use crate::audit::Event;
use crate::error::{Error, Result};
use crate::passwords::normalize;
use crate::principal::{Principal, RequestMeta};
use crate::sessions::Tokens;
use crate::users::normalize_username;

impl Engine {
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        meta: &RequestMeta,
    ) -> Result<Tokens> {
        let password = normalize("password", password)?;
        let username = normalize_username(username);
        let user = self.store().user_by_username(&username).await?;
        let hash = user.as_ref().and_then(|u| u.password_hash.clone());
        let verified = self.0.hasher.verify(password.clone(), hash.clone()).await?;
        let now = self.now_ms();
        let refusal = match &user {
            None => Some("unknown_user"),
            Some(u) if u.password_hash.is_none() => Some("no_local_password"),
            Some(_) if !verified.ok => Some("wrong_password"),
            Some(u) if u.disabled != 0 => Some("disabled"),
            Some(u) if u.locked_until.is_some_and(|t| t > now) => Some("locked"),
            Some(_) => None,
        };
        let (Some(user), None) = (user, refusal) else {
            let id = None::<&str>;
            self.audit(Event::new("login", "failure").user(id, &username).ip(meta).detail(serde_json::json!({
                "method": "password", "reason": refusal.unwrap_or("unknown"), "user_agent": meta.user_agent,
            })))
            .await;
            return Err(Error::InvalidCredentials);
        };
        if verified.needs_rehash {
            self.upgrade_hash(&user.id, hash, password);
        }
        let tokens = self.open_session(&user, &["pwd"], meta).await?;
        self.audit(Event::new("login", "success").user(Some(&user.id), &user.username).ip(meta).detail(serde_json::json!({
            "method": "password", "session": tokens.session_id, "user_agent": meta.user_agent,
        })))
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

    /// Re-authentication with the password: this session may make sensitive changes for
    /// `tokens.reauth_window`.
    pub async fn reauth_with_password(
        &self,
        p: &Principal,
        password: &str,
        meta: &RequestMeta,
    ) -> Result<()> {
        let password = normalize("password", password)?;
        let user = self
            .store()
            .user_by_id(&p.user_id)
            .await?
            .ok_or(Error::InvalidToken)?;
        let verified = self
            .0
            .hasher
            .verify(password, user.password_hash.clone())
            .await?;
        if !verified.ok {
            self.audit(
                Event::new("reauth", "failure")
                    .actor(p)
                    .ip(meta)
                    .detail(serde_json::json!({"reason": "wrong_password"})),
            )
            .await;
            return Err(Error::InvalidCredentials);
        }
        self.store()
            .mark_authenticated(&p.session_id, self.now_ms())
            .await?;
        self.audit(Event::new("reauth", "success").actor(p).ip(meta))
            .await;
        Ok(())
    }
}

//! Single-use set-password links (first admin now; reset and welcome mails use the same).

use crate::Engine;
use crate::audit::Event;
use crate::error::{Error, Result};
use crate::passwords::check_policy;
use crate::principal::RequestMeta;
use crate::secrets::{hash_secret, random_token};

pub(crate) const SET_PASSWORD: &str = "set_password";
pub(crate) const RESET_PASSWORD: &str = "reset_password";

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

    /// Consumes a set-password or reset token: the password is set (policy enforced), the
    /// account unlocked, every session ended. Issues no tokens.
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
        let new_hash = self.0.hasher.hash(normalized, self.salt()).await?;
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
        self.store()
            .set_password_hash(&user.id, &new_hash, false, self.now_ms())
            .await?;
        self.end_user_sessions(&user.id, None, "password_reset")
            .await?;
        self.audit(
            Event::new("password_reset", "success")
                .user(Some(&user.id), &user.username)
                .ip(meta),
        )
        .await;
        Ok(())
    }
}

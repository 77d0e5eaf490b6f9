//! The second factor of a re-authentication ("confirm it is you"): the authenticator's code
//! for TOTP users; for email-2FA users a code mailed on request for this session; a recovery
//! code for either. The mailed code lives in the challenges table under a key no login payload
//! can hash to, so it can never complete a login, nor a login's code a re-authentication.

use super::{EMAIL_CHALLENGE_MS, MAX_FAILURES, RESEND_GAP_MS, is_six_digits};
use crate::Engine;
use crate::audit::Event;
use crate::error::{Error, Result};
use crate::principal::{Principal, RequestMeta};
use crate::secrets::constant_time_eq;
use crate::store::{ChallengeRow, UserRow};

/// The option of a mailed re-authentication code in the challenges table.
const OPTION: &str = "reauth_email";

/// The challenge key of a session's mailed code. Login payloads are looked up by their
/// SHA-256 in hex, which never holds a colon.
fn key(session_id: &str) -> String {
    format!("reauth:{session_id}")
}

impl Engine {
    /// The code "confirm it is you" asks for besides the password: `totp`, `email`, or none.
    pub async fn reauth_code_option(&self, p: &Principal) -> Result<Option<&'static str>> {
        let user = self.current_user(p).await?;
        Ok(self.required_option(&user))
    }

    /// Mails a code with which this session re-authenticates, to a user of email 2FA; at
    /// most once a minute. A new code replaces the last; wrong codes still count.
    pub async fn send_reauth_code(&self, p: &Principal, meta: &RequestMeta) -> Result<()> {
        let session = p.session()?;
        let user = self.current_user(p).await?;
        if self.required_option(&user) != Some("email") {
            return Err(Error::invalid(
                "option",
                "your account does not use codes sent by email",
            ));
        }
        let now = self.now_ms();
        let hash = key(session);
        let code = self.six_digits();
        let row = ChallengeRow {
            code_hash: Some(self.code_hash(&hash, &code)),
            user_id: user.id.clone(),
            option: OPTION.into(),
            amr: "[]".into(),
            failures: 0,
            created_at: now,
            sent_at: Some(now),
            expires_at: now + EMAIL_CHALLENGE_MS,
            used_at: None,
            hash,
        };
        if let Some(sent) = self
            .store()
            .renew_reauth_challenge(&row, RESEND_GAP_MS, MAX_FAILURES)
            .await?
        {
            let wait = (RESEND_GAP_MS - (now - sent)).max(1_000) / 1_000;
            return Err(Error::RateLimited {
                retry_after: u64::try_from(wait).unwrap_or(60),
            });
        }
        self.mail_code(&user, &code).await?;
        self.audit(Event::new("reauth_code_sent", "success").actor(p).ip(meta))
            .await;
        Ok(())
    }

    /// Whether `code` is this user's second factor for re-authenticating `session`: a TOTP
    /// code, the code mailed for the session, or a recovery code. True without a code for
    /// users without a second factor.
    pub(crate) async fn check_reauth_code(
        &self,
        user: &UserRow,
        session: &str,
        code: Option<&str>,
    ) -> Result<bool> {
        let Some(option) = self.required_option(user) else {
            return Ok(true);
        };
        let Some(code) = code.map(str::trim) else {
            return Ok(false);
        };
        if !is_six_digits(code) {
            return self.use_recovery_code(user, code).await;
        }
        if option == "totp" {
            return self.accept_totp(user, code).await;
        }
        let hash = key(session);
        let now = self.now_ms();
        let Some(c) = self.store().challenge(&hash).await? else {
            return Ok(false);
        };
        let matches = c.user_id == user.id
            && c.option == OPTION
            && c.code_hash.as_deref().is_some_and(|h| {
                constant_time_eq(h.as_bytes(), self.code_hash(&hash, code).as_bytes())
            });
        if !matches {
            self.store()
                .count_challenge_failure(&hash, MAX_FAILURES)
                .await?;
            return Ok(false);
        }
        self.store()
            .consume_challenge(&hash, now, MAX_FAILURES)
            .await
    }
}

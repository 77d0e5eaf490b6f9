//! TOTP (RFC 6238, SHA-1, 6 digits, 30 s, ±1 step): enrolment from the profile, and codes
//! accepted once each (a replay inside the window is refused). Seeds are kept encrypted.

use crate::Engine;
use crate::audit::Event;
use crate::error::{Error, Result};
use crate::principal::{Principal, RequestMeta};
use crate::secrets::constant_time_eq;
use crate::store::UserRow;
use totp_rs::{Algorithm, Secret, TOTP};

const STEP_SECS: i64 = 30;
const SEED_BYTES: usize = 20;

/// What the user needs to add the account to an authenticator app.
#[derive(Debug, Clone)]
pub struct TotpEnrolment {
    /// Base32, for manual entry.
    pub secret: String,
    pub otpauth_uri: String,
    pub qr_svg: String,
}

fn totp(base32: &str, issuer: Option<String>, account: &str) -> Result<TOTP> {
    let bytes = Secret::Encoded(base32.to_string())
        .to_bytes()
        .map_err(|e| Error::internal("totp seed", format!("{e:?}")))?;
    TOTP::new(
        Algorithm::SHA1,
        6,
        1,
        STEP_SECS as u64,
        bytes,
        issuer,
        account.to_string(),
    )
    .map_err(|e| Error::internal("totp", e))
}

/// The time step (within ±1 of `now_secs`) whose code is `code`.
fn matching_step(t: &TOTP, code: &str, now_secs: i64) -> Option<i64> {
    let current = now_secs.div_euclid(STEP_SECS);
    [current - 1, current, current + 1]
        .into_iter()
        .find(|step| {
            let at = u64::try_from(step * STEP_SECS).unwrap_or(0);
            constant_time_eq(t.generate(at).as_bytes(), code.as_bytes())
        })
}

impl Engine {
    /// Whether `code` is the user's current TOTP code, accepting each step once.
    pub(crate) async fn accept_totp(&self, user: &UserRow, code: &str) -> Result<bool> {
        let Some(sealed) = &user.totp_secret_enc else {
            return Ok(false);
        };
        let seed = self.0.secrets.open(sealed)?;
        let Some(step) = matching_step(
            &totp(&seed, None, &user.username)?,
            code,
            self.now().timestamp(),
        ) else {
            return Ok(false);
        };
        self.store().accept_totp_step(&user.id, step).await
    }

    /// Starts an enrolment (needs a recent authentication): a new seed, kept aside until a
    /// code from it confirms it.
    pub async fn start_totp_enrolment(&self, p: &Principal) -> Result<TotpEnrolment> {
        p.require_active()?;
        self.require_module("security")?;
        let Some(issuer) = self.settings().totp_issuer.clone() else {
            return Err(Error::invalid(
                "option",
                "TOTP is not enabled on this platform",
            ));
        };
        self.require_recent_auth(p).await?;
        let mut seed = [0u8; SEED_BYTES];
        self.entropy().fill(&mut seed);
        let base32 = Secret::Raw(seed.to_vec()).to_encoded().to_string();
        let t = totp(&base32, Some(issuer), &p.username)?;
        let sealed = self.0.secrets.seal(self.entropy(), &base32)?;
        self.store()
            .set_totp_pending(&p.user_id, &sealed, self.now_ms())
            .await?;
        let otpauth_uri = t.get_url();
        let qr_svg = qrcode::QrCode::new(otpauth_uri.as_bytes())
            .map_err(|e| Error::internal("qr code", e))?
            .render::<qrcode::render::svg::Color>()
            .min_dimensions(200, 200)
            .build();
        Ok(TotpEnrolment {
            secret: base32,
            otpauth_uri,
            qr_svg,
        })
    }

    /// Confirms the pending enrolment with a code from the app: TOTP becomes the option.
    pub async fn confirm_totp(&self, p: &Principal, code: &str, meta: &RequestMeta) -> Result<()> {
        p.require_active()?;
        self.require_module("security")?;
        let user = self.current_user(p).await?;
        let Some(pending) = user.totp_pending_enc.as_deref() else {
            return Err(Error::invalid(
                "code",
                "start the authenticator setup first",
            ));
        };
        let seed = self.0.secrets.open(pending)?;
        let step = matching_step(
            &totp(&seed, None, &user.username)?,
            code.trim(),
            self.now().timestamp(),
        )
        .ok_or_else(|| Error::invalid("code", "this is not the app's current code"))?;
        if !self
            .store()
            .confirm_totp(&user.id, pending, step, self.now_ms())
            .await?
        {
            return Err(Error::Conflict("the setup was restarted meanwhile".into()));
        }
        self.audit(
            Event::new("two_factor_changed", "success")
                .actor(p)
                .ip(meta)
                .detail(serde_json::json!({ "option": "totp" })),
        )
        .await;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6238_vector_and_window() {
        // RFC 6238 appendix B, SHA-1 seed "12345678901234567890", T = 59 s: 94287082 (8
        // digits); the 6-digit code is its last six.
        let base32 = Secret::Raw(b"12345678901234567890".to_vec())
            .to_encoded()
            .to_string();
        let t = totp(&base32, None, "u").unwrap();
        assert_eq!(t.generate(59), "287082");
        assert_eq!(matching_step(&t, "287082", 59), Some(1));
        assert_eq!(
            matching_step(&t, "287082", 59 + 30),
            Some(1),
            "one step late"
        );
        assert_eq!(matching_step(&t, "287082", 59 + 60), None, "two steps late");
    }
}

//! Recovery codes: 10 single-use codes for when the second factor is out of reach, shown
//! once, stored as keyed hashes, regenerated after a re-authentication.

use crate::Engine;
use crate::audit::Event;
use crate::error::{Error, Result};
use crate::principal::{Principal, RequestMeta};
use crate::store::UserRow;

const COUNT: usize = 10;
/// Without 0/o, 1/i/l: codes are read and typed by people.
const ALPHABET: &[u8] = b"23456789abcdefghjkmnpqrstuvwxyz";
/// Characters per code (two groups of five): 31^10 ≈ 2^49.
const LENGTH: usize = 10;

/// The canonical form of a typed code: lower case, without spaces or dashes.
fn canonical(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

impl Engine {
    /// New recovery codes (the old ones stop working). Needs a recent authentication and a
    /// second factor to recover from.
    pub async fn regenerate_recovery_codes(
        &self,
        p: &Principal,
        meta: &RequestMeta,
    ) -> Result<Vec<String>> {
        p.require_active()?;
        self.require_module("security")?;
        self.require_recent_auth(p).await?;
        let user = self.current_user(p).await?;
        if !self.has_second_factor(&user) {
            return Err(Error::invalid(
                "option",
                "recovery codes need a second factor: turn on email or TOTP first",
            ));
        }
        let codes: Vec<String> = (0..COUNT).map(|_| self.recovery_code()).collect();
        let hashes: Vec<String> = codes
            .iter()
            .map(|c| self.recovery_hash(&user.id, &canonical(c)))
            .collect();
        self.store()
            .replace_recovery_codes(&user.id, &hashes, self.now_ms())
            .await?;
        self.audit(
            Event::new("recovery_codes_generated", "success")
                .actor(p)
                .ip(meta),
        )
        .await;
        Ok(codes)
    }

    /// Uses one of the user's recovery codes up.
    pub(crate) async fn use_recovery_code(&self, user: &UserRow, code: &str) -> Result<bool> {
        let code = canonical(code);
        if code.len() != LENGTH || !code.bytes().all(|b| ALPHABET.contains(&b)) {
            return Ok(false);
        }
        self.store()
            .use_recovery_code(
                &user.id,
                &self.recovery_hash(&user.id, &code),
                self.now_ms(),
            )
            .await
    }

    fn recovery_hash(&self, user_id: &str, canonical: &str) -> String {
        self.0
            .secrets
            .mac(&format!("recovery:{user_id}"), canonical)
    }

    /// `xxxxx-xxxxx`, uniform over the alphabet (rejection sampling).
    fn recovery_code(&self) -> String {
        let limit = (256 / ALPHABET.len() * ALPHABET.len()) as u8;
        let mut out = String::with_capacity(LENGTH + 1);
        while out.len() < LENGTH + 1 {
            let mut b = [0u8; 1];
            self.entropy().fill(&mut b);
            if b[0] < limit {
                if out.len() == LENGTH / 2 {
                    out.push('-');
                }
                out.push(char::from(ALPHABET[usize::from(b[0]) % ALPHABET.len()]));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_codes_are_canonical() {
        assert_eq!(canonical(" AB2cd-EF3gh "), "ab2cdef3gh");
    }
}

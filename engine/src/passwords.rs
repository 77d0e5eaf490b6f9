//! Passwords: argon2id on a bounded blocking pool, and the password policy.

use crate::config::PasswordConfig;
use crate::error::{Error, Result};
use argon2::password_hash::SaltString;
use argon2::{Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version};
use std::collections::HashSet;
use std::sync::{
    Arc, LazyLock,
    atomic::{AtomicUsize, Ordering},
};
use tokio::sync::Semaphore;
use unicode_normalization::UnicodeNormalization;

/// Longest accepted password, in bytes: more is refused before any hashing.
pub const MAX_BYTES: usize = 1024;
pub const MIN_CHARS: usize = 8;
/// NIST's recommendation for accounts without a second factor (shown as a hint).
pub const RECOMMENDED_CHARS: usize = 15;
const PRODUCT_NAMES: [&str; 2] = ["apio", "apioauth"];

static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../data/common-passwords.txt")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .collect()
});

/// Normalises (NFKC) and checks a new password; the error says why it is refused.
pub fn check_policy(field: &str, password: &str, username: &str) -> Result<String> {
    let normalized = normalize(field, password)?;
    let chars = normalized.chars().count();
    if chars < MIN_CHARS {
        return Err(Error::invalid(
            field,
            format!("must have at least {MIN_CHARS} characters"),
        ));
    }
    let lower = normalized.to_lowercase();
    if COMMON.contains(lower.as_str()) {
        return Err(Error::invalid(field, "is one of the most common passwords"));
    }
    let user = username.to_lowercase();
    if user.chars().count() >= 3 && lower.contains(&user) {
        return Err(Error::invalid(field, "must not contain the username"));
    }
    if PRODUCT_NAMES
        .iter()
        .any(|p| lower == *p || lower.trim_end_matches(|c: char| c.is_ascii_digit()) == *p)
    {
        return Err(Error::invalid(field, "must not be the product name"));
    }
    Ok(normalized)
}

/// NFKC form, refusing oversized input before anything else is done with it.
pub fn normalize(field: &str, password: &str) -> Result<String> {
    if password.len() > MAX_BYTES {
        return Err(Error::TooLarge {
            field: field.into(),
        });
    }
    let normalized: String = password.nfkc().collect();
    if normalized.len() > MAX_BYTES {
        return Err(Error::TooLarge {
            field: field.into(),
        });
    }
    Ok(normalized)
}

/// Hashing and verification, never more than `max_parallel` at once, with a bounded queue:
/// past it, callers get `Unavailable` at once instead of piling up.
pub struct Hasher {
    params: Params,
    permits: Arc<Semaphore>,
    queued: AtomicUsize,
    max_queued: usize,
    /// Verified against when the user is unknown, so every failure costs the same time.
    dummy_hash: String,
}

pub struct Verified {
    pub ok: bool,
    /// The hash uses other parameters than the configured ones: store a new one.
    pub needs_rehash: bool,
}

impl Hasher {
    pub fn new(cfg: &PasswordConfig, dummy_salt: [u8; 16]) -> Result<Hasher> {
        let params = Params::new(cfg.m_kib, cfg.t, cfg.p, None)
            .map_err(|e| Error::internal("argon2 parameters", e))?;
        let parallel = if cfg.max_parallel == 0 {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2)
        } else {
            cfg.max_parallel
        };
        let dummy_hash = hash_blocking(&params, "not a password of anyone", dummy_salt)?;
        Ok(Hasher {
            params,
            permits: Arc::new(Semaphore::new(parallel)),
            queued: AtomicUsize::new(0),
            max_queued: (parallel * 32).max(64),
            dummy_hash,
        })
    }

    async fn run<T: Send + 'static>(&self, job: impl FnOnce() -> T + Send + 'static) -> Result<T> {
        if self.queued.fetch_add(1, Ordering::SeqCst) >= self.max_queued {
            self.queued.fetch_sub(1, Ordering::SeqCst);
            return Err(Error::Unavailable { retry_after: 1 });
        }
        let permit = self.permits.clone().acquire_owned().await;
        self.queued.fetch_sub(1, Ordering::SeqCst);
        let permit = permit.map_err(|e| Error::internal("hash pool", e))?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            job()
        })
        .await
        .map_err(|e| Error::internal("hash task", e))
    }

    /// A new PHC string for an already normalised password.
    pub async fn hash(&self, normalized: String, salt: [u8; 16]) -> Result<String> {
        let params = self.params.clone();
        self.run(move || hash_blocking(&params, &normalized, salt))
            .await?
    }

    /// Verifies against `hash`, or against the dummy hash when there is none (same cost).
    pub async fn verify(&self, normalized: String, hash: Option<String>) -> Result<Verified> {
        let real = hash.is_some();
        let hash = hash.unwrap_or_else(|| self.dummy_hash.clone());
        let params = self.params.clone();
        self.run(move || {
            let Ok(parsed) = PasswordHash::new(&hash) else {
                return Verified {
                    ok: false,
                    needs_rehash: false,
                };
            };
            let ok = Argon2::default()
                .verify_password(normalized.as_bytes(), &parsed)
                .is_ok();
            let current = Params::try_from(&parsed).ok();
            let needs_rehash = ok
                && (parsed.algorithm.as_str() != "argon2id"
                    || current.is_none_or(|c| {
                        c.m_cost() != params.m_cost()
                            || c.t_cost() != params.t_cost()
                            || c.p_cost() != params.p_cost()
                    }));
            Verified {
                ok: ok && real,
                needs_rehash: needs_rehash && real,
            }
        })
        .await
    }

    /// Raw hashing throughput, for the benchmark: one hash with the configured parameters.
    pub fn hash_once_blocking(&self, password: &str, salt: [u8; 16]) -> Result<String> {
        hash_blocking(&self.params, password, salt)
    }
}

fn hash_blocking(params: &Params, password: &str, salt: [u8; 16]) -> Result<String> {
    let salt = SaltString::encode_b64(&salt).map_err(|e| Error::internal("salt", e))?;
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::internal("argon2", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_reasons() {
        let err = |p: &str| {
            check_policy("password", p, "alice")
                .unwrap_err()
                .to_string()
        };
        assert!(err("short").contains("at least 8"));
        assert!(err("password1234").contains("most common"));
        assert!(err("PassWord1234").contains("most common"));
        assert!(err("alice-in-wonderland").contains("username"));
        assert!(err("apio2024").contains("product"));
        assert!(matches!(
            check_policy("p", &"x".repeat(2000), "a"),
            Err(Error::TooLarge { .. })
        ));
        assert_eq!(
            check_policy("password", "correct horse battery staple", "alice").unwrap(),
            "correct horse battery staple"
        );
        // Unicode counts code points, after NFKC: "ﬁ" becomes "fi".
        assert_eq!(
            check_policy("p", "ﬁﬁﬁﬁﬁﬁﬁﬁ", "bob").unwrap(),
            "fifififififififi"
        );
        assert!(err("ééééééé").contains("at least 8"));
    }

    #[tokio::test]
    async fn no_truncation_no_case_folding_and_dummy_never_matches() {
        let cfg = PasswordConfig {
            m_kib: 1024,
            t: 1,
            p: 1,
            max_parallel: 2,
        };
        let h = Hasher::new(&cfg, [7; 16]).unwrap();
        let long: String = "Ab1-".repeat(20);
        let hash = h.hash(long.clone(), [1; 16]).await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(h.verify(long.clone(), Some(hash.clone())).await.unwrap().ok);
        assert!(
            !h.verify(long[..72].to_string(), Some(hash.clone()))
                .await
                .unwrap()
                .ok
        );
        let flipped: String = long
            .chars()
            .map(|c| {
                if c.is_uppercase() {
                    c.to_ascii_lowercase()
                } else {
                    c.to_ascii_uppercase()
                }
            })
            .collect();
        assert!(!h.verify(flipped, Some(hash.clone())).await.unwrap().ok);
        assert!(
            !h.verify("not a password of anyone".into(), None)
                .await
                .unwrap()
                .ok
        );
        let stronger = Hasher::new(&PasswordConfig { m_kib: 2048, ..cfg }, [7; 16]).unwrap();
        assert!(
            stronger
                .verify(long, Some(hash))
                .await
                .unwrap()
                .needs_rehash
        );
    }

    #[tokio::test]
    async fn a_full_queue_answers_unavailable() {
        let cfg = PasswordConfig {
            m_kib: 8192,
            t: 3,
            p: 1,
            max_parallel: 1,
        };
        let h = Arc::new(Hasher::new(&cfg, [7; 16]).unwrap());
        let jobs: Vec<_> = (0..80)
            .map(|i| {
                let h = h.clone();
                tokio::spawn(async move { h.hash(format!("password-{i}"), [i as u8; 16]).await })
            })
            .collect();
        let mut busy = 0;
        for j in jobs {
            if matches!(j.await.unwrap(), Err(Error::Unavailable { .. })) {
                busy += 1;
            }
        }
        assert!(
            busy > 0,
            "80 hashes at once with a queue of 64 must turn some away"
        );
        assert!(
            busy <= 16,
            "only what exceeds the queue is turned away, got {busy}"
        );
    }
}

//! Passwords: argon2id on a bounded pool of hashing threads, and the password policy.

use crate::config::PasswordConfig;
use crate::error::{Error, Result};
use argon2::password_hash::{Output, ParamsString, Salt, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, PasswordHash, Version};
use std::sync::{
    Arc, Mutex,
    atomic::{AtomicBool, Ordering},
};
use unicode_normalization::UnicodeNormalization;

/// Longest accepted password, in bytes: more is refused before any hashing.
pub const MAX_BYTES: usize = 1024;
pub const MIN_CHARS: usize = 8;
/// NIST's recommendation for accounts without a second factor (shown as a hint).
pub const RECOMMENDED_CHARS: usize = 15;
const PRODUCT_NAMES: [&str; 2] = ["apio", "apioauth"];

/// The bundled list of common passwords, one per line ('#' starts a comment). Scanned rather
/// than indexed: it is read only when a password is set, beside a hash costing a thousand
/// times more, and a set built from it would stay resident (about 300 KB) for good.
const COMMON: &str = include_str!("../data/common-passwords.txt");

fn is_common(lower: &str) -> bool {
    COMMON
        .lines()
        .any(|l| l == lower && !l.starts_with('#') && !l.is_empty())
}

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
    if is_common(&lower) {
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

/// Hashing and verification on `max_parallel` threads of their own, with a bounded queue:
/// past it, callers get `Unavailable` at once instead of piling up.
///
/// Threads of its own rather than tokio's blocking pool behind a semaphore: under load a
/// hashing thread takes the next job the moment it finishes one, instead of waiting for an
/// async worker (itself waiting for a core the hashes hold) to hand it over. On two cores
/// the benchmark's logins went from about 85 to about 92 % of the raw hash rate.
pub struct Hasher {
    params: Params,
    jobs: flume::Sender<Job>,
    /// Verified against when the user is unknown, so every failure costs the same time.
    dummy_hash: String,
    work: Arc<WorkAreas>,
}

type Job = Box<dyn FnOnce() + Send>;

/// argon2 work areas (19 MiB each with the defaults), kept between hashes while logins come
/// in and given back to the system once idle; see [`compute`] for why each is its own mapping.
#[derive(Default)]
struct WorkAreas {
    free: Mutex<Vec<Vec<Block>>>,
    /// One was taken since the last [`WorkAreas::release_idle`].
    used: AtomicBool,
}

impl WorkAreas {
    fn take(&self, blocks: usize) -> Vec<Block> {
        self.used.store(true, Ordering::Relaxed);
        let kept = self.free.lock().unwrap_or_else(|p| p.into_inner()).pop();
        match kept {
            Some(area) if area.len() == blocks => area,
            _ => new_work_area(blocks),
        }
    }

    fn put(&self, area: Vec<Block>) {
        self.free
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(area);
    }

    fn release_idle(&self) {
        if !self.used.swap(false, Ordering::Relaxed) {
            self.free.lock().unwrap_or_else(|p| p.into_inner()).clear();
        }
    }
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
        let work = Arc::new(WorkAreas::default());
        let dummy_hash = hash_blocking(&params, "not a password of anyone", dummy_salt, None)?;
        let (jobs, queue) = flume::bounded::<Job>((parallel * 32).max(64));
        for i in 0..parallel {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("argon2-{i}"))
                // Ends when the hasher, and with it the sending side, is dropped.
                .spawn(move || {
                    while let Ok(job) = queue.recv() {
                        // A panicking job fails its own caller (its answer channel is
                        // dropped), not the thread.
                        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                    }
                })
                .map_err(|e| Error::internal("hashing thread", e))?;
        }
        Ok(Hasher {
            work,
            params,
            jobs,
            dummy_hash,
        })
    }

    async fn run<T: Send + 'static>(&self, job: impl FnOnce() -> T + Send + 'static) -> Result<T> {
        let (answer, answered) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            // The caller gave up (its client went away): skip the work.
            if !answer.is_closed() {
                let _ = answer.send(job());
            }
        });
        self.jobs.try_send(job).map_err(|e| match e {
            flume::TrySendError::Full(_) => Error::Unavailable { retry_after: 1 },
            flume::TrySendError::Disconnected(_) => Error::internal("hash pool", "stopped"),
        })?;
        answered.await.map_err(|e| Error::internal("hash task", e))
    }

    /// A new PHC string for an already normalised password.
    pub async fn hash(&self, normalized: String, salt: [u8; 16]) -> Result<String> {
        let (params, work) = (self.params.clone(), self.work.clone());
        self.run(move || hash_blocking(&params, &normalized, salt, Some(&work)))
            .await?
    }

    /// Verifies against `hash`, or against the dummy hash when there is none (same cost).
    pub async fn verify(&self, normalized: String, hash: Option<String>) -> Result<Verified> {
        let real = hash.is_some();
        let hash = hash.unwrap_or_else(|| self.dummy_hash.clone());
        let (params, work) = (self.params.clone(), self.work.clone());
        self.run(move || {
            let Ok(parsed) = PasswordHash::new(&hash) else {
                return Verified {
                    ok: false,
                    needs_rehash: false,
                };
            };
            let ok = verify_phc(normalized.as_bytes(), &parsed, Some(&work));
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
    /// Gives the kept work areas back when no hash ran since the last call (called every
    /// [`crate::SYNC_INTERVAL`]).
    pub fn release_idle(&self) {
        self.work.release_idle();
    }

    pub fn hash_once_blocking(&self, password: &str, salt: [u8; 16]) -> Result<String> {
        hash_blocking(&self.params, password, salt, Some(&self.work))
    }
}

fn hash_blocking(
    params: &Params,
    password: &str,
    salt: [u8; 16],
    work: Option<&WorkAreas>,
) -> Result<String> {
    let salt = SaltString::encode_b64(&salt).map_err(|e| Error::internal("salt", e))?;
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let out_len = params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
    let phc = compute(&argon, password.as_bytes(), salt.as_salt(), out_len, work).and_then(|out| {
        Ok(PasswordHash {
            algorithm: Algorithm::Argon2id.ident(),
            version: Some(Version::V0x13.into()),
            params: ParamsString::try_from(params)?,
            salt: Some(salt.as_salt()),
            hash: Some(out),
        }
        .to_string())
    });
    phc.map_err(|e| Error::internal("argon2", e))
}

/// Whether `password` matches the PHC string, with the parameters the string names.
fn verify_phc(password: &[u8], parsed: &PasswordHash, work: Option<&WorkAreas>) -> bool {
    let (Some(salt), Some(expected)) = (parsed.salt, &parsed.hash) else {
        return false;
    };
    let algorithm = Algorithm::try_from(parsed.algorithm);
    let version = parsed.version.map_or(Ok(Version::V0x13), Version::try_from);
    let (Ok(algorithm), Ok(version), Ok(params)) = (algorithm, version, Params::try_from(parsed))
    else {
        return false;
    };
    let argon = Argon2::new(algorithm, version, params);
    // Output's equality is constant-time.
    compute(&argon, password, salt, expected.len(), work).is_ok_and(|out| out == *expected)
}

/// The raw argon2 output, computed in a kept work area (or a new one without `work`).
fn compute(
    argon: &Argon2,
    password: &[u8],
    salt: Salt,
    out_len: usize,
    work: Option<&WorkAreas>,
) -> argon2::password_hash::Result<Output> {
    let blocks = argon.params().block_count();
    let mut area = match work {
        Some(w) => w.take(blocks),
        None => new_work_area(blocks),
    };
    let mut salt_buf = [0u8; 64];
    let salt = salt.decode_b64(&mut salt_buf)?;
    let out = Output::init_with(out_len, |out| {
        Ok(argon.hash_password_into_with_memory(password, salt, out, &mut area)?)
    });
    if let Some(w) = work {
        w.put(area);
    }
    out
}

/// A work area that is its own memory mapping, so dropping it gives the memory back.
///
/// glibc serves a large allocation with mmap and unmaps it on free, but that first free
/// raises its mmap threshold to the freed size (up to 32 MiB): later 19 MiB areas would come
/// from a thread arena and stay resident for good. With over 32 MiB of capacity an area is
/// always mapped and unmapped; the capacity argon2 does not use is never touched.
fn new_work_area(blocks: usize) -> Vec<Block> {
    const MIN_CAPACITY_BLOCKS: usize = 33 * 1024; // 1 KiB blocks
    let mut area = Vec::with_capacity(blocks.max(MIN_CAPACITY_BLOCKS));
    area.resize(blocks, Block::default());
    area
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Our PHC strings and argon2's own are interchangeable both ways.
    #[test]
    fn hashes_match_the_argon2_crate() {
        use argon2::{PasswordHasher, PasswordVerifier};
        let params = Params::new(1024, 1, 1, None).unwrap();
        let ours = hash_blocking(&params, "pass phrase", [3; 16], None).unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(
            Argon2::default()
                .verify_password(b"pass phrase", &parsed)
                .is_ok()
        );
        let work = WorkAreas::default();
        assert!(verify_phc(b"pass phrase", &parsed, Some(&work)));
        assert!(!verify_phc(b"pass phrasf", &parsed, Some(&work)));
        work.release_idle();
        assert_eq!(
            work.free.lock().unwrap().len(),
            1,
            "used since the last call: kept"
        );
        work.release_idle();
        assert!(work.free.lock().unwrap().is_empty(), "idle: given back");
        let salt = SaltString::encode_b64(&[3; 16]).unwrap();
        let theirs = Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password(b"pass phrase", &salt)
            .unwrap()
            .to_string();
        assert_eq!(ours, theirs);
        // An argon2i hash with other parameters still verifies (and would be rehashed).
        let other = Argon2::new(
            Algorithm::Argon2i,
            Version::V0x13,
            Params::new(2048, 2, 1, None).unwrap(),
        )
        .hash_password(b"pass phrase", &salt)
        .unwrap()
        .to_string();
        assert!(verify_phc(
            b"pass phrase",
            &PasswordHash::new(&other).unwrap(),
            None
        ));
    }

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

    /// A job whose caller gave up before its turn is not run; a panicking job fails its own
    /// caller only, and the hashing thread goes on with the next.
    #[tokio::test]
    #[allow(clippy::panic)]
    async fn abandoned_jobs_are_skipped_and_a_panic_stays_with_its_job() {
        let cfg = PasswordConfig {
            m_kib: 1024,
            t: 1,
            p: 1,
            max_parallel: 1,
        };
        let h = Arc::new(Hasher::new(&cfg, [7; 16]).unwrap());
        // The one thread held by a first job until released.
        let (release, held) = std::sync::mpsc::channel::<()>();
        let first = tokio::spawn({
            let h = h.clone();
            async move { h.run(move || held.recv().is_ok()).await }
        });
        tokio::task::yield_now().await;
        let ran = Arc::new(AtomicBool::new(false));
        let abandoned = tokio::spawn({
            let (h, ran) = (h.clone(), ran.clone());
            async move { h.run(move || ran.store(true, Ordering::SeqCst)).await }
        });
        tokio::task::yield_now().await;
        abandoned.abort();
        assert!(abandoned.await.unwrap_err().is_cancelled());
        release.send(()).unwrap();
        assert!(first.await.unwrap().unwrap());
        assert!(matches!(
            h.run(|| panic!("a failing job")).await,
            Err(Error::Internal(_))
        ));
        assert_eq!(h.run(|| 42).await.unwrap(), 42, "the thread lives on");
        assert!(!ran.load(Ordering::SeqCst), "the abandoned job never ran");
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

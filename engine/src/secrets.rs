//! Secrets: random tokens, their hashes for storage, constant-time comparison, and the key
//! that encrypts what must be shown again (secrets at rest).

use crate::clock::Entropy;
use crate::error::{Error, Result};
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD as B64};
use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use sha2::{Digest, Sha256};
use std::path::Path;

/// A new secret of `bytes` random bytes, base64url (256 bits → 43 characters).
pub fn random_token(entropy: &dyn Entropy, bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    entropy.fill(&mut buf);
    B64.encode(buf)
}

/// An opaque id: 128 random bits, hex.
pub fn random_id(entropy: &dyn Entropy) -> String {
    let mut buf = [0u8; 16];
    entropy.fill(&mut buf);
    hex::encode(buf)
}

/// What is stored of a secret: its SHA-256, hex. The secrets carry ≥128 random bits, so a
/// fast hash is enough (no dictionary to attack).
pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

/// Encrypts secrets at rest (ChaCha20-Poly1305, random nonce per value).
pub struct SecretBox {
    key: LessSafeKey,
    /// Keys the hashes of short secrets (6-digit codes, recovery codes): without the key file,
    /// a copy of the database does not let anyone try them offline.
    mac: ring::hmac::Key,
}

impl SecretBox {
    /// Loads the key file, creating it (mode 0600) with a new random key when missing.
    pub fn load_or_create(path: &Path, entropy: &dyn Entropy) -> Result<SecretBox> {
        let raw = read_or_create_key_file(path, entropy, |e| {
            let mut key = [0u8; 32];
            e.fill(&mut key);
            B64.encode(key)
        })?;
        let bytes = B64
            .decode(raw.trim())
            .map_err(|e| Error::internal("secrets.key_file is not base64url", e))?;
        let key = UnboundKey::new(&CHACHA20_POLY1305, &bytes)
            .map_err(|_| Error::Internal("secrets.key_file must hold 32 bytes".into()))?;
        let mac_key = Sha256::new()
            .chain_update(b"apio short-secret mac")
            .chain_update(&bytes)
            .finalize();
        Ok(SecretBox {
            key: LessSafeKey::new(key),
            mac: ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &mac_key),
        })
    }

    /// The stored form of a short secret: HMAC-SHA256 under the secrets key of `context`
    /// (what it belongs to) and the secret, hex.
    pub fn mac(&self, context: &str, secret: &str) -> String {
        let mut ctx = ring::hmac::Context::with_key(&self.mac);
        ctx.update(context.as_bytes());
        ctx.update(&[0]);
        ctx.update(secret.as_bytes());
        hex::encode(ctx.sign().as_ref())
    }

    pub fn seal(&self, entropy: &dyn Entropy, plain: &str) -> Result<String> {
        let mut nonce = [0u8; NONCE_LEN];
        entropy.fill(&mut nonce);
        let mut data = plain.as_bytes().to_vec();
        self.key
            .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::empty(), &mut data)
            .map_err(|_| Error::Internal("encryption failed".into()))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&data);
        Ok(B64.encode(out))
    }

    pub fn open(&self, sealed: &str) -> Result<String> {
        let bytes = B64
            .decode(sealed)
            .map_err(|e| Error::internal("sealed value", e))?;
        if bytes.len() < NONCE_LEN {
            return Err(Error::Internal("sealed value too short".into()));
        }
        let (nonce, data) = bytes.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce)
            .map_err(|_| Error::Internal("sealed value nonce".into()))?;
        let mut data = data.to_vec();
        let plain = self
            .key
            .open_in_place(nonce, Aad::empty(), &mut data)
            .map_err(|_| Error::Internal("sealed value does not open with this key".into()))?;
        String::from_utf8(plain.to_vec()).map_err(|e| Error::internal("sealed value", e))
    }
}

/// Reads a key file, or writes a new one made by `make` (owner-only permissions).
pub(crate) fn read_or_create_key_file(
    path: &Path,
    entropy: &dyn Entropy,
    make: impl FnOnce(&dyn Entropy) -> String,
) -> Result<String> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| Error::internal("key folder", e))?;
            }
            let text = make(entropy);
            write_private(path, &text)?;
            tracing::info!(path = %path.display(), "generated a new key file");
            Ok(text)
        }
        Err(e) => Err(Error::internal(&format!("reading {}", path.display()), e)),
    }
}

fn write_private(path: &Path, text: &str) -> Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .map_err(|e| Error::internal("creating key file", e))?;
    file.write_all(text.as_bytes())
        .map_err(|e| Error::internal("writing key file", e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::OsEntropy;

    #[test]
    fn sealed_values_open_and_tampering_fails() {
        let dir = std::env::temp_dir().join(format!("apio-secret-{}", random_id(&OsEntropy)));
        let sb = SecretBox::load_or_create(&dir.join("k"), &OsEntropy).unwrap();
        let sealed = sb.seal(&OsEntropy, "m2m_secret").unwrap();
        assert_ne!(
            sealed,
            sb.seal(&OsEntropy, "m2m_secret").unwrap(),
            "nonce must vary"
        );
        assert_eq!(sb.open(&sealed).unwrap(), "m2m_secret");
        let mut bytes = B64.decode(&sealed).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        assert!(sb.open(&B64.encode(bytes)).is_err());
        // The same file gives the same key.
        let again = SecretBox::load_or_create(&dir.join("k"), &OsEntropy).unwrap();
        assert_eq!(again.open(&sealed).unwrap(), "m2m_secret");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn tokens_are_long_and_distinct() {
        let a = random_token(&OsEntropy, 32);
        assert_eq!(a.len(), 43);
        assert_ne!(a, random_token(&OsEntropy, 32));
        assert_eq!(hash_secret("x").len(), 64);
    }
}

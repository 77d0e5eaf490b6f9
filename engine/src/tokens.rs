//! Access tokens: EdDSA-signed JWTs (`typ: at+jwt`), verified without touching the database.
//! The signing key is generated on first start and published as a JWKS.

use crate::clock::Entropy;
use crate::error::{Error, Result};
use crate::secrets::read_or_create_key_file;
use base64::{
    Engine as _, engine::general_purpose::STANDARD, engine::general_purpose::URL_SAFE_NO_PAD as B64,
};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use ring::signature::{Ed25519KeyPair, KeyPair};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::Path;
use std::sync::RwLock;

/// The audience of our access tokens.
pub const AUDIENCE: &str = "apio";
const TYP: &str = "at+jwt";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AccessClaims {
    pub iss: String,
    pub aud: String,
    pub sub: String,
    pub username: String,
    pub sid: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub jti: String,
    pub amr: Vec<String>,
    pub roles: Vec<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pwd_change: bool,
}

pub struct Signer {
    encoding: EncodingKey,
    decoding: DecodingKey,
    kid: String,
    public_x: String,
    issuer: String,
    validation: Validation,
    /// Tokens whose signature was already checked, with their claims: a client sends the same
    /// access token many times, and an Ed25519 check costs more than the rest of a request.
    /// Time limits are still checked at every use.
    checked: RwLock<HashMap<String, AccessClaims>>,
}

/// Checked tokens remembered at most; past it the memory starts over.
const CHECKED_MAX: usize = 4096;

impl Signer {
    /// Loads the PKCS#8 PEM key, generating it on first start.
    pub fn load_or_create(path: &Path, issuer: String, entropy: &dyn Entropy) -> Result<Signer> {
        let pem = read_or_create_key_file(path, entropy, |_| {
            // ring draws its own randomness for the key; the file is written once.
            let rng = ring::rand::SystemRandom::new();
            match Ed25519KeyPair::generate_pkcs8(&rng) {
                Ok(doc) => to_pem(doc.as_ref()),
                Err(_) => String::new(),
            }
        })?;
        let der = from_pem(&pem).ok_or_else(|| {
            Error::Internal(format!("{} is not a PKCS#8 PEM key", path.display()))
        })?;
        let pair = Ed25519KeyPair::from_pkcs8_maybe_unchecked(&der)
            .map_err(|e| Error::internal("tokens.signing_key_file is not an Ed25519 key", e))?;
        let public_x = B64.encode(pair.public_key().as_ref());
        let kid = B64.encode(&Sha256::digest(pair.public_key().as_ref())[..12]);
        let decoding = DecodingKey::from_ed_components(&public_x)
            .map_err(|e| Error::internal("public key", e))?;
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_issuer(&[&issuer]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "nbf", "iat", "iss", "aud", "sub"]);
        // Expiry and not-before are checked against the engine's clock at every use (`verify`).
        validation.validate_exp = false;
        validation.validate_nbf = false;
        Ok(Signer {
            encoding: EncodingKey::from_ed_der(&der),
            decoding,
            kid,
            public_x,
            issuer,
            validation,
            checked: RwLock::new(HashMap::new()),
        })
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    pub fn sign(&self, claims: &AccessClaims) -> Result<String> {
        let mut header = Header::new(Algorithm::EdDSA);
        header.typ = Some(TYP.into());
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.encoding)
            .map_err(|e| Error::internal("signing", e))
    }

    /// Checks signature (EdDSA only), `typ`, `kid`, `iss`, `aud`, `exp` and `nbf` at `now`.
    /// Headers such as `jwk`, `jku` and `x5u` are never used to find a key.
    pub fn verify(&self, token: &str, now_secs: i64) -> Result<AccessClaims> {
        let known = self
            .checked
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(token)
            .cloned();
        let claims = match known {
            Some(claims) => claims,
            None => {
                let claims = self.check_signature(token)?;
                let mut checked = self.checked.write().unwrap_or_else(|p| p.into_inner());
                if checked.len() >= CHECKED_MAX {
                    checked.clear();
                }
                checked.insert(token.to_string(), claims.clone());
                claims
            }
        };
        const SKEW: i64 = 5;
        if claims.exp <= now_secs || claims.nbf > now_secs + SKEW {
            return Err(Error::InvalidToken);
        }
        Ok(claims)
    }

    fn check_signature(&self, token: &str) -> Result<AccessClaims> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| Error::InvalidToken)?;
        if header.alg != Algorithm::EdDSA
            || header.typ.as_deref() != Some(TYP)
            || header.kid.as_deref().is_some_and(|k| k != self.kid)
        {
            return Err(Error::InvalidToken);
        }
        jsonwebtoken::decode::<AccessClaims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|_| Error::InvalidToken)
    }

    /// The public key set for offline verification by other services.
    pub fn jwks(&self) -> serde_json::Value {
        serde_json::json!({
            "keys": [{
                "kty": "OKP", "crv": "Ed25519", "x": self.public_x,
                "kid": self.kid, "alg": "EdDSA", "use": "sig"
            }]
        })
    }
}

fn to_pem(der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .filter_map(|c| std::str::from_utf8(c).ok())
        .collect();
    format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        lines.join("\n")
    )
}

fn from_pem(pem: &str) -> Option<Vec<u8>> {
    let body: String = pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .map(str::trim)
        .collect();
    STANDARD.decode(body).ok().filter(|d| !d.is_empty())
}

//! A software authenticator for the REST tests: it answers WebAuthn options JSON the way a
//! browser and a passkey do (ES256 keys from ring, "none" attestation, CBOR by hand), and it
//! can be told to misbehave (another origin or RP ID, no user verification, an old counter,
//! someone else's credential). It shares no code with the server's verifier (webauthn-rs).
//! webauthn-authenticator-rs's SoftPasskey was the candidate, but it keeps no user handle
//! (no discoverable login) and its counter cannot be turned back.

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD as B64};
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, KeyPair};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

pub struct Credential {
    pub id: Vec<u8>,
    pkcs8: Vec<u8>,
    pub rp_id: String,
    pub user_handle: Vec<u8>,
    pub counter: u32,
}

pub struct Authenticator {
    /// The origin the "browser" puts in clientDataJSON.
    pub origin: String,
    /// Whether the user is verified (PIN, biometrics): the UV flag.
    pub verify_user: bool,
    /// Signs for this RP ID instead of the one in the options (a phishing site's).
    pub rp_id_override: Option<String>,
    pub credentials: Vec<Credential>,
    rng: SystemRandom,
}

fn b64(v: &Value) -> Vec<u8> {
    B64.decode(v.as_str().expect("base64url string"))
        .expect("valid base64url")
}

impl Authenticator {
    pub fn new(origin: &str) -> Self {
        Authenticator {
            origin: origin.into(),
            verify_user: true,
            rp_id_override: None,
            credentials: Vec::new(),
            rng: SystemRandom::new(),
        }
    }

    fn client_data(&self, kind: &str, challenge: &Value) -> Vec<u8> {
        serde_json::to_vec(&json!({
            "type": kind,
            "challenge": challenge,
            "origin": self.origin,
            "crossOrigin": false,
        }))
        .unwrap()
    }

    fn flags(&self, attested: bool) -> u8 {
        let up = 0x01;
        let uv = if self.verify_user { 0x04 } else { 0 };
        let at = if attested { 0x40 } else { 0 };
        up | uv | at
    }

    fn rp_id_hash(&self, rp_id: &str) -> Vec<u8> {
        let rp_id = self.rp_id_override.as_deref().unwrap_or(rp_id);
        Sha256::digest(rp_id.as_bytes()).to_vec()
    }

    /// `navigator.credentials.create({publicKey})`: a new ES256 credential; refuses (None)
    /// when one of its credentials is in `excludeCredentials`, like a real authenticator.
    pub fn register(&mut self, options: &Value) -> Option<Value> {
        let excluded: Vec<Vec<u8>> = options["excludeCredentials"]
            .as_array()
            .map(|l| l.iter().map(|c| b64(&c["id"])).collect())
            .unwrap_or_default();
        if self.credentials.iter().any(|c| excluded.contains(&c.id)) {
            return None;
        }
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &self.rng)
            .unwrap()
            .as_ref()
            .to_vec();
        let mut id = vec![0u8; 32];
        self.rng.fill(&mut id).unwrap();
        let answer = self.attestation(options, &id, &pkcs8);
        self.credentials.push(Credential {
            id,
            pkcs8,
            rp_id: options["rp"]["id"].as_str().unwrap().to_string(),
            user_handle: b64(&options["user"]["id"]),
            counter: 0,
        });
        Some(answer)
    }

    /// Registers one of its existing credentials again, ignoring `excludeCredentials` (a
    /// misbehaving client, or someone replaying a credential id they saw).
    pub fn register_existing(&self, index: usize, options: &Value) -> Value {
        let cred = &self.credentials[index];
        self.attestation(options, &cred.id, &cred.pkcs8)
    }

    fn attestation(&self, options: &Value, id: &[u8], pkcs8: &[u8]) -> Value {
        let rp_id = options["rp"]["id"].as_str().unwrap();
        let pair =
            EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8, &self.rng).unwrap();
        let point = pair.public_key().as_ref(); // 0x04 || x || y
        let cose_key = cbor_map(&[
            (cbor_int(1), cbor_int(2)),  // kty: EC2
            (cbor_int(3), cbor_int(-7)), // alg: ES256
            (cbor_int(-1), cbor_int(1)), // crv: P-256
            (cbor_int(-2), cbor_bytes(&point[1..33])),
            (cbor_int(-3), cbor_bytes(&point[33..65])),
        ]);
        let mut auth_data = self.rp_id_hash(rp_id);
        auth_data.push(self.flags(true));
        auth_data.extend(0u32.to_be_bytes());
        auth_data.extend([0u8; 16]); // AAGUID
        auth_data.extend((id.len() as u16).to_be_bytes());
        auth_data.extend(id);
        auth_data.extend(cose_key);
        let attestation = cbor_map(&[
            (cbor_text("fmt"), cbor_text("none")),
            (cbor_text("attStmt"), cbor_map(&[])),
            (cbor_text("authData"), cbor_bytes(&auth_data)),
        ]);
        let client_data = self.client_data("webauthn.create", &options["challenge"]);
        json!({
            "id": B64.encode(id),
            "rawId": B64.encode(id),
            "type": "public-key",
            "response": {
                "attestationObject": B64.encode(attestation),
                "clientDataJSON": B64.encode(client_data),
                "transports": ["internal"],
            },
            "clientExtensionResults": {},
        })
    }

    /// `navigator.credentials.get({publicKey})` with the first credential the options allow
    /// (any of this RP's when the list is empty: discoverable).
    pub fn assert(&mut self, options: &Value) -> Value {
        let allowed: Vec<Vec<u8>> = options["allowCredentials"]
            .as_array()
            .map(|l| l.iter().map(|c| b64(&c["id"])).collect())
            .unwrap_or_default();
        let rp_id = options["rpId"].as_str().unwrap();
        let index = self
            .credentials
            .iter()
            .position(|c| c.rp_id == rp_id && (allowed.is_empty() || allowed.contains(&c.id)))
            .expect("the authenticator holds no credential the options allow");
        self.assert_with(index, options)
    }

    /// Like [`assert`], with this credential whatever the options allow.
    pub fn assert_with(&mut self, index: usize, options: &Value) -> Value {
        let client_data = self.client_data("webauthn.get", &options["challenge"]);
        let flags = self.flags(false);
        let cred = &mut self.credentials[index];
        cred.counter += 1;
        let rp_id = cred.rp_id.clone();
        let (counter, id, handle) = (cred.counter, cred.id.clone(), cred.user_handle.clone());
        let pkcs8 = cred.pkcs8.clone();
        let mut auth_data = self.rp_id_hash(&rp_id);
        auth_data.push(flags);
        auth_data.extend(counter.to_be_bytes());
        let mut signed = auth_data.clone();
        signed.extend(Sha256::digest(&client_data));
        let pair =
            EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &pkcs8, &self.rng).unwrap();
        let signature = pair.sign(&self.rng, &signed).unwrap();
        json!({
            "id": B64.encode(&id),
            "rawId": B64.encode(&id),
            "type": "public-key",
            "response": {
                "authenticatorData": B64.encode(auth_data),
                "clientDataJSON": B64.encode(client_data),
                "signature": B64.encode(signature.as_ref()),
                "userHandle": B64.encode(handle),
            },
            "clientExtensionResults": {},
        })
    }
}

// Just enough CBOR (RFC 8949) for an attestation object and a COSE key.

fn cbor_head(major: u8, n: u64) -> Vec<u8> {
    let m = major << 5;
    match n {
        0..=23 => vec![m | n as u8],
        24..=0xff => vec![m | 24, n as u8],
        0x100..=0xffff => [vec![m | 25], (n as u16).to_be_bytes().to_vec()].concat(),
        _ => [vec![m | 26], (n as u32).to_be_bytes().to_vec()].concat(),
    }
}

fn cbor_int(v: i64) -> Vec<u8> {
    if v >= 0 {
        cbor_head(0, v as u64)
    } else {
        cbor_head(1, (-1 - v) as u64)
    }
}

fn cbor_bytes(b: &[u8]) -> Vec<u8> {
    [cbor_head(2, b.len() as u64), b.to_vec()].concat()
}

fn cbor_text(s: &str) -> Vec<u8> {
    [cbor_head(3, s.len() as u64), s.as_bytes().to_vec()].concat()
}

fn cbor_map(entries: &[(Vec<u8>, Vec<u8>)]) -> Vec<u8> {
    let mut out = cbor_head(5, entries.len() as u64);
    for (k, v) in entries {
        out.extend(k);
        out.extend(v);
    }
    out
}

#[test]
fn cbor_encodes_rfc_8949_examples() {
    assert_eq!(cbor_int(10), [0x0a]);
    assert_eq!(cbor_int(-1), [0x20]);
    assert_eq!(cbor_int(-7), [0x26]);
    assert_eq!(cbor_int(1000), [0x19, 0x03, 0xe8]);
    assert_eq!(cbor_text("IETF"), [0x64, 0x49, 0x45, 0x54, 0x46]);
    assert_eq!(cbor_bytes(&[1, 2, 3, 4]), [0x44, 1, 2, 3, 4]);
    assert_eq!(cbor_map(&[]), [0xa0]);
}

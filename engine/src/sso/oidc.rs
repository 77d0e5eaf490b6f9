//! OpenID Connect with the `openidconnect` crate: discovery (cached), the authorization
//! request with PKCE S256, and at the callback the code exchange and the ID token checks
//! (signature against the IdP's keys, `iss`, `aud`, `exp`, `nonce`), then the userinfo claims
//! when the provider asks for them.
//!
//! The PKCE verifier and the nonce are HMACs of the `state` under the server's key: the
//! callback recomputes them, so the database holds no secret of a flow.

use super::ExternalIdentity;
use super::providers::{OidcSettings, Provider};
use crate::Engine;
use crate::error::{Error, Result};
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD as B64};
use chrono::{DateTime, Utc};
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreJwsSigningAlgorithm, CoreProviderMetadata,
};
use openidconnect::{
    AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken, IssuerUrl,
    Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
    TokenResponse,
};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// How long discovery (and the IdP's signing keys) is reused.
const DISCOVERY_TTL_MS: i64 = 10 * 60_000;
/// A signature that does not verify with keys older than this re-reads them once (rotation).
const KEYS_RECHECK_MS: i64 = 60_000;

/// Only public-key signatures: an HMAC under the client secret would let anyone holding the
/// secret (it sits in config files) forge ID tokens.
const ALGORITHMS: [CoreJwsSigningAlgorithm; 9] = [
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha384,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha512,
    CoreJwsSigningAlgorithm::RsaSsaPssSha256,
    CoreJwsSigningAlgorithm::RsaSsaPssSha384,
    CoreJwsSigningAlgorithm::RsaSsaPssSha512,
    CoreJwsSigningAlgorithm::EcdsaP256Sha256,
    CoreJwsSigningAlgorithm::EcdsaP384Sha384,
    CoreJwsSigningAlgorithm::EdDsa,
];

/// Discovery documents by provider id, with the provider version they were read for.
#[derive(Default)]
pub(crate) struct DiscoveryCache(Mutex<HashMap<String, Discovered>>);

#[derive(Clone)]
struct Discovered {
    version: i64,
    fetched_at: i64,
    metadata: Arc<CoreProviderMetadata>,
}

/// A refusal of the callback: the reason for the audit events.
pub(crate) type Refusal = &'static str;

fn settings(p: &Provider) -> Result<&OidcSettings> {
    p.settings
        .oidc
        .as_ref()
        .ok_or_else(|| Error::Internal(format!("SSO provider {} has no OIDC settings", p.id)))
}

fn reason(e: &ClaimsVerificationError) -> Refusal {
    match e {
        ClaimsVerificationError::SignatureVerification(_) => "bad_signature",
        ClaimsVerificationError::InvalidIssuer(_) => "wrong_issuer",
        ClaimsVerificationError::InvalidAudience(_) => "wrong_audience",
        ClaimsVerificationError::InvalidNonce(_) => "wrong_nonce",
        ClaimsVerificationError::Expired(_) => "expired_id_token",
        _ => "invalid_id_token",
    }
}

impl Engine {
    /// The redirect URI registered at the IdP.
    fn redirect_uri(&self, p: &Provider) -> Result<RedirectUrl> {
        let uri = match &settings(p)?.redirect_uri {
            Some(uri) => uri.clone(),
            None => format!(
                "{}/api/v01/auth/sso/{}/callback",
                self.config().public_origin(),
                p.id
            ),
        };
        RedirectUrl::new(uri).map_err(|e| Error::internal("redirect_uri", e))
    }

    fn pkce_verifier(&self, state: &str) -> PkceCodeVerifier {
        PkceCodeVerifier::new(self.0.secrets.mac("sso pkce", state))
    }

    fn nonce(&self, state: &str) -> Nonce {
        Nonce::new(self.0.secrets.mac("sso nonce", state))
    }

    /// The IdP's discovery document: cached, re-read when stale, when the provider changed,
    /// or (`fresh`) when a signature failed with keys read over a minute ago.
    async fn discovery(&self, p: &Provider, fresh: bool) -> Result<Arc<CoreProviderMetadata>> {
        let now = self.now_ms();
        let version = p.updated_at.timestamp_millis();
        let cached = self
            .0
            .discovery
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&p.id)
            .cloned();
        if let Some(d) = cached {
            let age = now - d.fetched_at;
            let stale = age >= DISCOVERY_TTL_MS || (fresh && age >= KEYS_RECHECK_MS);
            if d.version == version && !stale {
                return Ok(d.metadata);
            }
        }
        let issuer = IssuerUrl::new(settings(p)?.issuer.clone())
            .map_err(|e| Error::internal("issuer", e))?;
        let metadata = CoreProviderMetadata::discover_async(issuer, &self.0.http)
            .await
            .map(Arc::new)
            .map_err(|e| Error::internal(&format!("OIDC discovery of {}", p.id), e))?;
        self.0
            .discovery
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(
                p.id.clone(),
                Discovered {
                    version,
                    fetched_at: now,
                    metadata: metadata.clone(),
                },
            );
        Ok(metadata)
    }

    /// Where to send the browser: the IdP's authorization endpoint for this `state`.
    pub(crate) async fn oidc_authorization_url(
        &self,
        p: &Provider,
        state: &str,
        login_hint: Option<&str>,
    ) -> Result<String> {
        let o = settings(p)?;
        let metadata = self.discovery(p, false).await?;
        let client = CoreClient::from_provider_metadata(
            (*metadata).clone(),
            ClientId::new(o.client_id.clone()),
            None,
        )
        .set_redirect_uri(self.redirect_uri(p)?);
        let (state, nonce) = (state.to_string(), self.nonce(state));
        let challenge = PkceCodeChallenge::from_code_verifier_sha256(&self.pkce_verifier(&state));
        let mut request = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                move || CsrfToken::new(state),
                move || nonce,
            )
            // `openid` is always sent by the crate.
            .add_scopes(
                o.scopes
                    .iter()
                    .filter(|s| *s != "openid")
                    .map(|s| Scope::new(s.clone())),
            )
            .set_pkce_challenge(challenge);
        if let Some(hint) = login_hint {
            request = request.add_extra_param("login_hint", hint.to_string());
        }
        Ok(request.url().0.to_string())
    }

    /// The callback's code exchanged and the ID token verified: who the IdP says signed in.
    /// `Ok(Err(reason))` is a refusal; `Err` an error of ours or of reaching the IdP.
    pub(crate) async fn oidc_identity(
        &self,
        p: &Provider,
        client_secret: Option<String>,
        state: &str,
        code: &str,
    ) -> Result<Result<ExternalIdentity, Refusal>> {
        let o = settings(p)?;
        let secret = client_secret.map(ClientSecret::new);
        let metadata = self.discovery(p, false).await?;
        let client = CoreClient::from_provider_metadata(
            (*metadata).clone(),
            ClientId::new(o.client_id.clone()),
            secret,
        )
        .set_redirect_uri(self.redirect_uri(p)?);
        let request = match client.exchange_code(AuthorizationCode::new(code.to_string())) {
            Ok(r) => r,
            Err(_) => return Ok(Err("no_token_endpoint")),
        };
        let response = match request
            .set_pkce_verifier(self.pkce_verifier(state))
            .request_async(&self.0.http)
            .await
        {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(provider = %p.id, error = %e, "OIDC code exchange refused");
                return Ok(Err("code_exchange_failed"));
            }
        };
        let Some(id_token) = response.id_token() else {
            return Ok(Err("no_id_token"));
        };
        let now = self.now();
        let nonce = self.nonce(state);
        let verify = |metadata: &CoreProviderMetadata| {
            let client = CoreClient::from_provider_metadata(
                metadata.clone(),
                ClientId::new(o.client_id.clone()),
                None,
            );
            let verifier = client
                .id_token_verifier()
                .set_allowed_algs(ALGORITHMS)
                .set_time_fn(move || -> DateTime<Utc> { now });
            id_token
                .claims(&verifier, &nonce)
                .map(|c| (c.issuer().to_string(), c.subject().to_string()))
        };
        let verified = match verify(&metadata) {
            Err(ClaimsVerificationError::SignatureVerification(_)) => {
                verify(&*self.discovery(p, true).await?)
            }
            other => other,
        };
        let (issuer, subject) = match verified {
            Ok(v) => v,
            Err(e) => return Ok(Err(reason(&e))),
        };
        // The verified token's payload, all of it: rules may name any claim.
        let mut claims = match payload(&id_token.to_string()) {
            Some(c) => c,
            None => return Ok(Err("invalid_id_token")),
        };
        if o.userinfo {
            let Some(url) = metadata.userinfo_endpoint() else {
                return Ok(Err("no_userinfo_endpoint"));
            };
            match self
                .userinfo(url.as_str(), response.access_token().secret())
                .await
            {
                Some(info) if info.get("sub").and_then(Value::as_str) == Some(&subject) => {
                    for (k, v) in info {
                        claims.entry(k).or_insert(v);
                    }
                }
                _ => return Ok(Err("userinfo_failed")),
            }
        }
        let amr = claims
            .get("amr")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        Ok(Ok(ExternalIdentity {
            issuer,
            subject,
            claims,
            amr,
        }))
    }

    /// The userinfo endpoint's claims (JSON answers only).
    async fn userinfo(&self, url: &str, access_token: &str) -> Option<Map<String, Value>> {
        let response = self
            .0
            .http
            .get(url)
            .bearer_auth(access_token)
            .header("Accept", "application/json")
            .send()
            .await
            .ok()?;
        if !response.status().is_success() {
            return None;
        }
        response.json::<Map<String, Value>>().await.ok()
    }
}

/// The claims of a compact JWT whose signature was verified.
fn payload(jwt: &str) -> Option<Map<String, Value>> {
    let part = jwt.split('.').nth(1)?;
    serde_json::from_slice(&B64.decode(part).ok()?).ok()
}

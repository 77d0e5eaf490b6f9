//! SAML 2.0 service provider with the `samael` crate (XML signatures by libxmlsec1): our
//! metadata, the AuthnRequest (HTTP-Redirect binding), and at the assertion consumer service
//! the response verified: the signature against the IdP metadata's signing certificates only
//! (unsigned parts are pruned before parsing, which defeats signature wrapping), issuer,
//! destination, recipient, validity window and `InResponseTo` by samael; then here what it
//! leaves to us: no DOCTYPE (XXE, entity expansion), an audience that names us, and each
//! assertion accepted once.
//!
//! As with OIDC, the request ID is an HMAC of the flow's `state` (the RelayState), so the flow
//! row holds no secret. samael reads the wall clock for the validity window.

use super::ExternalIdentity;
use super::oidc::Refusal;
use super::providers::{Provider, SamlSettings};
use crate::Engine;
use crate::error::{Error, Result};
use base64::{Engine as _, engine::general_purpose::STANDARD as B64};
use samael::crypto::AllowedSignatureAlgorithm;
use samael::metadata::{EntityDescriptor, HTTP_REDIRECT_BINDING};
use samael::schema::Assertion;
use samael::service_provider::{Error as SpError, ServiceProvider, ServiceProviderBuilder};
use samael::traits::ToXml;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// How long IdP metadata read from a URL is reused.
const METADATA_TTL_MS: i64 = 60 * 60_000;
/// How long an assertion ID is remembered when the assertion does not say until when.
const ASSERTION_MEMORY_MS: i64 = 60 * 60_000;
/// The largest SAML response read (base64 of signed XML; a form body is capped anyway).
const MAX_RESPONSE: usize = 256 * 1024;

/// `AuthnContextClassRef`s that mean the IdP asked for more than a password.
const MULTI_FACTOR_CLASSES: [&str; 4] = [
    "MultiFactor",
    "TimeSyncToken",
    "MobileTwoFactor",
    "Smartcard",
];

/// IdP metadata read from URLs, by provider id.
#[derive(Default)]
pub(crate) struct MetadataCache(Mutex<HashMap<String, Fetched>>);

/// Metadata, the provider version it was read for, and when.
#[derive(Clone)]
struct Fetched {
    version: i64,
    fetched_at: i64,
    metadata: Arc<EntityDescriptor>,
}

fn settings(p: &Provider) -> Result<&SamlSettings> {
    p.settings
        .saml
        .as_ref()
        .ok_or_else(|| Error::Internal(format!("SSO provider {} has no SAML settings", p.id)))
}

/// Any DTD is refused before an XML parser sees the document (libxml2 would expand it).
fn has_dtd(xml: &str) -> bool {
    let upper = xml.to_ascii_uppercase();
    upper.contains("<!DOCTYPE") || upper.contains("<!ENTITY")
}

impl Engine {
    fn saml_url(&self, p: &Provider, end: &str) -> String {
        format!(
            "{}/api/v01/auth/sso/{}/{end}",
            self.config().public_origin(),
            p.id
        )
    }

    /// Our entity ID at the IdP: the setting, else the metadata URL.
    fn sp_entity_id(&self, p: &Provider) -> Result<String> {
        Ok(settings(p)?
            .sp_entity_id
            .clone()
            .unwrap_or_else(|| self.saml_url(p, "metadata")))
    }

    /// The IdP's metadata: the XML of the settings, or read from its URL (cached).
    async fn idp_metadata(&self, p: &Provider) -> Result<Arc<EntityDescriptor>> {
        let s = settings(p)?;
        if let Some(xml) = &s.idp_metadata_xml {
            return parse_metadata(xml).map(Arc::new);
        }
        let Some(url) = &s.idp_metadata_url else {
            return Err(Error::Internal(format!(
                "SSO provider {} has no IdP metadata",
                p.id
            )));
        };
        let now = self.now_ms();
        let version = p.updated_at.timestamp_millis();
        let cached = self
            .0
            .saml_metadata
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&p.id)
            .cloned();
        if let Some(f) = cached
            && f.version == version
            && now - f.fetched_at < METADATA_TTL_MS
        {
            return Ok(f.metadata);
        }
        let response = self
            .0
            .http
            .get(url)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|e| Error::internal(&format!("SAML metadata of {}", p.id), e))?;
        let xml = response
            .text()
            .await
            .map_err(|e| Error::internal(&format!("SAML metadata of {}", p.id), e))?;
        let metadata = Arc::new(parse_metadata(&xml)?);
        self.0
            .saml_metadata
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(
                p.id.clone(),
                Fetched {
                    version,
                    fetched_at: now,
                    metadata: metadata.clone(),
                },
            );
        Ok(metadata)
    }

    /// The service provider of `p`. Refused when the IdP metadata has no signing
    /// certificate: samael would then accept unsigned responses.
    async fn service_provider(&self, p: &Provider) -> Result<ServiceProvider> {
        let idp = self.idp_metadata(p).await?;
        let sp = ServiceProviderBuilder::default()
            .entity_id(self.sp_entity_id(p)?)
            .acs_url(self.saml_url(p, "acs"))
            .metadata_url(self.saml_url(p, "metadata"))
            .idp_metadata((*idp).clone())
            .allowed_signature_algorithms(vec![
                AllowedSignatureAlgorithm::RsaSha256,
                AllowedSignatureAlgorithm::RsaSha384,
                AllowedSignatureAlgorithm::RsaSha512,
                AllowedSignatureAlgorithm::EcdsaSha256,
                AllowedSignatureAlgorithm::EcdsaSha384,
                AllowedSignatureAlgorithm::EcdsaSha512,
            ])
            .max_clock_skew(chrono::Duration::seconds(60))
            .build()
            .map_err(|e| Error::internal("SAML service provider", e))?;
        let signed = sp
            .idp_signing_certs()
            .map_err(|e| Error::internal("SAML IdP certificates", e))?
            .is_some();
        if !signed {
            return Err(Error::Internal(format!(
                "the IdP metadata of SSO provider {} has no signing certificate",
                p.id
            )));
        }
        Ok(sp)
    }

    /// Our metadata for the IdP (`GET /api/v01/auth/sso/{id}/metadata`).
    pub async fn saml_metadata(&self, id: &str) -> Result<String> {
        let (p, _) = self
            .enabled_provider(id, Some(super::Protocol::Saml))
            .await?;
        let sp = self.service_provider(&p).await?;
        let mut metadata = sp
            .metadata()
            .map_err(|e| Error::internal("SAML metadata", e))?;
        // No single logout here: samael fills in an endpoint we do not serve.
        for d in metadata.sp_sso_descriptors.iter_mut().flatten() {
            d.single_logout_services = None;
        }
        metadata
            .to_string()
            .map_err(|e| Error::internal("SAML metadata", e))
    }

    fn saml_request_id(&self, state: &str) -> String {
        format!("_{}", &self.0.secrets.mac("saml request", state)[..40])
    }

    /// Where to send the browser: the IdP's SSO endpoint with our AuthnRequest and `state`
    /// as the RelayState.
    pub(crate) async fn saml_authorization_url(&self, p: &Provider, state: &str) -> Result<String> {
        let sp = self.service_provider(p).await?;
        let sso = sp
            .sso_binding_location(HTTP_REDIRECT_BINDING)
            .ok_or_else(|| {
                Error::Internal(format!("the IdP of {} has no HTTP-Redirect SSO", p.id))
            })?;
        let mut request = sp
            .make_authentication_request(&sso)
            .map_err(|e| Error::internal("SAML AuthnRequest", e))?;
        // samael's own ID has 32 random bits; ours is bound to the flow.
        request.id = self.saml_request_id(state);
        let url = request
            .redirect(state)
            .map_err(|e| Error::internal("SAML AuthnRequest", e))?
            .ok_or_else(|| Error::Internal("SAML AuthnRequest without destination".into()))?;
        Ok(url.to_string())
    }

    /// The POSTed `SAMLResponse` verified: who the IdP says signed in. `Ok(Err(reason))` is a
    /// refusal.
    pub(crate) async fn saml_identity(
        &self,
        p: &Provider,
        state: &str,
        response: &str,
    ) -> Result<Result<ExternalIdentity, Refusal>> {
        if response.len() > MAX_RESPONSE {
            return Ok(Err("response_too_large"));
        }
        let Ok(xml) = B64
            .decode(response.trim())
            .map_err(|_| ())
            .and_then(|b| String::from_utf8(b).map_err(|_| ()))
        else {
            return Ok(Err("malformed_response"));
        };
        if has_dtd(&xml) {
            return Ok(Err("doctype"));
        }
        let sp = self.service_provider(p).await?;
        let request_id = self.saml_request_id(state);
        // samael's error is not Send: it becomes a reason before any await.
        let assertion = match sp.parse_xml_response(&xml, Some(&[request_id.as_str()])) {
            Ok(a) => a,
            Err(e) => {
                tracing::info!(provider = %p.id, error = %e, "SAML response refused");
                return Ok(Err(refusal_of(&e)));
            }
        };
        let entity_id = self.sp_entity_id(p)?;
        let audiences = assertion
            .conditions
            .as_ref()
            .and_then(|c| c.audience_restrictions.as_ref());
        let ours = audiences.is_some_and(|all| {
            !all.is_empty() && all.iter().all(|r| r.audience.contains(&entity_id))
        });
        if !ours {
            return Ok(Err("wrong_audience"));
        }
        let Some(subject) = assertion
            .subject
            .as_ref()
            .and_then(|s| s.name_id.as_ref())
            .map(|n| n.value.trim().to_string())
            .filter(|v| !v.is_empty())
        else {
            return Ok(Err("no_subject"));
        };
        let issuer = assertion.issuer.value.clone().unwrap_or_default();
        let until = assertion
            .conditions
            .as_ref()
            .and_then(|c| c.not_on_or_after)
            .map_or(self.now_ms() + ASSERTION_MEMORY_MS, |t| {
                t.timestamp_millis() + 60_000
            });
        let first_use = self
            .store()
            .use_saml_assertion(
                &crate::secrets::hash_secret(&format!("{}\0{}\0{}", p.id, issuer, assertion.id)),
                until,
            )
            .await?;
        if !first_use {
            return Ok(Err("replayed_assertion"));
        }
        Ok(Ok(ExternalIdentity {
            issuer,
            claims: claims_of(&assertion, &subject),
            amr: amr_of(&assertion),
            subject,
        }))
    }
}

/// Checks IdP metadata an admin saves: it parses, and names a signing certificate and an
/// HTTP-Redirect sign-in endpoint.
pub(super) fn check_idp_metadata(field: &str, xml: &str) -> Result<()> {
    let metadata: EntityDescriptor = xml
        .parse()
        .map_err(|e| Error::invalid(field, format!("not SAML metadata: {e}")))?;
    let sp = ServiceProvider {
        idp_metadata: metadata,
        ..ServiceProvider::default()
    };
    if !matches!(sp.idp_signing_certs(), Ok(Some(_))) {
        return Err(Error::invalid(
            field,
            "the IdP metadata has no signing certificate",
        ));
    }
    if sp.sso_binding_location(HTTP_REDIRECT_BINDING).is_none() {
        return Err(Error::invalid(
            field,
            "the IdP metadata has no HTTP-Redirect SingleSignOnService",
        ));
    }
    Ok(())
}

fn parse_metadata(xml: &str) -> Result<EntityDescriptor> {
    if has_dtd(xml) {
        return Err(Error::Internal("SAML IdP metadata with a DOCTYPE".into()));
    }
    xml.parse()
        .map_err(|e| Error::internal("SAML IdP metadata", e))
}

/// A reason for the audit events, from samael's error.
fn refusal_of(error: &SpError) -> Refusal {
    match error {
        SpError::FailedToValidateSignature => "bad_signature",
        SpError::AssertionConditionAudienceRestrictionFailed { .. } => "wrong_audience",
        SpError::AssertionInResponseToInvalid { .. }
        | SpError::ResponseInResponseToInvalid { .. } => "wrong_in_response_to",
        SpError::AssertionRecipientMismatch { .. } | SpError::DestinationValidationError { .. } => {
            "wrong_recipient"
        }
        SpError::AssertionExpired { .. }
        | SpError::AssertionSubjectConfirmationExpired { .. }
        | SpError::AssertionSubjectConfirmationExpiredBefore { .. }
        | SpError::AssertionConditionExpired { .. }
        | SpError::AssertionConditionExpiredBefore { .. }
        | SpError::ResponseExpired { .. } => "expired_assertion",
        SpError::AssertionIssuerMismatch { .. } | SpError::ResponseIssuerMismatch { .. } => {
            "wrong_issuer"
        }
        _ => "invalid_response",
    }
}

/// The attributes as claims (one value: a string; several: a list), by name and by friendly
/// name, and the NameID as `name_id`.
fn claims_of(a: &Assertion, subject: &str) -> Map<String, Value> {
    let mut claims = Map::new();
    for attribute in a
        .attribute_statements
        .iter()
        .flatten()
        .flat_map(|s| &s.attributes)
    {
        let values: Vec<Value> = attribute
            .values
            .iter()
            .filter_map(|v| v.value.clone())
            .map(Value::String)
            .collect();
        let value = match values.len() {
            1 => values.into_iter().next().unwrap_or(Value::Null),
            _ => Value::Array(values),
        };
        for name in [&attribute.name, &attribute.friendly_name]
            .into_iter()
            .flatten()
        {
            claims.entry(name.clone()).or_insert_with(|| value.clone());
        }
    }
    claims.insert("name_id".into(), Value::String(subject.to_string()));
    claims
}

/// `mfa` when the authentication context says the IdP asked for a second factor.
fn amr_of(a: &Assertion) -> Vec<String> {
    let multi = a
        .authn_statements
        .iter()
        .flatten()
        .filter_map(|s| s.authn_context.as_ref()?.value.as_ref()?.value.as_deref())
        .any(|class| MULTI_FACTOR_CLASSES.iter().any(|m| class.contains(m)));
    if multi {
        vec!["mfa".into()]
    } else {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_dtd_is_refused() {
        assert!(has_dtd(
            "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x \"y\">]><r/>"
        ));
        assert!(has_dtd("<!doctype r><r/>"));
        assert!(!has_dtd("<samlp:Response/>"));
    }
}

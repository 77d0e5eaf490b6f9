//! A sign-in through an identity provider, from the redirect to its answer: the flow is
//! stored server-side under the hash of its `state`, bound to the browser that started it (the
//! hash of a cookie the door sets), single use, and ten minutes long.

use super::providers::{Protocol, Provider, provider};
use crate::Engine;
use crate::error::{Error, Result};
use crate::login::{LoginOutcome, login_event};
use crate::principal::RequestMeta;
use crate::secrets::{hash_secret, random_token};
use crate::store::{FlowRow, UserRow};
use std::sync::Arc;

/// Time to sign in at the IdP.
const FLOW_MS: i64 = 10 * 60_000;
const MAX_RETURN_TO: usize = 512;
const MAX_LOGIN_HINT: usize = 255;

/// The enabled providers, kept in memory, and the store version they were read at.
#[derive(Default)]
pub(crate) struct SignInProviders {
    version: Option<(i64, i64)>,
    providers: Arc<Vec<Provider>>,
}

/// Where a started sign-in goes.
#[derive(Debug, Clone)]
pub struct SsoStart {
    /// The IdP's authorization URL.
    pub location: String,
    /// The browser's binding cookie value: the one it sent, or a new one to set.
    pub browser: String,
}

/// What the IdP sent back to the OIDC callback (query parameters).
#[derive(Debug, Clone, Default)]
pub struct OidcCallback {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
}

/// The end of a sign-in. `json` is how it was started (None when the flow is unknown: the
/// door then goes by the callback request).
#[derive(Debug)]
pub struct SsoFinish {
    pub json: Option<bool>,
    pub return_to: Option<String>,
    pub outcome: Result<LoginOutcome>,
}

/// A path of this site: `/…`, not `//host` nor `/\host` (browsers read both as another host).
fn check_return_to(v: &str) -> Result<()> {
    let ok = v.starts_with('/')
        && !v.starts_with("//")
        && !v.starts_with("/\\")
        && v.len() <= MAX_RETURN_TO
        && !v.chars().any(|c| c.is_control() || c == '\\');
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            "return_to",
            "a path of this site, like /profile",
        ))
    }
}

impl Engine {
    /// The enabled providers a user can sign in with, for the login page's buttons: the
    /// copy in memory (every page asks for them; see `reload_sso_providers`).
    pub fn sso_sign_in_providers(&self) -> Arc<Vec<Provider>> {
        self.0
            .sso_buttons
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .providers
            .clone()
    }

    /// Re-reads the enabled providers: at once after a save or a delete here (`force`), and
    /// at start and each sync when another instance changed them.
    pub(crate) async fn reload_sso_providers(&self, force: bool) -> Result<()> {
        let version = self.store().sso_providers_version().await?;
        let current = self
            .0
            .sso_buttons
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .version;
        if current == Some(version) && !force {
            return Ok(());
        }
        let mut providers = Vec::new();
        for row in self.store().sso_providers().await? {
            let p = provider(row)?;
            if p.settings.enabled {
                providers.push(p);
            }
        }
        *self
            .0
            .sso_buttons
            .write()
            .unwrap_or_else(|e| e.into_inner()) = SignInProviders {
            version: Some(version),
            providers: Arc::new(providers),
        };
        Ok(())
    }

    /// An enabled provider (of `protocol`, when given) and its sealed client secret; unknown
    /// or disabled is 404.
    pub(super) async fn enabled_provider(
        &self,
        id: &str,
        protocol: Option<Protocol>,
    ) -> Result<(Provider, Option<String>)> {
        let row = self
            .store()
            .sso_provider(id)
            .await?
            .ok_or(Error::NotFound)?;
        let sealed = row.client_secret_enc.clone();
        let p = provider(row)?;
        if !p.settings.enabled || protocol.is_some_and(|x| x != p.settings.protocol) {
            return Err(Error::NotFound);
        }
        Ok((p, sealed))
    }

    /// Starts a sign-in with provider `id`: the flow is stored and the IdP's URL returned.
    /// `browser` is the binding cookie the browser already has (its other tabs' flows stay
    /// valid); `json` marks a REST client, which gets the tokens as JSON at the end.
    pub async fn start_sso(
        &self,
        id: &str,
        return_to: Option<&str>,
        login_hint: Option<&str>,
        json: bool,
        browser: Option<&str>,
    ) -> Result<SsoStart> {
        let return_to = return_to.filter(|r| !r.is_empty());
        if let Some(r) = return_to {
            check_return_to(r)?;
        }
        let login_hint = login_hint.filter(|h| !h.is_empty());
        if let Some(h) = login_hint {
            crate::users::text("login_hint", h, MAX_LOGIN_HINT)?;
        }
        let (p, _) = self.enabled_provider(id, None).await?;
        let browser = match browser.filter(|b| (32..=64).contains(&b.len())) {
            Some(b) => b.to_string(),
            None => random_token(self.entropy(), 32),
        };
        let state = random_token(self.entropy(), 32);
        let location = match p.settings.protocol {
            Protocol::Oidc => self.oidc_authorization_url(&p, &state, login_hint).await?,
            Protocol::Saml => self.saml_authorization_url(&p, &state).await?,
        };
        let now = self.now_ms();
        self.store()
            .insert_sso_flow(
                &hash_secret(&state),
                &FlowRow {
                    provider_id: p.id.clone(),
                    browser_hash: hash_secret(&browser),
                    return_to: return_to.map(str::to_string),
                    json: i64::from(json),
                    expires_at: now + FLOW_MS,
                },
            )
            .await?;
        Ok(SsoStart { location, browser })
    }

    /// The flow of this browser and `state`, taken; `Err` is the end of an unknown one.
    async fn take_flow(
        &self,
        id: &str,
        state: Option<&str>,
        browser: Option<&str>,
        meta: &RequestMeta,
    ) -> std::result::Result<FlowRow, Box<SsoFinish>> {
        let flow = match (state.filter(|s| !s.is_empty()), browser) {
            (Some(state), Some(browser)) => {
                self.store()
                    .take_sso_flow(&hash_secret(state), &hash_secret(browser), self.now_ms())
                    .await
            }
            _ => Ok(None),
        };
        match flow {
            Ok(Some(f)) => Ok(f),
            Ok(None) => Err(Box::new(SsoFinish {
                json: None,
                return_to: None,
                outcome: self.refuse_sso(id, None, "", "unknown_state", meta).await,
            })),
            Err(e) => Err(Box::new(SsoFinish {
                json: None,
                return_to: None,
                outcome: Err(e),
            })),
        }
    }

    /// The OIDC callback: the flow of this browser and `state`, the code exchanged, the
    /// identity verified, then the user signed in (or the second factor due).
    pub async fn finish_oidc(
        &self,
        id: &str,
        callback: &OidcCallback,
        browser: Option<&str>,
        meta: &RequestMeta,
    ) -> SsoFinish {
        let flow = match self
            .take_flow(id, callback.state.as_deref(), browser, meta)
            .await
        {
            Ok(f) => f,
            Err(done) => return *done,
        };
        let outcome = self.finish_oidc_flow(id, &flow, callback, meta).await;
        SsoFinish {
            json: Some(flow.json != 0),
            return_to: flow.return_to,
            outcome,
        }
    }

    async fn finish_oidc_flow(
        &self,
        id: &str,
        flow: &FlowRow,
        callback: &OidcCallback,
        meta: &RequestMeta,
    ) -> Result<LoginOutcome> {
        if flow.provider_id != id {
            return self.refuse_sso(id, None, "", "wrong_provider", meta).await;
        }
        if let Some(error) = &callback.error {
            tracing::info!(provider = id, error = %error, "the IdP refused the sign-in");
            return self.refuse_sso(id, None, "", "idp_error", meta).await;
        }
        let (Some(code), Some(state)) = (&callback.code, &callback.state) else {
            return self.refuse_sso(id, None, "", "no_code", meta).await;
        };
        let (p, sealed) = self.enabled_provider(id, Some(Protocol::Oidc)).await?;
        // Opened only here: the start of a sign-in does not need it.
        let secret = match sealed {
            Some(s) => Some(self.0.secrets.open(&s)?),
            None => None,
        };
        match self.oidc_identity(&p, secret, state, code).await? {
            Ok(identity) => self.sign_in_external(&p, identity, meta).await,
            Err(why) => self.refuse_sso(id, None, "", why, meta).await,
        }
    }

    /// The SAML assertion consumer service: the flow of this browser and RelayState, the
    /// response verified, then the user signed in (or the second factor due).
    pub async fn finish_saml(
        &self,
        id: &str,
        response: &str,
        relay_state: &str,
        browser: Option<&str>,
        meta: &RequestMeta,
    ) -> SsoFinish {
        let flow = match self.take_flow(id, Some(relay_state), browser, meta).await {
            Ok(f) => f,
            Err(done) => return *done,
        };
        let outcome = async {
            if flow.provider_id != id {
                return self.refuse_sso(id, None, "", "wrong_provider", meta).await;
            }
            let (p, _) = self.enabled_provider(id, Some(Protocol::Saml)).await?;
            match self.saml_identity(&p, relay_state, response).await? {
                Ok(identity) => self.sign_in_external(&p, identity, meta).await,
                Err(why) => self.refuse_sso(id, None, "", why, meta).await,
            }
        }
        .await;
        SsoFinish {
            json: Some(flow.json != 0),
            return_to: flow.return_to,
            outcome,
        }
    }

    /// Records a refused sign-in through provider `id`; always `InvalidCredentials`.
    pub(super) async fn refuse_sso<T>(
        &self,
        id: &str,
        user: Option<&UserRow>,
        name: &str,
        why: &str,
        meta: &RequestMeta,
    ) -> Result<T> {
        let (user_id, name) = user.map_or((None, name), |u| (Some(u.id.as_str()), &u.username));
        self.audit(
            login_event("failure", user_id, name, "sso", meta)
                .field("reason", why)
                .field("provider", id),
        )
        .await;
        Err(Error::InvalidCredentials)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn return_to_stays_on_this_site() {
        for ok in ["/", "/profile", "/admin/users?q=a#x"] {
            assert!(check_return_to(ok).is_ok(), "{ok}");
        }
        for bad in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "profile",
            "/a\nb",
            "/a\\b",
        ] {
            assert!(check_return_to(bad).is_err(), "{bad}");
        }
        assert!(check_return_to(&format!("/{}", "a".repeat(600))).is_err());
    }
}

//! Signing in with a passkey (username-first or discoverable, which is also what autofill
//! uses) and re-authenticating with one. A passkey with user verification is a complete
//! login: no second factor follows. Every refusal is the same `InvalidCredentials`, with the
//! reason in the audit events (which are the user's login attempts).

use super::{Ceremony, credentials, from_json, parse_credential, to_json, user_id_of};
use crate::Engine;
use crate::audit::Event;
use crate::error::{Error, Result};
use crate::login::login_event;
use crate::principal::{Principal, RequestMeta};
use crate::protection::account_refusal;
use crate::sessions::Tokens;
use crate::store::UserRow;
use crate::users::normalize_username;
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD as B64};
use webauthn_rs::prelude::{
    DiscoverableAuthentication, DiscoverableKey, PasskeyAuthentication, PublicKeyCredential,
    Webauthn, WebauthnError,
};
use webauthn_rs_proto::AllowCredentials;

/// RFC 8176: a proof of possession of a key, unlocked by the user (PIN or biometrics).
const PASSKEY_AMR: [&str; 2] = ["hwk", "mfa"];

/// The ceremony state of an assertion: for a known user, or for whoever the authenticator
/// names (discoverable).
enum Assertion {
    Known(PasskeyAuthentication),
    Discoverable(DiscoverableAuthentication),
}

/// Why an assertion was refused, for the audit events.
fn reason(e: &WebauthnError) -> &'static str {
    match e {
        WebauthnError::CredentialPossibleCompromise => "counter_regression",
        WebauthnError::UserNotVerified => "user_not_verified",
        WebauthnError::InvalidRPOrigin => "wrong_origin",
        WebauthnError::InvalidRPIDHash => "wrong_rp_id",
        WebauthnError::MismatchedChallenge => "wrong_challenge",
        WebauthnError::CredentialNotFound => "unknown_credential",
        _ => "invalid_assertion",
    }
}

impl Engine {
    /// Starts a passkey login. With a username, the options list that user's credentials;
    /// an unknown user, or one without passkeys, gets the same shape of answer (a decoy
    /// credential derived from the name), so the answer does not tell who exists.
    pub async fn start_passkey_login(&self, username: Option<&str>) -> Result<Ceremony> {
        let rp = self.webauthn()?;
        let username = username.map(normalize_username).filter(|u| !u.is_empty());
        let Some(username) = username else {
            let (options, state) = rp
                .start_discoverable_authentication()
                .map_err(|e| Error::internal("passkey login", e))?;
            return self
                .begin_ceremony("login", None, None, None, &state, options.public_key)
                .await;
        };
        let user = self.store().user_by_username(&username).await?;
        let rows = match &user {
            Some(u) => self.store().passkeys(&u.id).await?,
            None => Vec::new(),
        };
        if let (Some(user), false) = (&user, rows.is_empty()) {
            let (options, state) = rp
                .start_passkey_authentication(&credentials(&rows)?)
                .map_err(|e| Error::internal("passkey login", e))?;
            return self
                .begin_ceremony(
                    "login",
                    None,
                    Some(&user.id),
                    None,
                    &state,
                    options.public_key,
                )
                .await;
        }
        let (mut options, state) = rp
            .start_discoverable_authentication()
            .map_err(|e| Error::internal("passkey login", e))?;
        let decoy = hex::decode(self.0.secrets.mac("passkey decoy", &username))
            .map_err(|e| Error::internal("decoy", e))?;
        options.public_key.extensions = None; // as in a username-first request
        options.public_key.allow_credentials = vec![AllowCredentials {
            type_: "public-key".into(),
            id: decoy[..16].to_vec().into(),
            transports: None,
        }];
        // `name` marks the decoy: its finish always fails, whatever the authenticator says.
        self.begin_ceremony(
            "login",
            None,
            None,
            Some(username),
            &state,
            options.public_key,
        )
        .await
    }

    pub async fn finish_passkey_login(
        &self,
        challenge_id: &str,
        credential: &serde_json::Value,
        meta: &RequestMeta,
    ) -> Result<Tokens> {
        let rp = self.webauthn()?;
        let answer: PublicKeyCredential = parse_credential(credential)?;
        let Some((ceremony, alive)) = self.take_ceremony(challenge_id, "login").await? else {
            return self
                .refuse_passkey(None, "", "unknown_challenge", meta)
                .await;
        };
        if !alive {
            let user = match &ceremony.user_id {
                Some(id) => self.store().user_by_id(id).await?,
                None => None,
            };
            let name = ceremony.name.as_deref().unwrap_or("");
            return self
                .refuse_passkey(user.as_ref(), name, "expired_challenge", meta)
                .await;
        }
        let (user_id, assertion) = match (ceremony.user_id, ceremony.name) {
            (Some(id), _) => (id, Assertion::Known(from_json("state", &ceremony.state)?)),
            (None, Some(username)) => {
                return self
                    .refuse_passkey(None, &username, "no_passkeys", meta)
                    .await;
            }
            (None, None) => match rp.identify_discoverable_authentication(&answer) {
                Ok((handle, _)) => (
                    user_id_of(&handle),
                    Assertion::Discoverable(from_json("state", &ceremony.state)?),
                ),
                Err(_) => {
                    return self.refuse_passkey(None, "", "no_user_handle", meta).await;
                }
            },
        };
        let Some(user) = self.store().user_by_id(&user_id).await? else {
            return self.refuse_passkey(None, "", "unknown_user", meta).await;
        };
        if let Err(why) = self.check_assertion(&rp, &user, assertion, &answer).await? {
            return self.refuse_passkey(Some(&user), "", why, meta).await;
        }
        if let Some(why) = account_refusal(&user, meta.ip, self.now_ms()) {
            return self.refuse_passkey(Some(&user), "", why, meta).await;
        }
        self.sign_in(&user, &PASSKEY_AMR, "passkey", meta).await
    }

    /// Records a refused passkey login; always `InvalidCredentials`.
    async fn refuse_passkey<T>(
        &self,
        user: Option<&UserRow>,
        username: &str,
        why: &str,
        meta: &RequestMeta,
    ) -> Result<T> {
        let (id, name) = user.map_or((None, username), |u| (Some(u.id.as_str()), &u.username));
        self.audit(login_event("failure", id, name, "passkey", meta).field("reason", why))
            .await;
        Err(Error::InvalidCredentials)
    }

    /// Verifies an assertion against the user's current passkeys (webauthn-rs checks origin,
    /// RP ID hash, type, challenge, signature, user verification and the counter) and moves
    /// the counter forward. `Ok(Err(reason))` is a refusal.
    async fn check_assertion(
        &self,
        rp: &Webauthn,
        user: &UserRow,
        assertion: Assertion,
        answer: &PublicKeyCredential,
    ) -> Result<Result<(), &'static str>> {
        let rows = self.store().passkeys(&user.id).await?;
        let mut keys = credentials(&rows)?;
        let result = match assertion {
            Assertion::Known(state) => rp.finish_passkey_authentication(answer, &state),
            Assertion::Discoverable(state) => {
                let found: Vec<DiscoverableKey> = keys.iter().map(DiscoverableKey::from).collect();
                rp.finish_discoverable_authentication(answer, state, &found)
            }
        };
        let result = match result {
            Ok(r) if r.user_verified() => r,
            Ok(_) => return Ok(Err("user_not_verified")),
            Err(e) => return Ok(Err(reason(&e))),
        };
        // The credential must still be one of the user's: deleted since the start, or
        // someone else's, it is refused.
        let used = B64.encode(result.cred_id());
        let Some(i) = rows.iter().position(|r| r.credential_id == used) else {
            return Ok(Err("unknown_credential"));
        };
        keys[i].update_credential(&result);
        let moved = self
            .store()
            .use_passkey(
                &rows[i].id,
                &to_json("passkey", &keys[i])?,
                i64::from(result.counter()),
                self.now_ms(),
            )
            .await?;
        Ok(if moved {
            Ok(())
        } else {
            Err("counter_regression")
        })
    }

    /// Starts a re-authentication with one of the caller's passkeys.
    pub async fn start_passkey_reauth(&self, p: &Principal) -> Result<Ceremony> {
        p.session()?;
        let rp = self.webauthn()?;
        let rows = self.store().passkeys(&p.user_id).await?;
        if rows.is_empty() {
            return Err(Error::invalid("passkey", "you have no passkey"));
        }
        let (options, state) = rp
            .start_passkey_authentication(&credentials(&rows)?)
            .map_err(|e| Error::internal("passkey reauth", e))?;
        self.begin_ceremony("reauth", Some(p), None, None, &state, options.public_key)
            .await
    }

    /// Re-authentication with a passkey assertion: this session may make sensitive changes
    /// for `tokens.reauth_window`.
    pub async fn reauth_with_passkey(
        &self,
        p: &Principal,
        challenge_id: &str,
        credential: &serde_json::Value,
        meta: &RequestMeta,
    ) -> Result<()> {
        let session = p.session()?;
        let rp = self.webauthn()?;
        let answer: PublicKeyCredential = parse_credential(credential)?;
        let user = self.current_user(p).await?;
        let ceremony = self
            .take_ceremony(challenge_id, "reauth")
            .await?
            .filter(|(c, _)| c.session_id.as_deref() == Some(session));
        let outcome = match ceremony {
            None => Err("unknown_challenge"),
            Some((_, false)) => Err("expired_challenge"),
            Some((c, true)) => {
                let state = Assertion::Known(from_json("state", &c.state)?);
                self.check_assertion(&rp, &user, state, &answer).await?
            }
        };
        if let Err(why) = outcome {
            self.audit(
                Event::new("reauth", "failure")
                    .actor(p)
                    .ip(meta)
                    .detail(serde_json::json!({ "reason": why, "method": "passkey" })),
            )
            .await;
            return Err(Error::InvalidCredentials);
        }
        self.store()
            .mark_authenticated(session, self.now_ms())
            .await?;
        self.audit(
            Event::new("reauth", "success")
                .actor(p)
                .ip(meta)
                .field("method", "passkey"),
        )
        .await;
        Ok(())
    }
}

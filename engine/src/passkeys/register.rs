//! Registering a passkey from the profile: start (after a re-authentication) and finish,
//! bound to the session that started it.

use super::{
    Ceremony, MAX_PASSKEYS, PasskeyInfo, clean_name, credentials, from_json, parse_credential,
    to_json, user_handle,
};
use crate::Engine;
use crate::audit::Event;
use crate::error::{Error, Result};
use crate::principal::{Principal, RequestMeta};
use crate::secrets::random_id;
use crate::store::{PasskeyRow, UserRow};
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD as B64};
use webauthn_rs::prelude::{PasskeyRegistration, RegisterPublicKeyCredential};
use webauthn_rs_proto::ResidentKeyRequirement;

/// What the authenticator shows next to the username.
fn display_name(user: &UserRow) -> String {
    let full = format!("{} {}", user.firstname.trim(), user.lastname.trim());
    let full = full.trim();
    if full.is_empty() {
        user.username.clone()
    } else {
        full.to_string()
    }
}

impl Engine {
    pub async fn start_passkey_registration(&self, p: &Principal, name: &str) -> Result<Ceremony> {
        p.require_active()?;
        self.require_module("passkeys")?;
        let rp = self.webauthn()?;
        self.require_recent_auth(p).await?;
        let name = clean_name(name)?;
        let user = self.current_user(p).await?;
        let rows = self.store().passkeys(&user.id).await?;
        if rows.len() as i64 >= MAX_PASSKEYS {
            return Err(Error::Conflict(format!(
                "at most {MAX_PASSKEYS} passkeys per user: delete one first"
            )));
        }
        let exclude = credentials(&rows)?
            .iter()
            .map(|k| k.cred_id().clone())
            .collect();
        let (mut options, state) = rp
            .start_passkey_registration(
                user_handle(&user.id)?,
                &user.username,
                &display_name(&user),
                Some(exclude),
            )
            .map_err(|e| Error::internal("passkey registration", e))?;
        // A discoverable credential is what makes login without a username and autofill
        // work; "preferred" still lets authenticators without key storage register.
        if let Some(selection) = options.public_key.authenticator_selection.as_mut() {
            selection.resident_key = Some(ResidentKeyRequirement::Preferred);
            selection.require_resident_key = false;
        }
        self.begin_ceremony(
            "register",
            Some(p),
            None,
            Some(name),
            &state,
            options.public_key,
        )
        .await
    }

    pub async fn finish_passkey_registration(
        &self,
        p: &Principal,
        challenge_id: &str,
        credential: &serde_json::Value,
        meta: &RequestMeta,
    ) -> Result<PasskeyInfo> {
        p.require_active()?;
        self.require_module("passkeys")?;
        let rp = self.webauthn()?;
        let answer: RegisterPublicKeyCredential = parse_credential(credential)?;
        let ceremony = self
            .take_ceremony(challenge_id, "register")
            .await?
            .filter(|(c, alive)| {
                *alive
                    && c.user_id.as_deref() == Some(p.user_id.as_str())
                    && c.session_id.as_deref() == Some(p.session_id.as_str())
            })
            .map(|(c, _)| c)
            .ok_or_else(|| {
                Error::invalid("challenge_id", "unknown, used or expired: start again")
            })?;
        let state: PasskeyRegistration = from_json("registration state", &ceremony.state)?;
        let key = match rp.finish_passkey_registration(&answer, &state) {
            Ok(key) => key,
            Err(e) => {
                self.audit(
                    Event::new("passkey_registered", "failure")
                        .actor(p)
                        .ip(meta)
                        .field("reason", e.to_string()),
                )
                .await;
                return Err(Error::invalid(
                    "credential",
                    "the authenticator's answer was refused: start again",
                ));
            }
        };
        let row = PasskeyRow {
            id: random_id(self.entropy()),
            user_id: p.user_id.clone(),
            credential_id: B64.encode(key.cred_id()),
            name: ceremony.name.unwrap_or_else(|| "Passkey".into()),
            passkey: to_json("passkey", &key)?,
            counter: 0,
            created_at: self.now_ms(),
            last_used_at: None,
        };
        self.store().insert_passkey(&row).await?;
        self.audit(
            Event::new("passkey_registered", "success")
                .actor(p)
                .ip(meta)
                .field("passkey", row.id.clone()),
        )
        .await;
        Ok(PasskeyInfo::from(&row))
    }
}

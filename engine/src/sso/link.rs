//! After the identity provider: who the verified identity is here, and whether it may sign in.
//! An identity is a user through its link (provider, issuer, subject), never through an email
//! address; the first time, the provider's creation rules make the user. The extra rule, the
//! account's state and IP whitelist, and the user's second factor apply as on every path.

use super::ExternalIdentity;
use super::providers::{CreationRule, Provider};
use super::rules;
use crate::Engine;
use crate::audit::Event;
use crate::error::{Error, Result};
use crate::login::{LoginOutcome, SignedIn};
use crate::principal::RequestMeta;
use crate::protection::account_refusal;
use crate::store::{SsoLink, UserRow};
use crate::users::{NewUserInput, ProfileChanges, UserChanges};
use serde_json::{Map, Value};

/// The first factor of a sign-in through an IdP (RFC 8176 has no word for it).
const SSO_AMR: &str = "sso";

/// `amr` values (RFC 8176) that show the IdP asked for more than a password.
const SECOND_FACTORS: [&str; 12] = [
    "mfa", "otp", "hwk", "swk", "sms", "tel", "sc", "fpt", "face", "iris", "retina", "vbm",
];

/// A claim as a string: strings as they are, numbers and booleans written out.
fn claim(claims: &Map<String, Value>, name: &str) -> Option<String> {
    match claims.get(name)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Why a rule cannot make a user, or the user it makes.
fn new_user(rule: &CreationRule, claims: &Map<String, Value>) -> Result<NewUserInput, String> {
    let Some(username) = claim(claims, &rule.username) else {
        return Err(format!("no claim {}", rule.username));
    };
    let mapped = |name: &Option<String>| name.as_deref().and_then(|n| claim(claims, n));
    Ok(NewUserInput {
        username,
        password: None,
        changes: UserChanges {
            profile_fields: ProfileChanges {
                firstname: mapped(&rule.firstname),
                lastname: mapped(&rule.lastname),
                email: mapped(&rule.email),
                language: mapped(&rule.language),
                ..Default::default()
            },
            profile: rule.profile.clone(),
            roles: Some(rule.roles.clone()),
            ..Default::default()
        },
    })
}

impl Engine {
    /// Signs in the user of a verified identity of provider `p`.
    pub(super) async fn sign_in_external(
        &self,
        p: &Provider,
        identity: ExternalIdentity,
        meta: &RequestMeta,
    ) -> Result<LoginOutcome> {
        let ExternalIdentity {
            issuer,
            subject,
            claims,
            amr,
        } = identity;
        let name = claim(&claims, "preferred_username").unwrap_or_else(|| subject.clone());
        if let Some(rule) = &p.settings.extra_rule {
            match rules::holds(rule, &claims) {
                Ok(true) => {}
                Ok(false) => {
                    return self
                        .refuse_sso(&p.id, None, &name, "extra_rule", meta)
                        .await;
                }
                Err(e) => {
                    tracing::info!(provider = %p.id, error = %e, "extra rule not evaluated");
                    return self
                        .refuse_sso(&p.id, None, &name, "extra_rule_error", meta)
                        .await;
                }
            }
        }
        let linked = self
            .store()
            .sso_linked_user(&p.id, &issuer, &subject)
            .await?;
        let user = match linked {
            Some(user_id) => match self.store().user_by_id(&user_id).await? {
                Some(u) => u,
                None => {
                    return self
                        .refuse_sso(&p.id, None, &name, "unknown_user", meta)
                        .await;
                }
            },
            None => {
                let link = SsoLink {
                    provider_id: &p.id,
                    issuer: &issuer,
                    subject: &subject,
                };
                match self.create_external_user(p, &claims, &link, meta).await? {
                    Ok(u) => u,
                    Err(why) => return self.refuse_sso(&p.id, None, &name, why, meta).await,
                }
            }
        };
        if let Some(why) = account_refusal(&user, meta.ip, self.now_ms()) {
            return self.refuse_sso(&p.id, Some(&user), "", why, meta).await;
        }
        let idp_second_factor = amr.iter().any(|m| SECOND_FACTORS.contains(&m.as_str()));
        let our_amr: &[&str] = if idp_second_factor {
            &[SSO_AMR, "mfa"]
        } else {
            &[SSO_AMR]
        };
        // A trusted device cannot skip the factor here: its cookie is SameSite=Strict and the
        // IdP's redirect is cross-site. A trusted location can.
        let due = if idp_second_factor {
            None
        } else {
            self.second_factor_due(&user, None, meta).await?
        };
        if let Some(option) = due {
            let challenge = self
                .start_second_factor(&user, option, our_amr, meta)
                .await?;
            return Ok(LoginOutcome::SecondFactor(challenge));
        }
        let tokens = self.sign_in(&user, our_amr, "sso", meta).await?;
        Ok(LoginOutcome::SignedIn(SignedIn {
            tokens,
            device_token: None,
        }))
    }

    /// Makes the user of a first sign-in with the first creation rule that holds, linked to
    /// the identity. `Ok(Err(reason))` is a refusal: no rule, no username, a username taken,
    /// an email address some user already has (never linked by email: that is a takeover
    /// when the IdP lets people set any address), or a claim that is not a valid value.
    async fn create_external_user(
        &self,
        p: &Provider,
        claims: &Map<String, Value>,
        link: &SsoLink<'_>,
        meta: &RequestMeta,
    ) -> Result<Result<UserRow, &'static str>> {
        let rule = p
            .settings
            .user_creation_rules
            .iter()
            .find(|r| rules::holds(&r.when, claims) == Ok(true));
        let Some(rule) = rule else {
            return Ok(Err("no_creation_rule"));
        };
        let input = match new_user(rule, claims) {
            Ok(i) => i,
            Err(e) => {
                tracing::info!(provider = %p.id, error = %e, "creation rule not applicable");
                return Ok(Err("no_username_claim"));
            }
        };
        if let Some(email) = &input.changes.profile_fields.email
            && self.store().email_in_use(email).await?
        {
            return Ok(Err("email_in_use"));
        }
        let idp = format!("sso:{}", p.id);
        let user = match self
            .insert_external_user(&input, Some(&idp), Some(link))
            .await
        {
            Ok(u) => u,
            Err(Error::Conflict(_)) => return Ok(Err("username_taken")),
            Err(Error::Invalid { field, reason }) => {
                tracing::info!(provider = %p.id, %field, %reason, "claim refused");
                return Ok(Err("invalid_claim"));
            }
            Err(e) => return Err(e),
        };
        self.audit(
            Event::new("user_created", "success")
                .user(Some(&user.id), &user.username)
                .ip(meta)
                .detail(serde_json::json!({ "by": "sso", "provider": p.id })),
        )
        .await;
        Ok(Ok(user))
    }
}

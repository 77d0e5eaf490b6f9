//! The password of a BroadWorks user is checked by BroadWorks, at every login; the first
//! successful login of a username unknown here makes the user (`idp: "broadworks"`). Its
//! password is never stored here: a reset sets it in BroadWorks. The IP whitelist, lockout,
//! disabled accounts and the second factor apply as on every path.

use super::ocip::{self, Endpoint, UserInfo};
use super::{BROADWORKS_IDP, BroadWorksSettings, LINK_PROVIDER};
use crate::Engine;
use crate::audit::Event;
use crate::error::{Error, Result};
use crate::login::{LoginOutcome, login_event};
use crate::principal::RequestMeta;
use crate::protection::ip_allowed;
use crate::secrets::random_token;
use crate::store::{SsoLink, UserRow};
use crate::users::{NewUserInput, ProfileChanges, UserChanges};

/// A login BroadWorks decides: the endpoint of the proxy asked for, and that proxy's name.
pub(crate) struct BroadWorksLogin {
    endpoint: Endpoint,
    proxy: Option<String>,
}

fn is_broadworks_user(user: &UserRow) -> bool {
    user.idp.as_deref() == Some(BROADWORKS_IDP)
}

impl Engine {
    /// Whether BroadWorks decides this login: it is enabled, and the username is one of its
    /// users or unknown here. A `proxy` that is not configured is refused whoever the user is
    /// (so the answer tells nothing about the username).
    pub(crate) async fn broadworks_login(
        &self,
        user: Option<&UserRow>,
        proxy: Option<&str>,
    ) -> Result<Option<BroadWorksLogin>> {
        let theirs = user.is_none_or(is_broadworks_user);
        if !theirs && proxy.is_none() {
            return Ok(None); // a local user's login reads nothing more
        }
        let settings = self.broadworks().await?;
        if !settings.enabled {
            return Ok(None);
        }
        let endpoint = settings
            .endpoint(proxy)
            .ok_or_else(|| Error::invalid("proxy", "no BroadWorks proxy of this name"))?;
        Ok(theirs.then(|| BroadWorksLogin {
            endpoint,
            proxy: proxy.map(str::to_string),
        }))
    }

    /// The rest of a login BroadWorks decides (the password was normalized by the caller).
    pub(crate) async fn login_through_broadworks(
        &self,
        route: BroadWorksLogin,
        user: Option<UserRow>,
        username: &str,
        password: &str,
        device_token: Option<&str>,
        meta: &RequestMeta,
    ) -> Result<LoginOutcome> {
        let refusal = match &user {
            // Before BroadWorks is asked: outsiders of a whitelist cannot lock the account.
            Some(u) if !ip_allowed(&u.ip_whitelist, meta.ip) => Some("ip_not_allowed"),
            Some(u) if u.locked_until.is_some_and(|t| t > self.now_ms()) => Some("locked"),
            _ if !ocip::usable(username) || !ocip::usable(password) => Some("broadworks_refused"),
            _ => None,
        };
        if let Some(reason) = refusal {
            return self
                .refuse_broadworks(user.as_ref(), username, (reason, None), meta)
                .await;
        }
        let session = random_token(self.entropy(), 16);
        let verified =
            ocip::verify_user(&route.endpoint, &self.0.http, session, username, password).await;
        let info = match verified {
            Ok(Some(info)) => info,
            Ok(None) => {
                let reason = match &user {
                    Some(u) => self.count_wrong_password(u, meta).await?,
                    None => "broadworks_refused",
                };
                return self
                    .refuse_broadworks(user.as_ref(), username, (reason, None), meta)
                    .await;
            }
            Err(e) => {
                // Said only to the logs and the events: the answer is the same as for a wrong
                // password, or it would tell which usernames are local.
                tracing::warn!(error = %e, "BroadWorks could not be asked");
                let why = ("broadworks_unreachable", Some(e.to_string()));
                return self
                    .refuse_broadworks(user.as_ref(), username, why, meta)
                    .await;
            }
        };
        let user = match user {
            Some(u) => u,
            None => match self
                .create_broadworks_user(username, info, route.proxy.as_deref(), meta)
                .await?
            {
                Ok(u) => u,
                Err(why) => {
                    return self
                        .refuse_broadworks(None, username, (why, None), meta)
                        .await;
                }
            },
        };
        if user.disabled != 0 {
            return self
                .refuse_broadworks(Some(&user), username, ("disabled", None), meta)
                .await;
        }
        self.password_accepted(&user, device_token, BROADWORKS_IDP, meta)
            .await
    }

    /// Records why (and, when BroadWorks could not be asked, the error) and refuses.
    async fn refuse_broadworks(
        &self,
        user: Option<&UserRow>,
        username: &str,
        (reason, error): (&str, Option<String>),
        meta: &RequestMeta,
    ) -> Result<LoginOutcome> {
        let id = user.map(|u| u.id.as_str());
        let mut event =
            login_event("failure", id, username, BROADWORKS_IDP, meta).field("reason", reason);
        if let Some(error) = error {
            event = event.field("error", error);
        }
        self.audit(event).await;
        Err(Error::InvalidCredentials)
    }

    /// Makes the user of a first BroadWorks login, with BroadWorks' names and its address
    /// unless another user has that address. `Ok(Err(reason))`: the username cannot be one
    /// here.
    async fn create_broadworks_user(
        &self,
        username: &str,
        info: UserInfo,
        proxy: Option<&str>,
        meta: &RequestMeta,
    ) -> Result<Result<UserRow, &'static str>> {
        let email = match info.email {
            Some(e) if !self.store().email_in_use(&e).await? => Some(e),
            _ => None,
        };
        let input = NewUserInput {
            username: username.to_string(),
            password: None,
            changes: UserChanges {
                profile_fields: ProfileChanges {
                    firstname: info.first_name,
                    lastname: info.last_name,
                    email,
                    ..Default::default()
                },
                ..Default::default()
            },
        };
        let link = SsoLink {
            provider_id: LINK_PROVIDER,
            issuer: proxy.unwrap_or_default(),
            subject: username,
        };
        let user = match self
            .insert_external_user(&input, Some(BROADWORKS_IDP), Some(&link))
            .await
        {
            Ok(u) => u,
            // Two first logins at once: the other one made the user.
            Err(Error::Conflict(_)) => match self.store().user_by_username(username).await? {
                Some(u) if is_broadworks_user(&u) => return Ok(Ok(u)),
                _ => return Ok(Err("username_taken")),
            },
            Err(Error::Invalid { field, reason }) => {
                tracing::info!(%field, %reason, "BroadWorks user not made");
                return Ok(Err("invalid_profile"));
            }
            Err(e) => return Err(e),
        };
        self.audit(
            Event::new("user_created", "success")
                .user(Some(&user.id), &user.username)
                .ip(meta)
                .detail(serde_json::json!({ "by": BROADWORKS_IDP, "proxy": proxy })),
        )
        .await;
        Ok(Ok(user))
    }

    /// Whether a reset link may be sent to this user: a local user, or a BroadWorks user
    /// while BroadWorks is enabled.
    pub(crate) async fn password_resettable(&self, user: &UserRow) -> Result<bool> {
        Ok(match user.idp {
            None => true,
            Some(_) if is_broadworks_user(user) => self.broadworks().await?.enabled,
            Some(_) => false,
        })
    }

    /// The endpoint of a BroadWorks user: the proxy the user first signed in by, or the
    /// default endpoint when that proxy is gone. `None` while BroadWorks is off.
    async fn user_endpoint(
        &self,
        settings: &BroadWorksSettings,
        user: &UserRow,
    ) -> Result<Option<Endpoint>> {
        if !settings.enabled {
            return Ok(None);
        }
        let proxy = self
            .store()
            .sso_link_issuer(LINK_PROVIDER, &user.id)
            .await?
            .filter(|p| !p.is_empty());
        Ok(settings
            .endpoint(proxy.as_deref())
            .or_else(|| settings.endpoint(None)))
    }

    /// A BroadWorks user's password checked by BroadWorks (re-authentication, password
    /// change): `None` for other users. BroadWorks off or out of reach is `Unavailable`: no
    /// answer, so no wrong password either.
    pub(crate) async fn check_broadworks_password(
        &self,
        user: &UserRow,
        password: &str,
    ) -> Result<Option<bool>> {
        if !is_broadworks_user(user) {
            return Ok(None);
        }
        let settings = self.broadworks().await?;
        let Some(endpoint) = self.user_endpoint(&settings, user).await? else {
            return Err(Error::Unavailable { retry_after: 60 });
        };
        if !ocip::usable(password) {
            return Ok(Some(false));
        }
        let session = random_token(self.entropy(), 16);
        let http = &self.0.http;
        match ocip::verify_user(&endpoint, http, session, &user.username, password).await {
            Ok(found) => Ok(Some(found.is_some())),
            Err(e) => {
                tracing::warn!(error = %e, "BroadWorks could not be asked");
                Err(Error::Unavailable { retry_after: 60 })
            }
        }
    }

    /// Sets a BroadWorks user's new password in BroadWorks (in the configured admin's
    /// session). `Ok(false)`: the user is not a BroadWorks user. BroadWorks' refusal is the
    /// error of `field`; BroadWorks off or out of reach is `Unavailable` (nothing changed:
    /// a reset link stays usable).
    pub(crate) async fn set_broadworks_password(
        &self,
        user: &UserRow,
        field: &str,
        password: &str,
    ) -> Result<bool> {
        if !is_broadworks_user(user) {
            return Ok(false);
        }
        let unavailable = Error::Unavailable { retry_after: 60 };
        let settings = self.broadworks().await?;
        let (Some(endpoint), Some(sealed)) = (
            self.user_endpoint(&settings, user).await?,
            &settings.password_enc,
        ) else {
            return Err(unavailable);
        };
        if !ocip::usable(password) {
            return Err(Error::invalid(field, "no control characters"));
        }
        let admin_password = self.0.secrets.open(sealed)?;
        let admin = (settings.username.as_str(), admin_password.as_str());
        let session = random_token(self.entropy(), 16);
        let http = &self.0.http;
        match ocip::set_password(&endpoint, http, session, admin, &user.username, password).await {
            Ok(Ok(())) => Ok(true),
            Ok(Err(why)) => Err(Error::invalid(
                field,
                format!("BroadWorks refused it: {why}"),
            )),
            Err(e) => {
                tracing::warn!(error = %e, "BroadWorks could not set a password");
                Err(unavailable)
            }
        }
    }
}

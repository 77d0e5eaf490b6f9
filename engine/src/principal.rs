//! Who is calling, as proven by a token, and where from.

use crate::error::{Error, Result};
use std::net::IpAddr;

/// What the doors know about a request besides its body.
#[derive(Debug, Clone)]
pub struct RequestMeta {
    /// The one resolved client IP (trusted proxies only).
    pub ip: IpAddr,
    pub user_agent: Option<String>,
}

impl RequestMeta {
    pub fn new(ip: IpAddr, user_agent: Option<String>) -> Self {
        let user_agent = user_agent.map(|ua| ua.chars().take(256).collect());
        // An IPv4 client seen through a dual-stack socket is still that IPv4 address.
        RequestMeta {
            ip: ip.to_canonical(),
            user_agent,
        }
    }
}

/// An authenticated caller.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user_id: String,
    pub username: String,
    /// Empty for an M2M token, which has no session.
    pub session_id: String,
    /// Authenticated by the user's M2M token rather than a session's access token.
    pub m2m: bool,
    pub roles: Vec<String>,
    pub amr: Vec<String>,
    /// The user must change the password before anything else.
    pub pwd_change: bool,
}

impl Principal {
    pub fn is_admin(&self) -> bool {
        self.roles.iter().any(|r| r == "admin")
    }

    /// For every call but reading one's profile, changing the password and signing out.
    pub fn require_active(&self) -> Result<()> {
        if self.pwd_change {
            return Err(Error::PasswordChangeRequired);
        }
        Ok(())
    }

    /// The caller's session, for what only a session can do (re-authenticate, register a
    /// passkey): an M2M token cannot prove a recent authentication.
    pub fn session(&self) -> Result<&str> {
        if self.m2m {
            return Err(Error::Forbidden);
        }
        Ok(&self.session_id)
    }

    pub fn require_admin(&self) -> Result<()> {
        self.require_active()?;
        if !self.is_admin() {
            return Err(Error::Forbidden);
        }
        Ok(())
    }
}

//! The first admin: no default password. At first start with no users, either the configured
//! `bootstrap.admin_password` is set, or a one-time set-password link is returned for printing.

use crate::Engine;
use crate::error::{Error, Result};
use crate::reset::SET_PASSWORD;
use crate::users::{NewUserInput, UserChanges};

/// How long the printed first-admin link stays valid.
const FIRST_ADMIN_LINK_MS: i64 = 24 * 3600 * 1000;

impl Engine {
    /// Creates the first admin when there is no user at all. Returns the set-password link to
    /// print, when one was made.
    pub async fn bootstrap(&self) -> Result<Option<String>> {
        if self.store().count_users().await? > 0 {
            return Ok(None);
        }
        let cfg = self.config().bootstrap.clone();
        let input = NewUserInput {
            username: cfg.admin.clone(),
            password: cfg.admin_password.clone(),
            changes: UserChanges {
                roles: Some(vec!["admin".into()]),
                ..Default::default()
            },
        };
        let admin = match self.insert_user(&input).await {
            Ok(u) => u,
            // Another instance created it at the same moment.
            Err(Error::Conflict(_)) => return Ok(None),
            Err(Error::Invalid { field, reason }) => {
                return Err(Error::Internal(format!(
                    "bootstrap.admin_password: {field} {reason}"
                )));
            }
            Err(e) => return Err(e),
        };
        self.audit(
            crate::audit::Event::new("bootstrap_admin", "success")
                .user(Some(&admin.id), &admin.username),
        )
        .await;
        if admin.password_hash.is_some() {
            return Ok(None);
        }
        let token = self
            .issue_link_token(&admin.id, SET_PASSWORD, FIRST_ADMIN_LINK_MS)
            .await?;
        Ok(Some(self.set_password_link(&token)))
    }
}

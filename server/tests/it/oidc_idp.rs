//! A real OpenID provider for the SSO tests: node-oidc-provider, run by `tools/oidc-idp/server.mjs`
//! (installed by `scripts/setup.sh`) on an ephemeral port of 127.0.0.1. Login needs no browser:
//! the authorization request's `login_hint=<sub>` signs that user in and grants the requested
//! scopes (no login_hint: the first user); a client keeping cookies follows three redirects from
//! the authorization endpoint to `<redirect_uri>?code=…&state=…&iss=…`. See server.mjs for details.

use crate::node_tool::{self, NodeTool};
use serde_json::Value;

/// A running IdP; killed when dropped.
pub struct OidcIdp {
    /// `http://127.0.0.1:<port>`, also the base of every endpoint.
    pub issuer: String,
    tool: NodeTool,
}

impl OidcIdp {
    /// What the IdP printed on stderr so far (its notices, one line per interaction, errors).
    pub fn log(&self) -> String {
        self.tool.log()
    }
}

/// Starts the IdP in its `normal` mode. `clients`: a JSON array of
/// `{client_id, client_secret, redirect_uris}` (other oidc-provider client metadata passes
/// through); `users`: a JSON object `sub -> claims` (`amr` is how that user authenticated).
pub async fn start(clients: Value, users: Value) -> OidcIdp {
    start_with_mode(clients, users, "normal").await
}

/// Starts the IdP with a test hook (`OIDC_IDP_MODE`): `normal`, or one defect in the ID token
/// of the token response: `bad-signature`, `wrong-iss`, `wrong-aud`, `wrong-nonce`, `no-sub`.
pub async fn start_with_mode(clients: Value, users: Value, mode: &str) -> OidcIdp {
    let tool = node_tool::start(
        "oidc-idp",
        "oidc-provider",
        &[
            ("OIDC_IDP_PORT", "0".into()),
            ("OIDC_IDP_CLIENTS", clients.to_string()),
            ("OIDC_IDP_USERS", users.to_string()),
            ("OIDC_IDP_MODE", mode.into()),
        ],
    )
    .await;
    OidcIdp {
        issuer: tool.url.clone(),
        tool,
    }
}

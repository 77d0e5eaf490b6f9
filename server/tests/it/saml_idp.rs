//! A real SAML 2.0 IdP for the SSO tests: samlify, run by `tools/saml-idp/server.mjs` (installed
//! by `scripts/setup.sh`) on an ephemeral port of 127.0.0.1, signing assertions with a key made
//! at its start. `GET /sso?SAMLRequest=…&RelayState=…&user=<NameID>&format=json` signs that
//! user in without a form and answers `{action, SAMLResponse, RelayState}`; knobs on the same
//! URL make one defect at a time. See server.mjs for details.

use crate::node_tool::{self, NodeTool};
use serde_json::Value;

pub struct SamlIdp {
    /// `http://127.0.0.1:<port>`; the metadata is at `{base}/metadata`.
    pub base: String,
    tool: NodeTool,
}

impl SamlIdp {
    pub fn log(&self) -> String {
        self.tool.log()
    }
}

/// Starts the IdP for the SP whose metadata is at `sp_metadata_url`; `users`: a JSON object
/// `NameID -> attributes`.
pub async fn start(sp_metadata_url: &str, users: Value) -> SamlIdp {
    let tool = node_tool::start(
        "saml-idp",
        "samlify",
        &[
            ("SAML_IDP_PORT", "0".into()),
            ("SAML_IDP_SP_METADATA_URL", sp_metadata_url.into()),
            ("SAML_IDP_USERS", users.to_string()),
        ],
    )
    .await;
    SamlIdp {
        base: tool.url.clone(),
        tool,
    }
}

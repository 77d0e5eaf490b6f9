//! A real OpenID provider for the SSO tests: node-oidc-provider, run by `tools/oidc-idp/server.mjs`
//! (installed by `scripts/setup.sh`) on an ephemeral port of 127.0.0.1. Login needs no browser:
//! the authorization request's `login_hint=<sub>` signs that user in and grants the requested
//! scopes (no login_hint: the first user); a client keeping cookies follows three redirects from
//! the authorization endpoint to `<redirect_uri>?code=…&state=…&iss=…`. See server.mjs for details.

use serde_json::Value;
use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::oneshot;

/// How long the IdP may take to print READY (node start, RSA key generation).
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// A running IdP; killed when dropped.
pub struct OidcIdp {
    /// `http://127.0.0.1:<port>`, also the base of every endpoint.
    pub issuer: String,
    child: Child,
    log: Arc<Mutex<String>>,
}

impl OidcIdp {
    /// What the IdP printed on stderr so far (its notices, one line per interaction, errors).
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }
}

impl Drop for OidcIdp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the IdP in its `normal` mode. `clients`: a JSON array of
/// `{client_id, client_secret, redirect_uris}` (other oidc-provider client metadata passes
/// through); `users`: a JSON object `sub -> claims`.
pub async fn start(clients: Value, users: Value) -> OidcIdp {
    start_with_mode(clients, users, "normal").await
}

/// Starts the IdP with a test hook (`OIDC_IDP_MODE`): `normal`, or one defect in the ID token
/// of the token response: `bad-signature`, `wrong-iss`, `wrong-aud`, `wrong-nonce`, `no-sub`.
pub async fn start_with_mode(clients: Value, users: Value, mode: &str) -> OidcIdp {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tools/oidc-idp");
    assert!(
        dir.join("node_modules/oidc-provider").is_dir(),
        "{} has no node_modules/oidc-provider: run scripts/setup.sh",
        dir.display()
    );
    // std::process (not tokio's, whose `process` feature would rebuild the whole dependency
    // graph for the tests): the pipes are read by two plain threads.
    let mut child = Command::new("node")
        .arg(dir.join("server.mjs"))
        .env("OIDC_IDP_PORT", "0")
        .env("OIDC_IDP_CLIENTS", clients.to_string())
        .env("OIDC_IDP_USERS", users.to_string())
        .env("OIDC_IDP_MODE", mode)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start node (is Node.js on PATH?): {e}"));

    // stderr is read until the end, so the pipe never fills and a failure can show it.
    let log = Arc::new(Mutex::new(String::new()));
    let stderr = child.stderr.take().unwrap();
    let stderr_done = {
        let log = log.clone();
        std::thread::spawn(move || collect(stderr, &log))
    };
    // stdout: the READY line, then nothing is expected (drained into the log all the same).
    let (ready_tx, ready_rx) = oneshot::channel::<String>();
    let stdout = child.stdout.take().unwrap();
    {
        let log = log.clone();
        std::thread::spawn(move || {
            let mut ready_tx = Some(ready_tx);
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                match (line.strip_prefix("READY "), ready_tx.take()) {
                    (Some(issuer), Some(tx)) => {
                        let _ = tx.send(issuer.to_string());
                    }
                    (_, tx) => {
                        ready_tx = tx;
                        log.lock().unwrap().push_str(&format!("(stdout) {line}\n"));
                    }
                }
            }
        });
    }

    match tokio::time::timeout(START_TIMEOUT, ready_rx).await {
        Ok(Ok(issuer)) => OidcIdp { issuer, child, log },
        failed => {
            let _ = child.kill();
            let status = child.wait();
            let _ = stderr_done.join();
            let why = match failed {
                Err(_) => format!("no READY line within {START_TIMEOUT:?}"),
                _ => format!("it exited without READY ({status:?})"),
            };
            panic!(
                "the OIDC IdP (tools/oidc-idp/server.mjs, mode {mode}) did not start: {why}\n\
                 --- its output ---\n{}",
                log.lock().unwrap()
            );
        }
    }
}

/// Appends every line of `from` to `log`.
fn collect(from: impl Read, log: &Mutex<String>) {
    for line in BufReader::new(from).lines().map_while(Result::ok) {
        log.lock().unwrap().push_str(&format!("{line}\n"));
    }
}

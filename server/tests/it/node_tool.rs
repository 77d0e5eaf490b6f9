//! A Node.js program of `tools/` run for a test (the real OpenID and SAML identity providers):
//! started with its environment, ready once it prints `READY <url>`, killed when dropped. Its
//! stderr is kept for the failure messages.

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::oneshot;

/// How long a tool may take to print READY (node start, key generation).
const START_TIMEOUT: Duration = Duration::from_secs(30);

pub struct NodeTool {
    /// What the READY line said: the tool's base URL.
    pub url: String,
    child: Child,
    log: Arc<Mutex<String>>,
}

impl NodeTool {
    /// What the tool printed on stderr so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }
}

impl Drop for NodeTool {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `tools/<dir>/server.mjs` (its `node_modules/<package>` installed by
/// scripts/setup.sh) with `env`. A start that stalls is tried once more: once in several
/// hundred starts, on this two-core machine, node loaded oidc-provider and then printed
/// nothing for 30 s; what is tested is the server, not how node starts.
pub async fn start(dir: &str, package: &str, env: &[(&str, String)]) -> NodeTool {
    match try_start(dir, package, env).await {
        Ok(tool) => tool,
        Err(first) => match try_start(dir, package, env).await {
            Ok(tool) => tool,
            Err(second) => panic!("{first}\n--- tried again ---\n{second}"),
        },
    }
}

/// One start; the failure says why, with the tool's output.
async fn try_start(dir: &str, package: &str, env: &[(&str, String)]) -> Result<NodeTool, String> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tools")
        .join(dir);
    assert!(
        dir.join("node_modules").join(package).is_dir(),
        "{} has no node_modules/{package}: run scripts/setup.sh",
        dir.display()
    );
    // std::process (not tokio's, whose `process` feature would rebuild the whole dependency
    // graph for the tests): the pipes are read by two plain threads.
    let mut command = Command::new("node");
    command
        .arg(dir.join("server.mjs"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command
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
                    (Some(url), Some(tx)) => {
                        let _ = tx.send(url.to_string());
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
        Ok(Ok(url)) => Ok(NodeTool { url, child, log }),
        failed => {
            let _ = child.kill();
            let status = child.wait();
            let _ = stderr_done.join();
            let why = match failed {
                Err(_) => format!("no READY line within {START_TIMEOUT:?}"),
                _ => format!("it exited without READY ({status:?})"),
            };
            Err(format!(
                "{} did not start: {why}\n--- its output ---\n{}",
                dir.join("server.mjs").display(),
                log.lock().unwrap()
            ))
        }
    }
}

/// Appends every line of `from` to `log`.
fn collect(from: impl Read, log: &Mutex<String>) {
    for line in BufReader::new(from).lines().map_while(Result::ok) {
        log.lock().unwrap().push_str(&format!("{line}\n"));
    }
}

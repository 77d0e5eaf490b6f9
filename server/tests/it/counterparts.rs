//! Real counterparts the server talks to in tests: an SMTP server (mailin-embedded, a real
//! SMTP implementation) that keeps what it receives, and an HTTP receiver for workflows that
//! checks signatures with its own HMAC implementation.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use hmac::{Hmac, Mac};
use mail_parser::MessageParser;
use mailin_embedded::{AuthMechanism, Handler, Response, Server, SslConfig, response};
use serde_json::Value;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How long a test waits for something the server does in the background before failing.
pub const PATIENCE: Duration = Duration::from_secs(15);

/// A mail as the SMTP server received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub rcpt: Vec<String>,
    pub raw: Vec<u8>,
}

impl Received {
    fn parsed(&self) -> mail_parser::Message<'_> {
        MessageParser::default().parse(&self.raw).unwrap()
    }

    pub fn subject(&self) -> String {
        self.parsed().subject().unwrap_or_default().to_string()
    }

    pub fn text(&self) -> String {
        self.parsed()
            .body_text(0)
            .map(|t| t.to_string())
            .unwrap_or_default()
    }

    /// The HTML part; None when the mail has none (mail-parser would convert the text).
    pub fn html(&self) -> Option<String> {
        let raw = String::from_utf8_lossy(&self.raw).to_ascii_lowercase();
        if !raw.contains("content-type: text/html") {
            return None;
        }
        self.parsed().body_html(0).map(|t| t.to_string())
    }

    /// The token of the set-password link in the text part, checking the link's origin.
    pub fn link_token(&self, public_url: &str) -> String {
        let text = self.text();
        let prefix = format!("{public_url}/set-password#token=");
        let start = text
            .find(&prefix)
            .unwrap_or_else(|| panic!("no link to {prefix} in:\n{text}"))
            + prefix.len();
        text[start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect()
    }
}

#[derive(Clone)]
struct Keep {
    inbox: Arc<Mutex<Vec<Received>>>,
    rcpt: Vec<String>,
    data: Vec<u8>,
    /// The only (user, password) AUTH PLAIN accepts, when the sink asks for one.
    account: Option<(String, String)>,
    /// Every AUTH attempt: (user, accepted).
    auths: Arc<Mutex<Vec<(String, bool)>>>,
}

impl Handler for Keep {
    fn auth_plain(&mut self, _authz: &str, user: &str, password: &str) -> Response {
        let ok = self
            .account
            .as_ref()
            .is_some_and(|(u, p)| u == user && p == password);
        self.auths.lock().unwrap().push((user.to_string(), ok));
        if ok {
            response::AUTH_OK
        } else {
            response::INVALID_CREDENTIALS
        }
    }

    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.rcpt = to.to_vec();
        self.data.clear();
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        self.inbox.lock().unwrap().push(Received {
            rcpt: std::mem::take(&mut self.rcpt),
            raw: std::mem::take(&mut self.data),
        });
        response::OK
    }
}

pub struct MailSink {
    pub port: u16,
    inbox: Arc<Mutex<Vec<Received>>>,
    auths: Arc<Mutex<Vec<(String, bool)>>>,
}

/// What a secure sink asks of its clients: STARTTLS with this certificate and key (PEM files),
/// then AUTH PLAIN with this account (mailin offers AUTH only after STARTTLS).
pub struct Secure {
    pub cert_path: String,
    pub key_path: String,
    pub account: (String, String),
}

impl MailSink {
    /// Listens on an ephemeral port; the server thread lives as long as the test process.
    pub fn start() -> MailSink {
        MailSink::start_with(None)
    }

    pub fn start_with(secure: Option<Secure>) -> MailSink {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let inbox = Arc::new(Mutex::new(Vec::new()));
        let auths = Arc::new(Mutex::new(Vec::new()));
        let mut server = Server::new(Keep {
            inbox: inbox.clone(),
            rcpt: Vec::new(),
            data: Vec::new(),
            account: secure.as_ref().map(|s| s.account.clone()),
            auths: auths.clone(),
        });
        let ssl = match secure {
            Some(s) => {
                // mailin builds its TLS with rustls' process-wide provider; two are compiled
                // into the tests (ring, and aws-lc-rs by mailin itself), so one is named.
                let _ = tokio_rustls::rustls::crypto::ring::default_provider().install_default();
                server.with_auth(AuthMechanism::Plain);
                SslConfig::SelfSigned {
                    cert_path: s.cert_path,
                    key_path: s.key_path,
                }
            }
            None => SslConfig::None,
        };
        server
            .with_name("sink.test")
            .with_ssl(ssl)
            .unwrap()
            .with_tcp_listener(listener);
        std::thread::spawn(move || {
            if let Err(e) = server.serve() {
                eprintln!("the test SMTP server stopped: {e}");
            }
        });
        MailSink { port, inbox, auths }
    }

    /// Every AUTH attempt so far: (user, accepted).
    pub fn auths(&self) -> Vec<(String, bool)> {
        self.auths.lock().unwrap().clone()
    }

    /// The settings that send the server's mail here, with quick retries (of workflows too).
    pub fn env(&self) -> Vec<(String, String)> {
        vec![
            (
                "APIO_SMTP_URL".into(),
                format!("smtp://127.0.0.1:{}", self.port),
            ),
            ("APIO_SMTP_FROM".into(), "APIO <auth@apio.test>".into()),
            ("APIO_SMTP_RETRY_DELAY".into(), "20ms".into()),
            ("APIO_WORKFLOWS_RETRY_DELAY".into(), "20ms".into()),
        ]
    }

    pub fn count(&self) -> usize {
        self.inbox.lock().unwrap().len()
    }

    /// The `n`-th mail received (0-based), waiting for it.
    pub async fn nth(&self, n: usize) -> Received {
        wait_for(&format!("mail #{n}"), || {
            self.inbox.lock().unwrap().get(n).cloned()
        })
        .await
    }
}

/// Polls `found` until it gives something, failing the test after [`PATIENCE`].
async fn wait_for<T>(what: &str, found: impl Fn() -> Option<T>) -> T {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        if let Some(t) = found() {
            return t;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what} never arrived"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// One workflow call as received.
#[derive(Debug, Clone)]
pub struct Call {
    pub body: Value,
    /// The signature header checked against the shared secret with `hmac`/`sha2`.
    pub signature_ok: bool,
}

#[derive(Clone)]
struct ReceiverState {
    secret: String,
    calls: Arc<Mutex<Vec<Call>>>,
    /// Answers 500 this many times before answering 200.
    failures_left: Arc<AtomicU32>,
}

pub struct WorkflowReceiver {
    pub url: String,
    calls: Arc<Mutex<Vec<Call>>>,
}

impl WorkflowReceiver {
    pub async fn start(secret: &str, failures: u32) -> WorkflowReceiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!(
            "http://127.0.0.1:{}/hook",
            listener.local_addr().unwrap().port()
        );
        let calls = Arc::new(Mutex::new(Vec::new()));
        let state = ReceiverState {
            secret: secret.into(),
            calls: calls.clone(),
            failures_left: Arc::new(AtomicU32::new(failures)),
        };
        let app = axum::Router::new()
            .route("/hook", axum::routing::post(receive))
            .with_state(state);
        tokio::spawn(async move { axum::serve(listener, app).await });
        WorkflowReceiver { url, calls }
    }

    pub fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap().clone()
    }

    pub async fn nth(&self, n: usize) -> Call {
        wait_for(&format!("workflow call #{n}"), || {
            self.calls.lock().unwrap().get(n).cloned()
        })
        .await
    }
}

async fn receive(State(s): State<ReceiverState>, headers: HeaderMap, body: String) -> StatusCode {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(s.secret.as_bytes()).unwrap();
    mac.update(format!("{}.{body}", header("x-apio-timestamp")).as_bytes());
    let expected = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
    s.calls.lock().unwrap().push(Call {
        body: serde_json::from_str(&body).unwrap_or(Value::Null),
        signature_ok: header("x-apio-signature") == expected,
    });
    let failing = s
        .failures_left
        .try_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    if failing {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::OK
    }
}

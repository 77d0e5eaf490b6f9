//! Outgoing mail. A request only renders and queues a mail; one background worker per
//! instance sends it over SMTP (lettre) with retries, so no request waits on a mail server.
//! Every outcome is an audit event that names the template and recipient, never the secret
//! the mail carries.

pub mod catalog;
pub mod templates;

use crate::audit::Event;
use crate::config::SmtpConfig;
use crate::error::{Error, Result};
use crate::{Engine, WeakEngine};
use lettre::message::{Mailbox, MultiPart, header::ContentType};
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;
use templates::Rendered;
use tokio::sync::mpsc;

/// Mails waiting to be sent on this instance; beyond this a new mail is refused (and audited)
/// rather than piling up in memory.
const QUEUE: usize = 1024;

/// A rendered mail for one user.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: String,
    pub user_id: String,
    pub username: String,
    /// The template that was rendered (for the audit events).
    pub template: String,
    pub content: Rendered,
}

/// The sending side of the queue, held by the engine.
pub(crate) struct Outbox {
    tx: mpsc::Sender<Mail>,
}

/// The checked SMTP settings; `None` without `smtp.url` (every mail is then recorded as not
/// sent).
pub(crate) struct Transport {
    smtp: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    retries: u32,
    retry_delay: Duration,
}

impl Transport {
    /// Errors name the key.
    pub(crate) fn from_config(cfg: &SmtpConfig, public_host: &str) -> Result<Option<Self>> {
        let Some(url) = &cfg.url else {
            return Ok(None);
        };
        let mut smtp = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| Error::Internal(format!("smtp.url: {e}")))?
            .timeout(Some(cfg.timeout));
        if let Some(ca_file) = &cfg.ca_file {
            smtp = smtp.tls(tls_trusting(url, ca_file)?);
        }
        let smtp = smtp.build();
        let from = match &cfg.from {
            Some(f) => f.clone(),
            None => format!("noreply@{public_host}"),
        };
        let from = from
            .parse()
            .map_err(|e| Error::Internal(format!("smtp.from: {e}")))?;
        Ok(Some(Transport {
            smtp,
            from,
            retries: cfg.retries,
            retry_delay: cfg.retry_delay,
        }))
    }
}

/// The TLS of `url` (STARTTLS required or opportunistic, or TLS from the start), with the
/// certificates of `ca_file` trusted too.
fn tls_trusting(url: &str, ca_file: &std::path::Path) -> Result<Tls> {
    let config = |e: &dyn std::fmt::Display| Error::Internal(format!("smtp.ca_file: {e}"));
    let parsed = url::Url::parse(url).map_err(|e| Error::Internal(format!("smtp.url: {e}")))?;
    let tls = parsed
        .query_pairs()
        .find(|(k, _)| k == "tls")
        .map(|(_, v)| v.into_owned());
    let mode: fn(TlsParameters) -> Tls = match (parsed.scheme(), tls.as_deref()) {
        ("smtps", _) => Tls::Wrapper,
        ("smtp", Some("required")) => Tls::Required,
        ("smtp", Some("opportunistic")) => Tls::Opportunistic,
        _ => {
            return Err(config(
                &"only for a TLS smtp.url (smtps://, or ?tls=required)",
            ));
        }
    };
    let pem = std::fs::read(ca_file).map_err(|e| config(&e))?;
    let cert = Certificate::from_pem(&pem).map_err(|e| config(&e))?;
    let host = parsed.host_str().unwrap_or_default().to_string();
    let params = TlsParameters::builder(host)
        .add_root_certificate(cert)
        .build_rustls()
        .map_err(|e| config(&e))?;
    Ok(mode(params))
}

impl Outbox {
    /// Starts the worker; it ends when the engine is dropped.
    pub(crate) fn spawn(transport: Option<Transport>, engine: WeakEngine) -> Self {
        let (tx, rx) = mpsc::channel(QUEUE);
        tokio::spawn(worker(rx, transport, engine));
        Outbox { tx }
    }
}

impl Engine {
    /// Queues a mail; never waits for it to be sent.
    pub(crate) async fn send_mail(&self, mail: Mail) {
        if let Err(
            mpsc::error::TrySendError::Full(mail) | mpsc::error::TrySendError::Closed(mail),
        ) = self.0.outbox.tx.try_send(mail)
        {
            self.mail_outcome(&mail, "failure", 0, Some("the mail queue is full"))
                .await;
        }
    }

    async fn mail_outcome(
        &self,
        mail: &Mail,
        outcome: &'static str,
        attempts: u32,
        error: Option<&str>,
    ) {
        self.audit(
            Event::new("mail_sent", outcome)
                .user(Some(&mail.user_id), &mail.username)
                .detail(serde_json::json!({
                    "template": mail.template,
                    "to": mail.to,
                    "attempts": attempts,
                    "error": error,
                })),
        )
        .await;
    }
}

async fn worker(mut rx: mpsc::Receiver<Mail>, transport: Option<Transport>, engine: WeakEngine) {
    while let Some(mail) = rx.recv().await {
        // The engine is gone when the server stops: nothing is left to record the outcome.
        let Some(engine) = engine.upgrade() else {
            return;
        };
        let (attempts, error) = match &transport {
            Some(t) => deliver(t, &mail).await,
            None => (0, Some("smtp.url is not set".to_string())),
        };
        let outcome = if error.is_none() {
            "success"
        } else {
            "failure"
        };
        engine
            .mail_outcome(&mail, outcome, attempts, error.as_deref())
            .await;
    }
}

/// Sends with exponential backoff on temporary failures; returns the attempts made and the
/// last error.
async fn deliver(t: &Transport, mail: &Mail) -> (u32, Option<String>) {
    let message = match build(t, mail) {
        Ok(m) => m,
        Err(e) => return (0, Some(e)),
    };
    let mut delay = t.retry_delay;
    let mut attempt = 0;
    loop {
        attempt += 1;
        match t.smtp.send(message.clone()).await {
            Ok(_) => return (attempt, None),
            Err(e) if e.is_permanent() || attempt > t.retries => {
                return (attempt, Some(e.to_string()));
            }
            Err(e) => {
                tracing::warn!(error = %e, attempt, "mail not sent yet, retrying");
                tokio::time::sleep(delay).await;
                delay = delay.saturating_mul(3);
            }
        }
    }
}

fn build(t: &Transport, mail: &Mail) -> Result<Message, String> {
    let to: Mailbox = mail
        .to
        .parse()
        .map_err(|e| format!("recipient address: {e}"))?;
    let builder = Message::builder()
        .from(t.from.clone())
        .to(to)
        .subject(mail.content.subject.clone());
    let built = match &mail.content.html {
        Some(html) => builder.multipart(MultiPart::alternative_plain_html(
            mail.content.text.clone(),
            html.clone(),
        )),
        None => builder
            .header(ContentType::TEXT_PLAIN)
            .body(mail.content.text.clone()),
    };
    built.map_err(|e| format!("message: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(url: &str, ca: &str) -> String {
        match tls_trusting(url, std::path::Path::new(ca)) {
            Err(Error::Internal(m)) => m,
            Err(e) => panic!("{e:?}"),
            Ok(_) => panic!("{url} with {ca} was accepted"),
        }
    }

    #[test]
    fn a_private_ca_needs_a_tls_url_and_a_certificate() {
        assert!(refusal("smtp://relay.example.com:25", "/nonexistent").contains("only for a TLS"));
        assert!(refusal("smtps://relay.example.com", "/nonexistent").starts_with("smtp.ca_file"));
        let dir = std::env::temp_dir().join(format!("apio-ca-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let junk = dir.join("junk.pem");
        std::fs::write(
            &junk,
            "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n",
        )
        .unwrap();
        let m = refusal(
            "smtp://relay.example.com?tls=required",
            junk.to_str().unwrap(),
        );
        assert!(m.starts_with("smtp.ca_file"), "{m}");
    }
}

//! Workflows: outbound HTTPS calls named in the platform settings. The body is
//! `{"workflow": name, "parameters": {...}}`, signed with HMAC-SHA256 over
//! `"<timestamp>.<body>"` when the workflow has a secret, so the receiver can check both the
//! sender and the freshness. Calls run in the background with a timeout and bounded retries;
//! their outcome is an audit event and never changes what the requester sees.

use crate::Engine;
use crate::audit::Event;
use crate::settings::Workflow;
use ring::hmac;
use serde_json::Value;
use std::time::Duration;

/// The header carrying `sha256=<hex>`.
pub const SIGNATURE_HEADER: &str = "x-apio-signature";
/// The header carrying the Unix time (seconds) that was signed.
pub const TIMESTAMP_HEADER: &str = "x-apio-timestamp";

/// Who the call is about (for the audit event).
pub(crate) struct Subject<'a> {
    pub user_id: &'a str,
    pub username: &'a str,
}

/// The signature of `body` sent at `timestamp` (exposed for receivers written in Rust, and
/// the tests).
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
    let tag = hmac::sign(&key, format!("{timestamp}.{body}").as_bytes());
    format!("sha256={}", hex::encode(tag.as_ref()))
}

impl Engine {
    /// Calls the workflow; returns whether it succeeded. The parameters may hold secrets
    /// (a reset token, a password): they are never logged or audited.
    pub(crate) async fn call_workflow(
        &self,
        name: &'static str,
        wf: &Workflow,
        parameters: Value,
        subject: Subject<'_>,
    ) -> bool {
        let cfg = &self.config().workflows;
        let (attempts, status, error) = match self.workflow_secret(wf) {
            Ok(secret) => {
                let body =
                    serde_json::json!({"workflow": name, "parameters": parameters}).to_string();
                self.post_with_retries(
                    &wf.url,
                    secret.as_deref(),
                    &body,
                    cfg.retries,
                    cfg.retry_delay,
                )
                .await
            }
            Err(e) => (0, None, Some(e)),
        };
        let ok = error.is_none();
        self.audit(
            Event::new("workflow_called", if ok { "success" } else { "failure" })
                .user(Some(subject.user_id), subject.username)
                .detail(serde_json::json!({
                    "workflow": name,
                    "attempts": attempts,
                    "status": status,
                    "error": error,
                })),
        )
        .await;
        ok
    }

    fn workflow_secret(&self, wf: &Workflow) -> Result<Option<String>, String> {
        match &wf.secret_enc {
            Some(sealed) => self
                .0
                .secrets
                .open(sealed)
                .map(Some)
                .map_err(|_| "the workflow secret cannot be decrypted".to_string()),
            None => Ok(None),
        }
    }

    /// Returns (attempts, last HTTP status, error). Retries network errors, 5xx, 408 and 429
    /// with a doubling delay; other answers are final.
    async fn post_with_retries(
        &self,
        url: &str,
        secret: Option<&str>,
        body: &str,
        retries: u32,
        first_delay: Duration,
    ) -> (u32, Option<u16>, Option<String>) {
        let mut delay = first_delay;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let timestamp = self.now().timestamp();
            let mut request = self
                .0
                .http
                .post(url)
                .header("content-type", "application/json")
                .header(TIMESTAMP_HEADER, timestamp.to_string())
                .body(body.to_string());
            if let Some(secret) = secret {
                request = request.header(SIGNATURE_HEADER, signature(secret, timestamp, body));
            }
            let (status, error, retry) = match request.send().await {
                Ok(r) if r.status().is_success() => {
                    return (attempt, Some(r.status().as_u16()), None);
                }
                Ok(r) => {
                    let s = r.status();
                    let retry = s.is_server_error() || s.as_u16() == 408 || s.as_u16() == 429;
                    (Some(s.as_u16()), format!("answered {s}"), retry)
                }
                // Without the URL: it may carry credentials.
                Err(e) => (None, e.without_url().to_string(), true),
            };
            if !retry || attempt > retries {
                return (attempt, status, Some(error));
            }
            tokio::time::sleep(delay).await;
            delay = delay.saturating_mul(2);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_is_hmac_sha256_of_timestamp_dot_body() {
        // Expected value from Python's hmac module, an independent implementation.
        assert_eq!(
            signature("s3cret", 1_700_000_000, "{}"),
            "sha256=97926816e98fbb41ccb1673225ff29a2f35369099990e1b1561651e7bd097ebf"
        );
    }
}

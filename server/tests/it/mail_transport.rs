//! The SMTP transports of `smtp.url` against a real SMTP server: STARTTLS with AUTH PLAIN, and
//! TLS from the start (smtps), both with the relay's certificate from a private CA trusted by
//! `smtp.ca_file`; an untrusted certificate and a wrong password are refused, and said in the
//! audit events.

use crate::both;
use crate::counterparts::{MailSink, Secure};
use crate::harness::{Db, Options, TestServer};
use reqwest::Method;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio_rustls::rustls;

/// A private CA and a certificate it signed for 127.0.0.1, as PEM files in a fresh folder:
/// (ca.pem, cert.pem, key.pem).
fn certificates() -> (PathBuf, PathBuf, PathBuf) {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
    let dir = std::env::temp_dir().join(format!(
        "apio-tls-{}",
        engine::secrets::random_id(&engine::OsEntropy)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["127.0.0.1".to_string()])
        .unwrap()
        .signed_by(&key, &ca, &ca_key)
        .unwrap();
    let write = |name: &str, pem: String| {
        let path = dir.join(name);
        std::fs::write(&path, pem).unwrap();
        path
    };
    (
        write("ca.pem", ca.pem()),
        write("cert.pem", cert.pem()),
        write("key.pem", key.serialize_pem()),
    )
}

/// An implicit-TLS front (what an smtps relay is) for the plain sink on `plain_port`.
async fn tls_front(cert: &Path, key: &Path, plain_port: u16) -> u16 {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs: Vec<CertificateDer> = CertificateDer::pem_file_iter(cert)
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let key = PrivateKeyDer::from_pem_file(key).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((conn, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(conn).await else {
                    return; // a client that does not trust us: nothing to relay
                };
                let mut plain = tokio::net::TcpStream::connect(("127.0.0.1", plain_port))
                    .await
                    .unwrap();
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
            });
        }
    });
    port
}

/// A server whose mail goes to `url` (trusting `ca` when given), with a user to reset.
async fn server_mailing(db: Db, url: String, ca: Option<&Path>) -> (TestServer, String) {
    let mut env = vec![
        ("APIO_SMTP_URL".to_string(), url),
        ("APIO_SMTP_FROM".into(), "APIO <auth@apio.test>".into()),
        ("APIO_SMTP_RETRIES".into(), "0".into()),
    ];
    if let Some(ca) = ca {
        env.push(("APIO_SMTP_CA_FILE".into(), ca.display().to_string()));
    }
    let s = TestServer::start_with(
        db,
        Options {
            env,
            ..Default::default()
        },
    )
    .await;
    let admin = s.admin_token().await;
    s.create_user(
        &admin,
        "mia",
        "a long enough password 7",
        json!({"email": "mia@example.com"}),
    )
    .await;
    (s, admin)
}

async fn reset_mia(s: &TestServer) {
    s.call(
        Method::POST,
        "/api/v01/auth/reset_password",
        None,
        Some(json!({"username": "mia"})),
    )
    .await;
}

async fn mail_outcome(s: &TestServer, admin: &str) -> Value {
    s.wait_event(admin, "mail_sent", |e| {
        e["detail"]["template"] == "mails.reset_password"
    })
    .await
}

async fn starttls_with_auth_and_a_private_ca(db: Db) {
    let (ca, cert, key) = certificates();
    let secure = |password: &str| Secure {
        cert_path: cert.display().to_string(),
        key_path: key.display().to_string(),
        account: ("apio".into(), password.into()),
    };
    let sink = MailSink::start_with(Some(secure("relay secret")));
    let url = |pw: &str| format!("smtp://apio:{pw}@127.0.0.1:{}?tls=required", sink.port);

    let (s, admin) = server_mailing(db, url("relay%20secret"), Some(&ca)).await;
    reset_mia(&s).await;
    let mail = sink.nth(0).await;
    assert_eq!(mail.rcpt, ["mia@example.com"]);
    // AUTH is offered only after STARTTLS: the account went over TLS.
    assert_eq!(sink.auths(), [("apio".to_string(), true)]);
    assert_eq!(mail_outcome(&s, &admin).await["outcome"], "success");

    // A wrong password: nothing sent, and the audit events say so.
    let other = MailSink::start_with(Some(secure("relay secret")));
    let wrong = format!("smtp://apio:guess@127.0.0.1:{}?tls=required", other.port);
    let (s, admin) = server_mailing(db, wrong, Some(&ca)).await;
    reset_mia(&s).await;
    let e = mail_outcome(&s, &admin).await;
    assert_eq!(e["outcome"], "failure", "{e}");
    assert_eq!(other.auths(), [("apio".to_string(), false)]);
    assert_eq!(other.count(), 0);
}

async fn smtps_needs_a_trusted_certificate(db: Db) {
    let (ca, cert, key) = certificates();
    let sink = MailSink::start();
    let port = tls_front(&cert, &key, sink.port).await;

    let (s, admin) = server_mailing(db, format!("smtps://127.0.0.1:{port}"), Some(&ca)).await;
    reset_mia(&s).await;
    assert_eq!(sink.nth(0).await.rcpt, ["mia@example.com"]);
    assert_eq!(mail_outcome(&s, &admin).await["outcome"], "success");

    // Without the CA, the relay's certificate is not trusted: nothing goes out.
    let (s, admin) = server_mailing(db, format!("smtps://127.0.0.1:{port}"), None).await;
    reset_mia(&s).await;
    let e = mail_outcome(&s, &admin).await;
    assert_eq!(e["outcome"], "failure", "{e}");
    assert_eq!(sink.count(), 1);
}

both!(
    starttls_with_auth_and_a_private_ca,
    smtps_needs_a_trusted_certificate
);

//! Password reset and welcome mails through a real SMTP server; the notification and
//! post-reset workflows against a real HTTP receiver.

use crate::both;
use crate::counterparts::{MailSink, WorkflowReceiver};
use crate::harness::{Db, Options, TestServer, str_of};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const OLD: &str = "old secret of the account 1";
const NEW: &str = "brand new secret for the account";

async fn with_mail(db: Db) -> (TestServer, MailSink, String) {
    let sink = MailSink::start();
    let server = TestServer::start_with(
        db,
        Options {
            env: sink.env(),
            ..Default::default()
        },
    )
    .await;
    let admin = server.admin_token().await;
    (server, sink, admin)
}

async fn ask_reset(server: &TestServer, body: Value) {
    let (s, answer) = server
        .call(
            Method::POST,
            "/api/v01/auth/reset_password",
            None,
            Some(body),
        )
        .await;
    assert_eq!((s, answer), (StatusCode::OK, json!({})));
}

async fn confirm(server: &TestServer, token: &str, password: &str) -> (StatusCode, Value) {
    server
        .call(
            Method::POST,
            "/api/v01/auth/reset_password/confirm",
            None,
            Some(json!({"token": token, "password": password})),
        )
        .await
}

async fn login_status(server: &TestServer, username: &str, password: &str) -> StatusCode {
    server
        .call(
            Method::POST,
            "/api/v01/auth/login",
            None,
            Some(json!({"username": username, "password": password})),
        )
        .await
        .0
}

/// Waits for the background job of a refused reset to record why.
async fn refused(server: &TestServer, admin: &str, username: &str, reason: &str) {
    server
        .wait_event(admin, "password_reset_requested", |e| {
            e["username"] == username && e["detail"]["reason"] == reason
        })
        .await;
}

async fn reset_mails_a_single_use_link(db: Db) {
    let (server, sink, admin) = with_mail(db).await;
    server
        .create_user(
            &admin,
            "jane",
            OLD,
            json!({"email": "jane@example.com", "firstname": "Jane"}),
        )
        .await;
    let before = server.login("jane", OLD).await;
    ask_reset(&server, json!({"username": "Jane"})).await;

    let mail = sink.nth(0).await;
    assert_eq!(mail.rcpt, ["jane@example.com"]);
    assert!(
        mail.subject().contains("Reset your APIO password"),
        "{}",
        mail.subject()
    );
    assert!(mail.text().contains("Hello Jane"), "{}", mail.text());
    assert!(mail.text().contains("20 minutes"));
    let html = mail.html().expect("an HTML part");
    let token = mail.link_token(&server.url);
    assert!(html.contains(&token));

    // A refused password does not burn the link.
    let (s, body) = confirm(&server, &token, "jane").await;
    assert_eq!(
        (s, str_of(&body, "field")),
        (StatusCode::BAD_REQUEST, "password")
    );
    let (s, body) = confirm(&server, &token, NEW).await;
    assert_eq!((s, &body), (StatusCode::OK, &json!({})), "{body}");
    // No tokens are issued by the reset, the old password and the old session are dead.
    assert!(body.get("access_token").is_none());
    assert_eq!(
        login_status(&server, "jane", OLD).await,
        StatusCode::UNAUTHORIZED
    );
    let (s, _) = server
        .get(
            "/api/v01/auth/access_token",
            str_of(&before, "refresh_token"),
        )
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    server.login("jane", NEW).await;
    // Single use.
    let (s, body) = confirm(&server, &token, "yet another password 9").await;
    assert_eq!(
        (s, str_of(&body, "error")),
        (StatusCode::BAD_REQUEST, "invalid_token")
    );
    server
        .wait_event(&admin, "mail_sent", |e| {
            e["outcome"] == "success" && e["detail"]["template"] == "mails.reset_password"
        })
        .await;
}

async fn unknown_external_and_mailless_users_get_the_same_answer(db: Db) {
    let (server, sink, admin) = with_mail(db).await;
    server.create_user(&admin, "nomail", OLD, json!({})).await;
    server
        .create_user(&admin, "sso", OLD, json!({"email": "sso@example.com"}))
        .await;
    server
        .sql("UPDATE users SET idp = 'oidc:corp' WHERE username = 'sso'")
        .await;

    ask_reset(&server, json!({"username": "nobody"})).await;
    ask_reset(&server, json!({"username": "nomail"})).await;
    ask_reset(&server, json!({"username": "sso"})).await;
    refused(&server, &admin, "nobody", "unknown_user").await;
    refused(&server, &admin, "nomail", "no_email").await;
    refused(&server, &admin, "sso", "external_identity").await;
    assert_eq!(sink.count(), 0, "no mail for any of them");
}

async fn one_mail_per_five_minutes_and_the_newest_link_wins(db: Db) {
    let (server, sink, admin) = with_mail(db).await;
    server
        .create_user(&admin, "jane", OLD, json!({"email": "jane@example.com"}))
        .await;
    ask_reset(&server, json!({"username": "jane"})).await;
    let first = sink.nth(0).await.link_token(&server.url);
    ask_reset(&server, json!({"username": "jane"})).await;
    refused(&server, &admin, "jane", "too_soon").await;
    assert_eq!(sink.count(), 1);

    server.advance(5 * 60 + 1);
    ask_reset(&server, json!({"username": "jane"})).await;
    let second = sink.nth(1).await.link_token(&server.url);
    assert_ne!(first, second);
    let (s, _) = confirm(&server, &first, NEW).await;
    assert_eq!(
        s,
        StatusCode::BAD_REQUEST,
        "a newer link supersedes the older"
    );
    let (s, _) = confirm(&server, &second, NEW).await;
    assert_eq!(s, StatusCode::OK);
}

async fn reset_link_expires_after_twenty_minutes(db: Db) {
    let (server, sink, admin) = with_mail(db).await;
    server
        .create_user(&admin, "jane", OLD, json!({"email": "jane@example.com"}))
        .await;
    ask_reset(&server, json!({"username": "jane"})).await;
    let token = sink.nth(0).await.link_token(&server.url);
    server.advance(20 * 60 + 1);
    let (s, body) = confirm(&server, &token, NEW).await;
    assert_eq!(
        (s, str_of(&body, "error")),
        (StatusCode::BAD_REQUEST, "invalid_token")
    );
    server.login("jane", OLD).await;
}

/// The link comes from `server.public_url`, whatever the request's host headers say.
async fn host_headers_cannot_poison_the_link(db: Db) {
    let (server, sink, admin) = with_mail(db).await;
    server
        .create_user(&admin, "jane", OLD, json!({"email": "jane@example.com"}))
        .await;
    for (n, (header, value)) in [
        ("host", "evil.example"),
        ("x-forwarded-host", "evil.example"),
        ("forwarded", "host=evil.example;proto=https"),
    ]
    .into_iter()
    .enumerate()
    {
        let res = server
            .request(Method::POST, "/api/v01/auth/reset_password")
            .header(header, value)
            .json(&json!({"username": "jane"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let mail = sink.nth(n).await;
        assert!(!mail.text().contains("evil"), "{}", mail.text());
        mail.link_token(&server.url);
        server.advance(5 * 60 + 1);
    }
}

async fn reset_body_must_name_one_user(db: Db) {
    let server = TestServer::start(db).await;
    for body in [
        json!({"username": ["jane", "admin"]}),
        json!({"username": {"$ne": ""}}),
        json!({}),
        json!({"username": "jane", "email": "attacker@example.com"}),
    ] {
        let (s, answer) = server
            .call(
                Method::POST,
                "/api/v01/auth/reset_password",
                None,
                Some(body.clone()),
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{body} → {answer}");
        assert_eq!(str_of(&answer, "error"), "invalid_request");
    }
    let (s, answer) = server
        .call(
            Method::POST,
            "/api/v01/auth/reset_password/confirm",
            None,
            Some(json!({"token": ["a"], "password": NEW})),
        )
        .await;
    assert_eq!(
        (s, str_of(&answer, "field")),
        (StatusCode::BAD_REQUEST, "token")
    );
}

async fn reset_unlocks_and_keeps_second_factor_settings(db: Db) {
    let (server, sink, admin) = with_mail(db).await;
    server
        .create_user(&admin, "jane", OLD, json!({"email": "jane@example.com"}))
        .await;
    let far = chrono::Utc::now().timestamp_millis() + 3_600_000;
    server.sql(&format!("UPDATE users SET failed_logins = 7, locked_until = {far}, two_factor_option = 'email' WHERE username = 'jane'"),
    )
    .await;
    ask_reset(&server, json!({"username": "jane"})).await;
    let token = sink.nth(0).await.link_token(&server.url);
    assert_eq!(confirm(&server, &token, NEW).await.0, StatusCode::OK);
    let (s, user) = server.get("/api/v01/admin/users/jane", &admin).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(user["locked_until"], Value::Null, "{user}");
    assert_eq!(
        user["two_factor"]["option"], "email",
        "a reset never turns 2FA off"
    ); // The next login still asks for the second factor.
    let (s, body) = server
        .call(
            Method::POST,
            "/api/v01/auth/login",
            None,
            Some(json!({"username": "jane", "password": NEW})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["option"], "email", "{body}");
    assert!(body.get("access_token").is_none(), "{body}");
}

/// The template name expands `{ui_id}` and `{language}`, falling back segment by segment.
async fn template_names_expand_and_fall_back(db: Db) {
    let (server, sink, admin) = with_mail(db).await;
    server
        .put_settings(
            &admin,
            json!({"reset_password_mail_template": "mails.reset_password.{ui_id}.{language}"}),
        )
        .await;
    server
        .create_user(
            &admin,
            "jean",
            OLD,
            json!({"email": "jean@example.com", "language": "fr"}),
        )
        .await;
    let (s, body) = server
        .call(
            Method::PUT,
            "/api/v01/admin/mail_templates/mails.reset_password.portal",
            Some(&admin),
            Some(json!({"subject": "Portal reset for {{ username }}", "text": "Go: {{ link }}"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");

    // No ui_id: mails.reset_password.fr, the shipped French template.
    ask_reset(&server, json!({"username": "jean"})).await;
    assert!(sink.nth(0).await.subject().starts_with("Réinitialisation"));
    // ui_id=portal: mails.reset_password.portal.fr is missing, mails.reset_password.portal is there.
    server.advance(5 * 60 + 1);
    ask_reset(&server, json!({"username": "jean", "ui_id": "portal"})).await;
    let mail = sink.nth(1).await;
    assert_eq!(mail.subject(), "Portal reset for jean");
    assert!(mail.html().is_none());
    mail.link_token(&server.url);
    // An unknown ui_id: the last segment goes first (.fr), then .elsewhere, down to the base.
    server.advance(5 * 60 + 1);
    ask_reset(&server, json!({"username": "jean", "ui_id": "elsewhere"})).await;
    assert!(sink.nth(2).await.subject().starts_with("Reset your"));
}

async fn welcome_mail_for_a_user_created_without_password(db: Db) {
    let (server, sink, admin) = with_mail(db).await;
    let (s, user) = server
        .call(
            Method::POST,
            "/api/v01/admin/users",
            Some(&admin),
            Some(json!({"username": "newbie", "email": "newbie@example.com", "firstname": "Nina"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{user}");
    let mail = sink.nth(0).await;
    assert_eq!(mail.rcpt, ["newbie@example.com"]);
    assert!(mail.subject().contains("Welcome"), "{}", mail.subject());
    assert!(mail.text().contains("7 days"), "{}", mail.text());
    let token = mail.link_token(&server.url);
    assert_eq!(
        login_status(&server, "newbie", NEW).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(confirm(&server, &token, NEW).await.0, StatusCode::OK);
    server.login("newbie", NEW).await;

    // Without an address the user is created all the same, and the audit says why no mail.
    let (s, _) = server
        .call(
            Method::POST,
            "/api/v01/admin/users",
            Some(&admin),
            Some(json!({"username": "nomail"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    server
        .wait_event(&admin, "mail_sent", |e| {
            e["username"] == "nomail" && e["outcome"] == "failure"
        })
        .await;
}

async fn notification_workflow_replaces_the_mail(db: Db) {
    let (server, sink, admin) = with_mail(db).await;
    let receiver = WorkflowReceiver::start("hook secret", 1).await;
    server
        .put_settings(
            &admin,
            json!({"reset_password_notification_workflow": {"url": receiver.url, "secret": "hook secret"}}),
        )
        .await;
    server
        .create_user(&admin, "jane", OLD, json!({"email": "jane@example.com"}))
        .await;
    ask_reset(&server, json!({"username": "jane"})).await;
    // The first call fails (500) and is retried.
    let call = receiver.nth(1).await;
    assert!(call.signature_ok, "signed with the shared secret");
    assert_eq!(call.body["workflow"], "reset_password_notification");
    assert_eq!(call.body["parameters"]["username"], "jane");
    assert_eq!(call.body["parameters"]["email"], "jane@example.com");
    let token = str_of(&call.body["parameters"], "token").to_string();
    let event = server
        .wait_event(&admin, "workflow_called", |e| e["outcome"] == "success")
        .await;
    assert_eq!(event["detail"]["attempts"], 2);
    assert!(
        !event["detail"].to_string().contains(&token),
        "no secret in the audit"
    );
    assert_eq!(confirm(&server, &token, NEW).await.0, StatusCode::OK);
    assert_eq!(sink.count(), 0, "the workflow replaces the mail");
}

async fn post_reset_workflow_gets_the_password_and_cannot_veto(db: Db) {
    let (server, sink, admin) = with_mail(db).await;
    // Always failing: more failures than attempts.
    let receiver = WorkflowReceiver::start("s", 100).await;
    server
        .put_settings(
            &admin,
            json!({"post_reset_password_workflow": {"url": receiver.url, "secret": "s"}}),
        )
        .await;
    server
        .create_user(&admin, "jane", OLD, json!({"email": "jane@example.com"}))
        .await;
    ask_reset(&server, json!({"username": "jane"})).await;
    let token = sink.nth(0).await.link_token(&server.url);
    assert_eq!(confirm(&server, &token, NEW).await.0, StatusCode::OK);
    let call = receiver.nth(0).await;
    assert!(call.signature_ok);
    assert_eq!(call.body["workflow"], "post_reset_password");
    assert_eq!(
        call.body["parameters"],
        json!({"username": "jane", "password": NEW})
    );
    let event = server
        .wait_event(&admin, "workflow_called", |e| e["outcome"] == "failure")
        .await;
    // The default retries (3) after the first attempt.
    assert_eq!(event["detail"]["attempts"], 4, "{event}");
    assert_eq!(event["detail"]["status"], 500);
    assert_eq!(receiver.calls().len(), 4);
    server.login("jane", NEW).await;
}

/// A mail that cannot be delivered is retried, then recorded as failed.
async fn undeliverable_mail_is_in_the_audit_events(db: Db) {
    // A port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let server = TestServer::start_with(
        db,
        Options {
            env: vec![
                ("APIO_SMTP_URL".into(), format!("smtp://127.0.0.1:{port}")),
                ("APIO_SMTP_RETRIES".into(), "1".into()),
                ("APIO_SMTP_RETRY_DELAY".into(), "10ms".into()),
            ],
            ..Default::default()
        },
    )
    .await;
    let admin = server.admin_token().await;
    server
        .create_user(&admin, "jane", OLD, json!({"email": "jane@example.com"}))
        .await;
    ask_reset(&server, json!({"username": "jane"})).await;
    let event = server
        .wait_event(&admin, "mail_sent", |e| e["outcome"] == "failure")
        .await;
    assert_eq!(event["detail"]["attempts"], 2, "{event}");
    assert_eq!(event["detail"]["to"], "jane@example.com");
    assert!(!event["detail"].to_string().contains("token="));
}

both!(
    reset_mails_a_single_use_link,
    unknown_external_and_mailless_users_get_the_same_answer,
    one_mail_per_five_minutes_and_the_newest_link_wins,
    reset_link_expires_after_twenty_minutes,
    host_headers_cannot_poison_the_link,
    reset_body_must_name_one_user,
    reset_unlocks_and_keeps_second_factor_settings,
    template_names_expand_and_fall_back,
    welcome_mail_for_a_user_created_without_password,
    notification_workflow_replaces_the_mail,
    post_reset_workflow_gets_the_password_and_cannot_veto,
    undeliverable_mail_is_in_the_audit_events,
);

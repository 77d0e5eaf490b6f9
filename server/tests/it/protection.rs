//! Login protection: lockout counted atomically (also across instances), auto and admin
//! unlock, the IP whitelist on every path, and the client IP believed only from trusted
//! proxies.

use crate::both;
use crate::harness::{Db, Options, TestServer, str_of};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::sync::Arc;

both!(
    concurrent_wrong_passwords_lock_at_exactly_the_threshold,
    whitelist_applies_to_login_and_refresh_and_protects_from_lockout,
    forwarding_header_from_an_untrusted_peer_is_ignored,
);

const PW: &str = "a long enough password";

async fn login_from(
    s: &TestServer,
    ip: Option<&str>,
    username: &str,
    password: &str,
) -> (StatusCode, Value) {
    let mut req = s
        .request(Method::POST, "/api/v01/auth/login")
        .json(&json!({"username": username, "password": password}));
    if let Some(ip) = ip {
        req = req.header("X-Forwarded-For", ip);
    }
    let res = req.send().await.unwrap();
    (res.status(), res.json().await.unwrap_or(Value::Null))
}

/// Reasons of the user's recent `login` failures, as admins see them.
pub(crate) async fn reasons(s: &TestServer, admin: &str, username: &str) -> Vec<String> {
    let events = s.events(admin, "login").await;
    events
        .iter()
        .filter(|e| e["username"] == username && e["outcome"] == "failure")
        .map(|e| e["detail"]["reason"].as_str().unwrap_or("").to_string())
        .collect()
}

async fn concurrent_wrong_passwords_lock_at_exactly_the_threshold(db: Db) {
    let a = Arc::new(TestServer::start(db).await);
    // A second instance on the same database counts into the same lock.
    let b = Arc::new(TestServer::start_on(&a.db_url, &a.dir, Options::default()).await);
    let admin = a.admin_token().await;
    a.create_user(&admin, "lou", PW, json!({})).await;
    a.put_settings(
        &admin,
        json!({"lockout_threshold": 5, "lockout_duration_minutes": 15}),
    )
    .await;
    let tries: Vec<_> = (0..50)
        .map(|i| {
            let s = if i % 2 == 0 { a.clone() } else { b.clone() };
            tokio::spawn(async move {
                login_from(&s, None, "lou", "wrong password, try again")
                    .await
                    .0
            })
        })
        .collect();
    for t in tries {
        assert_eq!(t.await.unwrap(), StatusCode::UNAUTHORIZED);
    }
    let reasons = reasons(&a, &admin, "lou").await;
    assert_eq!(reasons.len(), 50);
    assert_eq!(
        reasons.iter().filter(|r| *r == "wrong_password").count(),
        5,
        "{reasons:?}"
    );
    assert_eq!(reasons.iter().filter(|r| *r == "locked").count(), 45);
    assert_eq!(a.events(&admin, "account_locked").await.len(), 1);
    // Locked: the right password gets the same generic answer, on both instances.
    let (st, body) = login_from(&b, None, "lou", PW).await;
    assert_eq!(
        (st, body["error"].clone()),
        (StatusCode::UNAUTHORIZED, json!("invalid_credentials"))
    );
    let (_, user) = a.get("/api/v01/admin/users/lou", &admin).await;
    assert!(user["locked_until"].is_string(), "{user}");
    // Auto-unlock after the duration.
    a.advance(15 * 60 + 1);
    assert_eq!(login_from(&a, None, "lou", PW).await.0, StatusCode::OK);
    let admin = a.admin_token().await;

    // Locked again, then unlocked by an admin (only an admin).
    for _ in 0..5 {
        login_from(&a, None, "lou", "wrong password, try again").await;
    }
    assert_eq!(
        login_from(&a, None, "lou", PW).await.0,
        StatusCode::UNAUTHORIZED
    );
    a.create_user(&admin, "nina", PW, json!({})).await;
    let nina = a.login("nina", PW).await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(unlock(&a, &nina).await, StatusCode::FORBIDDEN);
    assert_eq!(unlock(&a, &admin).await, StatusCode::NO_CONTENT);
    assert_eq!(
        a.call(
            Method::POST,
            "/api/v01/admin/users/nobody/unlock",
            Some(&admin),
            None
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(login_from(&a, None, "lou", PW).await.0, StatusCode::OK);
    assert_eq!(a.events(&admin, "account_unlocked").await.len(), 1);
    // The admin sees the last 15 attempts with reasons.
    let (_, attempts) = a
        .get("/api/v01/admin/users/lou/login_attempts", &admin)
        .await;
    let attempts = attempts.as_array().unwrap();
    assert_eq!(attempts.len(), 15);
    assert_eq!(attempts[0]["success"], true);
    assert_eq!(attempts[1]["reason"], "locked");
    assert_eq!(
        a.get("/api/v01/admin/users/lou/login_attempts", &nina)
            .await
            .0,
        StatusCode::FORBIDDEN
    );
}

/// A server that believes `X-Forwarded-For` from 127.0.0.1 (the tests' proxy).
pub(crate) async fn behind_proxy(db: Db) -> TestServer {
    let s = TestServer::start_with(
        db,
        Options {
            env: vec![("APIO_SERVER_TRUSTED_PROXIES".into(), "127.0.0.1/32".into())],
            ..Options::default()
        },
    )
    .await;
    let admin = s.admin_token().await;
    s.put_settings(&admin, json!({"client_ip_header": "X-Forwarded-For"}))
        .await;
    s
}

pub(crate) async fn put_whitelist(
    s: &TestServer,
    ip: &str,
    token: &str,
    list: Value,
) -> (StatusCode, Value) {
    let res = s
        .request(Method::PUT, "/api/v01/me/ip_whitelist")
        .bearer_auth(token)
        .header("X-Forwarded-For", ip)
        .json(&list)
        .send()
        .await
        .unwrap();
    (res.status(), res.json().await.unwrap_or(Value::Null))
}

async fn refresh_from(s: &TestServer, ip: &str, refresh: &str) -> StatusCode {
    s.request(Method::GET, "/api/v01/auth/access_token")
        .bearer_auth(refresh)
        .header("X-Forwarded-For", ip)
        .send()
        .await
        .unwrap()
        .status()
}

async fn whitelist_applies_to_login_and_refresh_and_protects_from_lockout(db: Db) {
    let s = behind_proxy(db).await;
    let admin = s.admin_token().await;
    s.create_user(&admin, "ivy", PW, json!({})).await;
    let (inside, outside) = ("203.0.113.5", "198.51.100.9");
    let (st, tokens) = login_from(&s, Some(inside), "ivy", PW).await;
    assert_eq!(st, StatusCode::OK);
    let token = str_of(&tokens, "access_token").to_string();
    let refresh = str_of(&tokens, "refresh_token").to_string();

    // Validated, and never a list that shuts out the caller's own address.
    let (st, body) = put_whitelist(&s, inside, &token, json!(["203.0.113.0/24", "nonsense"])).await;
    assert_eq!(
        (st, body["field"].clone()),
        (StatusCode::BAD_REQUEST, json!("ip_whitelist[1]"))
    );
    let (st, body) = put_whitelist(&s, inside, &token, json!(["198.51.100.0/24"])).await;
    assert_eq!(st, StatusCode::CONFLICT, "{body}");
    let (st, body) =
        put_whitelist(&s, inside, &token, json!(["203.0.113.9/24", "2001:db8::1"])).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(body, json!(["203.0.113.0/24", "2001:db8::1"]));
    assert_eq!(s.get("/api/v01/me/ip_whitelist", &token).await.1, body);

    // Login and refresh only from inside.
    assert_eq!(
        login_from(&s, Some(outside), "ivy", PW).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        login_from(&s, Some("203.0.113.77"), "ivy", PW).await.0,
        StatusCode::OK
    );
    assert_eq!(
        refresh_from(&s, outside, &refresh).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(refresh_from(&s, inside, &refresh).await, StatusCode::OK);
    // Wrong passwords from outside do not count: no lockout by strangers.
    for _ in 0..6 {
        login_from(&s, Some(outside), "ivy", "wrong password, try again").await;
    }
    assert_eq!(
        login_from(&s, Some(inside), "ivy", PW).await.0,
        StatusCode::OK
    );
    let r = reasons(&s, &admin, "ivy").await;
    assert!(r.iter().all(|r| r == "ip_not_allowed"), "{r:?}");
    // The attempts carry the resolved client address.
    let (_, attempts) = s.get("/api/v01/me/login_attempts", &token).await;
    assert_eq!(attempts[0]["ip"], inside);
    assert_eq!(attempts[1]["ip"], outside);
    // An empty list lifts the restriction.
    let (st, _) = put_whitelist(&s, inside, &token, json!([])).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(
        login_from(&s, Some(outside), "ivy", PW).await.0,
        StatusCode::OK
    );
}

async fn forwarding_header_from_an_untrusted_peer_is_ignored(db: Db) {
    // The header is configured, but no proxy is trusted: the peer (127.0.0.1) is the client.
    let s = TestServer::start(db).await;
    let admin = s.admin_token().await;
    s.put_settings(&admin, json!({"client_ip_header": "X-Forwarded-For"}))
        .await;
    s.create_user(&admin, "sam", PW, json!({})).await;
    let (st, tokens) = login_from(&s, Some("203.0.113.5"), "sam", PW).await;
    assert_eq!(st, StatusCode::OK);
    let token = str_of(&tokens, "access_token").to_string();
    // A spoofed header cannot make a whitelist of the attacker's choice look safe.
    let (st, _) = put_whitelist(&s, "203.0.113.5", &token, json!(["203.0.113.0/24"])).await;
    assert_eq!(st, StatusCode::CONFLICT);
    let (st, _) = put_whitelist(&s, "203.0.113.5", &token, json!(["127.0.0.1"])).await;
    assert_eq!(st, StatusCode::OK);
    let (_, attempts) = s.get("/api/v01/me/login_attempts", &token).await;
    assert_eq!(attempts[0]["ip"], "127.0.0.1");
    assert_eq!(
        login_from(&s, Some("203.0.113.5"), "sam", PW).await.0,
        StatusCode::OK
    );
}

async fn unlock(s: &TestServer, token: &str) -> StatusCode {
    s.call(
        Method::POST,
        "/api/v01/admin/users/lou/unlock",
        Some(token),
        None,
    )
    .await
    .0
}

//! Login, refresh, logout: the token lifecycle.

use crate::both;
use crate::harness::{ADMIN_PASSWORD, Db, TestServer, str_of};
use reqwest::{Method, StatusCode};
use serde_json::json;

both!(
    login_issues_tokens_that_open_me,
    every_login_failure_looks_the_same,
    malformed_login_bodies_are_named_400s,
    refresh_keeps_the_token_until_near_expiry_then_rotates_with_grace,
    parallel_refreshes_yield_one_family,
    idle_timeout_and_absolute_lifetime_end_sessions,
    logout_ends_the_session_everywhere,
    token_types_never_cross,
);

async fn login_issues_tokens_that_open_me(db: Db) {
    let s = TestServer::start(db).await;
    let res = s
        .request(Method::POST, "/api/v01/auth/login")
        .json(&json!({"username": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let body: serde_json::Value = res.json().await.unwrap();
    let refresh = str_of(&body, "refresh_token");
    assert!(
        refresh.len() >= 43,
        "refresh token must carry at least 256 bits"
    );
    assert!(body.get("token").is_none(), "no M2M token is set");
    let (status, me) = s.get("/api/v01/me", str_of(&body, "access_token")).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["username"], "admin");
    assert_eq!(me["roles"], json!(["admin"]));
    assert_eq!(me["two_factor"], json!({"option": "none"}));
    assert_eq!(me["m2m_token"], json!({"set": false, "expires_at": null}));
    // The login is audited, with the method and the client IP.
    let admin = str_of(&body, "access_token");
    let events = s.events(admin, "login").await;
    assert_eq!(events[0]["outcome"], "success");
    assert_eq!(events[0]["ip"], "127.0.0.1");
}

async fn every_login_failure_looks_the_same(db: Db) {
    let s = TestServer::start(db).await;
    let admin = s.admin_token().await;
    s.create_user(&admin, "dora", "disabled but valid pw", json!({}))
        .await;
    let (st, _) = s
        .call(
            Method::PATCH,
            "/api/v01/admin/users/dora",
            Some(&admin),
            Some(json!({"disabled": true})),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let attempts = [
        ("nobody", "whatever password"),      // unknown user
        ("admin", "wrong password entirely"), // wrong password
        ("dora", "disabled but valid pw"),    // disabled, right password
    ];
    let mut bodies = Vec::new();
    for (u, p) in attempts {
        let (st, body) = s
            .call(
                Method::POST,
                "/api/v01/auth/login",
                None,
                Some(json!({"username": u, "password": p})),
            )
            .await;
        assert_eq!(st, StatusCode::UNAUTHORIZED, "{u}");
        bodies.push(body);
    }
    assert!(
        bodies.windows(2).all(|w| w[0] == w[1]),
        "bodies differ: {bodies:?}"
    );
    assert_eq!(bodies[0]["error"], "invalid_credentials");
    // The real reasons are in the audit events, for admins only.
    let reasons: Vec<String> = s
        .events(&admin, "login")
        .await
        .iter()
        .filter(|e| e["outcome"] == "failure")
        .map(|e| e["detail"]["reason"].as_str().unwrap().to_string())
        .collect();
    for r in ["unknown_user", "wrong_password", "disabled"] {
        assert!(reasons.contains(&r.to_string()), "{r} not in {reasons:?}");
    }
}

async fn malformed_login_bodies_are_named_400s(db: Db) {
    let s = TestServer::start(db).await;
    let post_raw = |body: &'static str, ct: &'static str| {
        s.request(Method::POST, "/api/v01/auth/login")
            .header("content-type", ct)
            .body(body)
            .send()
    };
    let res = post_raw("{not json", "application/json").await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        res.json::<serde_json::Value>().await.unwrap()["error"],
        "invalid_request"
    );
    let res = post_raw("username=a&password=b", "application/x-www-form-urlencoded")
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    for (body, field) in [
        (json!({"username": "admin"}), "password"),
        (json!({"username": 5, "password": "x"}), "username"),
        (
            json!({"username": ["admin", "victim"], "password": "x"}),
            "username",
        ),
        (
            json!({"username": "a", "password": "b", "admin": true}),
            "admin",
        ),
    ] {
        let (st, err) = s
            .call(
                Method::POST,
                "/api/v01/auth/login",
                None,
                Some(body.clone()),
            )
            .await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(err["error"], "invalid_request");
        assert_eq!(err["field"], field, "{body} → {err}");
    }
    // A body over 64 KiB and a password over 1,024 bytes: 413, before any hashing.
    let huge = "x".repeat(100 * 1024);
    let (st, err) = s
        .call(
            Method::POST,
            "/api/v01/auth/login",
            None,
            Some(json!({"username": "admin", "password": huge})),
        )
        .await;
    assert_eq!(
        (st, err["error"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("payload_too_large"))
    );
    let long = "x".repeat(2000);
    let (st, _) = s
        .call(
            Method::POST,
            "/api/v01/auth/login",
            None,
            Some(json!({"username": "admin", "password": long})),
        )
        .await;
    assert_eq!(st, StatusCode::PAYLOAD_TOO_LARGE);
}

async fn refresh_keeps_the_token_until_near_expiry_then_rotates_with_grace(db: Db) {
    let s = TestServer::start(db).await;
    let admin = s.admin_token().await;
    s.put_settings(&admin, json!({"session_idle_timeout_minutes": 600}))
        .await;
    let login = s.login("admin", ADMIN_PASSWORD).await;
    let rt = str_of(&login, "refresh_token").to_string();
    let (st, r1) = s.get("/api/v01/auth/access_token", &rt).await;
    assert_eq!(st, StatusCode::OK, "{r1}");
    assert_eq!(
        str_of(&r1, "refresh_token"),
        rt,
        "same refresh token far from expiry"
    );
    assert_ne!(str_of(&r1, "access_token"), str_of(&login, "access_token"));
    // 6.5 h into an 8 h token: inside its last 20 %, so it is replaced.
    s.advance(6 * 3600 + 1800);
    let (st, r2) = s.get("/api/v01/auth/access_token", &rt).await;
    assert_eq!(st, StatusCode::OK, "{r2}");
    let new_rt = str_of(&r2, "refresh_token").to_string();
    assert_ne!(new_rt, rt);
    // Inside the 30 s grace the old token still answers, with the new one.
    s.advance(20);
    let (st, r3) = s.get("/api/v01/auth/access_token", &rt).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(str_of(&r3, "refresh_token"), new_rt);
    // After the grace, the old token is a replay: the whole session dies.
    s.advance(15);
    let (st, err) = s.get("/api/v01/auth/access_token", &rt).await;
    assert_eq!(
        (st, err["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_token"))
    );
    let (st, _) = s.get("/api/v01/auth/access_token", &new_rt).await;
    assert_eq!(
        st,
        StatusCode::UNAUTHORIZED,
        "replay must revoke the session"
    );
    let (st, _) = s.get("/api/v01/me", str_of(&r3, "access_token")).await;
    assert_eq!(
        st,
        StatusCode::UNAUTHORIZED,
        "access tokens of a revoked session die too"
    );
    let admin = s.admin_token().await; // the first one expired hours ago
    let events = s.events(&admin, "session_ended").await;
    assert_eq!(events[0]["detail"]["reason"], "refresh_token_replayed");
}

async fn parallel_refreshes_yield_one_family(db: Db) {
    let s = std::sync::Arc::new(TestServer::start(db).await);
    let admin = s.admin_token().await;
    s.put_settings(&admin, json!({"session_idle_timeout_minutes": 600}))
        .await;
    let rt = str_of(&s.login("admin", ADMIN_PASSWORD).await, "refresh_token").to_string();
    s.advance(7 * 3600);
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let (s, rt) = (s.clone(), rt.clone());
            tokio::spawn(async move { s.get("/api/v01/auth/access_token", &rt).await })
        })
        .collect();
    let mut tokens = std::collections::HashSet::new();
    for t in tasks {
        let (st, body) = t.await.unwrap();
        assert_eq!(st, StatusCode::OK, "{body}");
        tokens.insert(str_of(&body, "refresh_token").to_string());
    }
    assert_eq!(
        tokens.len(),
        1,
        "20 parallel refreshes produced {} token families",
        tokens.len()
    );
    assert!(!tokens.contains(&rt));
    let only = tokens.into_iter().next().unwrap();
    s.advance(31);
    let (st, _) = s.get("/api/v01/auth/access_token", &only).await;
    assert_eq!(st, StatusCode::OK, "the one new token lives on");
}

async fn idle_timeout_and_absolute_lifetime_end_sessions(db: Db) {
    let s = TestServer::start(db).await;
    // Default idle timeout: 60 minutes without a refresh.
    let rt = str_of(&s.login("admin", ADMIN_PASSWORD).await, "refresh_token").to_string();
    s.advance(59 * 60);
    assert_eq!(
        s.get("/api/v01/auth/access_token", &rt).await.0,
        StatusCode::OK
    );
    s.advance(59 * 60);
    assert_eq!(
        s.get("/api/v01/auth/access_token", &rt).await.0,
        StatusCode::OK,
        "each refresh restarts the idle clock"
    );
    s.advance(61 * 60);
    assert_eq!(
        s.get("/api/v01/auth/access_token", &rt).await.0,
        StatusCode::UNAUTHORIZED
    );
    // Absolute maximum (12 h) even when refreshed often.
    let admin = s.admin_token().await;
    s.put_settings(&admin, json!({"session_idle_timeout_minutes": 10080}))
        .await;
    let mut rt = str_of(&s.login("admin", ADMIN_PASSWORD).await, "refresh_token").to_string();
    for _ in 0..11 {
        s.advance(3600);
        let (st, body) = s.get("/api/v01/auth/access_token", &rt).await;
        assert_eq!(st, StatusCode::OK, "{body}");
        rt = str_of(&body, "refresh_token").to_string();
    }
    s.advance(3601);
    assert_eq!(
        s.get("/api/v01/auth/access_token", &rt).await.0,
        StatusCode::UNAUTHORIZED
    );
}

async fn logout_ends_the_session_everywhere(db: Db) {
    let s = TestServer::start(db).await;
    let login = s.login("admin", ADMIN_PASSWORD).await;
    let (at, rt) = (
        str_of(&login, "access_token"),
        str_of(&login, "refresh_token"),
    );
    let other = s.login("admin", ADMIN_PASSWORD).await;
    let (st, _) = s
        .call(Method::POST, "/api/v01/auth/logout", Some(at), None)
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    assert_eq!(
        s.get("/api/v01/auth/access_token", rt).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(s.get("/api/v01/me", at).await.0, StatusCode::UNAUTHORIZED);
    // Only that session: the other one lives. Logout with a refresh token works too.
    let ort = str_of(&other, "refresh_token");
    assert_eq!(
        s.get("/api/v01/me", str_of(&other, "access_token")).await.0,
        StatusCode::OK
    );
    assert_eq!(
        s.call(Method::POST, "/api/v01/auth/logout", Some(ort), None)
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        s.get("/api/v01/auth/access_token", ort).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        s.call(Method::POST, "/api/v01/auth/logout", Some(ort), None)
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        s.call(Method::POST, "/api/v01/auth/logout", None, None)
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
}

async fn token_types_never_cross(db: Db) {
    let s = TestServer::start(db).await;
    let login = s.login("admin", ADMIN_PASSWORD).await;
    let (at, rt) = (
        str_of(&login, "access_token"),
        str_of(&login, "refresh_token"),
    );
    let (st, err) = s.get("/api/v01/me", rt).await;
    assert_eq!(
        (st, err["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_token"))
    );
    assert_eq!(
        s.get("/api/v01/auth/access_token", at).await.0,
        StatusCode::UNAUTHORIZED
    );
    // Tokens in the query string are never accepted.
    let (st, _) = s
        .call(
            Method::GET,
            &format!("/api/v01/me?access_token={at}"),
            None,
            None,
        )
        .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    let res = s
        .request(Method::GET, "/api/v01/me")
        .header("authorization", format!("Basic {at}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

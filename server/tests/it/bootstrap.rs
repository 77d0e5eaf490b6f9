//! First start: no default password, a one-time set-password link.

use crate::both;
use crate::harness::{Db, Options, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::json;

both!(first_admin_sets_the_password_through_a_one_time_link);

async fn first_admin_sets_the_password_through_a_one_time_link(db: Db) {
    let s = TestServer::start_with(
        db,
        Options {
            admin_password: None,
            env: vec![],
        },
    )
    .await;
    let link = s
        .bootstrap_link
        .clone()
        .expect("a link is printed at first start");
    assert!(
        link.starts_with(&format!("{}/set-password#token=", s.url)),
        "{link}"
    );
    let token = link.split("#token=").nth(1).unwrap();
    assert!(token.len() >= 43);
    // No default password works.
    for pw in ["admin", "password", "changeme"] {
        let (st, _) = s
            .call(
                Method::POST,
                "/api/v01/auth/login",
                None,
                Some(json!({"username": "admin", "password": pw})),
            )
            .await;
        assert_eq!(st, StatusCode::UNAUTHORIZED);
    }
    let confirm = |token: &str, password: &str| {
        s.call(
            Method::POST,
            "/api/v01/auth/reset_password/confirm",
            None,
            Some(json!({"token": token, "password": password})),
        )
    };
    // A refused password does not burn the link.
    let (st, err) = confirm(token, "password1234").await;
    assert_eq!(
        (st, err["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("password"))
    );
    let (st, body) = confirm(token, "velvet thunder orchard").await;
    assert_eq!((st, body), (StatusCode::OK, json!({})), "issues no tokens");
    let (st, err) = confirm(token, "copper lantern meadow").await;
    assert_eq!(
        (st, err["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_token")),
        "single use"
    );
    let (st, err) = confirm("made-up-token", "copper lantern meadow").await;
    assert_eq!(
        (st, err["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_token"))
    );
    let me = s.login("admin", "velvet thunder orchard").await;
    let (_, profile) = s
        .get("/api/v01/me", me["access_token"].as_str().unwrap())
        .await;
    assert_eq!(profile["roles"], json!(["admin"]));
    // A restart on the same database prints nothing more.
    let again = TestServer::start_on(
        &s.db_url,
        &s.dir,
        Options {
            admin_password: None,
            env: vec![],
        },
    )
    .await;
    assert!(again.bootstrap_link.is_none());
}

#[tokio::test]
async fn an_expired_link_is_refused() {
    let s = TestServer::start_with(
        Db::Sqlite,
        Options {
            admin_password: None,
            env: vec![],
        },
    )
    .await;
    let token = s
        .bootstrap_link
        .clone()
        .unwrap()
        .split("#token=")
        .nth(1)
        .unwrap()
        .to_string();
    s.advance(24 * 3600 + 1);
    let (st, err) = s
        .call(
            Method::POST,
            "/api/v01/auth/reset_password/confirm",
            None,
            Some(json!({"token": token, "password": "velvet thunder orchard"})),
        )
        .await;
    assert_eq!(
        (st, err["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_token"))
    );
}

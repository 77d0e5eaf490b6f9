//! Two instances on one PostgreSQL database behave as one.

use crate::harness::{ADMIN_PASSWORD, Db, Options, TestServer, fresh_database, str_of};
use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;

/// Polls until `check` holds, for at most ten seconds (instances sync every two).
pub(crate) async fn eventually<F: std::future::Future<Output = bool>>(
    what: &str,
    mut check: impl FnMut() -> F,
) {
    for _ in 0..100 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("never happened: {what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_two_instances_share_sessions_revocations_and_settings() {
    let (url, dir) = fresh_database(Db::Postgres).await;
    // Instances behind one load balancer share the public URL (the tokens' issuer).
    let shared = || Options {
        env: vec![(
            "APIO_SERVER_PUBLIC_URL".into(),
            "https://auth.example.com".into(),
        )],
        ..Options::default()
    };
    let a = TestServer::start_on(&url, &dir, shared()).await;
    let b = TestServer::start_on(&url, &dir, shared()).await;
    let _sync = (a.engine.spawn_sync(), b.engine.spawn_sync());
    let login = a.login("admin", ADMIN_PASSWORD).await;
    let rt = str_of(&login, "refresh_token");
    let (st, refreshed) = b.get("/api/v01/auth/access_token", rt).await;
    assert_eq!(
        st,
        StatusCode::OK,
        "refresh on B of a login on A: {refreshed}"
    );
    let at_b = str_of(&refreshed, "access_token").to_string();
    assert_eq!(b.get("/api/v01/me", &at_b).await.0, StatusCode::OK);
    assert_eq!(
        a.call(
            reqwest::Method::POST,
            "/api/v01/auth/logout",
            Some(str_of(&login, "access_token")),
            None
        )
        .await
        .0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        b.get("/api/v01/auth/access_token", rt).await.0,
        StatusCode::UNAUTHORIZED,
        "logout on A ends the session on B"
    );
    eventually(
        "B refuses the access tokens of a session ended on A",
        || async { b.get("/api/v01/me", &at_b).await.0 == StatusCode::UNAUTHORIZED },
    )
    .await;
    let admin = a.admin_token().await;
    a.put_settings(&admin, json!({"label": "Seen everywhere"}))
        .await;
    eventually("B sees A's settings", || async {
        b.call(reqwest::Method::GET, "/api/v01/auth/ui_config", None, None)
            .await
            .1["label"]
            == "Seen everywhere"
    })
    .await;
    // One admin only, though both instances started on the empty database.
    let (st, users) = b.get("/api/v01/admin/users", &admin).await;
    assert_eq!(st, StatusCode::OK, "{users}");
    assert_eq!(users["total"], 1);
}

//! A user's sessions: listed with the current one marked, ended one by one or all others at
//! once; an admin ends them all; another user's session is 404.

use crate::both;
use crate::harness::{Db, TestServer, str_of};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

both!(
    users_see_and_end_their_sessions,
    admins_end_every_session_of_a_user
);

const PW: &str = "a long enough password";

/// A login with its own user agent: (access, refresh).
async fn login_as(s: &TestServer, username: &str, agent: &str) -> (String, String) {
    let res = s
        .request(Method::POST, "/api/v01/auth/login")
        .header("User-Agent", agent)
        .json(&json!({"username": username, "password": PW}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    (
        str_of(&body, "access_token").to_string(),
        str_of(&body, "refresh_token").to_string(),
    )
}

async fn refresh(s: &TestServer, refresh: &str) -> StatusCode {
    s.call(
        Method::GET,
        "/api/v01/auth/access_token",
        Some(refresh),
        None,
    )
    .await
    .0
}

async fn users_see_and_end_their_sessions(db: Db) {
    let s = TestServer::start(db).await;
    let admin = s.admin_token().await;
    s.create_user(&admin, "bob", PW, json!({})).await;
    s.create_user(&admin, "eve", PW, json!({})).await;
    let (a, _) = login_as(&s, "bob", "agent-a").await;
    s.advance(1);
    let (b, b_refresh) = login_as(&s, "bob", "agent-b").await;
    s.advance(1);
    let (c, c_refresh) = login_as(&s, "bob", "agent-c").await;
    let eve = s.access_token("eve", PW).await;

    let (st, list) = s.get("/api/v01/me/sessions", &a).await;
    assert_eq!(st, StatusCode::OK, "{list}");
    let list = list.as_array().unwrap().clone();
    let agents: Vec<&str> = list.iter().map(|x| str_of(x, "user_agent")).collect();
    assert_eq!(
        agents,
        ["agent-c", "agent-b", "agent-a"],
        "most recent first"
    );
    let current: Vec<&Value> = list
        .iter()
        .filter(|x| x["current"] == json!(true))
        .collect();
    assert_eq!(current.len(), 1);
    assert_eq!(current[0]["user_agent"], json!("agent-a"));
    assert_eq!(current[0]["ip"], json!("127.0.0.1"));
    assert!(current[0]["created_at"].is_string() && current[0]["last_used_at"].is_string());
    let id_of = |agent: &str| {
        str_of(
            list.iter()
                .find(|x| x["user_agent"] == json!(agent))
                .unwrap(),
            "id",
        )
        .to_string()
    };
    assert!(!list.iter().any(|x| x.to_string().contains(&eve)));

    // Another user's session does not exist for eve; a made-up id neither.
    let srv = &s;
    let end = |token: String, id: String| async move {
        srv.call(
            Method::DELETE,
            &format!("/api/v01/me/sessions/{id}"),
            Some(&token),
            None,
        )
        .await
        .0
    };
    assert_eq!(
        end(eve.clone(), id_of("agent-b")).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        end(a.clone(), "0123456789abcdef".into()).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(s.get("/api/v01/me", &b).await.0, StatusCode::OK);

    // Bob ends b: its access and refresh tokens die at once; twice is 404.
    assert_eq!(
        end(a.clone(), id_of("agent-b")).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(s.get("/api/v01/me", &b).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(refresh(&s, &b_refresh).await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        end(a.clone(), id_of("agent-b")).await,
        StatusCode::NOT_FOUND
    );

    // All others: c ends, a stays.
    let (st, _) = s
        .call(Method::DELETE, "/api/v01/me/sessions", Some(&a), None)
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    assert_eq!(s.get("/api/v01/me", &c).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(refresh(&s, &c_refresh).await, StatusCode::UNAUTHORIZED);
    let list = s.get("/api/v01/me/sessions", &a).await.1;
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list[0]["current"], json!(true));
    let ended = s.events(&admin, "sessions_ended").await;
    assert_eq!(ended[0]["detail"]["count"], json!(1));

    // A session idle past the timeout is no longer listed.
    login_as(&s, "bob", "agent-d").await;
    s.advance(61 * 60);
    let (late, _) = login_as(&s, "bob", "agent-e").await;
    let list = s.get("/api/v01/me/sessions", &late).await.1;
    let agents: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|x| str_of(x, "user_agent"))
        .collect();
    assert_eq!(agents, ["agent-e"]);
}

async fn admins_end_every_session_of_a_user(db: Db) {
    let s = TestServer::start(db).await;
    let admin = s.admin_token().await;
    s.create_user(&admin, "bob", PW, json!({})).await;
    let (a, a_refresh) = login_as(&s, "bob", "agent-a").await;
    let (b, _) = login_as(&s, "bob", "agent-b").await;
    let (st, _) = s
        .call(
            Method::DELETE,
            "/api/v01/admin/users/bob/sessions",
            Some(&b),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = s
        .call(
            Method::DELETE,
            "/api/v01/admin/users/nobody/sessions",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = s
        .call(
            Method::DELETE,
            "/api/v01/admin/users/bob/sessions",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    assert_eq!(s.get("/api/v01/me", &a).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(s.get("/api/v01/me", &b).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(refresh(&s, &a_refresh).await, StatusCode::UNAUTHORIZED);
    // The admin's own session is untouched, and the event names who did it.
    assert_eq!(s.get("/api/v01/me", &admin).await.0, StatusCode::OK);
    let ended = s.events(&admin, "sessions_ended").await;
    assert_eq!(
        (
            &ended[0]["username"],
            &ended[0]["actor"],
            &ended[0]["detail"]["count"]
        ),
        (&json!("bob"), &json!("admin"), &json!(2))
    );
}

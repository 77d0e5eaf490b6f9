//! Per-user M2M tokens: issued after a recent authentication, carried by the login answer,
//! accepted as Bearer with exactly the user's rights and restrictions, expiring, replaced and
//! revoked; the admin variant shows the token only for `system` users.

use crate::both;
use crate::harness::{Db, TestServer, str_of};
use crate::protection::{behind_proxy, put_whitelist};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

both!(
    m2m_token_lifecycle,
    m2m_token_has_the_users_restrictions,
    admins_manage_m2m_tokens,
);

const PW: &str = "a long enough password";

async fn put_token(s: &TestServer, token: &str, body: Value) -> (StatusCode, Value) {
    s.call(
        Method::PUT,
        "/api/v01/me/m2m_token",
        Some(token),
        Some(body),
    )
    .await
}

fn in_days(s: &TestServer, days: i64) -> String {
    (s.now() + chrono::Duration::days(days)).to_rfc3339()
}

async fn m2m_token_lifecycle(db: Db) {
    let s = TestServer::start(db).await;
    let admin = s.admin_token().await;
    s.create_user(&admin, "bob", PW, json!({})).await;
    let login = s.login("bob", PW).await;
    assert!(login.get("token").is_none(), "{login}");
    // A sensitive change: a login older than the re-authentication window is not enough.
    s.advance(6 * 60);
    let (_, refreshed) = s
        .call(
            Method::GET,
            "/api/v01/auth/access_token",
            Some(str_of(&login, "refresh_token")),
            None,
        )
        .await;
    let access = str_of(&refreshed, "access_token").to_string();
    let (st, body) = put_token(&s, &access, json!({})).await;
    assert_eq!(
        (st, &body["error"]),
        (StatusCode::FORBIDDEN, &json!("reauthentication_required"))
    );
    let access = str_of(&s.login("bob", PW).await, "access_token").to_string();
    let (st, body) = put_token(&s, &access, json!({"expires_at": in_days(&s, -1)})).await;
    assert_eq!(
        (st, &body["field"]),
        (StatusCode::BAD_REQUEST, &json!("expires_at"))
    );
    let (st, body) = put_token(&s, &access, json!({"expires_at": "next tuesday"})).await;
    assert_eq!(
        (st, &body["field"]),
        (StatusCode::BAD_REQUEST, &json!("expires_at"))
    );
    let (st, body) = put_token(&s, &access, json!({"expires_at": in_days(&s, 1)})).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let m2m = str_of(&body, "token").to_string();
    assert!(m2m.starts_with("m2m_") && m2m.len() >= 4 + 43, "{m2m}");
    assert!(body["expires_at"].is_string());

    // Accepted as Bearer; the profile says a token is set, and the login answer carries it.
    let (st, me) = s.get("/api/v01/me", &m2m).await;
    assert_eq!((st, str_of(&me, "username")), (StatusCode::OK, "bob"));
    assert_eq!(me["m2m_token"]["set"], json!(true));
    assert_eq!(me["m2m_token"]["expires_at"], body["expires_at"]);
    assert!(me["m2m_token"].get("token").is_none());
    assert_eq!(str_of(&s.login("bob", PW).await, "token"), m2m);
    assert_eq!(
        str_of(&s.get("/api/v01/me/m2m_token", &access).await.1, "token"),
        m2m
    );

    // Not a session: no refresh, no re-authentication, so no sensitive change with it.
    let (st, _) = s
        .call(Method::GET, "/api/v01/auth/access_token", Some(&m2m), None)
        .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    let (st, _) = s
        .call(
            Method::POST,
            "/api/v01/me/reauth",
            Some(&m2m),
            Some(json!({"password": PW})),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert_eq!(
        put_token(&s, &m2m, json!({})).await.0,
        StatusCode::FORBIDDEN
    );
    // Exactly the user's rights: not an admin.
    assert_eq!(
        s.get("/api/v01/admin/users", &m2m).await.0,
        StatusCode::FORBIDDEN
    );
    // Never from the query string.
    let (st, _) = s
        .call(
            Method::GET,
            &format!("/api/v01/me?access_token={m2m}"),
            None,
            None,
        )
        .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);

    // A new token replaces the old one.
    let (st, body) = put_token(&s, &access, json!({})).await;
    assert_eq!(st, StatusCode::OK);
    let second = str_of(&body, "token").to_string();
    assert_eq!(body["expires_at"], Value::Null);
    assert_eq!(s.get("/api/v01/me", &m2m).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(s.get("/api/v01/me", &second).await.0, StatusCode::OK);
    // A token with an expiry stops at it, and the login answer no longer carries it.
    let access = str_of(&s.login("bob", PW).await, "access_token").to_string();
    let third = str_of(
        &put_token(&s, &access, json!({"expires_at": in_days(&s, 1)}))
            .await
            .1,
        "token",
    )
    .to_string();
    assert_eq!(s.get("/api/v01/me", &third).await.0, StatusCode::OK);
    s.advance(2 * 86_400);
    assert_eq!(
        s.get("/api/v01/me", &third).await.0,
        StatusCode::UNAUTHORIZED
    );
    let login = s.login("bob", PW).await;
    assert!(login.get("token").is_none(), "{login}");
    let admin = s.admin_token().await;
    let refused = s.events(&admin, "m2m_token_refused").await;
    assert_eq!(refused[0]["detail"]["reason"], json!("expired"));
    assert_eq!(refused[0]["username"], json!("bob"));

    // Deleted: gone.
    let access = str_of(&login, "access_token").to_string();
    let fourth = str_of(&put_token(&s, &access, json!({})).await.1, "token").to_string();
    let (st, _) = s
        .call(Method::DELETE, "/api/v01/me/m2m_token", Some(&access), None)
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    assert_eq!(
        s.get("/api/v01/me", &fourth).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        s.get("/api/v01/me/m2m_token", &access).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        s.get("/api/v01/me", &access).await.1["m2m_token"]["set"],
        json!(false)
    );
    // Unknown tokens of the right shape are just invalid.
    let forged = format!("m2m_{}", "A".repeat(43));
    assert_eq!(
        s.get("/api/v01/me", &forged).await.0,
        StatusCode::UNAUTHORIZED
    );
}

async fn m2m_token_has_the_users_restrictions(db: Db) {
    let s = behind_proxy(db).await;
    let admin = s.admin_token().await;
    s.create_user(&admin, "ivy", PW, json!({})).await;
    let (inside, outside) = ("203.0.113.5", "198.51.100.9");
    let access = str_of(&s.login("ivy", PW).await, "access_token").to_string();
    let m2m = str_of(&put_token(&s, &access, json!({})).await.1, "token").to_string();
    let me_from = |ip: &'static str| {
        let req = s
            .request(Method::GET, "/api/v01/me")
            .bearer_auth(&m2m)
            .header("X-Forwarded-For", ip);
        async move { req.send().await.unwrap().status() }
    };
    assert_eq!(me_from(outside).await, StatusCode::OK);
    let (st, body) = put_whitelist(&s, inside, &access, json!(["203.0.113.0/24"])).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(me_from(outside).await, StatusCode::UNAUTHORIZED);
    assert_eq!(me_from(inside).await, StatusCode::OK);
    let refused = s.events(&admin, "m2m_token_refused").await;
    assert_eq!(refused[0]["detail"]["reason"], json!("ip_not_allowed"));

    // Disabled: refused; enabled again: accepted.
    let patch = |disabled: bool| {
        s.call(
            Method::PATCH,
            "/api/v01/admin/users/ivy",
            Some(&admin),
            Some(json!({"disabled": disabled})),
        )
    };
    assert_eq!(patch(true).await.0, StatusCode::OK);
    assert_eq!(me_from(inside).await, StatusCode::UNAUTHORIZED);
    assert_eq!(patch(false).await.0, StatusCode::OK);
    assert_eq!(me_from(inside).await, StatusCode::OK);

    // A lockout (wrong passwords) does not cut the integration off: M2M tokens are not
    // passwords, and lockouts must not become an off switch for anyone's integration.
    for _ in 0..5 {
        let res = s
            .request(Method::POST, "/api/v01/auth/login")
            .header("X-Forwarded-For", inside)
            .json(&json!({"username": "ivy", "password": "wrong password, try again"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    assert!(s.get("/api/v01/admin/users/ivy", &admin).await.1["locked_until"].is_string());
    assert_eq!(me_from(inside).await, StatusCode::OK);

    // A user who must change the password can do only that with it too.
    s.call(
        Method::PATCH,
        "/api/v01/admin/users/ivy",
        Some(&admin),
        Some(json!({"force_change_password": true})),
    )
    .await;
    let res = s
        .request(Method::GET, "/api/v01/me/sessions")
        .bearer_auth(&m2m)
        .header("X-Forwarded-For", inside)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

async fn admins_manage_m2m_tokens(db: Db) {
    let s = TestServer::start(db).await;
    let admin = s.admin_token().await;
    s.create_user(&admin, "carl", PW, json!({})).await;
    s.create_user(&admin, "robot", PW, json!({"system": true}))
        .await;
    let user = s.access_token("carl", PW).await;

    // For a person: regenerated, but the token is not shown to the admin.
    let (st, body) = s
        .call(
            Method::PUT,
            "/api/v01/admin/users/carl/m2m_token",
            Some(&admin),
            Some(json!({"expires_at": in_days(&s, 30)})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert!(
        body.get("token").is_none() && body["expires_at"].is_string(),
        "{body}"
    );
    let view = s.get("/api/v01/admin/users/carl", &admin).await.1;
    assert_eq!(view["m2m_token"]["set"], json!(true));
    assert!(view["m2m_token"].get("token").is_none(), "{view}");
    // The user gets it with the next login.
    let carl_token = str_of(&s.login("carl", PW).await, "token").to_string();
    assert_eq!(s.get("/api/v01/me", &carl_token).await.0, StatusCode::OK);

    // For a system user: shown, in the answer and in the admin's view.
    let (st, body) = s
        .call(
            Method::PUT,
            "/api/v01/admin/users/robot/m2m_token",
            Some(&admin),
            Some(json!({})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let robot = str_of(&body, "token").to_string();
    let view = s.get("/api/v01/admin/users/robot", &admin).await.1;
    assert_eq!(view["m2m_token"]["token"], json!(robot));
    assert_eq!(
        str_of(&s.get("/api/v01/me", &robot).await.1, "username"),
        "robot"
    );
    // Lists never carry tokens.
    let list = s.get("/api/v01/admin/users", &admin).await.1;
    assert!(!list.to_string().contains(&robot));

    // Removed by the admin: dead. Non-admins and unknown users.
    let (st, _) = s
        .call(
            Method::DELETE,
            "/api/v01/admin/users/robot/m2m_token",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    assert_eq!(
        s.get("/api/v01/me", &robot).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (st, _) = s
        .call(
            Method::PUT,
            "/api/v01/admin/users/robot/m2m_token",
            Some(&user),
            Some(json!({})),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = s
        .call(
            Method::PUT,
            "/api/v01/admin/users/nobody/m2m_token",
            Some(&admin),
            Some(json!({})),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_eq!(s.events(&admin, "m2m_token_deleted").await.len(), 1);
}

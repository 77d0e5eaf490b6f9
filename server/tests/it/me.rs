//! The signed-in user: profile, password, re-authentication, forced password change.

use crate::both;
use crate::harness::{ADMIN_PASSWORD, Db, TestServer, str_of};
use reqwest::{Method, StatusCode};
use serde_json::json;

both!(
    profile_edits_ignore_forbidden_fields_and_name_bad_ones,
    email_change_needs_recent_authentication,
    password_change_rules,
    forced_password_change_blocks_everything_else,
);

async fn profile_edits_ignore_forbidden_fields_and_name_bad_ones(db: Db) {
    let s = TestServer::start(db).await;
    let admin = s.admin_token().await;
    s.create_user(&admin, "pat", "amber canyon whisper", json!({}))
        .await;
    let at = str_of(
        &s.login("pat", "amber canyon whisper").await,
        "access_token",
    )
    .to_string();
    let (st, me) = s.call(Method::PATCH, "/api/v01/me", Some(&at), Some(json!({
        "firstname": "Pat", "lastname": "Doe", "mobile": "+33 6 12 34 56 78", "language": "fr", "timezone": "Europe/Paris",
        "roles": ["admin"], "system": true, "profile": "gold", "username": "root"
    }))).await;
    assert_eq!(st, StatusCode::OK, "{me}");
    assert_eq!(
        (
            me["firstname"].as_str(),
            me["language"].as_str(),
            me["timezone"].as_str()
        ),
        (Some("Pat"), Some("fr"), Some("Europe/Paris"))
    );
    assert_eq!(me["roles"], json!([]), "mass assignment must be ignored");
    assert_eq!(
        (me["system"].as_bool(), me["username"].as_str()),
        (Some(false), Some("pat"))
    );
    let (_, again) = s.get("/api/v01/me", &at).await;
    assert_eq!(again, me, "the change persisted");
    for (body, field) in [
        (json!({"mobile": "call me"}), "mobile"),
        (json!({"language": "not a language tag"}), "language"),
        (json!({"timezone": "Mars/Olympus_Mons"}), "timezone"),
        (json!({"firstname": 42}), "firstname"),
        (json!({"favourite_colour": "blue"}), "favourite_colour"),
        (json!({"firstname": "x".repeat(101)}), "firstname"),
    ] {
        let (st, err) = s
            .call(Method::PATCH, "/api/v01/me", Some(&at), Some(body.clone()))
            .await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(err["field"], field, "{body} → {err}");
    }
    assert_eq!(
        s.get("/api/v01/me", &at).await.1,
        me,
        "refused edits changed nothing"
    );
}

async fn email_change_needs_recent_authentication(db: Db) {
    let s = TestServer::start(db).await;
    let login = s.login("admin", ADMIN_PASSWORD).await;
    let at = str_of(&login, "access_token").to_string();
    // Fresh login: allowed.
    let (st, me) = s
        .call(
            Method::PATCH,
            "/api/v01/me",
            Some(&at),
            Some(json!({"email": "admin@example.com"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{me}");
    // Six minutes later (a refreshed access token): refused until re-authentication.
    s.advance(6 * 60);
    let (_, fresh) = s
        .get(
            "/api/v01/auth/access_token",
            str_of(&login, "refresh_token"),
        )
        .await;
    let at = str_of(&fresh, "access_token").to_string();
    let (st, err) = s
        .call(
            Method::PATCH,
            "/api/v01/me",
            Some(&at),
            Some(json!({"email": "boss@example.com"})),
        )
        .await;
    assert_eq!(
        (st, err["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("reauthentication_required"))
    );
    // Other fields need no re-authentication.
    assert_eq!(
        s.call(
            Method::PATCH,
            "/api/v01/me",
            Some(&at),
            Some(json!({"firstname": "Ada"}))
        )
        .await
        .0,
        StatusCode::OK
    );
    let (st, err) = s
        .call(
            Method::POST,
            "/api/v01/me/reauth",
            Some(&at),
            Some(json!({"password": "wrong password here"})),
        )
        .await;
    assert_eq!(
        (st, err["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_credentials"))
    );
    assert_eq!(
        s.call(
            Method::POST,
            "/api/v01/me/reauth",
            Some(&at),
            Some(json!({"password": ADMIN_PASSWORD}))
        )
        .await
        .0,
        StatusCode::NO_CONTENT
    );
    let (st, me) = s
        .call(
            Method::PATCH,
            "/api/v01/me",
            Some(&at),
            Some(json!({"email": "boss@example.com"})),
        )
        .await;
    assert_eq!(
        (st, me["email"].as_str()),
        (StatusCode::OK, Some("boss@example.com"))
    );
    let (st, err) = s
        .call(
            Method::PATCH,
            "/api/v01/me",
            Some(&at),
            Some(json!({"email": "not-an-email"})),
        )
        .await;
    assert_eq!(
        (st, err["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("email"))
    );
}

async fn password_change_rules(db: Db) {
    let s = TestServer::start(db).await;
    let one = s.login("admin", ADMIN_PASSWORD).await;
    let other = s.login("admin", ADMIN_PASSWORD).await;
    let at = str_of(&one, "access_token");
    let change =
        |current: &str, new: &str| json!({"current_password": current, "new_password": new});
    let (st, err) = s
        .call(
            Method::PUT,
            "/api/v01/me/password",
            Some(at),
            Some(change("wrong current one", "tulip orbit cascade lantern")),
        )
        .await;
    assert_eq!(
        (st, err["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_credentials"))
    );
    for (weak, reason) in [
        ("password1234", "common"),
        ("short", "at least 8"),
        ("my admin password", "username"),
    ] {
        let (st, err) = s
            .call(
                Method::PUT,
                "/api/v01/me/password",
                Some(at),
                Some(change(ADMIN_PASSWORD, weak)),
            )
            .await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{weak}");
        assert_eq!(err["field"], "new_password");
        assert!(
            err["message"].as_str().unwrap().contains(reason),
            "{weak}: {err}"
        );
    }
    let (st, _) = s
        .call(
            Method::PUT,
            "/api/v01/me/password",
            Some(at),
            Some(change(ADMIN_PASSWORD, "tulip orbit cascade lantern")),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    // The other session ended; this one goes on.
    assert_eq!(
        s.get(
            "/api/v01/auth/access_token",
            str_of(&other, "refresh_token")
        )
        .await
        .0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        s.get("/api/v01/me", str_of(&other, "access_token")).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        s.get("/api/v01/auth/access_token", str_of(&one, "refresh_token"))
            .await
            .0,
        StatusCode::OK
    );
    s.login("admin", "tulip orbit cascade lantern").await;
    let (st, _) = s
        .call(
            Method::POST,
            "/api/v01/auth/login",
            None,
            Some(json!({"username": "admin", "password": ADMIN_PASSWORD})),
        )
        .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
}

async fn forced_password_change_blocks_everything_else(db: Db) {
    let s = TestServer::start(db).await;
    let admin = s.admin_token().await;
    s.create_user(
        &admin,
        "fred",
        "first granite window",
        json!({"force_change_password": true}),
    )
    .await;
    let login = s.login("fred", "first granite window").await;
    let at = str_of(&login, "access_token");
    let claims = at.split('.').nth(1).unwrap();
    let claims: serde_json::Value = serde_json::from_slice(
        &base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, claims).unwrap(),
    )
    .unwrap();
    assert_eq!(claims["pwd_change"], true);
    let (st, me) = s.get("/api/v01/me", at).await;
    assert_eq!(
        (st, me["force_change_password"].as_bool()),
        (StatusCode::OK, Some(true))
    );
    let (st, err) = s
        .call(
            Method::PATCH,
            "/api/v01/me",
            Some(at),
            Some(json!({"firstname": "F"})),
        )
        .await;
    assert_eq!(
        (st, err["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("password_change_required"))
    );
    let (st, _) = s.call(Method::PUT, "/api/v01/me/password", Some(at), Some(json!({"current_password": "first granite window", "new_password": "a much better secret"}))).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (_, fresh) = s
        .get(
            "/api/v01/auth/access_token",
            str_of(&login, "refresh_token"),
        )
        .await;
    let (st, me) = s
        .call(
            Method::PATCH,
            "/api/v01/me",
            Some(str_of(&fresh, "access_token")),
            Some(json!({"firstname": "F"})),
        )
        .await;
    assert_eq!(
        (st, me["force_change_password"].as_bool()),
        (StatusCode::OK, Some(false))
    );
}

//! Administration: authorization, settings, users.

use crate::both;
use crate::harness::{Db, TestServer, str_of};
use reqwest::{Method, StatusCode};
use serde_json::json;

both!(
    admin_endpoints_need_the_admin_role,
    settings_are_validated_and_saved_whole,
    user_administration
);

async fn admin_endpoints_need_the_admin_role(db: Db) {
    let s = TestServer::start(db).await;
    let admin = s.admin_token().await;
    s.create_user(&admin, "eve", "violet meadow rainfall", json!({}))
        .await;
    let eve = str_of(
        &s.login("eve", "violet meadow rainfall").await,
        "access_token",
    )
    .to_string();
    let calls = [
        (Method::GET, "/api/v01/admin/config"),
        (Method::PUT, "/api/v01/admin/config"),
        (Method::GET, "/api/v01/admin/users"),
        (Method::POST, "/api/v01/admin/users"),
        (Method::GET, "/api/v01/admin/users/admin"),
        (Method::PATCH, "/api/v01/admin/users/admin"),
        (Method::DELETE, "/api/v01/admin/users/admin"),
        (Method::GET, "/api/v01/admin/events"),
        (Method::GET, "/api/v01/admin/users/admin/login_attempts"),
        (Method::POST, "/api/v01/admin/users/admin/unlock"),
        (Method::PUT, "/api/v01/admin/users/admin/m2m_token"),
        (Method::DELETE, "/api/v01/admin/users/admin/m2m_token"),
        (Method::DELETE, "/api/v01/admin/users/admin/sessions"),
        (Method::GET, "/api/v01/admin/mail_templates/mails.welcome"),
    ];
    for (m, path) in calls.clone() {
        let body = matches!(m, Method::PUT | Method::POST | Method::PATCH)
            .then(|| json!({"username": "x", "label": "x"}));
        let (st, err) = s.call(m.clone(), path, Some(&eve), body.clone()).await;
        assert_eq!(
            (st, err["error"].as_str()),
            (StatusCode::FORBIDDEN, Some("forbidden")),
            "{m} {path}"
        );
        let (st, _) = s.call(m.clone(), path, None, body).await;
        assert_eq!(st, StatusCode::UNAUTHORIZED, "{m} {path} without a token");
    }
    // And eve's own M2M token carries her rights, not more.
    let (_, body) = s
        .call(
            Method::PUT,
            "/api/v01/me/m2m_token",
            Some(&eve),
            Some(json!({})),
        )
        .await;
    let m2m = str_of(&body, "token").to_string();
    for (m, path) in calls {
        let (st, _) = s.call(m.clone(), path, Some(&m2m), Some(json!({}))).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{m} {path} with an M2M token");
    }
    assert_eq!(
        s.call(Method::GET, "/api/v01/no/such/path", None, None)
            .await
            .0,
        StatusCode::NOT_FOUND
    );
}

async fn settings_are_validated_and_saved_whole(db: Db) {
    let s = TestServer::start(db).await;
    let admin = s.admin_token().await;
    let (st, before) = s.get("/api/v01/admin/config", &admin).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(
        before.as_object().unwrap().len(),
        18,
        "all 18 settings: {before}"
    );
    assert_eq!(before["lockout_threshold"], 5);
    assert_eq!(before["modules"].as_array().unwrap().len(), 11);
    // An invalid value anywhere saves nothing, and the error names the field.
    for (update, field) in [
        (
            json!({"label": "ok", "lockout_threshold": 0}),
            "lockout_threshold",
        ),
        (
            json!({"label": "ok", "session_idle_timeout_minutes": "soon"}),
            "session_idle_timeout_minutes",
        ),
        (
            json!({"label": "ok", "allowed_origins": ["*"]}),
            "allowed_origins",
        ),
        (
            json!({"label": "ok", "webauthn_rp_id": "evil.example"}),
            "webauthn_rp_id",
        ),
        (json!({"label": "ok", "made_up": true}), "made_up"),
    ] {
        let (st, err) = s
            .call(
                Method::PUT,
                "/api/v01/admin/config",
                Some(&admin),
                Some(update.clone()),
            )
            .await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{update}");
        assert_eq!(err["field"], field, "{update} → {err}");
    }
    assert_eq!(
        s.get("/api/v01/admin/config", &admin).await.1,
        before,
        "nothing was saved"
    );
    let (st, after) = s.call(Method::PUT, "/api/v01/admin/config", Some(&admin), Some(json!({
        "label": "Telco Lab", "lockout_threshold": 3, "allowed_origins": ["https://portal.example.com"],
        "post_reset_password_workflow": {"url": "https://wf.example.com/hook", "secret": "shh-very-secret"}
    }))).await;
    assert_eq!(st, StatusCode::OK, "{after}");
    assert_eq!(
        (after["label"].as_str(), after["lockout_threshold"].as_i64()),
        (Some("Telco Lab"), Some(3))
    );
    assert_eq!(
        after["post_reset_password_workflow"],
        json!({"url": "https://wf.example.com/hook", "secret_set": true})
    );
    assert!(
        !after.to_string().contains("shh-very-secret"),
        "workflow secrets are write-only"
    );
    let (_, ui) = s
        .call(Method::GET, "/api/v01/auth/ui_config", None, None)
        .await;
    assert_eq!(ui["label"], "Telco Lab");
    // The test server's public URL is an IP address, which cannot be a WebAuthn relying
    // party: passkeys are unavailable until an RP ID is set (see passkeys.rs).
    assert_eq!(ui["passkeys_enabled"], false);
    let events = s.events(&admin, "settings_changed").await;
    assert_eq!(events.len(), 1, "only the valid update is recorded");
    assert!(!events[0].to_string().contains("shh-very-secret"));
}

async fn user_administration(db: Db) {
    let s = TestServer::start(db).await;
    let admin = s.admin_token().await;
    let (st, err) = s
        .call(
            Method::POST,
            "/api/v01/admin/users",
            Some(&admin),
            Some(json!({"username": "weak", "password": "password1234"})),
        )
        .await;
    assert_eq!(
        (st, err["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("password"))
    );
    let user = s
        .create_user(
            &admin,
            "Grace",
            "quiet harbor lighthouse",
            json!({"firstname": "Grace", "email": "grace@example.com", "roles": ["operator"]}),
        )
        .await;
    assert_eq!(user["username"], "grace", "usernames are case-insensitive");
    let (st, _) = s
        .call(
            Method::POST,
            "/api/v01/admin/users",
            Some(&admin),
            Some(json!({"username": "GRACE", "password": "another long passphrase"})),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
    for i in 0..3 {
        s.create_user(
            &admin,
            &format!("user{i}"),
            "a fine long passphrase",
            json!({}),
        )
        .await;
    }
    let (_, all) = s.get("/api/v01/admin/users", &admin).await;
    assert_eq!(all["total"], 5);
    let (_, found) = s.get("/api/v01/admin/users?q=GRA", &admin).await;
    assert_eq!(
        (
            found["total"].as_i64(),
            found["users"][0]["username"].as_str()
        ),
        (Some(1), Some("grace"))
    );
    let (_, got) = s.get("/api/v01/admin/users/grace", &admin).await;
    assert_eq!(got["roles"], json!(["operator"]));
    // Every flag given at creation is kept.
    let flagged = s
        .create_user(
            &admin,
            "held",
            "a fine long passphrase",
            json!({"disabled": true, "two_factor_forced_email": true, "email": "held@example.com"}),
        )
        .await;
    assert_eq!(flagged["disabled"], json!(true));
    assert_eq!(flagged["two_factor"]["option"], json!("email"));
    let (st, _) = s
        .call(
            Method::POST,
            "/api/v01/auth/login",
            None,
            Some(json!({"username": "held", "password": "a fine long passphrase"})),
        )
        .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    let (st, _) = s.get("/api/v01/admin/users/nobody", &admin).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    // Disabling ends the user's sessions at once and refuses new logins.
    let grace = s.login("grace", "quiet harbor lighthouse").await;
    let (st, patched) = s
        .call(
            Method::PATCH,
            "/api/v01/admin/users/grace",
            Some(&admin),
            Some(json!({"disabled": true, "system": true, "profile": "ops"})),
        )
        .await;
    assert_eq!(
        (
            st,
            patched["disabled"].as_bool(),
            patched["system"].as_bool()
        ),
        (StatusCode::OK, Some(true), Some(true))
    );
    assert_eq!(
        s.get("/api/v01/me", str_of(&grace, "access_token")).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        s.get(
            "/api/v01/auth/access_token",
            str_of(&grace, "refresh_token")
        )
        .await
        .0,
        StatusCode::UNAUTHORIZED
    );
    let (st, _) = s
        .call(
            Method::POST,
            "/api/v01/auth/login",
            None,
            Some(json!({"username": "grace", "password": "quiet harbor lighthouse"})),
        )
        .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    let (st, err) = s
        .call(
            Method::PATCH,
            "/api/v01/admin/users/grace",
            Some(&admin),
            Some(json!({"roles": ["Not Valid"]})),
        )
        .await;
    assert_eq!(
        (st, err["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("roles"))
    );
    // An admin cannot lock themselves out.
    let (st, _) = s
        .call(
            Method::PATCH,
            "/api/v01/admin/users/admin",
            Some(&admin),
            Some(json!({"roles": []})),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert_eq!(
        s.call(
            Method::DELETE,
            "/api/v01/admin/users/admin",
            Some(&admin),
            None
        )
        .await
        .0,
        StatusCode::CONFLICT
    );
    assert_eq!(
        s.call(
            Method::DELETE,
            "/api/v01/admin/users/grace",
            Some(&admin),
            None
        )
        .await
        .0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        s.get("/api/v01/admin/users/grace", &admin).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        s.call(
            Method::DELETE,
            "/api/v01/admin/users/grace",
            Some(&admin),
            None
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    let kinds: Vec<String> = s
        .events(&admin, "user_deleted")
        .await
        .iter()
        .map(|e| e["username"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(kinds, ["grace"]);
}

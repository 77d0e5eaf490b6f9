//! The `modules` setting: a disabled module's endpoints answer 404 (for the UI's server
//! functions too, which call the same engine), and come back when it is enabled again.

use crate::both;
use crate::harness::{Db, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::json;

both!(disabled_modules_answer_404);

const PW: &str = "a long enough password";

async fn disabled_modules_answer_404(db: Db) {
    let s = TestServer::start(db).await;
    let admin = s.admin_token().await;
    s.create_user(&admin, "bob", PW, json!({})).await;
    let bob = s.access_token("bob", PW).await;
    let gated = [
        ("/api/v01/me/sessions", &bob),
        ("/api/v01/me/callbacks", &bob),
        ("/api/v01/me/trusted", &bob),
        ("/api/v01/me/login_attempts", &bob),
        ("/api/v01/me/ip_whitelist", &bob),
        ("/api/v01/me/2fa", &bob),
        ("/api/v01/admin/users", &admin),
        ("/api/v01/admin/users/bob", &admin),
        ("/api/v01/admin/events", &admin),
    ];
    for (path, token) in gated {
        assert_eq!(s.get(path, token).await.0, StatusCode::OK, "{path}");
    }
    // admin_settings cannot go: it is the way back.
    let (st, body) = s
        .call(
            Method::PUT,
            "/api/v01/admin/config",
            Some(&admin),
            Some(json!({"modules": ["profile"]})),
        )
        .await;
    assert_eq!(
        (st, &body["field"]),
        (StatusCode::BAD_REQUEST, &json!("modules"))
    );

    s.put_settings(&admin, json!({"modules": ["admin_settings"]}))
        .await;
    for (path, token) in gated {
        let (st, body) = s.get(path, token).await;
        assert_eq!(
            (st, &body["error"]),
            (StatusCode::NOT_FOUND, &json!("not_found")),
            "{path}"
        );
    }
    // Changes too, not only reads.
    let (st, _) = s
        .call(
            Method::PATCH,
            "/api/v01/me",
            Some(&bob),
            Some(json!({"firstname": "Bob"})),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = s
        .call(
            Method::PUT,
            "/api/v01/me/m2m_token",
            Some(&bob),
            Some(json!({})),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = s
        .call(Method::DELETE, "/api/v01/me/sessions", Some(&bob), None)
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    // Who one is stays readable (API clients and the UI need it), and the login page learns
    // which modules are on.
    assert_eq!(s.get("/api/v01/me", &bob).await.0, StatusCode::OK);
    let (_, ui) = s
        .call(Method::GET, "/api/v01/auth/ui_config", None, None)
        .await;
    assert_eq!(ui["modules"], json!(["admin_settings"]));

    s.put_settings(
        &admin,
        json!({"modules": ["sessions", "admin_settings", "admin_users"]}),
    )
    .await;
    assert_eq!(s.get("/api/v01/me/sessions", &bob).await.0, StatusCode::OK);
    assert_eq!(
        s.get("/api/v01/admin/users", &admin).await.0,
        StatusCode::OK
    );
    assert_eq!(
        s.get("/api/v01/me/callbacks", &bob).await.0,
        StatusCode::NOT_FOUND
    );
}

//! `/api/v01/admin/mail_templates*`: shipped defaults, edits checked before saving, restore.

use crate::both;
use crate::harness::{Db, TestServer, str_of};
use reqwest::{Method, StatusCode};
use serde_json::json;

const PATH: &str = "/api/v01/admin/mail_templates";

async fn shipped_defaults_are_listed_and_readable(db: Db) {
    let server = TestServer::start(db).await;
    let admin = server.admin_token().await;
    let (s, list) = server.get(PATH, &admin).await;
    assert_eq!(s, StatusCode::OK);
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|t| str_of(t, "name"))
        .collect();
    for name in [
        "mails.reset_password",
        "mails.reset_password.fr",
        "mails.welcome",
        "mails.welcome.fr",
        "mails.two_factor",
        "mails.two_factor.fr",
    ] {
        assert!(names.contains(&name), "{name} in {names:?}");
    }
    let (s, t) = server
        .get(&format!("{PATH}/mails.welcome.fr"), &admin)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(t["shipped"], true);
    assert!(str_of(&t, "subject").contains("Bienvenue"));
    let (s, _) = server.get(&format!("{PATH}/mails.nothing"), &admin).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

async fn edits_are_checked_saved_and_restorable(db: Db) {
    let server = TestServer::start(db).await;
    let admin = server.admin_token().await;
    let put = |name: &'static str, body: serde_json::Value| put(&server, &admin, name, body);
    // Syntax error and unknown variable: 400 naming the part; nothing saved.
    let (s, e) = put(
        "mails.welcome",
        json!({"subject": "Hi", "text": "ok", "html": "{% if %}"}),
    )
    .await;
    assert_eq!(
        (s, str_of(&e, "field")),
        (StatusCode::BAD_REQUEST, "html"),
        "{e}"
    );
    let (s, e) = put(
        "mails.welcome",
        json!({"subject": "Hi", "text": "{{ pasword }}"}),
    )
    .await;
    assert_eq!(
        (s, str_of(&e, "field")),
        (StatusCode::BAD_REQUEST, "text"),
        "{e}"
    );
    let (s, e) = put("mails.welcome", json!({"subject": " ", "text": "x"})).await;
    assert_eq!(
        (s, str_of(&e, "field")),
        (StatusCode::BAD_REQUEST, "subject"),
        "{e}"
    );
    let (s, e) = put("mails..bad", json!({"subject": "x", "text": "x"})).await;
    assert_eq!(
        (s, str_of(&e, "field")),
        (StatusCode::BAD_REQUEST, "name"),
        "{e}"
    );
    let (s, e) = put(
        "mails.welcome",
        json!({"subject": "x", "text": "x", "script": "x"}),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");
    let (_, t) = server.get(&format!("{PATH}/mails.welcome"), &admin).await;
    assert_eq!(t["shipped"], true, "nothing saved");

    let (s, t) = put(
        "mails.welcome",
        json!({"subject": "Hello {{ firstname }}", "text": "Set it: {{ link }}", "html": "<p>{{ firstname }}</p>"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{t}");
    assert_eq!(
        (t["shipped"].clone(), t["has_default"].clone()),
        (json!(false), json!(true))
    );
    assert_eq!(t["updated_by"], "admin");
    let (_, t) = server.get(&format!("{PATH}/mails.welcome"), &admin).await;
    assert_eq!(t["subject"], "Hello {{ firstname }}");

    // A new name, then deleting both: the edit goes, the default comes back.
    let (s, _) = put("mails.welcome.portal", json!({"subject": "x", "text": "y"})).await;
    assert_eq!(s, StatusCode::OK);
    for name in ["mails.welcome", "mails.welcome.portal"] {
        let (s, _) = server
            .call(
                Method::DELETE,
                &format!("{PATH}/{name}"),
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT);
    }
    let (_, t) = server.get(&format!("{PATH}/mails.welcome"), &admin).await;
    assert_eq!(t["shipped"], true);
    let (s, _) = server
        .get(&format!("{PATH}/mails.welcome.portal"), &admin)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = server
        .call(
            Method::DELETE,
            &format!("{PATH}/mails.welcome"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(
        s,
        StatusCode::NOT_FOUND,
        "a shipped default cannot be deleted"
    );
    assert!(
        !server
            .events(&admin, "mail_template_saved")
            .await
            .is_empty()
    );
}

async fn put(
    server: &TestServer,
    admin: &str,
    name: &str,
    body: serde_json::Value,
) -> (StatusCode, serde_json::Value) {
    server
        .call(
            Method::PUT,
            &format!("{PATH}/{name}"),
            Some(admin),
            Some(body),
        )
        .await
}

async fn preview_renders_with_examples_and_escapes_html(db: Db) {
    let server = TestServer::start(db).await;
    let admin = server.admin_token().await;
    server
        .put_settings(&admin, json!({"label": "Acme <Auth>"}))
        .await;
    let (s, p) = server
        .call(
            Method::POST,
            "/api/v01/admin/mail_template_preview",
            Some(&admin),
            Some(json!({"subject": "{{ label }} code", "text": "Code {{ code }}", "html": "<b>{{ label }}</b>"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert_eq!(p["subject"], "Acme <Auth> code");
    assert_eq!(p["text"], "Code 123456\n");
    assert_eq!(p["html"], "<b>Acme &lt;Auth&gt;</b>");
}

async fn only_admins_see_templates(db: Db) {
    let server = TestServer::start(db).await;
    let admin = server.admin_token().await;
    server
        .create_user(&admin, "jane", "a secret of the account 123", json!({}))
        .await;
    let jane = str_of(
        &server.login("jane", "a secret of the account 123").await,
        "access_token",
    )
    .to_string();
    let (s, _) = server.get(PATH, &jane).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = server
        .call(
            Method::PUT,
            &format!("{PATH}/mails.welcome"),
            Some(&jane),
            Some(json!({"subject": "x", "text": "y"})),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = server.call(Method::GET, PATH, None, None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

both!(
    shipped_defaults_are_listed_and_readable,
    edits_are_checked_saved_and_restorable,
    preview_renders_with_examples_and_escapes_html,
    only_admins_see_templates,
);

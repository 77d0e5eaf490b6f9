//! Callbacks: validated on save (https, loopback http, no private targets unless allowed),
//! secrets never shown again, and a signed test event to a real receiver.

use crate::both;
use crate::counterparts::WorkflowReceiver;
use crate::harness::{Db, Options, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

both!(
    callbacks_are_validated_and_kept,
    test_event_is_signed_and_reported,
    private_targets_need_the_deployment_setting
);

const PW: &str = "a long enough password";
const SECRET: &str = "callback signing secret";

async fn put(s: &TestServer, token: &str, list: Value) -> (StatusCode, Value) {
    s.call(
        Method::PUT,
        "/api/v01/me/callbacks",
        Some(token),
        Some(list),
    )
    .await
}

async fn user(s: &TestServer, name: &str) -> String {
    let admin = s.admin_token().await;
    s.create_user(&admin, name, PW, json!({})).await;
    s.access_token(name, PW).await
}

async fn callbacks_are_validated_and_kept(db: Db) {
    let s = TestServer::start(db).await;
    let bob = user(&s, "bob").await;
    let eve = user(&s, "eve").await;
    assert_eq!(
        s.get("/api/v01/me/callbacks", &bob).await,
        (StatusCode::OK, json!([]))
    );

    let ok = json!({"url": "https://hooks.example.com/apio", "events": ["completed"]});
    for (bad, field) in [
        (
            json!({"url": "http://hooks.example.com/", "events": ["completed"]}),
            "callbacks[1].url",
        ),
        (
            json!({"url": "https://10.0.0.8/", "events": ["completed"]}),
            "callbacks[1].url",
        ),
        (
            json!({"url": "https://169.254.169.254/latest", "events": ["blocked"]}),
            "callbacks[1].url",
        ),
        (
            json!({"url": "https://me:pw@hooks.example.com/", "events": ["blocked"]}),
            "callbacks[1].url",
        ),
        (
            json!({"url": "https://hooks.example.com/apio", "events": ["blocked"]}),
            "callbacks[1].url",
        ),
        (
            json!({"url": "https://other.example.com/", "events": ["deleted"]}),
            "callbacks[1].events",
        ),
        (
            json!({"url": "https://other.example.com/", "events": []}),
            "callbacks[1].events",
        ),
        (
            json!({"url": "https://other.example.com/", "events": ["blocked"], "secret": "short"}),
            "callbacks[1].secret",
        ),
    ] {
        let (st, body) = put(&s, &bob, json!([ok, bad])).await;
        assert_eq!(
            (st, str_of_field(&body)),
            (StatusCode::BAD_REQUEST, field),
            "{bad}"
        );
    }
    let many: Vec<Value> = (0..11)
        .map(|i| json!({"url": format!("https://h{i}.example.com/"), "events": ["completed"]}))
        .collect();
    assert_eq!(put(&s, &bob, json!(many)).await.0, StatusCode::BAD_REQUEST);
    let (st, body) = put(&s, &bob, json!({"url": "https://hooks.example.com/"})).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{body}");
    // Nothing was saved by any of them.
    assert_eq!(s.get("/api/v01/me/callbacks", &bob).await.1, json!([]));

    let (st, body) = put(
        &s,
        &bob,
        json!([
            {"url": "https://hooks.example.com/apio", "events": ["completed", "blocked", "completed"], "secret": SECRET},
            {"url": "http://127.0.0.1:9/hook", "events": ["blocked"]},
        ]),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let expected = json!([
        {"url": "https://hooks.example.com/apio", "events": ["completed", "blocked"], "has_secret": true},
        {"url": "http://127.0.0.1:9/hook", "events": ["blocked"], "has_secret": false},
    ]);
    assert_eq!(body, expected);
    assert!(!body.to_string().contains(SECRET));
    assert_eq!(s.get("/api/v01/me/callbacks", &bob).await.1, expected);
    // Each user has their own list.
    assert_eq!(s.get("/api/v01/me/callbacks", &eve).await.1, json!([]));

    // Sending the list back keeps the secret; an empty secret removes it.
    let (st, body) = put(&s, &bob, expected.clone()).await;
    assert_eq!((st, &body), (StatusCode::OK, &expected));
    let (st, body) = put(
        &s,
        &bob,
        json!([{"url": "https://hooks.example.com/apio", "events": ["completed"], "secret": ""}]),
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(body[0]["has_secret"], json!(false));
    let admin = s.admin_token().await;
    assert!(!s.events(&admin, "callbacks_changed").await.is_empty());
}

fn str_of_field(body: &Value) -> &str {
    body["field"].as_str().unwrap_or_default()
}

async fn test_event_is_signed_and_reported(db: Db) {
    let s = TestServer::start(db).await;
    let bob = user(&s, "bob").await;
    let good = WorkflowReceiver::start(SECRET, 0).await;
    let failing = WorkflowReceiver::start(SECRET, 1).await;
    let (st, body) = put(
        &s,
        &bob,
        json!([
            {"url": good.url, "events": ["completed"], "secret": SECRET},
            {"url": failing.url, "events": ["blocked"]},
        ]),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let test = |url: String| {
        s.call(
            Method::POST,
            "/api/v01/me/callbacks/test",
            Some(&bob),
            Some(json!({"url": url})),
        )
    };
    let (st, body) = test(good.url.clone()).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(body, json!({"ok": true, "status": 200, "error": null}));
    let call = good.nth(0).await;
    assert!(call.signature_ok, "signed with the callback's secret");
    assert_eq!(
        (&call.body["event"], &call.body["username"]),
        (&json!("test"), &json!("bob"))
    );

    // The receiver's failure is reported, not hidden; unsigned without a secret.
    let (st, body) = test(failing.url.clone()).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!((&body["ok"], &body["status"]), (&json!(false), &json!(500)));
    assert!(!failing.nth(0).await.signature_ok);
    // Nothing is called that is not one of the user's callbacks.
    let (st, _) = test("https://elsewhere.example.com/".into()).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    // A receiver that is gone: an error, no status.
    let (st, _) = put(
        &s,
        &bob,
        json!([{"url": "http://127.0.0.1:9/gone", "events": ["blocked"]}]),
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    let (st, body) = test("http://127.0.0.1:9/gone".into()).await;
    assert_eq!(
        (st, &body["ok"], &body["status"]),
        (StatusCode::OK, &json!(false), &Value::Null)
    );
    assert!(body["error"].is_string(), "{body}");
    let admin = s.admin_token().await;
    let outcomes: Vec<Value> = s
        .events(&admin, "callback_test")
        .await
        .iter()
        .map(|e| e["outcome"].clone())
        .collect();
    assert_eq!(
        outcomes,
        [json!("failure"), json!("failure"), json!("success")]
    );
}

async fn private_targets_need_the_deployment_setting(db: Db) {
    let s = TestServer::start_with(
        db,
        Options {
            env: vec![("APIO_CALLBACKS_ALLOW_PRIVATE_TARGETS".into(), "true".into())],
            ..Options::default()
        },
    )
    .await;
    let bob = user(&s, "bob").await;
    let (st, body) = put(
        &s,
        &bob,
        json!([{"url": "https://10.0.0.8/hook", "events": ["completed"]}]),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    // Still never plain http off loopback, nor the unspecified address.
    let (st, _) = put(
        &s,
        &bob,
        json!([{"url": "http://10.0.0.8/hook", "events": ["completed"]}]),
    )
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    let (st, _) = put(
        &s,
        &bob,
        json!([{"url": "https://0.0.0.0/hook", "events": ["completed"]}]),
    )
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
}

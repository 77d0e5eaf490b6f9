//! Passkeys over REST with a software authenticator: registration, username-first and
//! discoverable login, rename, delete, re-authentication; and the attacks SECURITY.md names
//! (wrong origin, wrong RP ID, replayed or expired challenge, no user verification, a counter
//! going backwards, someone else's credential).

use crate::authenticator::Authenticator;
use crate::both;
use crate::harness::{Db, Options, TestServer, fresh_database, str_of};
use crate::multi_instance::eventually;
use crate::protection::{behind_proxy, put_whitelist, reasons};
use crate::two_factor::amr_of;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

both!(
    register_sign_in_rename_reauthenticate_and_delete,
    assertions_that_must_be_refused,
    refused_users_and_unknown_users,
    settings_switch_passkeys_off_and_name_the_field,
    ceremonies_span_instances,
);

const PW: &str = "a long enough password";
/// The deployment the tests play: the RP ID is the registrable domain of the origin.
const RP_ID: &str = "example.test";
const ORIGIN: &str = "https://auth.example.test";

async fn passkey_server(db: Db) -> (TestServer, String) {
    let s = TestServer::start(db).await;
    let admin = s.admin_token().await;
    configure(&s, &admin).await;
    (s, admin)
}

async fn configure(s: &TestServer, admin: &str) {
    s.put_settings(
        admin,
        json!({"webauthn_rp_id": RP_ID, "webauthn_rp_origins": [ORIGIN]}),
    )
    .await;
}

async fn post(s: &TestServer, path: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
    s.call(Method::POST, path, token, Some(body)).await
}

/// Registers a passkey for the signed-in user; returns its id.
async fn register(s: &TestServer, token: &str, key: &mut Authenticator, name: &str) -> String {
    let (st, start) = post(
        s,
        "/api/v01/me/passkeys/register/start",
        Some(token),
        json!({"name": name}),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{start}");
    let credential = key.register(&start["publicKey"]).expect("not excluded");
    let (st, created) = post(
        s,
        "/api/v01/me/passkeys/register/finish",
        Some(token),
        json!({"challenge_id": start["challenge_id"], "credential": credential}),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{created}");
    assert_eq!(created["name"], name);
    str_of(&created, "id").to_string()
}

async fn login_start(s: &TestServer, body: Value) -> Value {
    let (st, start) = post(s, "/api/v01/auth/webauthn/login/start", None, body).await;
    assert_eq!(st, StatusCode::OK, "{start}");
    start
}

async fn login_finish(s: &TestServer, start: &Value, credential: Value) -> (StatusCode, Value) {
    post(
        s,
        "/api/v01/auth/webauthn/login/finish",
        None,
        json!({"challenge_id": start["challenge_id"], "credential": credential}),
    )
    .await
}

/// A full username-first passkey login with this authenticator.
async fn passkey_login(
    s: &TestServer,
    username: &str,
    key: &mut Authenticator,
) -> (StatusCode, Value) {
    let start = login_start(s, json!({"username": username})).await;
    let credential = key.assert(&start["publicKey"]);
    login_finish(s, &start, credential).await
}

async fn user_with_passkey(s: &TestServer, admin: &str, username: &str) -> (String, Authenticator) {
    s.create_user(admin, username, PW, json!({})).await;
    let token = str_of(&s.login(username, PW).await, "access_token").to_string();
    let mut key = Authenticator::new(ORIGIN);
    register(s, &token, &mut key, "Laptop").await;
    (token, key)
}

async fn register_sign_in_rename_reauthenticate_and_delete(db: Db) {
    let (s, admin) = passkey_server(db).await;
    s.create_user(
        &admin,
        "alice",
        PW,
        json!({"firstname": "Alice", "lastname": "Liddell", "email": "alice@example.test"}),
    )
    .await;
    let token = str_of(&s.login("alice", PW).await, "access_token").to_string();
    let mut key = Authenticator::new(ORIGIN);

    // The creation options: our RP, the user, user verification required, a discoverable
    // credential preferred.
    let (_, start) = post(
        &s,
        "/api/v01/me/passkeys/register/start",
        Some(&token),
        json!({"name": "Laptop"}),
    )
    .await;
    let options = &start["publicKey"];
    assert_eq!(options["rp"]["id"], RP_ID);
    assert_eq!(options["user"]["name"], "alice");
    assert_eq!(options["user"]["displayName"], "Alice Liddell");
    assert_eq!(
        options["authenticatorSelection"]["userVerification"],
        "required"
    );
    assert_eq!(
        options["authenticatorSelection"]["residentKey"],
        "preferred"
    );
    assert!(
        str_of(&start, "challenge_id").len() >= 43,
        "256-bit challenge id"
    );
    let credential = key.register(options).unwrap();
    let (st, created) = post(
        &s,
        "/api/v01/me/passkeys/register/finish",
        Some(&token),
        json!({"challenge_id": start["challenge_id"], "credential": credential.clone()}),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{created}");
    let id = str_of(&created, "id").to_string();

    // The same ceremony cannot register twice.
    let (st, again) = post(
        &s,
        "/api/v01/me/passkeys/register/finish",
        Some(&token),
        json!({"challenge_id": start["challenge_id"], "credential": credential}),
    )
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{again}");
    assert_eq!(again["field"], "challenge_id");

    // A second registration excludes the first credential: the authenticator refuses.
    let (_, second) = post(
        &s,
        "/api/v01/me/passkeys/register/start",
        Some(&token),
        json!({"name": "Phone"}),
    )
    .await;
    let excluded = second["publicKey"]["excludeCredentials"]
        .as_array()
        .unwrap();
    assert_eq!(excluded.len(), 1);
    assert!(key.register(&second["publicKey"]).is_none());

    let (st, list) = s.get("/api/v01/me/passkeys", &token).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["name"], "Laptop");
    assert_eq!(list[0]["last_used_at"], Value::Null);

    // Username-first login: the options list alice's credential; a complete login.
    let start = login_start(&s, json!({"username": "Alice"})).await;
    let allowed = start["publicKey"]["allowCredentials"].as_array().unwrap();
    assert_eq!(allowed.len(), 1);
    assert_eq!(allowed[0]["id"], credential_id(&key, 0));
    assert_eq!(start["publicKey"]["userVerification"], "required");
    let (st, tokens) = login_finish(&s, &start, key.assert(&start["publicKey"])).await;
    assert_eq!(st, StatusCode::OK, "{tokens}");
    assert!(tokens.get("2fa_payload").is_none());
    let amr = amr_of(str_of(&tokens, "access_token"));
    assert!(
        amr.contains(&"hwk".into()) && amr.contains(&"mfa".into()),
        "{amr:?}"
    );
    let (st, me) = s.get("/api/v01/me", str_of(&tokens, "access_token")).await;
    assert_eq!(
        (st, me["username"].as_str()),
        (StatusCode::OK, Some("alice"))
    );
    // The refresh token works like any other login's.
    let (st, _) = s
        .get(
            "/api/v01/auth/access_token",
            str_of(&tokens, "refresh_token"),
        )
        .await;
    assert_eq!(st, StatusCode::OK);

    // Discoverable login (no username; what autofill does): no list, the authenticator
    // names the user.
    let start = login_start(&s, json!({})).await;
    let allowed = start["publicKey"]["allowCredentials"].as_array();
    assert!(allowed.is_none_or(Vec::is_empty), "{start}");
    let (st, tokens) = login_finish(&s, &start, key.assert(&start["publicKey"])).await;
    assert_eq!(st, StatusCode::OK, "{tokens}");
    let passkey_token = str_of(&tokens, "access_token").to_string();

    // A passkey is a complete login, also where the password now needs a second factor.
    s.put_settings(&admin, json!({"force_two_factor": true}))
        .await;
    let (st, body) = post(
        &s,
        "/api/v01/auth/login",
        None,
        json!({"username": "alice", "password": PW}),
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    assert!(body.get("2fa_payload").is_some(), "{body}");
    let (st, body) = passkey_login(&s, "alice", &mut key).await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        body.get("2fa_payload").is_none() && body.get("access_token").is_some(),
        "{body}"
    );

    // Attempts are recorded like password logins; last use is kept.
    let (_, attempts) = s.get("/api/v01/me/login_attempts", &passkey_token).await;
    assert_eq!(attempts[0]["method"], "passkey");
    assert_eq!(attempts[0]["success"], true);
    let (_, list) = s.get("/api/v01/me/passkeys", &token).await;
    assert!(list[0]["last_used_at"].is_string(), "{list}");

    // Rename; another id (someone else's or none) is 404.
    let (st, renamed) = s
        .call(
            Method::PATCH,
            &format!("/api/v01/me/passkeys/{id}"),
            Some(&token),
            Some(json!({"name": "  Work laptop "})),
        )
        .await;
    assert_eq!(
        (st, renamed["name"].as_str()),
        (StatusCode::OK, Some("Work laptop"))
    );
    let (st, _) = s
        .call(
            Method::PATCH,
            "/api/v01/me/passkeys/0123456789abcdef",
            Some(&token),
            Some(json!({"name": "x"})),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, bad) = s
        .call(
            Method::PATCH,
            &format!("/api/v01/me/passkeys/{id}"),
            Some(&token),
            Some(json!({"name": "x".repeat(65)})),
        )
        .await;
    assert_eq!(
        (st, bad["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("name"))
    );

    // Deleting needs a recent authentication; a passkey re-authenticates. (The access token
    // has expired by then too: a refresh renews it, but is no authentication.)
    s.advance(6 * 60);
    let (_, renewed) = s
        .get(
            "/api/v01/auth/access_token",
            str_of(&tokens, "refresh_token"),
        )
        .await;
    let passkey_token = str_of(&renewed, "access_token").to_string();
    let path = format!("/api/v01/me/passkeys/{id}");
    let (st, body) = s
        .call(Method::DELETE, &path, Some(&passkey_token), None)
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"], "reauthentication_required");
    let (st, reauth) = post(
        &s,
        "/api/v01/me/reauth/webauthn/start",
        Some(&passkey_token),
        json!({}),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{reauth}");
    let answer = key.assert(&reauth["publicKey"]);
    let (st, body) = post(
        &s,
        "/api/v01/me/reauth",
        Some(&passkey_token),
        json!({"challenge_id": reauth["challenge_id"], "credential": answer.clone()}),
    )
    .await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{body}");
    // A re-authentication ceremony is single use too.
    let (st, _) = post(
        &s,
        "/api/v01/me/reauth",
        Some(&passkey_token),
        json!({"challenge_id": reauth["challenge_id"], "credential": answer}),
    )
    .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    let (st, _) = s
        .call(Method::DELETE, &path, Some(&passkey_token), None)
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (_, list) = s.get("/api/v01/me/passkeys", &passkey_token).await;
    assert_eq!(list, json!([]));

    // The deleted passkey signs in no more, even discoverable.
    let start = login_start(&s, json!({})).await;
    let (st, _) = login_finish(&s, &start, key.assert(&start["publicKey"])).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);

    // The audit trail has the registration, the rename and the deletion.
    let admin = s.admin_token().await;
    for kind in ["passkey_registered", "passkey_renamed", "passkey_deleted"] {
        assert!(!s.events(&admin, kind).await.is_empty(), "no {kind} event");
    }
}

fn credential_id(key: &Authenticator, i: usize) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&key.credentials[i].id)
}

async fn assertions_that_must_be_refused(db: Db) {
    let (s, admin) = passkey_server(db).await;
    let (_, mut alice) = user_with_passkey(&s, &admin, "alice").await;
    let (_, mut bob) = user_with_passkey(&s, &admin, "bob").await;

    // A replayed answer: the ceremony is used up by the first finish.
    let start = login_start(&s, json!({"username": "alice"})).await;
    let answer = alice.assert(&start["publicKey"]);
    assert_eq!(
        login_finish(&s, &start, answer.clone()).await.0,
        StatusCode::OK
    );
    assert_eq!(
        login_finish(&s, &start, answer).await.0,
        StatusCode::UNAUTHORIZED
    );

    // An expired ceremony (5 minutes).
    let start = login_start(&s, json!({"username": "alice"})).await;
    s.advance(5 * 60 + 1);
    let answer = alice.assert(&start["publicKey"]);
    assert_eq!(
        login_finish(&s, &start, answer).await.0,
        StatusCode::UNAUTHORIZED
    );

    // Another origin (a phishing page relaying the challenge).
    alice.origin = "https://auth.example-login.test".into();
    assert_eq!(
        passkey_login(&s, "alice", &mut alice).await.0,
        StatusCode::UNAUTHORIZED
    );
    alice.origin = ORIGIN.into();

    // Another RP ID hash.
    alice.rp_id_override = Some("evil.test".into());
    assert_eq!(
        passkey_login(&s, "alice", &mut alice).await.0,
        StatusCode::UNAUTHORIZED
    );
    alice.rp_id_override = None;

    // No user verification: a passkey alone must prove the user, not just presence.
    alice.verify_user = false;
    assert_eq!(
        passkey_login(&s, "alice", &mut alice).await.0,
        StatusCode::UNAUTHORIZED
    );
    alice.verify_user = true;

    // A counter going backwards (a cloned authenticator) is refused and recorded.
    assert_eq!(
        passkey_login(&s, "alice", &mut alice).await.0,
        StatusCode::OK
    );
    alice.credentials[0].counter = 0;
    assert_eq!(
        passkey_login(&s, "alice", &mut alice).await.0,
        StatusCode::UNAUTHORIZED
    );

    // Someone else's credential: in bob's username-first ceremony, and as a discoverable
    // answer claiming to be bob.
    let start = login_start(&s, json!({"username": "bob"})).await;
    let answer = alice.assert_with(0, &start["publicKey"]);
    assert_eq!(
        login_finish(&s, &start, answer).await.0,
        StatusCode::UNAUTHORIZED
    );
    alice.credentials[0].user_handle = bob.credentials[0].user_handle.clone();
    let start = login_start(&s, json!({})).await;
    let answer = alice.assert_with(0, &start["publicKey"]);
    assert_eq!(
        login_finish(&s, &start, answer).await.0,
        StatusCode::UNAUTHORIZED
    );

    // A ceremony started for a login cannot re-authenticate, nor the reverse.
    let bob_token = str_of(&s.login("bob", PW).await, "access_token").to_string();
    let start = login_start(&s, json!({"username": "bob"})).await;
    let answer = bob.assert(&start["publicKey"]);
    let (st, _) = post(
        &s,
        "/api/v01/me/reauth",
        Some(&bob_token),
        json!({"challenge_id": start["challenge_id"], "credential": answer}),
    )
    .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);

    // Malformed answers name the field; an unknown challenge is a plain refusal.
    let (st, body) = login_finish(&s, &json!({"challenge_id": "x"}), json!({"id": 1})).await;
    assert_eq!(
        (st, body["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("credential"))
    );
    let answer = bob.assert(&login_start(&s, json!({})).await["publicKey"]);
    let (st, _) = login_finish(&s, &json!({"challenge_id": "no such challenge"}), answer).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);

    let admin = s.admin_token().await; // the first one has expired meanwhile
    let alice_reasons = reasons(&s, &admin, "alice").await;
    for why in [
        "wrong_origin",
        "wrong_rp_id",
        "user_not_verified",
        "counter_regression",
        "expired_challenge",
    ] {
        assert!(
            alice_reasons.iter().any(|r| r == why),
            "{why} not in {alice_reasons:?}"
        );
    }
    assert!(
        reasons(&s, &admin, "bob")
            .await
            .iter()
            .any(|r| r == "unknown_credential"),
        "alice's credential in bob's ceremony"
    );
}

async fn refused_users_and_unknown_users(db: Db) {
    // Unknown users and users without passkeys get the same shape of options as real ones,
    // the same each time (no enumeration), and can never finish.
    let (s, admin) = passkey_server(db).await;
    let (_, mut alice) = user_with_passkey(&s, &admin, "alice").await;
    s.create_user(&admin, "carol", PW, json!({})).await;
    let real = login_start(&s, json!({"username": "alice"})).await;
    for name in ["nobody", "carol"] {
        let decoy = login_start(&s, json!({"username": name})).await;
        let list = decoy["publicKey"]["allowCredentials"].as_array().unwrap();
        assert_eq!(list.len(), 1, "{decoy}");
        let keys = |v: &Value| {
            let mut k: Vec<String> = v["publicKey"]
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect();
            k.sort();
            k
        };
        assert_eq!(keys(&decoy), keys(&real));
        let again = login_start(&s, json!({"username": name})).await;
        assert_eq!(
            again["publicKey"]["allowCredentials"],
            decoy["publicKey"]["allowCredentials"]
        );
        let answer = alice.assert_with(0, &decoy["publicKey"]);
        assert_eq!(
            login_finish(&s, &decoy, answer).await.0,
            StatusCode::UNAUTHORIZED
        );
    }

    // Disabled and locked users are refused, with the reason recorded.
    let (st, _) = s
        .call(
            Method::PATCH,
            "/api/v01/admin/users/alice",
            Some(&admin),
            Some(json!({"disabled": true})),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(
        passkey_login(&s, "alice", &mut alice).await.0,
        StatusCode::UNAUTHORIZED
    );
    s.call(
        Method::PATCH,
        "/api/v01/admin/users/alice",
        Some(&admin),
        Some(json!({"disabled": false})),
    )
    .await;
    s.put_settings(&admin, json!({"lockout_threshold": 2}))
        .await;
    for _ in 0..2 {
        let (st, _) = post(
            &s,
            "/api/v01/auth/login",
            None,
            json!({"username": "alice", "password": "not the password at all"}),
        )
        .await;
        assert_eq!(st, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        passkey_login(&s, "alice", &mut alice).await.0,
        StatusCode::UNAUTHORIZED
    );
    let alice_reasons = reasons(&s, &admin, "alice").await;
    for why in ["disabled", "locked"] {
        assert!(
            alice_reasons.iter().any(|r| r == why),
            "{why} not in {alice_reasons:?}"
        );
    }
    assert_eq!(reasons(&s, &admin, "carol").await, ["no_passkeys"]);

    // A credential belongs to one account: registering alice's again (for carol) is 409.
    let carol = str_of(&s.login("carol", PW).await, "access_token").to_string();
    let (_, start) = post(
        &s,
        "/api/v01/me/passkeys/register/start",
        Some(&carol),
        json!({"name": "Not mine"}),
    )
    .await;
    let (st, body) = post(
        &s,
        "/api/v01/me/passkeys/register/finish",
        Some(&carol),
        json!({"challenge_id": start["challenge_id"], "credential": alice.register_existing(0, &start["publicKey"])}),
    )
    .await;
    assert_eq!(
        (st, body["error"].as_str()),
        (StatusCode::CONFLICT, Some("conflict")),
        "{body}"
    );
    assert_eq!(s.get("/api/v01/me/passkeys", &carol).await.1, json!([]));

    // Registration needs a recent authentication, and finishes only in its own session.
    let (token, mut key) = user_with_passkey(&s, &admin, "dave").await;
    let other_login = s.login("dave", PW).await;
    let other = str_of(&other_login, "access_token");
    let (_, start) = post(
        &s,
        "/api/v01/me/passkeys/register/start",
        Some(&token),
        json!({"name": "Phone"}),
    )
    .await;
    let mut phone = Authenticator::new(ORIGIN);
    let credential = phone.register(&start["publicKey"]).unwrap();
    let (st, body) = post(
        &s,
        "/api/v01/me/passkeys/register/finish",
        Some(other),
        json!({"challenge_id": start["challenge_id"], "credential": credential}),
    )
    .await;
    assert_eq!(
        (st, body["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("challenge_id"))
    );
    s.advance(6 * 60);
    let (_, renewed) = s
        .get(
            "/api/v01/auth/access_token",
            str_of(&other_login, "refresh_token"),
        )
        .await;
    let (st, body) = post(
        &s,
        "/api/v01/me/passkeys/register/start",
        Some(str_of(&renewed, "access_token")),
        json!({"name": "Phone"}),
    )
    .await;
    assert_eq!(
        (st, body["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("reauthentication_required"))
    );
    assert_eq!(passkey_login(&s, "dave", &mut key).await.0, StatusCode::OK);
}

/// The IP whitelist applies to passkey logins as to passwords.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ip_whitelist_applies_to_passkey_logins() {
    let s = behind_proxy(Db::Sqlite).await;
    let admin = s.admin_token().await;
    configure(&s, &admin).await;
    let (token, mut key) = user_with_passkey(&s, &admin, "erin").await;
    let (st, body) = put_whitelist(&s, "127.0.0.1", &token, json!(["127.0.0.0/8"])).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    for (ip, expected) in [
        ("198.51.100.7", StatusCode::UNAUTHORIZED),
        ("127.0.0.1", StatusCode::OK),
    ] {
        let start = login_start(&s, json!({"username": "erin"})).await;
        let answer = key.assert(&start["publicKey"]);
        let st = s
            .request(Method::POST, "/api/v01/auth/webauthn/login/finish")
            .header("X-Forwarded-For", ip)
            .json(&json!({"challenge_id": start["challenge_id"], "credential": answer}))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(st, expected, "from {ip}");
    }
    assert!(
        reasons(&s, &admin, "erin")
            .await
            .iter()
            .any(|r| r == "ip_not_allowed")
    );
}

async fn settings_switch_passkeys_off_and_name_the_field(db: Db) {
    let (s, admin) = passkey_server(db).await;
    let (_, ui) = s
        .call(Method::GET, "/api/v01/auth/ui_config", None, None)
        .await;
    assert_eq!(ui["passkeys_enabled"], true);
    s.put_settings(&admin, json!({"webauthn_enabled": false}))
        .await;
    let (_, ui) = s
        .call(Method::GET, "/api/v01/auth/ui_config", None, None)
        .await;
    assert_eq!(ui["passkeys_enabled"], false);
    let (st, _) = post(&s, "/api/v01/auth/webauthn/login/start", None, json!({})).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    s.put_settings(&admin, json!({"webauthn_enabled": true}))
        .await;

    // webauthn-rs refuses an IP address as RP ID: named on save, nothing saved.
    for (update, field) in [
        (
            json!({"webauthn_rp_id": "127.0.0.1", "webauthn_rp_origins": ["http://127.0.0.1:3000"]}),
            "webauthn_rp_id",
        ),
        (json!({"webauthn_rp_id": "other.test"}), "webauthn_rp_id"),
        (
            json!({"webauthn_rp_origins": ["https://auth.elsewhere.test"]}),
            "webauthn_rp_id",
        ),
    ] {
        let (st, body) = s
            .call(
                Method::PUT,
                "/api/v01/admin/config",
                Some(&admin),
                Some(update),
            )
            .await;
        assert_eq!(
            (st, body["field"].as_str()),
            (StatusCode::BAD_REQUEST, Some(field)),
            "{body}"
        );
    }
    let (_, config) = s.get("/api/v01/admin/config", &admin).await;
    assert_eq!(config["webauthn_rp_id"], RP_ID);

    // The server's own URL (http://127.0.0.1:…) cannot be a relying party: with the defaults
    // passkeys are unavailable, and the login page is told so.
    s.put_settings(
        &admin,
        json!({"webauthn_rp_id": null, "webauthn_rp_origins": null}),
    )
    .await;
    let (_, ui) = s
        .call(Method::GET, "/api/v01/auth/ui_config", None, None)
        .await;
    assert_eq!(ui["passkeys_enabled"], false);
}

/// Start on one instance, finish on another: the ceremony lives in the shared database.
async fn ceremonies_span_instances(db: Db) {
    let (url, dir) = fresh_database(db).await;
    // Behind one load balancer: one public URL, which is also the default relying party.
    let shared = || Options {
        env: vec![("APIO_SERVER_PUBLIC_URL".into(), ORIGIN.into())],
        ..Options::default()
    };
    let a = TestServer::start_on(&url, &dir, shared()).await;
    let b = TestServer::start_on(&url, &dir, shared()).await;
    let admin = a.admin_token().await;
    a.create_user(&admin, "fay", PW, json!({})).await;
    let token = str_of(&a.login("fay", PW).await, "access_token").to_string();
    let mut key = Authenticator::new(ORIGIN);
    let (_, start) = post(
        &a,
        "/api/v01/me/passkeys/register/start",
        Some(&token),
        json!({"name": "Key"}),
    )
    .await;
    assert_eq!(start["publicKey"]["rp"]["id"], "auth.example.test");
    let credential = key.register(&start["publicKey"]).unwrap();
    let (st, body) = post(
        &b,
        "/api/v01/me/passkeys/register/finish",
        Some(&token),
        json!({"challenge_id": start["challenge_id"], "credential": credential}),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let start = login_start(&b, json!({})).await;
    let (st, body) = login_finish(&a, &start, key.assert(&start["publicKey"])).await;
    assert_eq!(st, StatusCode::OK, "{body}");

    // Settings changed on one instance rebuild the relying party on the other.
    let _sync = (a.engine.spawn_sync(), b.engine.spawn_sync());
    a.put_settings(&admin, json!({"webauthn_enabled": false}))
        .await;
    eventually("passkeys off on the other instance", || async {
        let (st, _) = post(&b, "/api/v01/auth/webauthn/login/start", None, json!({})).await;
        st == StatusCode::NOT_FOUND
    })
    .await;
}

//! BroadWorks accounts (issue 8, part 6) through the OCI-P fake, over TCP and SOAP: the
//! settings, the login of users whose password BroadWorks holds, and their reset.

use crate::both;
use crate::counterparts::MailSink;
use crate::harness::{Db, Options, TestServer, str_of};
use crate::ocip_fake::{BwUser, OcipFake, user};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const ALICE: &str = "alice@bw.example.com";
const ALICE_PW: &str = "alice's BroadWorks secret 1";
const BW_ADMIN_PW: &str = "the BroadWorks admin secret";
const NEW: &str = "a brand new secret for alice";

async fn fake() -> OcipFake {
    OcipFake::start(&[
        (
            ALICE,
            user(ALICE_PW, "Alice", "Liddell", Some("alice@example.com")),
        ),
        (
            "bob@bw.example.com",
            user("bob's secret 12", "Bob", "", None),
        ),
        (
            "bwadmin",
            BwUser {
                admin: true,
                ..user(BW_ADMIN_PW, "", "", None)
            },
        ),
    ])
    .await
}

async fn put_broadworks(s: &TestServer, admin: &str, body: Value) -> (StatusCode, Value) {
    s.call(
        Method::PUT,
        "/api/v01/admin/broadworks",
        Some(admin),
        Some(body),
    )
    .await
}

/// BroadWorks on: TCP by default, the SOAP endpoint as proxy "soap".
async fn enable(s: &TestServer, admin: &str, bw: &OcipFake) {
    let (st, body) = put_broadworks(
        s,
        admin,
        json!({
            "enabled": true,
            "ocip_url": bw.tcp_url,
            "username": "bwadmin",
            "password": BW_ADMIN_PW,
            "proxies": [{"name": "soap", "ocip_url": bw.soap_url}],
        }),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{body}");
}

async fn login(s: &TestServer, body: Value) -> (StatusCode, Value) {
    s.call(Method::POST, "/api/v01/auth/login", None, Some(body))
        .await
}

fn field(body: &Value) -> &str {
    str_of(body, "field")
}

async fn broadworks_settings_are_validated_and_the_password_write_only(db: Db) {
    let s = TestServer::start(db).await;
    let admin = s.admin_token().await;
    let (st, body) = s.get("/api/v01/admin/broadworks", &admin).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(body["enabled"], false);
    assert_eq!(body["password_set"], false);

    let base = json!({
        "enabled": true,
        "ocip_url": "tcp://bw.example.com:2208",
        "username": "bwadmin",
        "proxies": [{"name": "east", "ocip_url": "https://bw-east.example.com/webservice/services/ProvisioningService"}],
    });
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    // Enabled without the admin's password, a wrong URL, a proxy name that is not a word,
    // an unknown field: 400 naming the field, nothing saved.
    for (body, expected) in [
        (base.clone(), "password"),
        (
            with("ocip_url", json!("http://bw.example.com:2208")),
            "ocip_url",
        ),
        (
            with(
                "proxies",
                json!([{"name": "../x", "ocip_url": "tcp://h:1"}]),
            ),
            "proxies[0].name",
        ),
        (
            with(
                "proxies",
                json!([{"name": "a", "ocip_url": "tcp://h:1"}, {"name": "a", "ocip_url": "tcp://h:2"}]),
            ),
            "proxies[1].name",
        ),
    ] {
        let (st, answer) = put_broadworks(&s, &admin, body).await;
        assert_eq!((st, field(&answer)), (StatusCode::BAD_REQUEST, expected));
    }
    let (st, _) = put_broadworks(&s, &admin, with("colour", json!("red"))).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert_eq!(
        s.get("/api/v01/admin/broadworks", &admin).await.1["enabled"],
        false
    );

    let (st, saved) = put_broadworks(&s, &admin, with("password", json!(BW_ADMIN_PW))).await;
    assert_eq!(st, StatusCode::OK, "{saved}");
    assert_eq!(saved["password_set"], true);
    assert!(saved.get("password").is_none());
    assert_eq!(saved["proxies"][0]["name"], "east");
    // Absent keeps the password; it is stored sealed, never as given.
    let (st, saved) = put_broadworks(&s, &admin, with("enabled", json!(true))).await;
    assert_eq!((st, &saved["password_set"]), (StatusCode::OK, &json!(true)));
    let stored = s
        .sql_text("SELECT body FROM settings WHERE id = 2")
        .await
        .unwrap();
    assert!(!stored.contains(BW_ADMIN_PW), "{stored}");
    assert!(stored.contains("password_enc"));
    // Empty removes it, which an enabled configuration cannot do without.
    let (st, answer) = put_broadworks(&s, &admin, with("password", json!(""))).await;
    assert_eq!((st, field(&answer)), (StatusCode::BAD_REQUEST, "password"));

    let events = s.events(&admin, "broadworks_saved").await;
    assert_eq!(events.len(), 2);
    assert!(!events[0].to_string().contains(BW_ADMIN_PW));

    // Admins only.
    s.create_user(&admin, "plain", "some ordinary words 9", json!({}))
        .await;
    let user = s.access_token("plain", "some ordinary words 9").await;
    assert_eq!(
        s.get("/api/v01/admin/broadworks", &user).await.0,
        StatusCode::FORBIDDEN
    );
    let (st, _) = put_broadworks(&s, &user, base).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
}

async fn broadworks_users_sign_in_with_their_broadworks_password(db: Db) {
    let bw = fake().await;
    let s = TestServer::start(db).await;
    let admin = s.admin_token().await;

    // Off: an unknown username is just unknown, and BroadWorks is not asked.
    let (st, _) = login(&s, json!({"username": ALICE, "password": ALICE_PW})).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert!(bw.log().is_empty());

    enable(&s, &admin, &bw).await;
    // A wrong password: the same 401 as any, no user made.
    let (st, body) = login(&s, json!({"username": ALICE, "password": "not it at all"})).await;
    assert_eq!(
        (st, str_of(&body, "error")),
        (StatusCode::UNAUTHORIZED, "invalid_credentials")
    );
    let events = s.events(&admin, "login").await;
    assert_eq!(
        events[0]["detail"]["reason"], "broadworks_refused",
        "{}",
        events[0]
    );
    let (_, users) = s.get("/api/v01/admin/users", &admin).await;
    assert!(!users.to_string().contains(ALICE), "{users}");

    // The right one (any case): the user is made from BroadWorks' profile and signs in.
    let (st, tokens) = login(
        &s,
        json!({"username": "Alice@BW.example.com", "password": ALICE_PW}),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{tokens}");
    let token = str_of(&tokens, "access_token");
    let (_, me) = s.get("/api/v01/me", token).await;
    assert_eq!(me["username"], ALICE);
    assert_eq!(me["idp"], "broadworks");
    assert_eq!(
        (&me["firstname"], &me["lastname"]),
        (&json!("Alice"), &json!("Liddell"))
    );
    assert_eq!(me["email"], "alice@example.com");
    let made = s
        .wait_event(&admin, "user_created", |e| e["username"] == ALICE)
        .await;
    assert_eq!(made["detail"]["by"], "broadworks");

    // The password never travelled: only its nonce-signed digest did.
    let log = bw.log();
    assert!(!format!("{log:?}").contains(ALICE_PW));
    let logins: Vec<_> = log
        .iter()
        .filter(|(k, _)| k == "LoginRequest14sp4")
        .collect();
    assert!(!logins.is_empty());
    assert!(logins.iter().all(|(_, f)| {
        f.iter()
            .any(|(k, v)| k == "signedPassword" && v.len() == 32)
    }));

    // "Confirm it is you" asks BroadWorks too.
    for (password, expected) in [
        ("not it at all", StatusCode::UNAUTHORIZED),
        (ALICE_PW, StatusCode::NO_CONTENT),
    ] {
        let (st, body) = s
            .call(
                Method::POST,
                "/api/v01/me/reauth",
                Some(token),
                Some(json!({"password": password})),
            )
            .await;
        assert_eq!(st, expected, "{body}");
    }

    // Again, now as a known BroadWorks user; its password is not stored here.
    let (st, _) = login(&s, json!({"username": ALICE, "password": ALICE_PW})).await;
    assert_eq!(st, StatusCode::OK);
    let hash = s
        .sql_text(&format!(
            "SELECT password_hash FROM users WHERE username = '{ALICE}'"
        ))
        .await;
    assert_eq!(hash, None);

    // Through the SOAP endpoint (proxy "soap"), for a user without an address.
    let (st, body) = login(
        &s,
        json!({"username": "bob@bw.example.com", "password": "bob's secret 12", "proxy": "soap"}),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let (_, me) = s.get("/api/v01/me", str_of(&body, "access_token")).await;
    assert_eq!(
        (&me["idp"], &me["email"]),
        (&json!("broadworks"), &Value::Null)
    );
    assert!(bw.log().iter().any(|(k, _)| k == "LogoutRequest"));
    // A proxy that is not configured is a clear 400, whoever the user is.
    for username in [ALICE, "admin"] {
        let (st, body) = login(
            &s,
            json!({"username": username, "password": ALICE_PW, "proxy": "nowhere"}),
        )
        .await;
        assert_eq!((st, field(&body)), (StatusCode::BAD_REQUEST, "proxy"));
    }
    // Local users are not BroadWorks'.
    s.login("admin", crate::harness::ADMIN_PASSWORD).await;

    // Lockout applies: wrong passwords count; once locked, BroadWorks is not even asked.
    s.put_settings(&admin, json!({"lockout_threshold": 2}))
        .await;
    for _ in 0..2 {
        let (st, _) = login(
            &s,
            json!({"username": ALICE, "password": "wrong guess 123"}),
        )
        .await;
        assert_eq!(st, StatusCode::UNAUTHORIZED);
    }
    let asked = bw.log().len();
    let (st, _) = login(&s, json!({"username": ALICE, "password": ALICE_PW})).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert_eq!(s.last_refusal(&admin, "broadworks").await, "locked");
    assert_eq!(bw.log().len(), asked);

    // BroadWorks out of reach: the same 401, the reason in the events.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let dead = format!("tcp://{}", closed.local_addr().unwrap());
    drop(closed);
    let (st, body) = put_broadworks(
        &s,
        &admin,
        json!({"enabled": true, "ocip_url": dead, "username": "bwadmin"}),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let (st, _) = login(
        &s,
        json!({"username": "carol@bw.example.com", "password": "carol's secret 1"}),
    )
    .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert_eq!(
        s.last_refusal(&admin, "broadworks").await,
        "broadworks_unreachable"
    );
    let events = s.events(&admin, "login").await;
    assert!(
        str_of(&events[0]["detail"], "error").contains("connect"),
        "{}",
        events[0]
    );
    // "Confirm it is you" while BroadWorks cannot answer: refused, and no wrong password
    // counted toward the lockout.
    let (st, _) = s
        .call(
            Method::POST,
            &format!("/api/v01/admin/users/{ALICE}/unlock"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    for _ in 0..3 {
        let (st, _) = s
            .call(
                Method::POST,
                "/api/v01/me/reauth",
                Some(token),
                Some(json!({"password": ALICE_PW})),
            )
            .await;
        assert_eq!(st, StatusCode::UNAUTHORIZED);
    }
    let lockout = s
        .sql_text(&format!(
            "SELECT CAST(failed_logins AS TEXT) || ':' || COALESCE(CAST(locked_until AS TEXT), '-') \
             FROM users WHERE username = '{ALICE}'"
        ))
        .await;
    assert_eq!(lockout.as_deref(), Some("0:-"), "failures:locked until");
    let reauths = s.events(&admin, "reauth").await;
    assert_eq!(reauths[0]["detail"]["reason"], "broadworks_unreachable");
}

async fn broadworks_rules_apply_and_reset_sets_the_password_in_broadworks(db: Db) {
    let bw = fake().await;
    let sink = MailSink::start();
    let s = TestServer::start_with(
        db,
        Options {
            env: sink.env(),
            ..Default::default()
        },
    )
    .await;
    let admin = s.admin_token().await;
    enable(&s, &admin, &bw).await;
    let (st, _) = login(&s, json!({"username": ALICE, "password": ALICE_PW})).await;
    assert_eq!(st, StatusCode::OK);

    // The IP whitelist applies: outside it, BroadWorks is not asked.
    s.sql(&format!(
        "UPDATE users SET ip_whitelist = '[\"10.9.9.0/24\"]' WHERE username = '{ALICE}'"
    ))
    .await;
    let asked = bw.log().len();
    let (st, _) = login(&s, json!({"username": ALICE, "password": ALICE_PW})).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert_eq!(s.last_refusal(&admin, "broadworks").await, "ip_not_allowed");
    assert_eq!(bw.log().len(), asked);
    s.sql(&format!(
        "UPDATE users SET ip_whitelist = '[]' WHERE username = '{ALICE}'"
    ))
    .await;

    // The second factor applies.
    s.put_settings(&admin, json!({"force_two_factor": true}))
        .await;
    let (st, body) = login(&s, json!({"username": ALICE, "password": ALICE_PW})).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(body["option"], "email", "{body}");
    assert!(body.get("access_token").is_none());
    s.put_settings(&admin, json!({"force_two_factor": false}))
        .await;
    let before = s.login(ALICE, ALICE_PW).await;

    // Reset: the link is mailed to BroadWorks' address; the new password is set there.
    let (st, _) = s
        .call(
            Method::POST,
            "/api/v01/auth/reset_password",
            None,
            Some(json!({"username": ALICE})),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let mail = sink.nth(1).await; // the first was the 2FA code
    assert_eq!(mail.rcpt, ["alice@example.com"]);
    let token = mail.link_token(&s.url);
    let confirm = |password: &'static str| {
        let token = token.clone();
        let s = &s;
        async move {
            s.call(
                Method::POST,
                "/api/v01/auth/reset_password/confirm",
                None,
                Some(json!({"token": token, "password": password})),
            )
            .await
        }
    };
    // BroadWorks' own rules refuse it: the password's error, and the link still works.
    let (st, body) = confirm("a Broadly refused password 1").await;
    assert_eq!(
        (st, field(&body)),
        (StatusCode::BAD_REQUEST, "password"),
        "{body}"
    );
    assert!(str_of(&body, "message").contains("BroadWorks"), "{body}");
    assert_eq!(bw.password_of(ALICE), ALICE_PW);
    let (st, body) = confirm(NEW).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(bw.password_of(ALICE), NEW);
    let modify = bw
        .log()
        .into_iter()
        .find(|(k, _)| k == "UserModifyRequest22")
        .unwrap();
    assert!(
        modify
            .1
            .contains(&("userId".to_string(), ALICE.to_string()))
    );
    // Old sessions end, the old password is dead, the new one works.
    let (st, _) = s
        .get(
            "/api/v01/auth/access_token",
            str_of(&before, "refresh_token"),
        )
        .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    let (st, _) = login(&s, json!({"username": ALICE, "password": ALICE_PW})).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    let tokens = s.login(ALICE, NEW).await;

    // The profile's password change goes to BroadWorks too: the current password checked
    // there, the new one set there (its refusal is the new password's error).
    let token = str_of(&tokens, "access_token");
    let change = |current: &str, new: &str| {
        s.call(
            Method::PUT,
            "/api/v01/me/password",
            Some(token),
            Some(json!({"current_password": current, "new_password": new})),
        )
    };
    const NEWER: &str = "another new secret for alice";
    assert_eq!(
        change("not the password", NEWER).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (st, body) = change(NEW, "a Broadly refused password 2").await;
    assert_eq!(
        (st, field(&body)),
        (StatusCode::BAD_REQUEST, "new_password"),
        "{body}"
    );
    let (st, body) = change(NEW, NEWER).await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{body}");
    assert_eq!(bw.password_of(ALICE), NEWER);
    s.login(ALICE, NEWER).await;

    // With BroadWorks off, its users get no link (same answer as everyone).
    let (st, _) = put_broadworks(&s, &admin, json!({"enabled": false})).await;
    assert_eq!(st, StatusCode::OK);
    s.advance(6 * 60);
    let admin = s.admin_token().await;
    s.call(
        Method::POST,
        "/api/v01/auth/reset_password",
        None,
        Some(json!({"username": ALICE})),
    )
    .await;
    s.wait_event(&admin, "password_reset_requested", |e| {
        e["outcome"] == "failure" && e["detail"]["reason"] == "external_identity"
    })
    .await;
}

both!(
    broadworks_settings_are_validated_and_the_password_write_only,
    broadworks_users_sign_in_with_their_broadworks_password,
    broadworks_rules_apply_and_reset_sets_the_password_in_broadworks,
);

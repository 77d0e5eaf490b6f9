//! The second factor: TOTP enrolment and login (codes from an independent implementation),
//! email codes through a real SMTP server, recovery codes, trusted devices and networks, and
//! the attacks: replay, payload exhaustion and expiry, payload as a token.

use crate::both;
use crate::harness::{Db, TestServer, str_of};
use base64::Engine as _;
use engine::Clock;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

both!(
    totp_enrolment_login_replay_and_recovery_codes,
    wrong_codes_kill_the_payload_and_payloads_expire,
    email_codes_resend_forced_and_trusted_devices_and_networks,
);

pub(crate) const PW: &str = "a long enough password";

/// The code of the authenticator app at the server's (test) clock, `offset` steps away.
fn app_code(s: &TestServer, secret: &str, offset: i64) -> String {
    let seed = data_encoding::BASE32_NOPAD
        .decode(secret.trim_end_matches('=').as_bytes())
        .unwrap();
    let t = u64::try_from(s.clock.now().timestamp() + offset * 30).unwrap();
    totp_lite::totp_custom::<totp_lite::Sha1>(30, 6, &seed, t)
}

pub(crate) fn amr_of(access_token: &str) -> Vec<String> {
    let payload = access_token.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    let claims: Value = serde_json::from_slice(&bytes).unwrap();
    serde_json::from_value(claims["amr"].clone()).unwrap()
}

async fn login_raw(s: &TestServer, username: &str, body: Value) -> (StatusCode, Value) {
    let mut b = json!({"username": username, "password": PW});
    b.as_object_mut()
        .unwrap()
        .extend(body.as_object().unwrap().clone());
    s.call(Method::POST, "/api/v01/auth/login", None, Some(b))
        .await
}

/// A login that must stop at the second factor; its payload.
async fn payload_of(s: &TestServer, username: &str, option: &str) -> String {
    let (st, body) = login_raw(s, username, json!({})).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert!(
        body.get("access_token").is_none(),
        "no tokens before 2FA: {body}"
    );
    assert_eq!(body["option"], option, "{body}");
    str_of(&body, "2fa_payload").to_string()
}

async fn second(s: &TestServer, payload: &str, code: &str, extra: Value) -> (StatusCode, Value) {
    let mut b = json!({"2fa_payload": payload, "code": code});
    b.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    s.call(Method::POST, "/api/v01/auth/2fa", None, Some(b))
        .await
}

/// Enrols TOTP for a signed-in user; returns the secret.
async fn enrol_totp(s: &TestServer, token: &str) -> String {
    let (st, e) = s
        .call(Method::POST, "/api/v01/me/2fa/totp", Some(token), None)
        .await;
    assert_eq!(st, StatusCode::OK, "{e}");
    let secret = str_of(&e, "secret").to_string();
    let code = app_code(s, &secret, 0);
    let (st, body) = s
        .call(
            Method::POST,
            "/api/v01/me/2fa/totp/confirm",
            Some(token),
            Some(json!({"code": code})),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{body}");
    secret
}

async fn totp_enrolment_login_replay_and_recovery_codes(db: Db) {
    let s = TestServer::start(db).await;
    let admin = s.admin_token().await;
    s.create_user(&admin, "tina", PW, json!({})).await;
    let token = s.login("tina", PW).await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, info) = s.get("/api/v01/me/2fa", &token).await;
    assert_eq!(info["option"], "none");
    assert_eq!(info["totp_available"], true);

    // Enrolment: the secret, the otpauth URI with the issuer, an SVG QR code; nothing
    // changes until a code confirms it.
    let (st, e) = s
        .call(Method::POST, "/api/v01/me/2fa/totp", Some(&token), None)
        .await;
    assert_eq!(st, StatusCode::OK, "{e}");
    let secret = str_of(&e, "secret").to_string();
    assert!(
        str_of(&e, "otpauth_uri").starts_with("otpauth://totp/APIO:tina?"),
        "{e}"
    );
    assert!(str_of(&e, "otpauth_uri").contains(&format!("secret={secret}")));
    assert!(str_of(&e, "qr_svg").contains("<svg"), "{e}");
    assert_eq!(s.get("/api/v01/me/2fa", &token).await.1["option"], "none");
    let wrong = if app_code(&s, &secret, 0) == "000000" {
        "111111"
    } else {
        "000000"
    };
    let (st, body) = s
        .call(
            Method::POST,
            "/api/v01/me/2fa/totp/confirm",
            Some(&token),
            Some(json!({"code": wrong})),
        )
        .await;
    assert_eq!(
        (st, body["field"].clone()),
        (StatusCode::BAD_REQUEST, json!("code"))
    );
    let confirm_code = app_code(&s, &secret, 0);
    let (st, _) = s
        .call(
            Method::POST,
            "/api/v01/me/2fa/totp/confirm",
            Some(&token),
            Some(json!({"code": confirm_code})),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    assert_eq!(s.get("/api/v01/me/2fa", &token).await.1["option"], "totp");
    let (st, codes) = s
        .call(
            Method::POST,
            "/api/v01/me/2fa/recovery_codes",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{codes}");
    let codes: Vec<String> = serde_json::from_value(codes["codes"].clone()).unwrap();
    assert_eq!(codes.len(), 10);

    // The password alone now gives a payload, which is no token anywhere.
    let payload = payload_of(&s, "tina", "totp").await;
    assert_eq!(
        s.get("/api/v01/me", &payload).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        s.get("/api/v01/auth/access_token", &payload).await.0,
        StatusCode::UNAUTHORIZED
    );
    // The code that confirmed the enrolment was used: replaying it fails.
    assert_eq!(
        second(&s, &payload, &confirm_code, json!({})).await.0,
        StatusCode::UNAUTHORIZED
    );
    s.advance(30);
    let code = app_code(&s, &secret, 0);
    let (st, tokens) = second(&s, &payload, &code, json!({})).await;
    assert_eq!(st, StatusCode::OK, "{tokens}");
    assert!(tokens.get("device_token").is_none());
    let amr = amr_of(str_of(&tokens, "access_token"));
    assert!(
        amr.contains(&"pwd".into()) && amr.contains(&"otp".into()) && amr.contains(&"mfa".into()),
        "{amr:?}"
    );
    // Single use: the payload is spent; the same code in a new login is a replay.
    assert_eq!(
        second(&s, &payload, &code, json!({})).await.0,
        StatusCode::UNAUTHORIZED
    );
    let again = payload_of(&s, "tina", "totp").await;
    assert_eq!(
        second(&s, &again, &code, json!({})).await.0,
        StatusCode::UNAUTHORIZED
    );
    // A code one step late is still accepted (clock drift), once.
    s.advance(60);
    let late = app_code(&s, &secret, -1);
    assert_ne!(late, code);
    let (st, body) = second(&s, &again, &late, json!({})).await;
    assert_eq!(st, StatusCode::OK, "{body}");

    // A recovery code works once, in any spelling.
    let payload = payload_of(&s, "tina", "totp").await;
    let typed = codes[0].to_uppercase().replace('-', " ");
    let (st, body) = second(&s, &payload, &typed, json!({})).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert!(amr_of(str_of(&body, "access_token")).contains(&"recovery".into()));
    let payload = payload_of(&s, "tina", "totp").await;
    assert_eq!(
        second(&s, &payload, &codes[0], json!({})).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        s.get("/api/v01/me/2fa", &token).await.1["recovery_codes_left"],
        9
    );

    // Re-authentication asks TOTP users for a code too.
    let (st, _) = s
        .call(
            Method::POST,
            "/api/v01/me/reauth",
            Some(&token),
            Some(json!({"password": PW})),
        )
        .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    s.advance(30);
    let (st, body) = s
        .call(
            Method::POST,
            "/api/v01/me/reauth",
            Some(&token),
            Some(json!({"password": PW, "code": app_code(&s, &secret, 0)})),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{body}");

    // The attempts tell the story, newest first; the user sees no reasons.
    let (st, attempts) = s.get("/api/v01/me/login_attempts", &token).await;
    assert_eq!(st, StatusCode::OK);
    let attempts = attempts.as_array().unwrap();
    assert_eq!(attempts.len(), 5);
    assert_eq!(attempts[0]["method"], "totp");
    assert_eq!(attempts[0]["success"], false);
    assert!(attempts.iter().all(|a| a.get("reason").is_none()));
    assert!(attempts.iter().any(|a| a["outcome"] == "second_factor"));
    let (st, full) = s
        .get("/api/v01/admin/users/tina/login_attempts", &admin)
        .await;
    assert_eq!(st, StatusCode::OK);
    let full = full.as_array().unwrap();
    assert!(full.len() > 5 && full.len() <= 15, "{}", full.len());
    assert!(full.iter().any(|a| a["reason"] == "wrong_code"), "{full:?}");

    // Back to no second factor (just re-authenticated).
    let (st, body) = s
        .call(
            Method::PUT,
            "/api/v01/me/2fa",
            Some(&token),
            Some(json!({"option": "none"})),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{body}");
    assert!(s.login("tina", PW).await.get("access_token").is_some());
}

async fn wrong_codes_kill_the_payload_and_payloads_expire(db: Db) {
    let s = TestServer::start(db).await;
    let admin = s.admin_token().await;
    s.create_user(&admin, "walt", PW, json!({})).await;
    let token = s.login("walt", PW).await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let secret = enrol_totp(&s, &token).await;
    s.advance(30);

    let payload = payload_of(&s, "walt", "totp").await;
    let right = app_code(&s, &secret, 0);
    let window: Vec<String> = (-1..=1).map(|o| app_code(&s, &secret, o)).collect();
    let wrong: Vec<String> = (1..20)
        .map(|i| format!("{:06}", (right.parse::<u32>().unwrap() + i) % 1_000_000))
        .filter(|c| !window.contains(c))
        .take(5)
        .collect();
    for w in &wrong {
        assert_eq!(
            second(&s, &payload, w, json!({})).await.0,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        second(&s, &payload, &right, json!({})).await.0,
        StatusCode::UNAUTHORIZED,
        "five wrong codes kill the payload"
    );

    // A TOTP payload lives five minutes.
    let payload = payload_of(&s, "walt", "totp").await;
    s.advance(5 * 60 + 1);
    let code = app_code(&s, &secret, 0);
    assert_eq!(
        second(&s, &payload, &code, json!({})).await.0,
        StatusCode::UNAUTHORIZED
    );
    // Garbage payloads and bodies: the generic 401 and named 400s.
    assert_eq!(
        second(&s, "nonsense", &code, json!({})).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (st, body) = s
        .call(
            Method::POST,
            "/api/v01/auth/2fa",
            None,
            Some(json!({"2fa_payload": ["a"], "code": "1"})),
        )
        .await;
    assert_eq!(
        (st, body["field"].clone()),
        (StatusCode::BAD_REQUEST, json!("2fa_payload"))
    );
    // A fresh payload with the current code still works: the account is not locked by codes.
    let payload = payload_of(&s, "walt", "totp").await;
    assert_eq!(
        second(&s, &payload, &code, json!({})).await.0,
        StatusCode::OK
    );
    // Tries on a dead payload are the user's attempts too.
    let admin = s.admin_token().await;
    let (_, attempts) = s
        .get("/api/v01/admin/users/walt/login_attempts", &admin)
        .await;
    assert!(
        attempts
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["reason"] == "challenge_invalid" && a["method"] == "2fa"),
        "{attempts}"
    );
}

/// The six-digit code of a 2FA mail.
pub(crate) fn code_in(text: &str) -> String {
    text.split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 6)
        .unwrap_or_else(|| panic!("no code in {text}"))
        .to_string()
}

/// emma (an address) and otto (none), with email 2FA forced on the platform; the admin's token.
pub(crate) async fn forced_email_users(s: &TestServer) -> String {
    let admin = s.admin_token().await;
    s.create_user(&admin, "emma", PW, json!({"email": "emma@example.com"}))
        .await;
    s.create_user(&admin, "otto", PW, json!({})).await;
    s.put_settings(&admin, json!({"force_two_factor": true}))
        .await;
    admin
}

async fn email_codes_resend_forced_and_trusted_devices_and_networks(db: Db) {
    let (s, mail) = TestServer::start_with_mail(db).await;
    forced_email_users(&s).await;
    // Without an address, forcing changes nothing.
    assert!(s.login("otto", PW).await.get("access_token").is_some());

    let payload = payload_of(&s, "emma", "email").await;
    let first = mail.nth(0).await;
    assert_eq!(first.rcpt, vec!["emma@example.com".to_string()]);
    assert!(
        first.subject().contains("sign-in code"),
        "{}",
        first.subject()
    );
    let old_code = code_in(&first.text());
    // Resend: not within the minute (429 with Retry-After), then a new code; the old one
    // stops working and counts as a wrong code.
    let resend = |p: &str| {
        s.call(
            Method::POST,
            "/api/v01/auth/2fa/resend",
            None,
            Some(json!({"2fa_payload": p})),
        )
    };
    let (st, body) = resend(&payload).await;
    assert_eq!(st, StatusCode::TOO_MANY_REQUESTS, "{body}");
    s.advance(61);
    assert_eq!(resend(&payload).await.0, StatusCode::NO_CONTENT);
    let new_code = code_in(&mail.nth(1).await.text());
    if new_code != old_code {
        assert_eq!(
            second(&s, &payload, &old_code, json!({})).await.0,
            StatusCode::UNAUTHORIZED
        );
    }
    let (st, tokens) = second(&s, &payload, &new_code, json!({"trust_device": true})).await;
    assert_eq!(st, StatusCode::OK, "{tokens}");
    let device = str_of(&tokens, "device_token").to_string();
    let token = str_of(&tokens, "access_token").to_string();
    assert!(amr_of(&token).contains(&"email".into()));

    // None is refused while forced; TOTP users are not forced to email.
    let (st, body) = s
        .call(
            Method::PUT,
            "/api/v01/me/2fa",
            Some(&token),
            Some(json!({"option": "none"})),
        )
        .await;
    assert_eq!(
        (st, body["field"].clone()),
        (StatusCode::BAD_REQUEST, json!("option")),
        "{body}"
    );
    let (_, info) = s.get("/api/v01/me/2fa", &token).await;
    assert_eq!(
        (info["option"].clone(), info["forced"].clone()),
        (json!("email"), json!(true))
    );

    // The trusted device skips the code; without it the code is asked again.
    let (st, body) = login_raw(&s, "emma", json!({"device_token": device})).await;
    assert_eq!(st, StatusCode::OK);
    assert!(body.get("access_token").is_some(), "{body}");
    let sent = mail.count();
    let payload = payload_of(&s, "emma", "email").await;
    let code = code_in(&mail.nth(sent).await.text());
    // Trust this network: later logins from it skip 2FA.
    let (st, body) = second(&s, &payload, &code, json!({"trust_network": true})).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert!(s.login("emma", PW).await.get("access_token").is_some());

    let (st, trusted) = s.get("/api/v01/me/trusted", &token).await;
    assert_eq!(st, StatusCode::OK, "{trusted}");
    assert_eq!(trusted["devices"].as_array().unwrap().len(), 1);
    assert_eq!(trusted["locations"][0]["cidr"], "127.0.0.0/24");
    let device_id = str_of(&trusted["devices"][0], "id").to_string();
    let location_id = str_of(&trusted["locations"][0], "id").to_string();
    // Another user cannot remove them.
    let otto = s.login("otto", PW).await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        delete_trusted(&s, &device_id, &otto).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        delete_trusted(&s, &location_id, &token).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        delete_trusted(&s, &device_id, &token).await,
        StatusCode::NO_CONTENT
    );
    // Revoked: the device token no longer skips the code.
    let sent = mail.count();
    let (_, body) = login_raw(&s, "emma", json!({"device_token": device})).await;
    assert_eq!(body["option"], "email", "{body}");
    mail.nth(sent).await;

    // Trusted locations by hand: validated, and the same effect.
    let add = |cidr: &str| {
        s.call(
            Method::POST,
            "/api/v01/me/trusted/locations",
            Some(&token),
            Some(json!({"cidr": cidr, "label": "office"})),
        )
    };
    let (st, body) = add("10.0.0.0/33").await;
    assert_eq!(
        (st, body["field"].clone()),
        (StatusCode::BAD_REQUEST, json!("cidr"))
    );
    let (st, body) = add("127.0.0.1").await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    assert_eq!(body["cidr"], "127.0.0.1");
    assert!(s.login("emma", PW).await.get("access_token").is_some());
    assert_eq!(
        delete_trusted(&s, str_of(&body, "id"), &token).await,
        StatusCode::NO_CONTENT
    );
    // An email payload lives ten minutes.
    let sent = mail.count();
    let payload = payload_of(&s, "emma", "email").await;
    let code = code_in(&mail.nth(sent).await.text());
    s.advance(9 * 60);
    assert_eq!(
        second(&s, &payload, &code, json!({})).await.0,
        StatusCode::OK
    );
}

async fn delete_trusted(s: &TestServer, id: &str, token: &str) -> StatusCode {
    s.call(
        Method::DELETE,
        &format!("/api/v01/me/trusted/{id}"),
        Some(token),
        None,
    )
    .await
    .0
}

//! "Confirm it is you": what it asks of each user, the code mailed to email-2FA users (single
//! use, bound to its session, at most once a minute, five wrong codes kill it, never a login's
//! code), and guessing through it: wrong passwords and codes count toward the lockout.

use crate::both;
use crate::counterparts::MailSink;
use crate::harness::{Db, TestServer, str_of};
use crate::two_factor::{PW, code_in, forced_email_users};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

both!(
    email_users_confirm_with_a_mailed_code,
    guesses_through_reauth_and_password_change_lock_the_account,
);

/// A signed-in session whose access token follows the test clock.
struct Session {
    access: String,
    refresh: String,
}

impl Session {
    fn of(tokens: &Value) -> Session {
        Session {
            access: str_of(tokens, "access_token").to_string(),
            refresh: str_of(tokens, "refresh_token").to_string(),
        }
    }

    /// `secs` later, with an access token of then (the sign-in itself stays as old).
    async fn later(&mut self, s: &TestServer, secs: i64) {
        s.advance(secs);
        let (st, tokens) = s.get("/api/v01/auth/access_token", &self.refresh).await;
        assert_eq!(st, StatusCode::OK, "{tokens}");
        *self = Session::of(&tokens);
    }
}

async fn reauth(s: &TestServer, token: &str, body: Value) -> (StatusCode, Value) {
    s.call(Method::POST, "/api/v01/me/reauth", Some(token), Some(body))
        .await
}

/// The status of a re-authentication.
async fn confirm(s: &TestServer, token: &str, body: Value) -> StatusCode {
    reauth(s, token, body).await.0
}

async fn send_code(s: &TestServer, token: &str) -> (StatusCode, Value) {
    s.call(Method::POST, "/api/v01/me/reauth/email", Some(token), None)
        .await
}

/// A sensitive change: allowed only within the re-authentication window.
async fn change_email(s: &TestServer, token: &str, email: &str) -> StatusCode {
    s.call(
        Method::PATCH,
        "/api/v01/me",
        Some(token),
        Some(json!({"email": email})),
    )
    .await
    .0
}

/// Signs in a user of email 2FA with the mailed code (mail `n` of the sink).
async fn sign_in_by_mail(s: &TestServer, mail: &MailSink, n: usize, username: &str) -> Session {
    let (st, body) = s
        .call(
            Method::POST,
            "/api/v01/auth/login",
            None,
            Some(json!({"username": username, "password": PW})),
        )
        .await;
    assert_eq!(
        (st, body["option"].as_str()),
        (StatusCode::OK, Some("email"))
    );
    let code = code_in(&mail.nth(n).await.text());
    let (st, body) = s
        .call(
            Method::POST,
            "/api/v01/auth/2fa",
            None,
            Some(json!({"2fa_payload": str_of(&body, "2fa_payload"), "code": code})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    Session::of(&body)
}

async fn email_users_confirm_with_a_mailed_code(db: Db) {
    let (s, mail) = TestServer::start_with_mail(db).await;
    let admin = forced_email_users(&s).await;

    // Without a second factor: the password alone, and no code to send.
    let otto = s.access_token("otto", PW).await;
    let (st, needs) = s.get("/api/v01/me/reauth", &otto).await;
    assert_eq!((st, needs), (StatusCode::OK, json!({"code": null})));
    let (st, body) = send_code(&s, &otto).await;
    assert_eq!(
        (st, body["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("option")),
        "{body}"
    );
    assert_eq!(
        s.get("/api/v01/me/reauth", &admin).await.1["code"],
        Value::Null
    );

    let mut emma = sign_in_by_mail(&s, &mail, 0, "emma").await;
    let login_code = code_in(&mail.nth(0).await.text());
    assert_eq!(
        s.get("/api/v01/me/reauth", &emma.access).await.1,
        json!({"code": "email"})
    );
    emma.later(&s, 6 * 60).await;
    assert_eq!(
        change_email(&s, &emma.access, "emma@example.org").await,
        StatusCode::FORBIDDEN
    );
    // The password alone no longer does, nor the code of the login.
    assert_eq!(
        confirm(&s, &emma.access, json!({"password": PW})).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        confirm(
            &s,
            &emma.access,
            json!({"password": PW, "code": login_code})
        )
        .await,
        StatusCode::UNAUTHORIZED
    );

    assert_eq!(send_code(&s, &emma.access).await.0, StatusCode::NO_CONTENT);
    let sent = mail.nth(1).await;
    assert_eq!(sent.rcpt, vec!["emma@example.com".to_string()]);
    let code = code_in(&sent.text());
    // Once a minute at most.
    let res = s
        .request(Method::POST, "/api/v01/me/reauth/email")
        .bearer_auth(&emma.access)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().contains_key("retry-after"));
    assert_eq!(mail.count(), 2);

    // The code is this session's: another session of emma cannot use it.
    let mut other = sign_in_by_mail(&s, &mail, 2, "emma").await;
    other.later(&s, 6 * 60).await;
    emma.later(&s, 0).await;
    assert_eq!(
        confirm(&s, &other.access, json!({"password": PW, "code": code})).await,
        StatusCode::UNAUTHORIZED
    );
    // Nor can it complete a login (its key is no payload's hash).
    let (st, _) = s
        .call(
            Method::POST,
            "/api/v01/auth/2fa",
            None,
            Some(json!({"2fa_payload": "reauth:x", "code": code})),
        )
        .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);

    // With the right password and the code: confirmed, the change goes through; once only.
    let (st, body) = reauth(&s, &emma.access, json!({"password": PW, "code": code})).await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{body}");
    assert_eq!(
        change_email(&s, &emma.access, "emma@example.org").await,
        StatusCode::OK
    );
    emma.later(&s, 6 * 60).await;
    assert_eq!(
        confirm(&s, &emma.access, json!({"password": PW, "code": code})).await,
        StatusCode::UNAUTHORIZED
    );

    // Five wrong codes kill a code; the count survives a new one while it lives, and a dead
    // one is replaced after the minute. (The lockout is out of the way here.)
    let admin = s.admin_token().await;
    s.put_settings(&admin, json!({"lockout_threshold": 50}))
        .await;
    assert_eq!(send_code(&s, &emma.access).await.0, StatusCode::NO_CONTENT);
    let code = code_in(&mail.nth(3).await.text());
    assert_eq!(
        mail.nth(3).await.rcpt,
        vec!["emma@example.org".to_string()],
        "mailed to the new address"
    );
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        assert_eq!(
            confirm(&s, &emma.access, json!({"password": PW, "code": wrong})).await,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        confirm(&s, &emma.access, json!({"password": PW, "code": code})).await,
        StatusCode::UNAUTHORIZED,
        "dead after five wrong codes"
    );
    emma.later(&s, 61).await;
    assert_eq!(send_code(&s, &emma.access).await.0, StatusCode::NO_CONTENT);
    let code = code_in(&mail.nth(4).await.text());
    assert_eq!(
        confirm(&s, &emma.access, json!({"password": PW, "code": code})).await,
        StatusCode::NO_CONTENT
    );
    // Codes expire after ten minutes.
    emma.later(&s, 61).await;
    assert_eq!(send_code(&s, &emma.access).await.0, StatusCode::NO_CONTENT);
    let code = code_in(&mail.nth(5).await.text());
    emma.later(&s, 10 * 60 + 1).await;
    assert_eq!(
        confirm(&s, &emma.access, json!({"password": PW, "code": code})).await,
        StatusCode::UNAUTHORIZED
    );

    let admin = s.admin_token().await;
    let events = s.events(&admin, "reauth_code_sent").await;
    assert_eq!(events.len(), 4, "{events:?}");
    assert!(
        events.iter().all(|e| !e.to_string().contains(&code)),
        "no code in the events"
    );
    let refusals = s.events(&admin, "reauth").await;
    assert!(
        refusals
            .iter()
            .any(|e| e["outcome"] == "failure" && e["detail"]["reason"] == "wrong_code"),
        "{refusals:?}"
    );
}

async fn guesses_through_reauth_and_password_change_lock_the_account(db: Db) {
    let s = TestServer::start(db).await;
    let admin = s.admin_token().await;
    s.create_user(&admin, "lena", PW, json!({})).await;
    s.put_settings(&admin, json!({"lockout_threshold": 3}))
        .await;
    let mut lena = Session::of(&s.login("lena", PW).await);

    // A success forgets earlier failures, as at login.
    let wrong = json!({"password": "not the password at all"});
    assert_eq!(
        confirm(&s, &lena.access, wrong.clone()).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        confirm(&s, &lena.access, json!({"password": PW})).await,
        StatusCode::NO_CONTENT
    );
    // Two wrong passwords here and one at the password change: locked.
    for _ in 0..2 {
        assert_eq!(
            confirm(&s, &lena.access, wrong.clone()).await,
            StatusCode::UNAUTHORIZED
        );
    }
    let (st, _) = s
        .call(
            Method::PUT,
            "/api/v01/me/password",
            Some(&lena.access),
            Some(json!({"current_password": "still not it, sorry", "new_password": "another long password"})),
        )
        .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    let (st, _) = s
        .call(
            Method::POST,
            "/api/v01/auth/login",
            None,
            Some(json!({"username": "lena", "password": PW})),
        )
        .await;
    assert_eq!(
        st,
        StatusCode::UNAUTHORIZED,
        "locked: the right password is refused"
    );
    // While locked, the right password confirms nothing and changes nothing.
    assert_eq!(
        confirm(&s, &lena.access, json!({"password": PW})).await,
        StatusCode::UNAUTHORIZED
    );
    let (st, _) = s
        .call(
            Method::PUT,
            "/api/v01/me/password",
            Some(&lena.access),
            Some(json!({"current_password": PW, "new_password": "another long password"})),
        )
        .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert_eq!(s.events(&admin, "account_locked").await.len(), 1);
    let refusals = s.events(&admin, "reauth").await;
    assert!(
        refusals
            .iter()
            .any(|e| e["outcome"] == "failure" && e["detail"]["reason"] == "locked"),
        "{refusals:?}"
    );

    // After the lockout: the password works again everywhere.
    lena.later(&s, 16 * 60).await;
    assert_eq!(
        confirm(&s, &lena.access, json!({"password": PW})).await,
        StatusCode::NO_CONTENT
    );
    assert!(s.login("lena", PW).await.get("access_token").is_some());
}

//! Signing in through a real OpenID provider (node-oidc-provider, see oidc_idp.rs): the
//! user made by the creation rules and found again by (provider, sub), tokens as JSON for a
//! REST client and session cookies for a browser, and every refusal the issue lists, each
//! with its reason in the login attempts.

use crate::both;
use crate::counterparts::MailSink;
use crate::harness::{Db, Options, TestServer, cookie_agent, str_of};
use crate::oidc_idp::{self, OidcIdp};
use crate::two_factor::amr_of;
use reqwest::header::{ACCEPT, LOCATION, SET_COOKIE};
use reqwest::{Method, StatusCode, Url};
use serde_json::{Value, json};

both!(
    oidc_sign_in_creates_the_user_then_finds_it,
    oidc_sign_in_of_a_browser_sets_the_session_cookies,
    oidc_answers_with_a_defect_are_refused,
    oidc_state_of_another_browser_is_refused,
    oidc_never_links_by_email_and_rules_refuse,
    oidc_users_are_refused_when_disabled_or_outside_the_whitelist,
    oidc_sign_in_keeps_the_second_factor
);

const CLIENT_ID: &str = "apio";
const CLIENT_SECRET: &str = "the-secret-apio-has-at-the-idp";

fn users() -> Value {
    json!({
        "alice-sub": {
            "email": "alice@example.com", "email_verified": true,
            "preferred_username": "alice", "given_name": "Alice", "family_name": "Doe",
            "locale": "fr", "hd": "example.com",
        },
        "mallory-sub": {
            "email": "mallory@evil.example", "email_verified": true,
            "preferred_username": "mallory", "hd": "evil.example",
        },
        "eve-sub": {
            "email": "boss@example.com", "email_verified": true,
            "preferred_username": "eve", "hd": "example.com",
        },
        "noname-sub": { "email_verified": true, "hd": "example.com" },
        // The IdP asked for a second factor itself.
        "carol-sub": {
            "email": "carol@example.com", "email_verified": true,
            "preferred_username": "carol", "hd": "example.com", "amr": ["pwd", "otp"],
        },
    })
}

/// The provider as an admin sets it up: users of example.com only, created from the claims.
fn provider(issuer: &str) -> Value {
    json!({
        "name": "Test IdP",
        "protocol": "oidc",
        "oidc": { "issuer": issuer, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET },
        "extra_rule": "email_verified == true && hd == \"example.com\"",
        "user_creation_rules": [{
            "when": "true", "username": "preferred_username", "email": "email",
            "firstname": "given_name", "lastname": "family_name", "language": "locale",
            "profile": "default", "roles": ["operator"],
        }],
    })
}

/// Our server with a provider `test` pointing at an IdP in `mode`.
struct Setup {
    s: TestServer,
    idp: OidcIdp,
    admin: String,
}

async fn setup_with(db: Db, mode: &str, options: Options) -> Setup {
    let s = TestServer::start_with(db, options).await;
    let redirect = format!("{}/api/v01/auth/sso/test/callback", s.url);
    let idp = oidc_idp::start_with_mode(
        json!([{ "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "redirect_uris": [redirect] }]),
        users(),
        mode,
    )
    .await;
    let admin = s.admin_token().await;
    let (st, body) = s
        .call(
            Method::PUT,
            "/api/v01/admin/sso/test",
            Some(&admin),
            Some(provider(&idp.issuer)),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    Setup { s, idp, admin }
}

async fn setup(db: Db, mode: &str) -> Setup {
    setup_with(db, mode, Options::default()).await
}

impl Setup {
    /// Starts a sign-in as `sub` and follows the IdP until it redirects to our callback;
    /// returns the callback URL (not yet visited).
    async fn to_callback(&self, agent: &reqwest::Client, sub: &str, json: bool) -> Url {
        let mut req = agent.get(format!(
            "{}/api/v01/auth/sso/test/start?login_hint={sub}&return_to=/sessions",
            self.s.url
        ));
        if json {
            req = req.header(ACCEPT, "application/json");
        }
        let res = req.send().await.unwrap();
        assert_eq!(
            res.status(),
            StatusCode::FOUND,
            "{}",
            res.text().await.unwrap()
        );
        let mut url = Url::parse(res.headers()[LOCATION].to_str().unwrap()).unwrap();
        assert!(url.as_str().starts_with(&self.idp.issuer), "{url}");
        let query = |u: &Url, k: &str| {
            u.query_pairs()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.into_owned())
        };
        assert_eq!(
            query(&url, "code_challenge_method").as_deref(),
            Some("S256")
        );
        assert!(
            query(&url, "nonce").is_some() && query(&url, "state").is_some(),
            "{url}"
        );
        let callback = format!("{}/api/v01/auth/sso/test/callback", self.s.url);
        for _ in 0..5 {
            if url.as_str().starts_with(&callback) {
                return url;
            }
            let res = agent.get(url.clone()).send().await.unwrap();
            assert!(
                res.status().is_redirection(),
                "{url}: {}\n{}",
                res.status(),
                self.idp.log()
            );
            url = url.join(res.headers()[LOCATION].to_str().unwrap()).unwrap();
        }
        panic!("no callback after 5 redirects: {url}\n{}", self.idp.log());
    }

    /// A whole sign-in of a REST client: the callback's status and JSON.
    async fn sign_in_json(&self, sub: &str) -> (StatusCode, Value) {
        let agent = cookie_agent();
        let callback = self.to_callback(&agent, sub, true).await;
        let res = agent
            .get(callback)
            .header(ACCEPT, "application/json")
            .send()
            .await
            .unwrap();
        let status = res.status();
        (status, res.json().await.unwrap())
    }
}

async fn oidc_sign_in_creates_the_user_then_finds_it(db: Db) {
    let t = setup(db, "normal").await;
    let s = &t.s;
    // The login page learns of the provider.
    let (_, buttons) = s.call(Method::GET, "/api/v01/auth/sso", None, None).await;
    assert_eq!(
        buttons,
        json!([{"id": "test", "name": "Test IdP", "protocol": "oidc"}])
    );
    let (_, ui) = s
        .call(Method::GET, "/api/v01/auth/ui_config", None, None)
        .await;
    assert_eq!(ui["sso"], buttons);

    let (st, tokens) = t.sign_in_json("alice-sub").await;
    assert_eq!(st, StatusCode::OK, "{tokens}\n{}", t.idp.log());
    let access = str_of(&tokens, "access_token");
    assert!(tokens["refresh_token"].is_string());
    let (_, me) = s.get("/api/v01/me", access).await;
    assert_eq!(
        (
            &me["username"],
            &me["email"],
            &me["firstname"],
            &me["lastname"]
        ),
        (
            &json!("alice"),
            &json!("alice@example.com"),
            &json!("Alice"),
            &json!("Doe")
        )
    );
    assert_eq!(
        (&me["language"], &me["profile"]),
        (&json!("fr"), &json!("default"))
    );
    assert_eq!(
        (&me["idp"], &me["roles"]),
        (&json!("sso:test"), &json!(["operator"]))
    );
    assert_eq!(amr_of(access), ["sso"]);
    let created = s.events(&t.admin, "user_created").await;
    assert_eq!(created.len(), 1, "{created:?}");
    assert_eq!(
        created[0]["detail"],
        json!({"by": "sso", "provider": "test"})
    );

    // Again: the same user through its link, nothing created; the refresh token works.
    let (st, again) = t.sign_in_json("alice-sub").await;
    assert_eq!(st, StatusCode::OK, "{again}");
    let (_, me_again) = s.get("/api/v01/me", str_of(&again, "access_token")).await;
    assert_eq!(me_again["id"], me["id"]);
    assert_eq!(s.events(&t.admin, "user_created").await.len(), 1);
    let (st, _) = s
        .call(
            Method::GET,
            "/api/v01/auth/access_token",
            Some(str_of(&again, "refresh_token")),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    // With the userinfo endpoint read too (its `sub` must match): the same user.
    let mut with_userinfo = provider(&t.idp.issuer);
    with_userinfo["oidc"]["userinfo"] = json!(true);
    let (st, body) = s
        .call(
            Method::PUT,
            "/api/v01/admin/sso/test",
            Some(&t.admin),
            Some(with_userinfo),
        )
        .await;
    assert_eq!(
        (st, &body["oidc"]["userinfo"]),
        (StatusCode::OK, &json!(true))
    );
    let (st, third) = t.sign_in_json("alice-sub").await;
    assert_eq!(st, StatusCode::OK, "{third}\n{}", t.idp.log());
    let (_, me_third) = s.get("/api/v01/me", str_of(&third, "access_token")).await;
    assert_eq!(me_third["id"], me["id"]);
    // SSO users have no password here: a password login is the generic refusal.
    let (st, _) = s
        .call(
            Method::POST,
            "/api/v01/auth/login",
            None,
            Some(json!({"username": "alice", "password": "anything at all 1"})),
        )
        .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);

    // Bad starts: another site to return to, an unknown or disabled provider.
    for bad in [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
    ] {
        let url = format!("/api/v01/auth/sso/test/start?return_to={}", urlencode(bad));
        let (st, body) = s.call(Method::GET, &url, None, None).await;
        assert_eq!(
            (st, &body["field"]),
            (StatusCode::BAD_REQUEST, &json!("return_to")),
            "{bad}: {body}"
        );
    }
    let (st, _) = s
        .call(Method::GET, "/api/v01/auth/sso/nope/start", None, None)
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let mut off = provider(&t.idp.issuer);
    off["enabled"] = json!(false);
    let (st, _) = s
        .call(
            Method::PUT,
            "/api/v01/admin/sso/test",
            Some(&t.admin),
            Some(off),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (st, _) = s
        .call(Method::GET, "/api/v01/auth/sso/test/start", None, None)
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (_, buttons) = s.call(Method::GET, "/api/v01/auth/sso", None, None).await;
    assert_eq!(buttons, json!([]));

    // Deleting the provider forgets its links: a new provider of that id links nobody.
    let (st, _) = s
        .call(
            Method::DELETE,
            "/api/v01/admin/sso/test",
            Some(&t.admin),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, _) = s
        .call(
            Method::PUT,
            "/api/v01/admin/sso/test",
            Some(&t.admin),
            Some(provider(&t.idp.issuer)),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (st, body) = t.sign_in_json("alice-sub").await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(t.s.last_refusal(&t.admin, "sso").await, "email_in_use");
}

fn urlencode(v: &str) -> String {
    url::form_urlencoded::byte_serialize(v.as_bytes()).collect()
}

async fn oidc_sign_in_of_a_browser_sets_the_session_cookies(db: Db) {
    let t = setup(db, "normal").await;
    let agent = cookie_agent();
    let callback = t.to_callback(&agent, "alice-sub", false).await;
    let res = agent.get(callback.clone()).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_eq!(res.headers()[LOCATION], "/login?sso=done&to=%2Fsessions");
    let cookies: Vec<String> = res
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    for name in ["apio_at=", "apio_rt=", "apio_lang=fr"] {
        assert!(
            cookies.iter().any(|c| c.starts_with(name)),
            "{name} in {cookies:?}"
        );
    }
    // The session works: the cookie jar now signs the browser in.
    let me: Value = agent
        .get(format!("{}/api/v01/me", t.s.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["username"], "alice");
    // The landing page goes on to `to`, and only to a path of this site.
    let page = agent
        .get(format!("{}/login?sso=done&to=%2Fsessions", t.s.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(r#"content="0;url=/sessions""#), "{page}");
    let page = agent
        .get(format!(
            "{}/login?sso=done&to=https%3A%2F%2Fevil.example",
            t.s.url
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains("evil.example"), "{page}");
    assert!(page.contains(r#"content="0;url=/profile""#), "{page}");

    // The same callback again (a replayed code and state): refused, back to the login page.
    let res = agent.get(callback).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_eq!(res.headers()[LOCATION], "/login?sso=failed");
    assert_eq!(t.s.last_refusal(&t.admin, "sso").await, "unknown_state");
}

async fn oidc_answers_with_a_defect_are_refused(db: Db) {
    for (mode, reason) in [
        ("bad-signature", "bad_signature"),
        ("wrong-iss", "wrong_issuer"),
        ("wrong-aud", "wrong_audience"),
        ("wrong-nonce", "wrong_nonce"),
        ("no-sub", "code_exchange_failed"),
    ] {
        let t = setup(db, mode).await;
        let (st, body) = t.sign_in_json("alice-sub").await;
        assert_eq!(st, StatusCode::UNAUTHORIZED, "{mode}: {body}");
        assert_eq!(body["error"], "invalid_credentials", "{mode}");
        assert_eq!(t.s.last_refusal(&t.admin, "sso").await, reason, "{mode}");
        assert!(
            t.s.events(&t.admin, "user_created").await.is_empty(),
            "{mode}"
        );
    }
}

async fn oidc_state_of_another_browser_is_refused(db: Db) {
    let t = setup(db, "normal").await;
    let victim = cookie_agent();
    let callback = t.to_callback(&victim, "alice-sub", true).await;
    // An attacker's browser (its own binding cookie, or none) with the victim's code and state.
    let attacker = cookie_agent();
    let _ = t.to_callback(&attacker, "alice-sub", true).await;
    for who in [&attacker, &reqwest::Client::new()] {
        let res = who
            .get(callback.clone())
            .header(ACCEPT, "application/json")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(t.s.last_refusal(&t.admin, "sso").await, "unknown_state");
    }
    // The flow stays its own browser's.
    let res = victim
        .get(callback)
        .header(ACCEPT, "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    // A forged state: refused.
    let forged = format!("{}/api/v01/auth/sso/test/callback?code=x&state=y", t.s.url);
    let res = victim
        .get(forged)
        .header(ACCEPT, "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(t.s.last_refusal(&t.admin, "sso").await, "unknown_state");
}

async fn oidc_never_links_by_email_and_rules_refuse(db: Db) {
    let t = setup(db, "normal").await;
    let s = &t.s;
    // A local user has the address the IdP gives eve: eve is not signed in as boss.
    s.create_user(
        &t.admin,
        "boss",
        "a long enough password",
        json!({"email": "BOSS@example.com"}),
    )
    .await;
    let (st, _) = t.sign_in_json("eve-sub").await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert_eq!(t.s.last_refusal(&t.admin, "sso").await, "email_in_use");
    // The extra rule: not example.com.
    let (st, _) = t.sign_in_json("mallory-sub").await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert_eq!(t.s.last_refusal(&t.admin, "sso").await, "extra_rule");
    // No claim for the username.
    let (st, _) = t.sign_in_json("noname-sub").await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert_eq!(t.s.last_refusal(&t.admin, "sso").await, "no_username_claim");
    // No creation rule holds: refused, and nobody was created.
    let mut strict = provider(&t.idp.issuer);
    strict["user_creation_rules"][0]["when"] = json!("has(claims.groups)");
    let (st, body) = s
        .call(
            Method::PUT,
            "/api/v01/admin/sso/test",
            Some(&t.admin),
            Some(strict),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let (st, _) = t.sign_in_json("alice-sub").await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert_eq!(t.s.last_refusal(&t.admin, "sso").await, "no_creation_rule");
    assert!(
        s.events(&t.admin, "user_created")
            .await
            .iter()
            .all(|e| e["detail"]["by"] != "sso")
    );
    // A username taken by a local user: refused, not linked.
    s.create_user(&t.admin, "alice", "a long enough password", json!({}))
        .await;
    let (st, _) = s
        .call(
            Method::PUT,
            "/api/v01/admin/sso/test",
            Some(&t.admin),
            Some(provider(&t.idp.issuer)),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (st, _) = t.sign_in_json("alice-sub").await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert_eq!(t.s.last_refusal(&t.admin, "sso").await, "username_taken");
}

async fn oidc_users_are_refused_when_disabled_or_outside_the_whitelist(db: Db) {
    // Behind a proxy the tests play: X-Forwarded-For from 127.0.0.1 is believed.
    let proxied = Options {
        env: vec![("APIO_SERVER_TRUSTED_PROXIES".into(), "127.0.0.1/32".into())],
        ..Options::default()
    };
    let t = setup_with(db, "normal", proxied).await;
    let s = &t.s;
    s.put_settings(&t.admin, json!({"client_ip_header": "X-Forwarded-For"}))
        .await;
    assert_eq!(t.sign_in_json("alice-sub").await.0, StatusCode::OK);
    let patch = |body: Value| {
        s.call(
            Method::PATCH,
            "/api/v01/admin/users/alice",
            Some(&t.admin),
            Some(body),
        )
    };

    assert_eq!(patch(json!({"disabled": true})).await.0, StatusCode::OK);
    assert_eq!(
        t.sign_in_json("alice-sub").await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(t.s.last_refusal(&t.admin, "sso").await, "disabled");
    assert_eq!(patch(json!({"disabled": false})).await.0, StatusCode::OK);

    // Disabling ended alice's sessions: a new one.
    let (st, tokens) = t.sign_in_json("alice-sub").await;
    assert_eq!(st, StatusCode::OK, "{tokens}");
    let alice = str_of(&tokens, "access_token").to_string();
    let (st, body) = s
        .call(
            Method::PUT,
            "/api/v01/me/ip_whitelist",
            Some(&alice),
            Some(json!(["127.0.0.1/32"])),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(t.sign_in_json("alice-sub").await.0, StatusCode::OK);
    // The IdP's answer arrives from an address outside the whitelist.
    let agent = cookie_agent();
    let callback = t.to_callback(&agent, "alice-sub", true).await;
    let res = agent
        .get(callback)
        .header(ACCEPT, "application/json")
        .header("X-Forwarded-For", "203.0.113.9")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(t.s.last_refusal(&t.admin, "sso").await, "ip_not_allowed");
}

async fn oidc_sign_in_keeps_the_second_factor(db: Db) {
    let mail = MailSink::start();
    let t = setup_with(
        db,
        "normal",
        Options {
            env: mail.env(),
            ..Options::default()
        },
    )
    .await;
    let s = &t.s;
    assert_eq!(t.sign_in_json("alice-sub").await.0, StatusCode::OK);
    s.put_settings(&t.admin, json!({"force_two_factor": true}))
        .await;
    let (st, step) = t.sign_in_json("alice-sub").await;
    assert_eq!(st, StatusCode::OK, "{step}");
    assert_eq!(step["option"], "email", "{step}");
    assert!(step.get("access_token").is_none());
    let text = mail.nth(0).await.text();
    let code = text
        .split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 6)
        .unwrap()
        .to_string();
    let (st, tokens) = s
        .call(
            Method::POST,
            "/api/v01/auth/2fa",
            None,
            Some(json!({"2fa_payload": step["2fa_payload"], "code": code})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{tokens}");
    assert_eq!(
        amr_of(str_of(&tokens, "access_token")),
        ["sso", "email", "mfa"]
    );
    // An IdP whose `amr` shows a second factor: none asked here.
    let (st, tokens) = t.sign_in_json("carol-sub").await;
    assert_eq!(st, StatusCode::OK, "{tokens}");
    assert_eq!(amr_of(str_of(&tokens, "access_token")), ["sso", "mfa"]);

    // A browser: the payload waits in an HttpOnly cookie for the login page, never in a URL.
    let agent = cookie_agent();
    let callback = t.to_callback(&agent, "alice-sub", false).await;
    let res = agent.get(callback).send().await.unwrap();
    assert_eq!(res.headers()[LOCATION], "/login?sso=2fa&to=%2Fsessions");
    let cookie = res.headers()[SET_COOKIE].to_str().unwrap().to_string();
    assert!(
        cookie.starts_with("apio_sso_2fa=email.") && cookie.contains("HttpOnly"),
        "{cookie}"
    );
    // The login page, once hydrated, asks for it and draws the step.
    let step: Value = agent
        .post(format!("{}/_sfn/sso_second_factor", s.url))
        .header("origin", &s.url)
        .json(&json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(step[1], "email", "{step}");
    assert!(cookie.contains(&format!("email.{}", step[0].as_str().unwrap())));
}

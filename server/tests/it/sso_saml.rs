//! Signing in through a real SAML 2.0 IdP (samlify, see saml_idp.rs): our SP metadata, the
//! redirect with the AuthnRequest, the POSTed response verified, and the refusals the issue
//! lists: unsigned, signature wrapping, replay, wrong audience, plus DOCTYPE, wrong recipient,
//! expired; and the bounce that binds a browser's cross-site POST to its flow.

use crate::both;
use crate::harness::{Db, TestServer, cookie_agent, csp_nonce, str_of};
use crate::saml_idp::{self, SamlIdp};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use reqwest::header::{ACCEPT, LOCATION};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

both!(
    saml_sign_in_creates_the_user_from_the_attributes,
    saml_responses_with_a_defect_are_refused,
    saml_post_of_a_browser_is_bounced_to_carry_its_cookie
);

struct Setup {
    s: TestServer,
    idp: SamlIdp,
    admin: String,
}

async fn setup(db: Db) -> Setup {
    let s = TestServer::start(db).await;
    let idp = saml_idp::start(
        &format!("{}/api/v01/auth/sso/corp/metadata", s.url),
        json!({
            "alice@example.com": {"uid": "alice", "email": "alice@example.com", "givenName": "Alice",
                                  "groups": ["staff", "ops"]},
            "bob@example.com": {"uid": "bob", "email": "bob@example.com"},
        }),
    )
    .await;
    let admin = s.admin_token().await;
    let (st, body) = s
        .call(
            Method::PUT,
            "/api/v01/admin/sso/corp",
            Some(&admin),
            Some(json!({
                "name": "Corp SAML",
                "protocol": "saml",
                "saml": {"idp_metadata_url": format!("{}/metadata", idp.base)},
                "extra_rule": "'staff' in groups || uid == 'bob'",
                "user_creation_rules": [{"when": "true", "username": "uid", "email": "email",
                                         "firstname": "givenName", "roles": []}],
            })),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    Setup { s, idp, admin }
}

/// What the IdP would POST to the ACS.
struct Answer {
    action: String,
    response: String,
    relay_state: String,
}

impl Answer {
    fn xml(&self) -> String {
        String::from_utf8(B64.decode(&self.response).unwrap()).unwrap()
    }

    fn with_xml(&self, xml: &str) -> Answer {
        Answer {
            action: self.action.clone(),
            response: B64.encode(xml),
            relay_state: self.relay_state.clone(),
        }
    }
}

impl Setup {
    /// Starts a sign-in with `agent` (a REST client's) and has the IdP answer for `user`,
    /// with `knobs` (`&audience=…`, `&unsigned=1`, …).
    async fn answer(&self, agent: &reqwest::Client, user: &str, knobs: &str) -> Answer {
        self.answer_to(agent, true, user, knobs).await
    }

    /// The same for a browser (`json` false) or a REST client.
    async fn answer_to(
        &self,
        agent: &reqwest::Client,
        json: bool,
        user: &str,
        knobs: &str,
    ) -> Answer {
        let accept = if json {
            "application/json"
        } else {
            "text/html"
        };
        let res = agent
            .get(format!("{}/api/v01/auth/sso/corp/start", self.s.url))
            .header(ACCEPT, accept)
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.status(),
            StatusCode::FOUND,
            "{}",
            res.text().await.unwrap()
        );
        let location = res.headers()[LOCATION].to_str().unwrap().to_string();
        assert!(
            location.starts_with(&format!("{}/sso?SAMLRequest=", self.idp.base)),
            "{location}"
        );
        let url = format!("{location}&user={user}&format=json{knobs}");
        let res = agent.get(url).send().await.unwrap();
        let status = res.status();
        let text = res.text().await.unwrap();
        assert_eq!(status, StatusCode::OK, "{text}\n{}", self.idp.log());
        let form: Value = serde_json::from_str(&text).unwrap();
        Answer {
            action: str_of(&form, "action").into(),
            response: str_of(&form, "SAMLResponse").into(),
            relay_state: str_of(&form, "RelayState").into(),
        }
    }

    async fn post(&self, agent: &reqwest::Client, a: &Answer) -> (StatusCode, Value) {
        let res = agent
            .post(&a.action)
            .header(ACCEPT, "application/json")
            .form(&[
                ("SAMLResponse", a.response.as_str()),
                ("RelayState", a.relay_state.as_str()),
            ])
            .send()
            .await
            .unwrap();
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    async fn sign_in(&self, user: &str, knobs: &str) -> (StatusCode, Value) {
        let ua = cookie_agent();
        let answer = self.answer(&ua, user, knobs).await;
        self.post(&ua, &answer).await
    }
}

async fn saml_sign_in_creates_the_user_from_the_attributes(db: Db) {
    let t = setup(db).await;
    let s = &t.s;
    // Our metadata: the entity ID, the ACS with the POST binding, no logout we do not serve.
    let metadata = s
        .request(Method::GET, "/api/v01/auth/sso/corp/metadata")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metadata.contains(&format!(
            "entityID=\"{}/api/v01/auth/sso/corp/metadata\"",
            s.url
        )),
        "{metadata}"
    );
    assert!(
        metadata.contains(&format!("{}/api/v01/auth/sso/corp/acs", s.url)),
        "{metadata}"
    );
    assert!(!metadata.contains("SingleLogoutService"), "{metadata}");
    let (_, buttons) = s.call(Method::GET, "/api/v01/auth/sso", None, None).await;
    assert_eq!(
        buttons,
        json!([{"id": "corp", "name": "Corp SAML", "protocol": "saml"}])
    );

    let (st, tokens) = t.sign_in("alice@example.com", "").await;
    if st != StatusCode::OK {
        panic!(
            "{tokens}: {}\n{}",
            t.s.last_refusal(&t.admin, "sso").await,
            t.idp.log()
        );
    }
    let (_, me) = s.get("/api/v01/me", str_of(&tokens, "access_token")).await;
    assert_eq!(
        (&me["username"], &me["email"], &me["firstname"], &me["idp"]),
        (
            &json!("alice"),
            &json!("alice@example.com"),
            &json!("Alice"),
            &json!("sso:corp")
        )
    );
    // Again: the same user through (provider, issuer, NameID).
    let (st, again) = t.sign_in("alice@example.com", "").await;
    assert_eq!(st, StatusCode::OK, "{again}");
    let (_, me_again) = s.get("/api/v01/me", str_of(&again, "access_token")).await;
    assert_eq!(me_again["id"], me["id"]);
    // The extra rule sees the attributes (bob is no staff, but named in the rule).
    assert_eq!(t.sign_in("bob@example.com", "").await.0, StatusCode::OK);

    // Metadata given as XML is checked on save: it must name a signing certificate.
    let idp_xml = reqwest::get(format!("{}/metadata", t.idp.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let put = |xml: String| {
        s.call(
            Method::PUT,
            "/api/v01/admin/sso/corp-xml",
            Some(&t.admin),
            Some(json!({"name": "Corp (XML)", "protocol": "saml", "saml": {"idp_metadata_xml": xml}})),
        )
    };
    let (st, body) = put(idp_xml.clone()).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let first = idp_xml.find("KeyDescriptor").unwrap();
    let start = idp_xml[..first].rfind('<').unwrap();
    let last = idp_xml.rfind("KeyDescriptor>").unwrap() + "KeyDescriptor>".len();
    let keyless = format!("{}{}", &idp_xml[..start], &idp_xml[last..]);
    let (st, body) = put(keyless).await;
    assert_eq!(
        (st, &body["field"]),
        (StatusCode::BAD_REQUEST, &json!("saml.idp_metadata_xml")),
        "{body}"
    );
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("no signing certificate"),
        "{body}"
    );
}

async fn saml_responses_with_a_defect_are_refused(db: Db) {
    let t = setup(db).await;
    for (knobs, reason) in [
        ("&unsigned=1", "bad_signature"),
        ("&audience=https://other.example/sp", "wrong_audience"),
        ("&recipient=https://other.example/acs", "wrong_recipient"),
        ("&nbf=-600&exp=-300", "expired_assertion"),
        ("&inResponseTo=_another-request", "wrong_in_response_to"),
    ] {
        let (st, body) = t.sign_in("alice@example.com", knobs).await;
        assert_eq!(st, StatusCode::UNAUTHORIZED, "{knobs}: {body}");
        assert_eq!(body["error"], "invalid_credentials");
        assert_eq!(t.s.last_refusal(&t.admin, "sso").await, reason, "{knobs}");
    }

    let ua = cookie_agent();
    let good = t.answer(&ua, "alice@example.com", "").await;
    let xml = good.xml();
    // A DOCTYPE (XXE, entity expansion) is refused before any parser sees it.
    let doctype = xml.replacen(
        "<samlp:Response",
        "<!DOCTYPE r [<!ENTITY x \"y\">]><samlp:Response",
        1,
    );
    let (st, _) = t.post(&ua, &good.with_xml(&doctype)).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert_eq!(t.s.last_refusal(&t.admin, "sso").await, "doctype");

    // Signature wrapping: an unsigned assertion for someone else next to the signed one.
    let ua = cookie_agent();
    let good = t.answer(&ua, "bob@example.com", "").await;
    let xml = good.xml();
    let start = xml.find("<saml:Assertion").unwrap();
    let end = xml.find("</saml:Assertion>").unwrap() + "</saml:Assertion>".len();
    let signed = &xml[start..end];
    let sig_start = signed.find("<ds:Signature").unwrap();
    let sig_end = signed.find("</ds:Signature>").unwrap() + "</ds:Signature>".len();
    let evil = format!("{}{}", &signed[..sig_start], &signed[sig_end..])
        .replace("bob@example.com", "alice@example.com")
        .replace(">bob<", ">admin<")
        .replacen("ID=\"", "ID=\"evil", 1);
    let wrapped = format!("{}{evil}{}", &xml[..start], &xml[start..]);
    let (st, body) = t.post(&ua, &good.with_xml(&wrapped)).await;
    // Only the signed assertion counts (samael prunes what no signature covers): bob, never
    // the forged admin.
    assert_eq!(st, StatusCode::OK, "{body}");
    let (_, me) = t.s.get("/api/v01/me", str_of(&body, "access_token")).await;
    assert_eq!(me["username"], "bob", "{me}");
    // Changing the signed assertion itself breaks its signature.
    let ua = cookie_agent();
    let good = t.answer(&ua, "bob@example.com", "").await;
    let tampered = good.xml().replace(">bob<", ">admin<");
    let (st, _) = t.post(&ua, &good.with_xml(&tampered)).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert_eq!(t.s.last_refusal(&t.admin, "sso").await, "bad_signature");

    // Replay: the same response again (its flow is used up), or in another flow.
    let ua = cookie_agent();
    let good = t.answer(&ua, "alice@example.com", "").await;
    assert_eq!(t.post(&ua, &good).await.0, StatusCode::OK);
    assert_eq!(t.post(&ua, &good).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(t.s.last_refusal(&t.admin, "sso").await, "unknown_state");
    let other = t.answer(&ua, "alice@example.com", "").await;
    let replayed = Answer {
        relay_state: other.relay_state.clone(),
        ..good
    };
    assert_eq!(t.post(&ua, &replayed).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        t.s.last_refusal(&t.admin, "sso").await,
        "wrong_in_response_to"
    );
    // And an assertion ID is taken once, whatever the flow.
    let store = t.s.engine.store();
    let until = t.s.now().timestamp_millis() + 60_000;
    assert!(
        store
            .use_saml_assertion("some-id-hash", until)
            .await
            .unwrap()
    );
    assert!(
        !store
            .use_saml_assertion("some-id-hash", until)
            .await
            .unwrap()
    );
}

async fn saml_post_of_a_browser_is_bounced_to_carry_its_cookie(db: Db) {
    let t = setup(db).await;
    let browser = cookie_agent();
    let answer = t.answer_to(&browser, false, "alice@example.com", "").await;
    // The IdP's cross-site POST arrives without the browser's cookie: our page posts it again.
    let res = reqwest::Client::new()
        .post(&answer.action)
        .form(&[
            ("SAMLResponse", answer.response.as_str()),
            ("RelayState", answer.relay_state.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let nonce = csp_nonce(&res);
    let page = res.text().await.unwrap();
    assert!(page.contains("name=\"bounced\" value=\"1\""), "{page}");
    assert!(
        page.contains(&format!("<script nonce=\"{nonce}\">")),
        "{page}"
    );
    // The second POST, from our page, carries the cookie (a same-site request).
    let res = browser
        .post(&answer.action)
        .form(&[
            ("SAMLResponse", answer.response.as_str()),
            ("RelayState", answer.relay_state.as_str()),
            ("bounced", "1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_eq!(res.headers()[LOCATION], "/login?sso=done&to=%2Fprofile");
    // Another browser's POST of someone's answer, bounced or not: refused.
    let answer = t
        .answer_to(&cookie_agent(), false, "alice@example.com", "")
        .await;
    let res = cookie_agent()
        .post(&answer.action)
        .form(&[
            ("SAMLResponse", answer.response.as_str()),
            ("RelayState", answer.relay_state.as_str()),
            ("bounced", "1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()[LOCATION], "/login?sso=failed");
    assert_eq!(t.s.last_refusal(&t.admin, "sso").await, "unknown_state");
}

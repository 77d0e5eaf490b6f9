//! The test IdP itself (tools/oidc-idp) works as the SSO tests expect: discovery, then an
//! authorization code flow with PKCE S256 driven by hand, without a browser, and an ID token
//! carrying the user's claims and the nonce sent.

use crate::oidc_idp;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use engine::OsEntropy;
use engine::secrets::random_id;
use reqwest::{StatusCode, Url, header::LOCATION};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const CLIENT_ID: &str = "apio-test";
const CLIENT_SECRET: &str = "a-client-secret-for-tests";
/// Nothing listens there: the flow stops at the redirect that points to it.
const REDIRECT_URI: &str = "http://127.0.0.1:9/cb";

fn jwt_part(jwt: &str, index: usize) -> Value {
    let part = jwt.split('.').nth(index).unwrap();
    serde_json::from_slice(&B64URL.decode(part).unwrap()).unwrap()
}

#[tokio::test]
async fn oidc_idp_smoke() {
    let idp = oidc_idp::start(
        json!([{
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "redirect_uris": [REDIRECT_URI],
        }]),
        json!({
            "bob-sub": {"email": "bob@example.com"},
            "alice-sub": {
                "email": "alice@example.com", "email_verified": true,
                "preferred_username": "alice", "given_name": "Alice", "family_name": "Doe",
                "locale": "fr", "hd": "example.com",
            },
        }),
    )
    .await;
    // Cookies are needed (the IdP's interaction cookies); redirects are followed by hand.
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();

    let discovery: Value = http
        .get(format!("{}/.well-known/openid-configuration", idp.issuer))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(discovery["issuer"], idp.issuer.as_str());
    assert!(
        discovery["code_challenge_methods_supported"]
            .as_array()
            .unwrap()
            .contains(&json!("S256")),
        "{discovery}"
    );

    let verifier = format!("{}{}", random_id(&OsEntropy), random_id(&OsEntropy));
    let challenge = B64URL.encode(Sha256::digest(verifier.as_bytes()));
    let (state, nonce) = (random_id(&OsEntropy), random_id(&OsEntropy));
    let mut url = Url::parse(discovery["authorization_endpoint"].as_str().unwrap()).unwrap();
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", CLIENT_ID)
        .append_pair("redirect_uri", REDIRECT_URI)
        .append_pair("scope", "openid email profile")
        .append_pair("state", &state)
        .append_pair("nonce", &nonce)
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256")
        .append_pair("login_hint", "alice-sub");

    // authorize -> /interaction/<uid> -> /auth/<uid> -> the redirect_uri, not followed.
    let mut hops = 0;
    while !url.as_str().starts_with(REDIRECT_URI) {
        hops += 1;
        assert!(hops <= 5, "too many redirects, at {url}\n{}", idp.log());
        let res = http.get(url.clone()).send().await.unwrap();
        assert!(
            res.status().is_redirection(),
            "{url}: {}\n{}\n--- IdP log ---\n{}",
            res.status(),
            res.text().await.unwrap(),
            idp.log()
        );
        let location = res.headers()[LOCATION].to_str().unwrap();
        url = url.join(location).unwrap();
    }
    let query = |name: &str| {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    assert_eq!(query("error"), None, "{url}");
    assert_eq!(query("state").as_deref(), Some(state.as_str()));
    assert_eq!(query("iss").as_deref(), Some(idp.issuer.as_str()));
    let code = query("code").unwrap();

    let res = http
        .post(discovery["token_endpoint"].as_str().unwrap())
        .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT_URI),
            ("code_verifier", &verifier),
        ])
        .send()
        .await
        .unwrap();
    let status = res.status();
    let tokens: Value = res.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{tokens}\n{}", idp.log());

    let id_token = tokens["id_token"].as_str().unwrap();
    assert_eq!(id_token.split('.').count(), 3, "{id_token}");
    assert_eq!(jwt_part(id_token, 0)["alg"], "RS256");
    let claims = jwt_part(id_token, 1);
    assert_eq!(claims["iss"], idp.issuer.as_str());
    assert_eq!(claims["aud"], CLIENT_ID);
    assert_eq!(claims["sub"], "alice-sub");
    assert_eq!(claims["nonce"], nonce.as_str());
    assert_eq!(claims["email"], "alice@example.com");
    assert_eq!(claims["hd"], "example.com");
}

//! Access-token forgery: every tampered, misused or foreign token is 401.

use crate::both;
use crate::harness::{ADMIN_PASSWORD, Db, TestServer, str_of};
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD as B64};
use reqwest::StatusCode;
use ring::signature::{Ed25519KeyPair, KeyPair};
use serde_json::{Value, json};

both!(
    forged_and_stale_access_tokens_are_refused,
    published_keys_verify_real_tokens
);

fn parts(token: &str) -> (Value, Value) {
    let mut it = token.split('.');
    let h = B64.decode(it.next().unwrap()).unwrap();
    let c = B64.decode(it.next().unwrap()).unwrap();
    (
        serde_json::from_slice(&h).unwrap(),
        serde_json::from_slice(&c).unwrap(),
    )
}

fn unsigned(header: &Value, claims: &Value) -> String {
    format!(
        "{}.{}",
        B64.encode(header.to_string()),
        B64.encode(claims.to_string())
    )
}

fn sign_ed(header: &Value, claims: &Value, key: &Ed25519KeyPair) -> String {
    let input = unsigned(header, claims);
    format!("{input}.{}", B64.encode(key.sign(input.as_bytes())))
}

fn our_key(s: &TestServer) -> Ed25519KeyPair {
    let pem = std::fs::read_to_string(s.dir.join("signing.key")).unwrap();
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap();
    Ed25519KeyPair::from_pkcs8_maybe_unchecked(&der).unwrap()
}

async fn forged_and_stale_access_tokens_are_refused(db: Db) {
    let s = TestServer::start(db).await;
    let real = str_of(&s.login("admin", ADMIN_PASSWORD).await, "access_token").to_string();
    let (header, claims) = parts(&real);
    assert_eq!(header["alg"], "EdDSA");
    assert_eq!(header["typ"], "at+jwt");
    for k in [
        "iss", "aud", "sub", "username", "sid", "iat", "nbf", "exp", "jti", "amr", "roles",
    ] {
        assert!(claims.get(k).is_some(), "claim {k} missing");
    }
    assert_eq!(claims["amr"], json!(["pwd"]));
    let key = our_key(&s);
    // The real key re-signing the real claims works: the checks below fail for their reason.
    assert_eq!(
        s.get("/api/v01/me", &sign_ed(&header, &claims, &key))
            .await
            .0,
        StatusCode::OK
    );

    let mut forged: Vec<(&str, String)> = Vec::new();
    forged.push((
        "alg none",
        format!(
            "{}.",
            unsigned(&json!({"alg": "none", "typ": "at+jwt"}), &claims)
        ),
    ));
    let jwks = s
        .call(reqwest::Method::GET, "/api/v01/auth/jwks.json", None, None)
        .await
        .1;
    let public_x = jwks["keys"][0]["x"].as_str().unwrap().to_string();
    for secret in [public_x.as_bytes().to_vec(), B64.decode(&public_x).unwrap()] {
        let h = json!({"alg": "HS256", "typ": "at+jwt"});
        let input = unsigned(&h, &claims);
        let tag = ring::hmac::sign(
            &ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &secret),
            input.as_bytes(),
        );
        forged.push((
            "HS256 with the public key",
            format!("{input}.{}", B64.encode(tag.as_ref())),
        ));
    }
    let attacker = Ed25519KeyPair::from_pkcs8(
        Ed25519KeyPair::generate_pkcs8(&ring::rand::SystemRandom::new())
            .unwrap()
            .as_ref(),
    )
    .unwrap();
    let jwk =
        json!({"kty": "OKP", "crv": "Ed25519", "x": B64.encode(attacker.public_key().as_ref())});
    forged.push((
        "embedded jwk",
        sign_ed(
            &json!({"alg": "EdDSA", "typ": "at+jwt", "jwk": jwk}),
            &claims,
            &attacker,
        ),
    ));
    forged.push((
        "jku",
        sign_ed(
            &json!({"alg": "EdDSA", "typ": "at+jwt", "jku": "https://evil.example/jwks"}),
            &claims,
            &attacker,
        ),
    ));
    forged.push((
        "unknown kid",
        sign_ed(
            &json!({"alg": "EdDSA", "typ": "at+jwt", "kid": "other"}),
            &claims,
            &key,
        ),
    ));
    forged.push((
        "wrong typ",
        sign_ed(&json!({"alg": "EdDSA", "typ": "JWT"}), &claims, &key),
    ));
    let with = |k: &str, v: Value| {
        let mut c = claims.clone();
        c[k] = v;
        sign_ed(&header, &c, &key)
    };
    let now = claims["iat"].as_i64().unwrap();
    forged.push(("other audience", with("aud", json!("someone-else"))));
    forged.push(("other issuer", with("iss", json!("https://evil.example"))));
    forged.push(("future nbf", with("nbf", json!(now + 3600))));
    forged.push(("expired", with("exp", json!(now - 1))));
    let mut no_exp = claims.clone();
    no_exp.as_object_mut().unwrap().remove("exp");
    forged.push(("no exp", sign_ed(&header, &no_exp, &key)));
    let mut flipped = real.clone().into_bytes();
    let i = flipped.len() - 5;
    flipped[i] = if flipped[i] == b'A' { b'B' } else { b'A' };
    forged.push(("one flipped byte", String::from_utf8(flipped).unwrap()));
    forged.push(("garbage", "not.a.jwt".into()));
    for (what, token) in forged {
        let (st, body) = s.get("/api/v01/me", &token).await;
        assert_eq!(st, StatusCode::UNAUTHORIZED, "{what} was accepted: {body}");
        assert_eq!(body["error"], "invalid_token", "{what}");
    }
    // A real token past its 5 minutes, by the server's clock.
    s.advance(301);
    assert_eq!(
        s.get("/api/v01/me", &real).await.0,
        StatusCode::UNAUTHORIZED
    );
}

async fn published_keys_verify_real_tokens(db: Db) {
    let s = TestServer::start(db).await;
    let token = str_of(&s.login("admin", ADMIN_PASSWORD).await, "access_token").to_string();
    let (_, jwks) = s
        .call(reqwest::Method::GET, "/api/v01/auth/jwks.json", None, None)
        .await;
    let key = &jwks["keys"][0];
    assert_eq!(
        (
            key["kty"].as_str(),
            key["crv"].as_str(),
            key["alg"].as_str()
        ),
        (Some("OKP"), Some("Ed25519"), Some("EdDSA"))
    );
    // An independent verifier (jsonwebtoken, offline) accepts it with the published key.
    let decoding =
        jsonwebtoken::DecodingKey::from_ed_components(key["x"].as_str().unwrap()).unwrap();
    let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::EdDSA);
    v.set_audience(&["apio"]);
    v.set_issuer(&[s.url.as_str()]);
    let data = jsonwebtoken::decode::<Value>(&token, &decoding, &v).unwrap();
    assert_eq!(data.claims["username"], "admin");
    assert_eq!(data.header.kid.as_deref(), key["kid"].as_str());
}

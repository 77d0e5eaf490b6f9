//! The HTTP layer: headers, CORS, client IP, the UI's cookie session, health, OpenAPI.

use crate::both;
use crate::harness::{ADMIN_PASSWORD, Db, Options, TestServer, csp_nonce, str_of};
use reqwest::{Method, StatusCode};
use serde_json::json;

both!(
    security_headers_and_health,
    cors_allows_configured_origins_only,
    client_ip_header_is_believed_only_from_trusted_proxies,
    cookie_session_with_origin_checks,
    openapi_describes_every_path,
);

async fn security_headers_and_health(db: Db) {
    let s = TestServer::start(db).await;
    // Any other path is the app's own "not found" page (rendered with the engine, as every
    // page is), with its status.
    let res = s
        .request(Method::GET, "/no-such-page")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(res.text().await.unwrap().contains("Page not found"));
    for path in ["/healthz", "/readyz", "/login", "/api/v01/auth/ui_config"] {
        let res = s.request(Method::GET, path).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let h = res.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "no-referrer", "{path}");
        assert_eq!(h["cache-control"], "no-store", "{path}");
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("frame-ancestors 'none'")
                && !csp.contains("'unsafe-inline' 'wasm")
                && csp.contains("script-src 'self' 'nonce-"),
            "{path}: {csp}"
        );
        assert!(
            h.get("strict-transport-security").is_none(),
            "no HSTS on plain http"
        );
    }
    // The page's hydration script carries the nonce of its CSP.
    let res = s.request(Method::GET, "/login").send().await.unwrap();
    let nonce = csp_nonce(&res);
    let html = res.text().await.unwrap();
    assert!(
        html.contains(&format!("nonce=\"{nonce}\"")),
        "hydration script without the CSP nonce"
    );
}

async fn cors_allows_configured_origins_only(db: Db) {
    let s = TestServer::start(db).await;
    let admin = s.admin_token().await;
    s.put_settings(
        &admin,
        json!({"allowed_origins": ["https://portal.example.com"]}),
    )
    .await;
    let preflight = |origin: &'static str| {
        s.request(Method::OPTIONS, "/api/v01/me")
            .header("origin", origin)
            .header("access-control-request-method", "GET")
            .header("access-control-request-headers", "authorization")
            .send()
    };
    let ok = preflight("https://portal.example.com").await.unwrap();
    assert_eq!(
        ok.headers()["access-control-allow-origin"],
        "https://portal.example.com"
    );
    assert!(
        ok.headers()
            .get("access-control-allow-credentials")
            .is_none()
    );
    for bad in [
        "https://evil.example.com",
        "null",
        "https://portal.example.com.evil.io",
    ] {
        let res = preflight(bad).await.unwrap();
        assert!(
            res.headers().get("access-control-allow-origin").is_none(),
            "{bad} allowed"
        );
    }
}

async fn client_ip_header_is_believed_only_from_trusted_proxies(db: Db) {
    // Untrusted peer: the header is ignored.
    let s = TestServer::start(db).await;
    let admin = s.admin_token().await;
    s.put_settings(&admin, json!({"client_ip_header": "X-Forwarded-For"}))
        .await;
    let login = |s: &TestServer, xff: &'static str| {
        s.request(Method::POST, "/api/v01/auth/login")
            .header("x-forwarded-for", xff)
            .json(&json!({"username": "admin", "password": ADMIN_PASSWORD}))
            .send()
    };
    assert_eq!(
        login(&s, "203.0.113.9").await.unwrap().status(),
        StatusCode::OK
    );
    assert_eq!(
        s.events(&admin, "login").await[0]["ip"],
        "127.0.0.1",
        "spoofed header believed"
    );
    assert_eq!(
        login(&s, "garbage").await.unwrap().status(),
        StatusCode::OK,
        "ignored, so not even parsed"
    );
    // Trusted proxy: believed, and a malformed value is 400.
    let (url, dir) = (s.db_url.clone(), s.dir.clone());
    drop(s);
    let p = TestServer::start_on(
        &url,
        &dir,
        Options {
            admin_password: None,
            env: vec![("APIO_SERVER_TRUSTED_PROXIES".into(), "127.0.0.1/32".into())],
        },
    )
    .await;
    let admin = p.admin_token().await;
    assert_eq!(
        login(&p, "198.51.100.4, 203.0.113.9")
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    assert_eq!(p.events(&admin, "login").await[0]["ip"], "203.0.113.9");
    let res = login(&p, "not-an-ip").await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}

async fn cookie_session_with_origin_checks(db: Db) {
    let s = TestServer::start(db).await;
    let sfn = |path: &str, origin: Option<&str>, body: serde_json::Value| {
        let mut r = s
            .request(Method::POST, &format!("/_sfn/{path}"))
            .json(&body);
        if let Some(o) = origin {
            r = r.header("origin", o);
        }
        r.send()
    };
    let creds = json!({"username": "admin", "password": ADMIN_PASSWORD});
    assert_eq!(
        sfn("login", None, creds.clone()).await.unwrap().status(),
        StatusCode::FORBIDDEN,
        "no Origin"
    );
    assert_eq!(
        sfn("login", Some("https://evil.example"), creds.clone())
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );
    let res = sfn("login", Some(&s.url), creds).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let (language, cookies): (Vec<String>, Vec<String>) = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .partition(|c| c.starts_with("apio_lang="));
    // The UI's language (not a secret: the page's script reads and sets it).
    assert_eq!(
        language,
        ["apio_lang=en; Path=/; Max-Age=31536000; SameSite=Lax"]
    );
    assert_eq!(cookies.len(), 2, "{cookies:?}");
    for c in &cookies {
        assert!(
            c.contains("HttpOnly") && c.contains("SameSite=Strict") && c.contains("Path=/"),
            "{c}"
        );
    }
    let body: serde_json::Value = res.json().await.unwrap();
    assert!(
        !body.to_string().contains("eyJ"),
        "tokens must not reach the page's script: {body}"
    );
    let jar: String = cookies
        .iter()
        .map(|c| c.split(';').next().unwrap())
        .collect::<Vec<_>>()
        .join("; ");
    // The cookie authenticates the REST door too; a state change needs our Origin.
    let res = s
        .request(Method::GET, "/api/v01/me")
        .header("cookie", &jar)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    // The "not found" page is rendered like any page: the top bar knows who is signed in.
    let res = s
        .request(Method::GET, "/no-such-page")
        .header("cookie", &jar)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let page = res.text().await.unwrap();
    assert!(page.contains("Signed in as"), "{page}");
    let patch = |origin: Option<String>| {
        let mut r = s
            .request(Method::PATCH, "/api/v01/me")
            .header("cookie", &jar)
            .json(&json!({"firstname": "C"}));
        if let Some(o) = origin {
            r = r.header("origin", o);
        }
        r.send()
    };
    assert_eq!(patch(None).await.unwrap().status(), StatusCode::FORBIDDEN);
    assert_eq!(
        patch(Some("https://evil.example".into()))
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        patch(Some(s.url.clone())).await.unwrap().status(),
        StatusCode::OK
    );
    // An expired access cookie is renewed from the refresh cookie, transparently.
    s.advance(301);
    let res = s
        .request(Method::GET, "/api/v01/me")
        .header("cookie", &jar)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers().get_all("set-cookie").iter().count(),
        2,
        "renewed cookies"
    );
    // Sign-out clears the cookies and ends the session.
    let res = s
        .request(Method::POST, "/_sfn/logout")
        .header("cookie", &jar)
        .header("origin", &s.url)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()
            .get_all("set-cookie")
            .iter()
            .all(|c| c.to_str().unwrap().contains("Max-Age=0"))
    );
    let rt = jar
        .split("; ")
        .find(|c| c.starts_with("apio_rt="))
        .unwrap()
        .trim_start_matches("apio_rt=")
        .to_string();
    assert_eq!(
        s.get("/api/v01/auth/access_token", &rt).await.0,
        StatusCode::UNAUTHORIZED
    );
}

async fn openapi_describes_every_path(db: Db) {
    let s = TestServer::start(db).await;
    let (st, doc) = s
        .call(Method::GET, "/api/v01/openapi.json", None, None)
        .await;
    assert_eq!(st, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/api/v01/auth/login",
        "/api/v01/auth/access_token",
        "/api/v01/auth/logout",
        "/api/v01/auth/jwks.json",
        "/api/v01/auth/ui_config",
        "/api/v01/auth/reset_password/confirm",
        "/api/v01/me",
        "/api/v01/me/password",
        "/api/v01/me/reauth",
        "/api/v01/admin/config",
        "/api/v01/admin/users",
        "/api/v01/admin/users/{username}",
        "/api/v01/admin/events",
        "/healthz",
        "/readyz",
    ] {
        assert!(
            paths.contains_key(p),
            "{p} missing from the OpenAPI document"
        );
    }
    assert!(paths["/api/v01/me"].get("patch").is_some());
    let res = s.request(Method::GET, "/api/docs").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.text().await.unwrap().contains("/api/v01/auth/login"),
        "the docs page embeds the API description"
    );
    let _ = str_of;
}

//! The single sign-on providers admins configure: `/api/v01/admin/sso/{id}`, the client
//! secret write-only, validation naming the field with nothing saved, admins only, audited.

use crate::both;
use crate::harness::{Db, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

both!(
    sso_providers_are_managed_by_admins,
    invalid_sso_settings_name_the_field
);

const PW: &str = "a long enough password";
const SECRET: &str = "the-client-secret-of-corp";

fn corp() -> Value {
    json!({
        "name": "Corporate IdP",
        "protocol": "oidc",
        "oidc": {
            "issuer": "https://idp.example.com",
            "client_id": "apio",
            "client_secret": SECRET
        },
        "extra_rule": "email_verified == true && hd == \"example.com\"",
        "user_creation_rules": [
            {"when": "true", "username": "preferred_username", "email": "email",
             "firstname": "given_name", "profile": "default", "roles": ["operator"]}
        ]
    })
}

async fn sso_providers_are_managed_by_admins(db: Db) {
    let s = TestServer::start(db).await;
    let admin = s.admin_token().await;
    let put = |body: Value| {
        s.call(
            Method::PUT,
            "/api/v01/admin/sso/corp",
            Some(&admin),
            Some(body),
        )
    };
    let (st, view) = put(corp()).await;
    assert_eq!(st, StatusCode::OK, "{view}");
    assert_eq!(view["id"], "corp");
    assert_eq!(view["enabled"], true);
    assert_eq!(view["oidc"]["client_secret_set"], true);
    assert_eq!(
        view["oidc"]["scopes"],
        json!(["openid", "email", "profile"])
    );
    assert_eq!(view["user_creation_rules"][0]["roles"], json!(["operator"]));
    assert!(!view.to_string().contains(SECRET), "{view}");

    let (st, got) = s.get("/api/v01/admin/sso/corp", &admin).await;
    assert_eq!((st, &got), (StatusCode::OK, &view));
    let (_, list) = s.get("/api/v01/admin/sso", &admin).await;
    assert_eq!(list, json!([view]));

    // Saved again without a secret: the stored one stays; an empty one removes it.
    let mut without = corp();
    without["oidc"]
        .as_object_mut()
        .unwrap()
        .remove("client_secret");
    without["enabled"] = json!(false);
    let (_, view) = put(without).await;
    assert_eq!(
        (&view["oidc"]["client_secret_set"], &view["enabled"]),
        (&json!(true), &json!(false))
    );
    let mut cleared = corp();
    cleared["oidc"]["client_secret"] = json!("");
    let (_, view) = put(cleared).await;
    assert_eq!(view["oidc"]["client_secret_set"], false);

    // A SAML provider next to it.
    let (st, saml) = s
        .call(
            Method::PUT,
            "/api/v01/admin/sso/saml-idp",
            Some(&admin),
            Some(json!({
                "name": "SAML IdP", "protocol": "saml",
                "saml": {"idp_metadata_url": "https://idp.example.com/saml/metadata"}
            })),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{saml}");
    assert_eq!(saml["oidc"], Value::Null);
    let (_, list) = s.get("/api/v01/admin/sso", &admin).await;
    assert_eq!(list.as_array().map(Vec::len), Some(2));

    // Not for other users; every change is audited, without the secret.
    s.create_user(&admin, "bob", PW, json!({})).await;
    let bob = s.access_token("bob", PW).await;
    assert_eq!(
        s.get("/api/v01/admin/sso", &bob).await.0,
        StatusCode::FORBIDDEN
    );
    let (st, _) = s
        .call(
            Method::PUT,
            "/api/v01/admin/sso/corp",
            Some(&bob),
            Some(corp()),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let saved = s.events(&admin, "sso_provider_saved").await;
    assert_eq!(saved.len(), 4);
    assert!(!Value::Array(saved).to_string().contains(SECRET));

    let delete = || {
        s.call(
            Method::DELETE,
            "/api/v01/admin/sso/corp",
            Some(&admin),
            None,
        )
    };
    assert_eq!(delete().await.0, StatusCode::NO_CONTENT);
    assert_eq!(delete().await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        s.get("/api/v01/admin/sso/corp", &admin).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(s.events(&admin, "sso_provider_deleted").await.len(), 1);
}

async fn invalid_sso_settings_name_the_field(db: Db) {
    let s = TestServer::start(db).await;
    let admin = s.admin_token().await;
    let with = |f: &dyn Fn(&mut Value)| {
        let mut b = corp();
        f(&mut b);
        b
    };
    let cases: Vec<(&str, Value, &str)> = vec![
        ("Corp", corp(), "id"),
        ("corp", with(&|b| b["name"] = json!("")), "name"),
        (
            "corp",
            with(&|b| b["oidc"]["issuer"] = json!("http://idp.example.com")),
            "oidc.issuer",
        ),
        (
            "corp",
            with(&|b| b["oidc"]["scopes"] = json!(["email"])),
            "oidc.scopes",
        ),
        (
            "corp",
            with(&|b| b["extra_rule"] = json!("hd ==")),
            "extra_rule",
        ),
        (
            "corp",
            with(&|b| b["user_creation_rules"][0]["when"] = json!("(")),
            "user_creation_rules[0].when",
        ),
        (
            "corp",
            with(&|b| {
                b["protocol"] = json!("saml");
                b["saml"] = json!({"idp_metadata_xml": "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><EntityDescriptor>&e;</EntityDescriptor>"});
            }),
            "saml.idp_metadata_xml",
        ),
        ("corp", with(&|b| b["protocol"] = json!("saml")), "saml"),
    ];
    for (id, body, field) in cases {
        let (st, err) = s
            .call(
                Method::PUT,
                &format!("/api/v01/admin/sso/{id}"),
                Some(&admin),
                Some(body),
            )
            .await;
        assert_eq!(
            (st, err["field"].as_str()),
            (StatusCode::BAD_REQUEST, Some(field)),
            "{err}"
        );
    }
    // Wrong shapes are refused by the JSON reading itself.
    for body in [
        with(&|b| b["protocol"] = json!("ldap")),
        with(&|b| b["is_admin"] = json!(true)),
    ] {
        let (st, err) = s
            .call(
                Method::PUT,
                "/api/v01/admin/sso/corp",
                Some(&admin),
                Some(body),
            )
            .await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{err}");
    }
    // Nothing was saved.
    let (_, list) = s.get("/api/v01/admin/sso", &admin).await;
    assert_eq!(list, json!([]));
}

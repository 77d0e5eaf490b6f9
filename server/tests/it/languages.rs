//! The UI's language as the server renders it: the language last used in the browser (the
//! `apio_lang` cookie), else `Accept-Language`; signing in sets the cookie from the profile.
//! And the `modules` setting on pages: a disabled module's page is the 404 page, and its menu
//! entry is gone.

use crate::both;
use crate::harness::{ADMIN_PASSWORD, Db, TestServer};
use reqwest::StatusCode;
use serde_json::json;

both!(
    pages_speak_the_browser_or_the_profile_language,
    disabled_module_pages_are_gone
);

const PW: &str = "a long enough password";

/// The `name=value` pairs of `Set-Cookie` values, as a `Cookie` header.
fn jar(set_cookies: &[String]) -> String {
    set_cookies
        .iter()
        .filter_map(|c| c.split(';').next())
        .collect::<Vec<_>>()
        .join("; ")
}

fn lang_of(html: &str) -> &str {
    html.split("<html")
        .nth(1)
        .and_then(|tag| tag.split(" lang=\"").nth(1))
        .and_then(|rest| rest.split('"').next())
        .unwrap_or("")
}

async fn pages_speak_the_browser_or_the_profile_language(db: Db) {
    let s = TestServer::start(db).await;
    let (st, html) = s.page("/login", "", "").await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(lang_of(&html), "en");
    assert!(html.contains("Sign in") && !html.contains("Se connecter"));

    let (_, html) = s.page("/login", "", "fr-CH, fr;q=0.9, en;q=0.5").await;
    assert_eq!(lang_of(&html), "fr");
    assert!(html.contains("Se connecter") && html.contains("Mot de passe"));
    // The language last used in this browser wins over its list.
    let (_, html) = s.page("/login", "apio_lang=en", "fr").await;
    assert_eq!(lang_of(&html), "en");

    // A French user signs in from an English browser: the sign-in sets the cookie, and the
    // next page is French from the server on.
    let admin = s.admin_token().await;
    s.create_user(&admin, "lea", PW, json!({"language": "fr-CA"}))
        .await;
    let set = s.ui_sign_in("lea", PW).await;
    assert!(
        set.iter()
            .any(|c| c.starts_with("apio_lang=fr; Path=/; Max-Age=")),
        "{set:?}"
    );
    let (st, html) = s.page("/profile", &jar(&set), "en-US").await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(lang_of(&html), "fr");
    assert!(html.contains("Modifier le profil"), "{html}");
    assert!(html.contains("Se déconnecter"));

    // The admin's profile says English: the same browser turns back to English.
    let set = s.ui_sign_in("admin", ADMIN_PASSWORD).await;
    assert!(
        set.iter().any(|c| c.starts_with("apio_lang=en;")),
        "{set:?}"
    );
    let (_, html) = s.page("/profile", &jar(&set), "fr").await;
    assert_eq!(lang_of(&html), "en");
    assert!(html.contains("Edit profile") && html.contains("Sign out"));

    // A language the UI lacks leaves the browser's choice alone.
    s.create_user(&admin, "ida", PW, json!({"language": "de"}))
        .await;
    let set = s.ui_sign_in("ida", PW).await;
    assert!(!set.iter().any(|c| c.starts_with("apio_lang=")), "{set:?}");
}

async fn disabled_module_pages_are_gone(db: Db) {
    let s = TestServer::start(db).await;
    let admin = s.admin_token().await;
    s.create_user(&admin, "bob", PW, json!({})).await;
    let cookie = jar(&s.ui_sign_in("bob", PW).await);
    let (st, html) = s.page("/sessions", &cookie, "").await;
    assert_eq!(st, StatusCode::OK);
    assert!(html.contains("href=\"/sessions\""), "menu entry while on");

    s.put_settings(&admin, json!({"modules": ["admin_settings", "profile"]}))
        .await;
    let (st, html) = s.page("/sessions", &cookie, "").await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert!(html.contains("Page not found"));
    let (st, html) = s.page("/profile", &cookie, "").await;
    assert_eq!(st, StatusCode::OK);
    assert!(!html.contains("href=\"/sessions\""), "menu entry while off");
    assert!(html.contains("href=\"/profile\""));
}

//! Boots the real server on an ephemeral port with a fresh database (an SQLite file, or a new
//! PostgreSQL database on 127.0.0.1:5432) and an injected clock, and talks HTTP to it.

use crate::counterparts::MailSink;
use engine::{Config, Engine, ManualClock, OsEntropy};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::oneshot;

pub const ADMIN_PASSWORD: &str = "correct horse battery staple";
pub const PG_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

#[derive(Clone, Copy, Debug)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// Runs a test function once on SQLite and once on PostgreSQL (`<name>::sqlite`,
/// `<name>::postgres`); the test command skips the second only where PostgreSQL is absent,
/// and says so.
#[macro_export]
macro_rules! both {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::harness::Db::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name($crate::harness::Db::Postgres).await
            }
        }
    )*};
}

/// A fresh database URL, plus the folder for key files.
pub async fn fresh_database(db: Db) -> (String, PathBuf) {
    let dir = std::env::temp_dir().join(format!(
        "apio-it-{}",
        engine::secrets::random_id(&OsEntropy)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let url = match db {
        Db::Sqlite => format!("sqlite://{}/apio.db", dir.display()),
        Db::Postgres => {
            use sqlx::Connection;
            let name = format!(
                "apio_test_{}",
                &engine::secrets::random_id(&OsEntropy)[..16]
            );
            let mut conn = sqlx::PgConnection::connect(PG_ADMIN_URL)
                .await
                .unwrap_or_else(|e| {
                    panic!("PostgreSQL at 127.0.0.1:5432 is required for this test: {e}")
                });
            sqlx::Executor::execute(&mut conn, format!("CREATE DATABASE {name}").as_str())
                .await
                .unwrap();
            format!("postgres://postgres@127.0.0.1:5432/{name}")
        }
    };
    (url, dir)
}

pub struct Options {
    pub admin_password: Option<&'static str>,
    pub env: Vec<(String, String)>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            admin_password: Some(ADMIN_PASSWORD),
            env: Vec::new(),
        }
    }
}

pub struct TestServer {
    pub url: String,
    pub engine: Engine,
    pub clock: Arc<ManualClock>,
    pub bootstrap_link: Option<String>,
    pub db_url: String,
    pub dir: PathBuf,
    http: reqwest::Client,
    _shutdown: oneshot::Sender<()>,
}

/// Not a measure of speed: a response that never comes fails its test instead of holding the
/// whole suite (and CI) forever.
const HANG_GUARD: std::time::Duration = std::time::Duration::from_secs(120);

impl TestServer {
    pub async fn start(db: Db) -> TestServer {
        let (url, dir) = fresh_database(db).await;
        TestServer::start_on(&url, &dir, Options::default()).await
    }

    pub async fn start_with(db: Db, options: Options) -> TestServer {
        let (url, dir) = fresh_database(db).await;
        TestServer::start_on(&url, &dir, options).await
    }

    /// Another instance on the same database and keys (multi-instance tests).
    /// A server whose mail goes to a fresh SMTP server of the test.
    pub async fn start_with_mail(db: Db) -> (TestServer, MailSink) {
        let mail = MailSink::start();
        let options = Options {
            env: mail.env(),
            ..Options::default()
        };
        (TestServer::start_with(db, options).await, mail)
    }

    pub async fn start_on(db_url: &str, dir: &std::path::Path, options: Options) -> TestServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let public = format!("http://127.0.0.1:{port}");
        let mut env: Vec<(String, String)> = vec![
            ("APIO_DATABASE_URL".into(), db_url.into()),
            ("APIO_SERVER_PUBLIC_URL".into(), public.clone()),
            (
                "APIO_TOKENS_SIGNING_KEY_FILE".into(),
                dir.join("signing.key").display().to_string(),
            ),
            (
                "APIO_SECRETS_KEY_FILE".into(),
                dir.join("secret.key").display().to_string(),
            ),
            // Cheap hashes keep the suite fast; the cost parameters are not what is tested.
            ("APIO_PASSWORD_M_KIB".into(), "1024".into()),
            ("APIO_PASSWORD_T".into(), "1".into()),
            ("APIO_DATABASE_MAX_CONNECTIONS".into(), "5".into()),
        ];
        if let Some(pw) = options.admin_password {
            env.push(("APIO_BOOTSTRAP_ADMIN_PASSWORD".into(), pw.into()));
        }
        env.extend(options.env);
        let config = Config::from_parts("", env).unwrap();
        let clock = Arc::new(ManualClock::new(chrono::Utc::now()));
        let engine = Engine::start(config, clock.clone(), Arc::new(OsEntropy))
            .await
            .unwrap();
        let bootstrap_link = engine.bootstrap().await.unwrap();
        let router = server::router(engine.clone(), server::leptos_options().unwrap());
        let (tx, rx) = oneshot::channel::<()>();
        tokio::spawn(server::serve(listener, router, async {
            let _ = rx.await;
        }));
        TestServer {
            url: public,
            engine,
            clock,
            bootstrap_link,
            db_url: db_url.into(),
            dir: dir.into(),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(HANG_GUARD)
                .build()
                .unwrap(),
            _shutdown: tx,
        }
    }

    pub fn advance(&self, secs: i64) {
        self.clock.advance(chrono::Duration::seconds(secs));
    }

    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.http.request(method, format!("{}{path}", self.url))
    }

    /// Sends JSON (or nothing) with an optional Bearer token; returns status and JSON body
    /// (Null when the body is empty).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self.request(method, path);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let text = res.text().await.unwrap();
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, value)
    }

    pub async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, Some(token), None).await
    }

    /// Logs in and returns the token response, asserting success.
    pub async fn login(&self, username: &str, password: &str) -> Value {
        let (s, body) = self
            .call(
                Method::POST,
                "/api/v01/auth/login",
                None,
                Some(json!({"username": username, "password": password})),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "login of {username} failed: {body}");
        body
    }

    pub async fn admin_token(&self) -> String {
        self.access_token("admin", ADMIN_PASSWORD).await
    }

    /// The access token of a fresh login without a second factor.
    pub async fn access_token(&self, username: &str, password: &str) -> String {
        str_of(&self.login(username, password).await, "access_token").to_string()
    }

    /// Signs in through the UI's server function (as the login page does) and returns the
    /// `Set-Cookie` values of the answer, asserting success.
    pub async fn ui_sign_in(&self, username: &str, password: &str) -> Vec<String> {
        let res = self
            .request(Method::POST, "/_sfn/login")
            .header("origin", &self.url)
            .json(&json!({"username": username, "password": password}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "UI sign-in of {username}");
        res.headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect()
    }

    /// A page of the UI as a browser sending `cookie` and `accept_language` gets it.
    pub async fn page(
        &self,
        path: &str,
        cookie: &str,
        accept_language: &str,
    ) -> (StatusCode, String) {
        let res = self
            .request(Method::GET, path)
            .header("cookie", cookie)
            .header("accept-language", accept_language)
            .send()
            .await
            .unwrap();
        (res.status(), res.text().await.unwrap())
    }

    /// The server's (manual) clock.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        engine::Clock::now(self.clock.as_ref())
    }

    /// Creates a user through the admin API and returns its username.
    pub async fn create_user(
        &self,
        admin: &str,
        username: &str,
        password: &str,
        extra: Value,
    ) -> Value {
        let mut body = json!({"username": username, "password": password});
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            b.extend(e.clone());
        }
        let (s, user) = self
            .call(
                Method::POST,
                "/api/v01/admin/users",
                Some(admin),
                Some(body),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{user}");
        user
    }

    pub async fn put_settings(&self, admin: &str, update: Value) {
        let (s, body) = self
            .call(
                Method::PUT,
                "/api/v01/admin/config",
                Some(admin),
                Some(update),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");
    }

    /// Audit events of a type, newest first.
    pub async fn events(&self, admin: &str, kind: &str) -> Vec<Value> {
        let (s, body) = self
            .get(&format!("/api/v01/admin/events?type={kind}"), admin)
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        body.as_array().unwrap().clone()
    }
}

impl TestServer {
    /// Waits for an audit event of `kind` matching `pred` (background work records one when
    /// it ends), and returns it.
    pub async fn wait_event(
        &self,
        admin: &str,
        kind: &str,
        pred: impl Fn(&Value) -> bool,
    ) -> Value {
        let deadline = tokio::time::Instant::now() + crate::counterparts::PATIENCE;
        loop {
            if let Some(e) = self.events(admin, kind).await.into_iter().find(|e| pred(e)) {
                return e;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "no {kind} event as expected: {:?}",
                self.events(admin, kind).await
            );
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
    }
}

/// A user agent with its own cookie jar that follows no redirect by itself (a browser's
/// part in the SSO flows, driven step by step).
pub fn cookie_agent() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(HANG_GUARD)
        .build()
        .unwrap()
}

impl TestServer {
    /// The reason of the newest refused login by `method` (`sso`, `password`, …).
    pub async fn last_refusal(&self, admin: &str, method: &str) -> Value {
        let events = self.events(admin, "login").await;
        let e = events
            .iter()
            .find(|e| e["outcome"] == "failure" && e["detail"]["method"] == method)
            .unwrap_or_else(|| panic!("no refused {method} login in {events:?}"));
        e["detail"]["reason"].clone()
    }
}

impl TestServer {
    /// Runs a statement on the server's database: a state the API cannot set up.
    pub async fn sql(&self, statement: &str) {
        let pool = self.pool().await;
        sqlx::query(statement).execute(&pool).await.unwrap();
        pool.close().await;
    }

    /// The text in the first column of the one row `query` reads (None for SQL NULL).
    pub async fn sql_text(&self, query: &str) -> Option<String> {
        let pool = self.pool().await;
        let value = sqlx::query_scalar(query).fetch_one(&pool).await.unwrap();
        pool.close().await;
        value
    }

    async fn pool(&self) -> sqlx::AnyPool {
        sqlx::any::install_default_drivers();
        sqlx::AnyPool::connect(&self.db_url).await.unwrap()
    }
}

/// The nonce of a response's Content-Security-Policy.
pub fn csp_nonce(res: &reqwest::Response) -> String {
    let csp = res.headers()["content-security-policy"].to_str().unwrap();
    csp.split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .unwrap_or_else(|| panic!("no nonce in {csp}"))
        .to_string()
}

pub fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("no string {key} in {v}"))
}

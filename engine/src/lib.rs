//! The APIO auth engine: every authentication decision lives here. The REST handlers and the
//! Leptos server functions are thin doors onto it.

pub mod audit;
pub mod clock;
pub mod config;
pub mod error;
pub mod mail;
pub mod passwords;
pub mod secrets;
pub mod settings;
pub mod store;
pub mod tokens;

mod bootstrap;
mod callbacks;
mod login;
mod m2m;
mod passkeys;
mod principal;
mod protection;
mod reset;
mod session_list;
mod sessions;
pub mod sso;
mod trusted;
mod two_factor;
mod users;
mod workflows;

pub use callbacks::{CALLBACK_EVENTS, Callback, CallbackInput, CallbackTest, EVENT_HEADER};
pub use clock::{Clock, Entropy, ManualClock, OsEntropy, SystemClock};
pub use config::Config;
pub use error::{Error, Result};
pub use login::{LoginInput, LoginOutcome, SignedIn};
pub use m2m::{M2M_PREFIX, M2mToken};
pub use passkeys::{Ceremony, PasskeyInfo};
pub use principal::{Principal, RequestMeta};
pub use protection::LoginAttempt;
pub use reset::ResetRequest;
pub use session_list::SessionInfo;
pub use sessions::Tokens;
pub use trusted::{Trusted, TrustedDevice, TrustedLocation};
pub use two_factor::{SecondFactor, SecondFactorInput, TotpEnrolment, TwoFactorStatus};
pub use users::{NewUserInput, ProfileChanges, User, UserChanges, UserPage};

use chrono::{DateTime, Utc};
use settings::Settings;
use std::collections::HashSet;
use std::sync::{
    Arc, RwLock, Weak,
    atomic::{AtomicI64, Ordering},
};
use std::time::Duration;
use store::Store;

/// How often an instance re-reads the settings version and the revoked sessions: the bound on
/// how long another instance's change takes to be seen here.
pub const SYNC_INTERVAL: Duration = Duration::from_secs(2);

/// Background jobs (resets) at once; more are dropped rather than queued without bound.
const BACKGROUND_JOBS: usize = 64;

/// Cheap to clone: every clone is the same engine.
#[derive(Clone)]
pub struct Engine(Arc<Inner>);

/// Held by background workers, so they do not keep a stopped engine alive.
pub(crate) struct WeakEngine(Weak<Inner>);

impl WeakEngine {
    pub(crate) fn upgrade(&self) -> Option<Engine> {
        self.0.upgrade().map(Engine)
    }
}

struct Inner {
    config: Config,
    store: Store,
    clock: Arc<dyn Clock>,
    entropy: Arc<dyn Entropy>,
    signer: tokens::Signer,
    secrets: secrets::SecretBox,
    hasher: passwords::Hasher,
    settings: RwLock<Arc<Settings>>,
    settings_version: AtomicI64,
    /// The WebAuthn relying party of the current settings; `None` while passkeys are off.
    relying_party: RwLock<Option<Arc<webauthn_rs::Webauthn>>>,
    revoked: RwLock<HashSet<String>>,
    outbox: mail::Outbox,
    http: reqwest::Client,
    /// The OpenID providers' discovery documents and keys.
    discovery: sso::DiscoveryCache,
    /// SAML IdP metadata read from URLs.
    saml_metadata: sso::MetadataCache,
    /// The enabled SSO providers (the login page's buttons) and the version they were read at.
    sso_buttons: RwLock<sso::SignInProviders>,
    /// Bounds the background work requests start (password resets).
    background: Arc<tokio::sync::Semaphore>,
}

impl Engine {
    /// Connects the store (applying migrations), loads or creates the keys, and reads the
    /// settings. Does not create the first admin: see [`Engine::bootstrap`].
    pub async fn start(
        config: Config,
        clock: Arc<dyn Clock>,
        entropy: Arc<dyn Entropy>,
    ) -> Result<Engine> {
        let store = Store::connect(&config.database.url, config.database.max_connections).await?;
        let issuer = config.public_origin();
        let signer = tokens::Signer::load_or_create(
            &config.tokens.signing_key_file,
            issuer,
            entropy.as_ref(),
        )?;
        let secrets =
            secrets::SecretBox::load_or_create(&config.secrets.key_file, entropy.as_ref())?;
        let mut salt = [0u8; 16];
        entropy.fill(&mut salt);
        let password_cfg = config.password.clone();
        let hasher =
            tokio::task::spawn_blocking(move || passwords::Hasher::new(&password_cfg, salt))
                .await
                .map_err(|e| Error::internal("hasher", e))??;
        let transport = mail::Transport::from_config(
            &config.smtp,
            config.server.public_url.host_str().unwrap_or("localhost"),
        )?;
        let http = reqwest::Client::builder()
            .timeout(config.workflows.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::internal("http client", e))?;
        let engine = Engine(Arc::new_cyclic(|weak| Inner {
            outbox: mail::Outbox::spawn(transport, WeakEngine(weak.clone())),
            http,
            discovery: sso::DiscoveryCache::default(),
            saml_metadata: sso::MetadataCache::default(),
            sso_buttons: RwLock::new(sso::SignInProviders::default()),
            background: Arc::new(tokio::sync::Semaphore::new(BACKGROUND_JOBS)),
            config,
            store,
            clock,
            entropy,
            signer,
            secrets,
            hasher,
            settings: RwLock::new(Arc::new(Settings::default())),
            settings_version: AtomicI64::new(-1),
            relying_party: RwLock::new(None),
            revoked: RwLock::new(HashSet::new()),
        }));
        engine.sync().await?;
        Ok(engine)
    }

    /// Re-reads what other instances may have changed: the settings (when their version
    /// moved), the SSO providers (likewise) and the recently revoked sessions.
    pub async fn sync(&self) -> Result<()> {
        let version = self.0.store.settings_version().await?;
        if version != self.0.settings_version.load(Ordering::SeqCst) {
            let settings = match self.0.store.settings().await? {
                Some((body, _)) => serde_json::from_str(&body)
                    .map_err(|e| Error::internal("stored settings", e))?,
                None => Settings::default(),
            };
            self.set_settings(Arc::new(settings), version);
        }
        self.reload_sso_providers(false).await?;
        let revoked: HashSet<String> = self
            .0
            .store
            .live_revocations(self.now_ms())
            .await?
            .into_iter()
            .collect();
        *self.0.revoked.write().unwrap_or_else(|p| p.into_inner()) = revoked;
        Ok(())
    }

    /// Keeps this instance in step with the others until the runtime stops, and gives idle
    /// password-hashing memory back.
    pub fn spawn_sync(&self) -> tokio::task::JoinHandle<()> {
        let engine = self.clone();
        tokio::spawn(async move {
            let mut ticks: u64 = 0;
            loop {
                tokio::time::sleep(SYNC_INTERVAL).await;
                engine.0.hasher.release_idle();
                if let Err(e) = engine.sync().await {
                    tracing::warn!(error = %e, "settings/revocation sync failed");
                }
                ticks += 1;
                if ticks.is_multiple_of(300)
                    && let Err(e) = engine.0.store.purge_expired(engine.now_ms()).await
                {
                    tracing::warn!(error = %e, "purge failed");
                }
            }
        })
    }

    pub fn config(&self) -> &Config {
        &self.0.config
    }

    pub fn settings(&self) -> Arc<Settings> {
        self.0
            .settings
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn set_settings(&self, settings: Arc<Settings>, version: i64) {
        self.rebuild_relying_party(&settings);
        *self.0.settings.write().unwrap_or_else(|p| p.into_inner()) = settings;
        self.0.settings_version.store(version, Ordering::SeqCst);
    }

    /// A disabled module's endpoints and server functions answer 404, as if they did not exist.
    pub(crate) fn require_module(&self, module: &str) -> Result<()> {
        if self.settings().module_enabled(module) {
            Ok(())
        } else {
            Err(Error::NotFound)
        }
    }

    /// The product name in mails: the `label` setting, or APIO.
    pub fn label(&self) -> String {
        let label = self.settings().label.clone();
        if label.trim().is_empty() {
            "APIO".into()
        } else {
            label
        }
    }

    pub fn store(&self) -> &Store {
        &self.0.store
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.0.clock.now()
    }

    fn now_ms(&self) -> i64 {
        clock::unix_ms(self.now())
    }

    fn entropy(&self) -> &dyn Entropy {
        self.0.entropy.as_ref()
    }

    fn salt(&self) -> [u8; 16] {
        let mut salt = [0u8; 16];
        self.entropy().fill(&mut salt);
        salt
    }

    /// Public keys of the access tokens (JWKS).
    pub fn jwks(&self) -> serde_json::Value {
        self.0.signer.jwks()
    }

    pub async fn ready(&self) -> bool {
        self.0.store.ready().await
    }

    /// Saves a settings update from an admin; invalid values name the field and save nothing.
    pub async fn update_settings(
        &self,
        p: &Principal,
        update: &serde_json::Value,
        meta: &RequestMeta,
    ) -> Result<Arc<Settings>> {
        p.require_admin()?;
        let current = self.settings();
        let next = current.apply_update(update, &self.0.config.server.public_url, |s| {
            self.0.secrets.seal(self.entropy(), s)
        })?;
        let body = serde_json::to_string(&next).map_err(|e| Error::internal("settings", e))?;
        let version = self.0.store.save_settings(&body, self.now_ms()).await?;
        let changed: Vec<&String> = update
            .as_object()
            .map(|o| o.keys().collect())
            .unwrap_or_default();
        self.audit(
            audit::Event::new("settings_changed", "success")
                .actor(p)
                .ip(meta)
                .detail(serde_json::json!({ "fields": changed })),
        )
        .await;
        let next = Arc::new(next);
        self.set_settings(next.clone(), version);
        Ok(next)
    }

    /// Benchmark support: one raw argon2 hash with the configured parameters, on this thread.
    pub fn hash_once_blocking(&self, password: &str) -> Result<String> {
        self.0.hasher.hash_once_blocking(password, self.salt())
    }
}

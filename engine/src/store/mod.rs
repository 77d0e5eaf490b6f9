//! The one store: sqlx over SQLite (embedded default, WAL) or PostgreSQL, through the `Any`
//! driver so one set of queries serves both (see migrations/README.md for the conventions).
//! Every transaction here starts with a write, so SQLite never has to upgrade a read lock.

mod audit;
mod mail_templates;
mod one_time;
mod passkeys;
mod protection;
mod sessions;
mod settings;
mod sso;
mod trusted;
mod two_factor;
mod users;

pub use audit::{AuditFilter, AuditRow};
pub use mail_templates::TemplateRow;
pub use passkeys::{CeremonyRow, PasskeyRow};
pub use protection::FailureCount;
pub use sessions::{NewSession, RefreshLookup, Rotation, SessionRow};
pub use sso::{FlowRow, ProviderRow};
pub use trusted::{DeviceRow, LocationRow, NewDevice};
pub use two_factor::ChallengeRow;
pub use users::{NewUser, SsoLink, UserRow, UserUpdate};

use crate::error::{Error, Result};
use sqlx::{AnyPool, Executor, any::AnyPoolOptions};
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    engine: Engine,
}

impl Store {
    /// Connects (creating an SQLite file and its folder when missing) and applies migrations.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let engine = if url.starts_with("sqlite:") {
            Engine::Sqlite
        } else {
            Engine::Postgres
        };
        let url = match engine {
            Engine::Sqlite => sqlite_url(url)?,
            Engine::Postgres => url.to_string(),
        };
        let max = match (max_connections, engine) {
            (0, Engine::Sqlite) => 8,
            (0, Engine::Postgres) => 16,
            (n, _) => n,
        };
        let mut options = AnyPoolOptions::new()
            .max_connections(max)
            .acquire_timeout(Duration::from_secs(10));
        if engine == Engine::Sqlite {
            options = options.after_connect(|conn, _| {
                Box::pin(async move {
                    conn.execute(
                        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                         PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;",
                    )
                    .await?;
                    Ok(())
                })
            });
        }
        let pool = options.connect(&url).await?;
        let store = Store { pool, engine };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<()> {
        match self.engine {
            Engine::Sqlite => {
                sqlx::migrate!("../migrations/sqlite")
                    .run(&self.pool)
                    .await?
            }
            Engine::Postgres => {
                sqlx::migrate!("../migrations/postgres")
                    .run(&self.pool)
                    .await?
            }
        }
        Ok(())
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// Database reachable and every migration applied.
    pub async fn ready(&self) -> bool {
        let applied: Result<i64, _> =
            sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success = TRUE")
                .fetch_one(&self.pool)
                .await;
        let expected = match self.engine {
            Engine::Sqlite => sqlx::migrate!("../migrations/sqlite").iter().count(),
            Engine::Postgres => sqlx::migrate!("../migrations/postgres").iter().count(),
        };
        matches!(applied, Ok(n) if n as usize >= expected)
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// `sqlite://path` with the folder created and the file opened read-write-create.
fn sqlite_url(url: &str) -> Result<String> {
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    if path != ":memory:"
        && let Some(dir) = std::path::Path::new(path).parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir).map_err(|e| Error::internal("database folder", e))?;
    }
    let query = if query.contains("mode=") {
        query.to_string()
    } else {
        join_query(query, "mode=rwc")
    };
    Ok(format!("sqlite://{path}?{query}"))
}

fn join_query(query: &str, extra: &str) -> String {
    if query.is_empty() {
        extra.to_string()
    } else {
        format!("{query}&{extra}")
    }
}

/// Flags are BIGINT 0/1 in both engines.
pub(crate) fn flag(v: bool) -> i64 {
    i64::from(v)
}

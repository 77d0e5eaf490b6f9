//! `apio-auth [--config FILE]`: starts the server. Settings: CONFIG.md (file + APIO_* env).

use engine::{Config, Engine, OsEntropy, SystemClock};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::prelude::*;

#[tokio::main]
async fn main() -> ExitCode {
    // `RUST_LOG` as `level` and `target=level` pairs. Targets rather than EnvFilter: the latter
    // compiles regular expressions at start (about 1 MB resident for good) for span and field
    // filters this service does not need.
    let filter = std::env::var("RUST_LOG")
        .ok()
        .and_then(|v| v.parse::<Targets>().ok())
        .unwrap_or_else(|| {
            Targets::new()
                .with_default(LevelFilter::INFO)
                .with_target("sqlx", LevelFilter::WARN)
        });
    tracing_subscriber::registry()
        .with(tracing_subscriber::fmt::layer())
        .with(filter)
        .init();
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("apio-auth: {e}");
            ExitCode::FAILURE
        }
    }
}

fn config_path() -> Result<Option<PathBuf>, String> {
    let mut args = std::env::args().skip(1);
    match (args.next().as_deref(), args.next()) {
        (Some("--config"), Some(path)) => Ok(Some(path.into())),
        (Some("--help" | "-h"), _) => {
            Err("usage: apio-auth [--config FILE] (or APIO_CONFIG=FILE)".into())
        }
        (Some(other), _) => Err(format!(
            "unknown argument {other:?}; usage: apio-auth [--config FILE]"
        )),
        (None, _) => Ok(std::env::var_os("APIO_CONFIG").map(PathBuf::from)),
    }
}

async fn run() -> Result<(), String> {
    let config =
        Config::load(config_path()?.as_deref(), std::env::vars()).map_err(|e| e.to_string())?;
    let listen = config.server.listen.clone();
    let leptos = server::leptos_options()?;
    let engine = Engine::start(config, Arc::new(SystemClock), Arc::new(OsEntropy))
        .await
        .map_err(|e| e.to_string())?;
    if let Some(link) = engine.bootstrap().await.map_err(|e| e.to_string())? {
        // Printed once, to the operator's terminal only: the one way to the first admin.
        println!(
            "\n  First start: set the password of the admin user '{}' within 24 hours at\n\n    {link}\n",
            engine.config().bootstrap.admin
        );
    }
    let sync = engine.spawn_sync();
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .map_err(|e| format!("binding {listen}: {e}"))?;
    tracing::info!(
        "listening on http://{listen} (public URL {})",
        engine.config().server.public_url
    );
    let router = server::router(engine.clone(), leptos);
    let result = server::serve(listener, router, shutdown_signal()).await;
    sync.abort();
    engine.store().close().await;
    result.map_err(|e| e.to_string())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

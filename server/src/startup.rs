//! Starting the server, once, for the binary and the tests alike: connect (and migrate when
//! asked), build the Leptos options the production way, the router with health and metrics,
//! bind both listeners, start the change listener and the background jobs. What comes back knows
//! its bound addresses and serves until told to stop, then stops the jobs.

use crate::backups;
use crate::config::BackupSettings;
use crate::health::Health;
use crate::jobs::Jobs;
use crate::{http, metrics, router, Config};
use axum::Router;
use leptos::config::{get_configuration, LeptosOptions};
use std::future::Future;
use std::net::SocketAddr;
use store::{Db, DbSettings};
use tokio::net::TcpListener;

/// Why the server could not start, or stopped serving; each keeps its cause.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("could not prepare the SQLite directory: {0}")]
    SqliteDir(#[source] std::io::Error),
    #[error("could not connect to the database: {0}")]
    Connect(#[source] sea_orm::DbErr),
    #[error("could not migrate the database: {0}")]
    Migrate(#[source] sea_orm::DbErr),
    #[error(
        "could not back the database up before migrating, so it was not migrated: {0} \
         (set BACKUP_DIR to a writable directory, or BACKUP_BEFORE_MIGRATE=false)"
    )]
    BackupBeforeMigrating(#[source] crate::backups::BackupsError),
    #[error("could not read the Leptos configuration: {0}")]
    Leptos(#[source] leptos::config::errors::LeptosConfigError),
    #[error("the app's files do not match this build: {0}")]
    AppFiles(#[source] crate::http::AssetsError),
    #[error("could not listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("serving stopped: {0}")]
    Serve(#[source] std::io::Error),
}

/// Applies pending migrations, after a backup of a database that holds data (see
/// [`backups::before_migrating`]); `serve` and `migrate up` both come here.
pub async fn migrate(db: &Db, settings: &BackupSettings) -> Result<(), StartupError> {
    backups::before_migrating(db, settings)
        .await
        .map_err(StartupError::BackupBeforeMigrating)?;
    db.migrate_up().await.map_err(StartupError::Migrate)
}

/// Opens the database (creating SQLite's directory first); every command starts here.
pub async fn connect(settings: &DbSettings) -> Result<Db, StartupError> {
    store::db::prepare_sqlite_dir(&settings.url).map_err(StartupError::SqliteDir)?;
    Db::connect(settings).await.map_err(StartupError::Connect)
}

/// The Leptos options as production reads them (`LEPTOS_*` variables, set by cargo-leptos or the
/// container), listening where the configuration says.
pub fn leptos_options(config: &Config) -> Result<LeptosOptions, StartupError> {
    let mut options = get_configuration(None)
        .map_err(StartupError::Leptos)?
        .leptos_options;
    options.site_addr = config.http.site_addr;
    // Built without cargo-leptos (plain `cargo build`, the tests) the name is empty, which would
    // point every page at `/pkg/.js`: use the name the workspace gives the bundle.
    if options.output_name.is_empty() {
        options.output_name = "taskdeck".into();
    }
    http::resolve_hashing(&mut options).map_err(StartupError::AppFiles)?;
    Ok(options)
}

/// A server that is bound and ready, not yet serving.
pub struct Application {
    address: SocketAddr,
    metrics_address: SocketAddr,
    db: Db,
    health: Health,
    listener: TcpListener,
    router: Router,
    metrics_listener: TcpListener,
    metrics_router: Router,
    serve_settings: http::ServeSettings,
    jobs: Jobs,
}

impl Application {
    /// Everything `serve` needs, in order. `migrate`: apply pending migrations first.
    pub async fn build(config: &Config, migrate: bool) -> Result<Self, StartupError> {
        // Installed first, so that nothing recorded at start-up (migrations) is lost.
        let metrics_handle = metrics::recorder();
        // Before the database: a build whose files do not match stops without migrating.
        let leptos_options = leptos_options(config)?;
        let db = connect(&config.database.pool).await?;
        if migrate {
            self::migrate(&db, &config.backups).await?;
        }
        if config.sessions.secret_is_development {
            tracing::warn!("SESSION_SECRET is not set: using the development secret, fine over http on your own machine only");
        }
        let health = Health::new(db.clone());
        let router = router::router(config, db.clone(), leptos_options, &health);
        let (listener, address) = bind(config.http.site_addr).await?;
        let (metrics_listener, metrics_address) = bind(config.metrics.addr).await?;
        let metrics_router = metrics::router(metrics_handle, db.clone());
        // Listening for other instances' changes starts now rather than with the first open
        // board, so that board's first event is not a resync.
        drop(db.subscribe().await);
        let jobs = Jobs::start(&db, &config.sessions, &config.backups);
        let serve_settings =
            http::ServeSettings::new(&config.http, config.limits.trusted_proxy_header.is_some());
        Ok(Self {
            address,
            metrics_address,
            db,
            health,
            listener,
            router,
            metrics_listener,
            metrics_router,
            serve_settings,
            jobs,
        })
    }

    /// Where the public listener is bound (its real port when the configuration said 0).
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Where `/metrics` is served.
    pub fn metrics_address(&self) -> SocketAddr {
        self.metrics_address
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Serves both listeners until `stop` completes, finishes the requests in flight, then stops
    /// the background jobs.
    pub async fn run_until(
        self,
        stop: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), StartupError> {
        let served = tokio::select! {
            served = http::serve(self.listener, self.router, self.health, self.serve_settings, stop) => served,
            served = metrics::serve(self.metrics_listener, self.metrics_router) => served,
        };
        self.jobs.stop().await;
        served.map_err(StartupError::Serve)
    }
}

/// Binds `addr` and says where it ended up (its real port when `addr` asked for port 0).
async fn bind(addr: SocketAddr) -> Result<(TcpListener, SocketAddr), StartupError> {
    let bound = async {
        let listener = http::bind(addr).await?;
        let local = listener.local_addr()?;
        Ok((listener, local))
    };
    bound
        .await
        .map_err(|source| StartupError::Bind { addr, source })
}

//! What every handler can reach.

use std::sync::Arc;

use tokio::sync::Semaphore;

use crate::{
    config::Config,
    db::{Databases, Db, SideReads},
    mail::Mailer,
    secrets::Secrets,
    storage::Storage,
    web::rate_limit::RateLimiter,
};

/// Cloned for every extractor of every request: one reference count to
/// bump, not one per field (a page clones it about ten times).
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

#[derive(Clone)]
pub struct Shared {
    /// The main database: every global table, and the workspaces placed in it.
    pub db: Db,
    /// SQLite connections beside the pool for each request's first read.
    pub side_reads: SideReads,
    /// Every database a workspace may live in (`main` and `EASEL_DATABASES`).
    pub databases: Databases,
    pub config: Arc<Config>,
    pub storage: Storage,
    /// Decoding a large image takes hundreds of megabytes; at most this many
    /// run at once, so a burst of uploads queues instead of exhausting memory.
    /// Every decode (artwork, logos) holds a permit: see [`AppState::decode`].
    pub image_work: Arc<Semaphore>,
    pub rate_limiter: Arc<RateLimiter>,
    pub mailer: Mailer,
    /// Seals and opens per-workspace API keys.
    pub secrets: Secrets,
    /// Outbound HTTP to operator-chosen endpoints (OAuth providers, Publer): no
    /// redirects, timeouts. Workspace-chosen URLs go through `outbound` instead.
    pub http: reqwest::Client,
    /// Hands queued posts to Publer in the background.
    pub publer: crate::publer::Sender,
}

impl AppState {
    pub fn new(db: Db, config: Config, mailer: Mailer, secrets: Secrets, storage: Storage) -> Self {
        // Shared by every instance on PostgreSQL; in memory on SQLite.
        let rate_limiter = Arc::new(RateLimiter::for_db(&db, config.auth_limits.window, config.bounds.limiter_keys));
        // Bounded by memory, not by cores: each decode may take hundreds of MB.
        let image_work = Arc::new(Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get()).min(2)));
        let http = crate::oauth::http_client();
        let publer = crate::publer::Sender::default();
        let databases = Databases::single(db.clone());
        Self(Arc::new(Shared {
            side_reads: SideReads::for_db(&db),
            db,
            databases,
            config: Arc::new(config),
            storage,
            image_work,
            rate_limiter,
            mailer,
            secrets,
            http,
            publer,
        }))
    }

    /// The same state over other databases (those `EASEL_DATABASES` names).
    pub fn with_databases(self, databases: Databases) -> Self {
        let mut shared = Arc::unwrap_or_clone(self.0);
        shared.databases = databases;
        Self(Arc::new(shared))
    }
}

impl AppState {
    /// Runs blocking image work (reading a header, decoding, resizing) on a
    /// blocking thread while holding one of the `image_work` permits.
    pub async fn decode<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, crate::error::AppError> {
        let internal = |e: String| crate::error::AppError::Internal(anyhow::anyhow!("image work: {e}"));
        let permit = self.image_work.clone().acquire_owned().await.map_err(|e| internal(e.to_string()))?;
        let done = tokio::task::spawn_blocking(move || {
            let out = work();
            drop(permit);
            out
        });
        done.await.map_err(|e| internal(e.to_string()))
    }
}

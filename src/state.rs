//! What every handler can reach.

use std::sync::Arc;

use crate::{config::Config, db::Db, storage::Storage, web::rate_limit::RateLimiter};

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub storage: Storage,
    pub rate_limiter: Arc<RateLimiter>,
}

impl AppState {
    pub fn new(db: Db, config: Config) -> Self {
        let rate_limiter = Arc::new(RateLimiter::new(config.auth_limits.window));
        let storage = Storage::new(&config.uploads_dir);
        Self { db, config: Arc::new(config), storage, rate_limiter }
    }
}

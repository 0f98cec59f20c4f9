//! What every handler can reach.

use std::sync::Arc;

use crate::{config::Config, db::Db, web::rate_limit::RateLimiter};

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub rate_limiter: Arc<RateLimiter>,
}

impl AppState {
    pub fn new(db: Db, config: Config) -> Self {
        let rate_limiter = Arc::new(RateLimiter::new(config.auth_limits.window));
        Self { db, config: Arc::new(config), rate_limiter }
    }
}

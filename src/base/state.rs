//! The application's state, shared by every handler of every area.

use std::sync::Arc;

use sqlx::PgPool;

use crate::cache::Cache;
use crate::config::ServeConfig;

#[derive(Clone)]
pub struct AppState {
    pub db: PgPool,
    pub config: Arc<ServeConfig>,
    pub cache: Arc<Cache>,
}

impl AppState {
    /// The state of one instance. Inside a tokio runtime, the cache starts
    /// listening for changes at once (until then it is bypassed).
    pub fn new(db: PgPool, config: ServeConfig) -> Self {
        let cache = Cache::new(config.page_cache);
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(cache.clone().listen(db.clone()));
        }
        AppState {
            db,
            config: Arc::new(config),
            cache,
        }
    }
}

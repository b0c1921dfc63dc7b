//! Session records kept in memory in front of the PostgreSQL store, so that
//! a signed-in request does not read its session from the database each
//! time. Records are written through to PostgreSQL at once; a record that
//! is changed or deleted there, by any instance, notifies `vesoc_session`
//! with its id and every instance forgets its copy (see the module above).

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use time::OffsetDateTime;
use tower_sessions::SessionStore;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::Result;
use tower_sessions_sqlx_store::PostgresStore;

use super::{Cache, lock};

/// At most this many sessions in memory; then the store starts afresh.
const MAX_SESSIONS: usize = 10_000;

#[derive(Default)]
pub(super) struct Sessions {
    records: HashMap<Id, Record>,
    /// Moves on with every notification: a record read before one is not
    /// kept, it may be the one that changed.
    generation: u64,
}

impl Sessions {
    /// A session changed or ended; `id` as stored (an unreadable one, or
    /// none, means all).
    pub(super) fn forget(&mut self, id: &str) {
        self.generation += 1;
        match id.parse::<Id>() {
            Ok(id) => {
                self.records.remove(&id);
            }
            Err(_) => self.records.clear(),
        }
    }

    pub(super) fn forget_all(&mut self) {
        self.generation += 1;
        self.records.clear();
    }
}

/// The session store of the application: PostgreSQL, with copies in
/// memory while the cache listens.
#[derive(Clone)]
pub struct CachedStore {
    store: PostgresStore,
    cache: Arc<Cache>,
}

impl CachedStore {
    pub fn new(store: PostgresStore, cache: Arc<Cache>) -> Self {
        CachedStore { store, cache }
    }

    fn generation(&self) -> u64 {
        lock(&self.cache.sessions).generation
    }

    /// Keeps `record` unless a notification arrived since `generation`.
    fn keep(&self, record: &Record, generation: u64) {
        if !self.cache.is_live() {
            return;
        }
        let mut sessions = lock(&self.cache.sessions);
        if sessions.generation != generation {
            return;
        }
        if sessions.records.len() >= MAX_SESSIONS {
            sessions.records.clear();
        }
        sessions.records.insert(record.id, record.clone());
    }
}

impl std::fmt::Debug for CachedStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CachedStore").finish_non_exhaustive()
    }
}

#[async_trait]
impl SessionStore for CachedStore {
    async fn create(&self, record: &mut Record) -> Result<()> {
        let generation = self.generation();
        self.store.create(record).await?;
        self.keep(record, generation);
        Ok(())
    }

    async fn save(&self, record: &Record) -> Result<()> {
        // Forget first: should the write fail, the copy must not outlive
        // the record in the database. A save notifies every instance, this
        // one too, so the copy is kept only if no other save came between.
        lock(&self.cache.sessions).records.remove(&record.id);
        let generation = self.generation();
        self.store.save(record).await?;
        self.keep(record, generation);
        Ok(())
    }

    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        if self.cache.is_live() {
            let sessions = lock(&self.cache.sessions);
            if let Some(record) = sessions.records.get(id)
                && record.expiry_date > OffsetDateTime::now_utc()
            {
                return Ok(Some(record.clone()));
            }
        }
        let generation = self.generation();
        let record = self.store.load(id).await?;
        if let Some(record) = &record {
            self.keep(record, generation);
        }
        Ok(record)
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        lock(&self.cache.sessions).records.remove(id);
        self.store.delete(id).await
    }
}

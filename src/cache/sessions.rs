//! Session records kept in memory in front of the PostgreSQL store, so that
//! a signed-in request does not read its session from the database each
//! time. Records are written through to PostgreSQL at once; a record that
//! is changed or deleted there, by any instance, notifies `vesoc_session`
//! with its id and every instance forgets its copy (see the module above).
//! A copy is trusted for [`MAX_AGE`] at most, and a save only ever updates
//! a session that still exists, so a copy that missed a sign-out cannot
//! bring the session back.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use async_trait::async_trait;
use sqlx::PgPool;
use time::OffsetDateTime;
use tower_sessions::SessionStore;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{Error, Result};
use tower_sessions_sqlx_store::PostgresStore;

use super::{Cache, MAX_AGE, lock};

/// At most this many sessions in memory; then the store starts afresh.
const MAX_SESSIONS: usize = 10_000;

#[derive(Default)]
pub(super) struct Sessions {
    /// Copies, with when they were read or written.
    records: HashMap<Id, (Record, Instant)>,
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
    db: PgPool,
    cache: Arc<Cache>,
}

impl CachedStore {
    pub fn new(db: PgPool, cache: Arc<Cache>) -> Self {
        CachedStore {
            store: PostgresStore::new(db.clone()),
            db,
            cache,
        }
    }

    /// Forgets the copy of a session this instance changes or ends, and
    /// moves the generation on: a read of it under way is not kept.
    fn forget(&self, id: &Id) {
        let mut sessions = lock(&self.cache.sessions);
        sessions.generation += 1;
        sessions.records.remove(id);
    }

    /// Writes `record` with `sql`, which takes the id, the encoded record,
    /// its expiry and who it is signed in as (account, stamp) as $1 to $5;
    /// the rows written.
    async fn write(&self, sql: &'static str, record: &Record) -> Result<u64> {
        let data = rmp_serde::to_vec(record).map_err(|e| Error::Encode(e.to_string()))?;
        let (account, stamp) = crate::auth::signed_in_as(record).unzip();
        let done = sqlx::query(sql)
            .bind(record.id.to_string())
            .bind(data)
            .bind(record.expiry_date)
            .bind(account)
            .bind(stamp)
            .execute(&self.db)
            .await
            .map_err(|e| Error::Backend(e.to_string()))?;
        Ok(done.rows_affected())
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
        sessions
            .records
            .insert(record.id, (record.clone(), Instant::now()));
    }
}

impl std::fmt::Debug for CachedStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CachedStore").finish_non_exhaustive()
    }
}

#[async_trait]
impl SessionStore for CachedStore {
    /// Inserts a new session, with who it is signed in as beside it (see
    /// `auth::session_and_user`); a new id while the one drawn is taken.
    async fn create(&self, record: &mut Record) -> Result<()> {
        let generation = self.generation();
        while self
            .write(
                "INSERT INTO tower_sessions.session (id, data, expiry_date, account_id, security_stamp)
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING",
                record,
            )
            .await?
            == 0
        {
            record.id = Id::default();
        }
        self.keep(record, generation);
        Ok(())
    }

    /// Saves a session that exists: an update, never an insert. The store's
    /// own save is an upsert, and a session ended elsewhere (signed out on
    /// another instance) that this instance still held would come back.
    async fn save(&self, record: &Record) -> Result<()> {
        // Forget first: should the write fail, the copy must not outlive
        // the record in the database. A save notifies every instance, this
        // one too, so the copy is kept only if no other save came between.
        self.forget(&record.id);
        let generation = self.generation();
        let updated = self
            .write(
                "UPDATE tower_sessions.session
                 SET data = $2, expiry_date = $3, account_id = $4, security_stamp = $5
                 WHERE id = $1",
                record,
            )
            .await?;
        if updated == 1 {
            self.keep(record, generation);
        }
        Ok(())
    }

    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        if self.cache.is_live() {
            let sessions = lock(&self.cache.sessions);
            // A copy is trusted for a minute at most, whatever the
            // notifications say.
            if let Some((record, kept)) = sessions.records.get(id)
                && kept.elapsed() < MAX_AGE
                && record.expiry_date > OffsetDateTime::now_utc()
            {
                return Ok(Some(record.clone()));
            }
        }
        let generation = self.generation();
        let Some((data, user)) = crate::auth::session_and_user(&self.db, &id.to_string())
            .await
            .map_err(|e| Error::Backend(e.to_string()))?
        else {
            return Ok(None);
        };
        let record: Record =
            rmp_serde::from_slice(&data).map_err(|e| Error::Decode(e.to_string()))?;
        self.keep(&record, generation);
        if let Some(user) = user {
            crate::auth::read_with_session(user);
        }
        Ok(Some(record))
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        self.forget(id);
        self.store.delete(id).await
    }
}

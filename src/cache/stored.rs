//! Read models: what a public page shows, built from the tables once per
//! change of the tables it reads and kept in PostgreSQL (`read_model`,
//! migration `…1600_read_models`). A page asks [`Cache::stored`]: from
//! memory when this instance keeps it, else one indexed read of the stored
//! model, else the page's own queries, whose result is then stored for
//! every instance, a fresh one or one without memory caches included.
//!
//! Stale is never served: a model keeps the change count of its kind's
//! tables from before its build began (their rows in `table_change`), and
//! is taken only
//! while that count is unchanged. The count grows with every committed write
//! to one of the tables (the trigger that notifies `vesoc_changed` logs it
//! in the writer's transaction), so unlike the memory caches this needs no
//! notification to arrive, and a write to one table leaves the models of
//! the other kinds in place.
//!
//! A model is the same for every reader of its key: a key names the kind of
//! reader where the page depends on it (the whole `Reader`, as the
//! visibility rules are given it), and what differs per person (their name,
//! their CSRF token, their own invitation) is added per request.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::{PgPool, Row};
use time::Date;

use super::{Cache, lock};

/// A kind of read model.
pub struct Kind {
    /// Names the kind in `read_model.kind` and in the memory cache's keys.
    pub name: &'static str,
    /// Every table its build reads, functions' reads included: a change to
    /// any of them makes its models stale. The test
    /// `read_models_name_every_table_they_read` holds each kind to it.
    pub tables: &'static [&'static str],
    /// The page also changes with the clock, nothing written (an embargo
    /// ending): kept no longer than the next embargo's end, and at most
    /// [`super::MAX_AGE`].
    pub clock: bool,
    /// Keys that visitors choose (a search's words) are not bounded by
    /// the data: then at most this many models are kept, the most recently
    /// built.
    pub most: Option<i64>,
}

/// The days a model holds for: a composition stays the same from one
/// change of its mandates to the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Days {
    pub from: Date,
    /// Exclusive.
    pub until: Date,
}

impl Days {
    /// Every day: the model does not depend on a date.
    pub const ALL: Days = Days {
        from: time::macros::date!(0001 - 01 - 01),
        until: time::macros::date!(9999 - 12 - 31),
    };
}

impl Cache {
    /// The model of `kind` for `key`: see the module. `read` builds it
    /// from the tables.
    pub async fn stored<T, E, F>(
        &self,
        db: &PgPool,
        kind: &'static Kind,
        key: String,
        read: F,
    ) -> Result<Arc<T>, E>
    where
        T: Serialize + DeserializeOwned + Send + Sync + 'static,
        E: From<sqlx::Error>,
        F: Future<Output = Result<T, E>>,
    {
        let build = async { read.await.map(|t| (t, Days::ALL)) };
        self.stored_on(db, kind, key, Days::ALL.from, build).await
    }

    /// As [`Cache::stored`], for a model that holds for some days: the one
    /// that holds on `on`. `read` says for which days what it built holds.
    pub async fn stored_on<T, E, F>(
        &self,
        db: &PgPool,
        kind: &'static Kind,
        key: String,
        on: Date,
        read: F,
    ) -> Result<Arc<T>, E>
    where
        T: Serialize + DeserializeOwned + Send + Sync + 'static,
        E: From<sqlx::Error>,
        F: Future<Output = Result<(T, Days), E>>,
    {
        let memory_key = format!("{}: {key} {on}", kind.name);
        self.data(
            memory_key,
            load_or_build(&self.building, db, kind, key, on, read),
        )
        .await
    }
}

/// The binary that builds: another build may encode a model differently
/// (a field added or renamed), so models are read only by the binary that
/// wrote them. The executable's size and modification time, read once.
fn built_by() -> &'static str {
    static BUILT_BY: OnceLock<String> = OnceLock::new();
    BUILT_BY.get_or_init(|| {
        let stamp = std::env::current_exe()
            .and_then(std::fs::metadata)
            .map(|m| {
                let modified = m
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_nanos());
                format!("{}-{modified}", m.len())
            })
            .unwrap_or_default();
        format!("{} {stamp}", env!("CARGO_PKG_VERSION"))
    })
}

/// Builds under way in this instance, per model: who misses the same model
/// meanwhile waits for that build and takes what it made, instead of
/// building too (after a write, every open connection asks at once).
#[derive(Default)]
pub(super) struct Building {
    gates: Mutex<HashMap<String, Arc<Gate>>>,
    /// Each watched table's bit in `table_change.mask` (migration
    /// `…1700_change_masks`), read once.
    masks: tokio::sync::OnceCell<HashMap<String, i64>>,
    /// A fold of the change log is under way (see [`FOLD_AT`]).
    folding: Arc<AtomicBool>,
}

/// Every lookup reads the whole change log: past this many rows (one per
/// table after a fold, and one per writing transaction since), the reader
/// folds it. At ten writes a second, the jobs' fold once a minute let it
/// grow to 600 rows, and the count cost 53 µs instead of 19 (pgbench).
const FOLD_AT: i64 = 64;

impl Building {
    /// Folds the change log in the background, once at a time per
    /// instance. Instances folding at once are safe: each folds what it
    /// deleted, and the sums stay the same (`fold_table_changes`).
    fn fold(&self, db: &PgPool) {
        if self.folding.swap(true, Ordering::AcqRel) {
            return;
        }
        let (db, folding) = (db.clone(), self.folding.clone());
        tokio::spawn(async move {
            if let Err(e) = sqlx::query("SELECT fold_table_changes()")
                .execute(&db)
                .await
            {
                tracing::warn!("folding the change log: {e}");
            }
            folding.store(false, Ordering::Release);
        });
    }

    /// The mask of the kind's tables: a change to any of them counts. A
    /// table not watched counts every change (never stale, only rebuilt
    /// more often than needed); the tables test fails on it.
    async fn mask(&self, db: &PgPool, kind: &Kind) -> sqlx::Result<i64> {
        let masks = self
            .masks
            .get_or_try_init(|| async {
                let rows: Vec<(String, i64)> =
                    sqlx::query_as("SELECT name, mask FROM watched_table")
                        .fetch_all(db)
                        .await?;
                Ok::<_, sqlx::Error>(rows.into_iter().collect())
            })
            .await?;
        Ok(kind.tables.iter().fold(0, |mask, t| {
            mask | masks.get(*t).copied().unwrap_or_else(|| {
                tracing::warn!("read model {}: table {t} is not watched", kind.name);
                -1
            })
        }))
    }
}

/// One model's build under way: the builder holds `lock` for writing until
/// the model is stored, and leaves what it built in `built`; waiters share
/// the lock, then take the model from here rather than read it back.
#[derive(Default)]
struct Gate {
    lock: tokio::sync::RwLock<()>,
    /// The encoded model of the last build, with the change count it was
    /// built from.
    built: Mutex<Option<(i64, Arc<[u8]>)>>,
}

impl Gate {
    /// What the build left, if it was built from the change count `seen`:
    /// then it is the model a lookup would find now (the same count, the
    /// same key and day). A build from another count is not (the
    /// waiter's lookup came after a later write, or before).
    fn take<T: DeserializeOwned>(&self, seen: i64) -> Option<T> {
        let body = match &*lock(&self.built) {
            Some((from, body)) if *from == seen => body.clone(),
            _ => return None,
        };
        postcard::from_bytes(&body).ok()
    }
}

/// How long a request waits for another's build of the same model; then
/// it builds for itself.
const WAIT_FOR_BUILD: Duration = Duration::from_secs(2);

/// How many builds of the same model a request waits for (each made stale
/// by a write before it could read it) before it builds for itself.
const MOST_WAITS: u32 = 3;

async fn load_or_build<T, E, F>(
    building: &Building,
    db: &PgPool,
    kind: &'static Kind,
    key: String,
    on: Date,
    read: F,
) -> Result<T, E>
where
    T: Serialize + DeserializeOwned,
    E: From<sqlx::Error>,
    F: Future<Output = Result<(T, Days), E>>,
{
    let mask = building.mask(db, kind).await?;
    let mut waits = 0;
    loop {
        let (changes, found) = load(building, db, kind, mask, &key, on).await?;
        if let Some(model) = found {
            return Ok(model);
        }
        let name = format!("{} {key} {on}", kind.name);
        let gate = lock(&building.gates)
            .entry(name.clone())
            .or_default()
            .clone();
        let waiting = Waiting {
            building,
            name,
            gate,
        };
        // Whoever takes the gate builds, holding it until the model is
        // stored and handed over; a request that finds it taken waits for
        // that build and takes what it made. Waiters share the gate and
        // let it go at once, so that the build's end wakes them all at
        // once (a mutex held while reading queued a write's 63 waiters
        // one after the other: ~50 ms under load); taking the model from
        // the gate spares each of them a lookup.
        match waiting.gate.lock.try_write() {
            Ok(_turn) => {
                // A build that ended after this request's lookup (the
                // gate is kept while anyone waits at it).
                if let Some(model) = waiting.gate.take(changes) {
                    return Ok(model);
                }
                let (model, body) = build_and_store(db, kind, &key, changes, read).await?;
                if let Some(body) = body {
                    *lock(&waiting.gate.built) = Some((changes, body));
                }
                return Ok(model);
            }
            // It waited for `MOST_WAITS` builds, each made stale by a write
            // before it could read it: it builds for itself rather than
            // wait without end.
            Err(_) if waits == MOST_WAITS => {
                return Ok(build_and_store(db, kind, &key, changes, read).await?.0);
            }
            Err(_) => {
                let opened = tokio::time::timeout(WAIT_FOR_BUILD, waiting.gate.lock.read()).await;
                if opened.is_err() {
                    return Ok(build_and_store(db, kind, &key, changes, read).await?.0);
                }
                drop(opened);
                if let Some(model) = waiting.gate.take(changes) {
                    return Ok(model);
                }
                waits += 1;
            }
        }
    }
}

/// One request's place at a model's gate: the last to leave removes it.
struct Waiting<'a> {
    building: &'a Building,
    name: String,
    gate: Arc<Gate>,
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        let mut gates = lock(&self.building.gates);
        // The map's and ours: nobody else waits.
        if Arc::strong_count(&self.gate) <= 2 {
            gates.remove(&self.name);
        }
    }
}

/// The kind's change count and, when it is stored and fresh, the model.
async fn load<T: DeserializeOwned>(
    building: &Building,
    db: &PgPool,
    kind: &'static Kind,
    mask: i64,
    key: &str,
    on: Date,
) -> sqlx::Result<(i64, Option<T>)> {
    // The count is read before any build reads the tables: what the build
    // reads afterwards is at least as new as the count says.
    // The body read where the row holds it, not copied out first.
    let row = sqlx::query(
        // The count inline: as a SQL function it was not inlined here, and
        // planning its body at every call cost 80 µs. No ORDER BY: the
        // periods of one count's models do not overlap, so at most one
        // holds on a day (sorting the rows, body and all, was dearer).
        "WITH c AS MATERIALIZED (
             SELECT coalesce(sum(n) FILTER (WHERE mask & $3 <> 0), 0)::bigint AS n,
                    count(*) AS rows
             FROM table_change
         )
         SELECT c.n, c.rows, m.body FROM c
         LEFT JOIN LATERAL (
             SELECT r.body FROM read_model r
             WHERE r.kind = $1 AND r.key = $2 AND r.valid_from <= $4 AND r.valid_until > $4
               AND r.built_from = c.n AND r.built_by = $5
               AND (r.expires_at IS NULL OR r.expires_at > now())
             LIMIT 1
         ) m ON true",
    )
    .bind(kind.name)
    .bind(key)
    .bind(mask)
    .bind(on)
    .bind(built_by())
    .fetch_one(db)
    .await?;
    let (changes, rows, body): (i64, i64, Option<&[u8]>) =
        (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
    if rows > FOLD_AT {
        building.fold(db);
    }
    let model = body.and_then(|body| match postcard::from_bytes(body) {
        Ok(model) => Some(model),
        // Written by a build of the same binary, so not expected; read
        // from the tables and write it anew.
        Err(e) => {
            tracing::warn!("read model {} {key}: {e}", kind.name);
            None
        }
    });
    Ok((changes, model))
}

/// Builds the model from the tables and stores it with the change count
/// read before; with it, the model as stored (for the build's waiters).
async fn build_and_store<T, E, F>(
    db: &PgPool,
    kind: &'static Kind,
    key: &str,
    changes: i64,
    read: F,
) -> Result<(T, Option<Arc<[u8]>>), E>
where
    T: Serialize,
    E: From<sqlx::Error>,
    F: Future<Output = Result<(T, Days), E>>,
{
    let (model, days) = read.await?;
    match postcard::to_stdvec(&model) {
        Ok(body) => {
            // Storing is a saving, not a duty: a failure is logged and the
            // page is served all the same.
            let stored = store(db, kind, key, days, changes, &body).await;
            let stored = match (stored, kind.most) {
                (Ok(()), Some(most)) => keep_most(db, kind, most).await,
                (other, _) => other,
            };
            if let Err(e) = stored {
                tracing::warn!("read model {} {key}: not stored: {e}", kind.name);
            }
            Ok((model, Some(body.into())))
        }
        Err(e) => {
            tracing::warn!("read model {} {key}: {e}", kind.name);
            Ok((model, None))
        }
    }
}

/// Writes a model, and removes the key's models that are stale or were
/// written by another binary (they would never be read again).
async fn store(
    db: &PgPool,
    kind: &Kind,
    key: &str,
    days: Days,
    changes: i64,
    body: &[u8],
) -> sqlx::Result<()> {
    sqlx::query(
        "WITH gone AS (
             DELETE FROM read_model
             WHERE kind = $1 AND key = $2 AND (built_from < $5 OR built_by <> $6)
               AND valid_from <> $3
         )
         INSERT INTO read_model (kind, key, valid_from, valid_until, built_by, built_from,
                                 expires_at, body)
         VALUES ($1, $2, $3, $4, $6, $5,
                 CASE WHEN $7 THEN least(now() + make_interval(secs => $8),
                                         next_embargo_end()) END,
                 $9)
         ON CONFLICT (kind, key, valid_from) DO UPDATE
             SET valid_until = EXCLUDED.valid_until, built_by = EXCLUDED.built_by,
                 built_from = EXCLUDED.built_from, expires_at = EXCLUDED.expires_at,
                 built_at = now(), body = EXCLUDED.body",
    )
    .bind(kind.name)
    .bind(key)
    .bind(days.from)
    .bind(days.until)
    .bind(changes)
    .bind(built_by())
    .bind(kind.clock)
    .bind(super::MAX_AGE.as_secs_f64())
    .bind(body)
    .execute(db)
    .await?;
    Ok(())
}

/// Drops the kind's models beyond the `most` most recently built.
async fn keep_most(db: &PgPool, kind: &Kind, most: i64) -> sqlx::Result<()> {
    sqlx::query(
        "DELETE FROM read_model r USING (
             SELECT key, valid_from FROM read_model WHERE kind = $1
             ORDER BY built_at DESC OFFSET $2
         ) old
         WHERE r.kind = $1 AND r.key = old.key AND r.valid_from = old.valid_from",
    )
    .bind(kind.name)
    .bind(most)
    .execute(db)
    .await?;
    Ok(())
}

/// Folds the committed changes into one row per table and drops models not
/// built for a day (another binary's, or of a date nobody asks again), so
/// that neither grows without end. Run by the jobs every minute.
pub async fn tidy(db: &PgPool) -> sqlx::Result<u64> {
    sqlx::query("SELECT fold_table_changes()")
        .execute(db)
        .await?;
    let gone = sqlx::query("DELETE FROM read_model WHERE built_at < now() - interval '1 day'")
        .execute(db)
        .await?;
    Ok(gone.rows_affected())
}

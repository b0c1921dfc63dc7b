//! What an instance keeps in memory, and how it learns that it is stale.
//!
//! Three things are kept:
//! - [`pages`]: rendered public pages, served to visitors without a session;
//! - [`data`]: what a page read from the database for a kind of viewer (the
//!   account behind a session, a meeting with its agenda for a member);
//! - [`sessions`]: the session records of signed-in users.
//!
//! "Something changed" is told by PostgreSQL, so an edit through one
//! instance reaches every instance, also an edit made with `psql`:
//! - a trigger on every table that pages read sends `NOTIFY vesoc_changed`
//!   (migrations `…0900_change_notifications` and `…1100`); that empties the
//!   pages and the data;
//! - a changed or ended session sends `NOTIFY vesoc_session` with its id;
//!   that forgets the copy of that session.
//!
//! Every instance listens on a connection of its own. Correctness comes
//! before speed:
//! - While the listening connection is down, writes could go unnoticed, so
//!   nothing is served from memory (and all is forgotten) until it is back.
//!   A quiet connection is asked every [`HEARTBEAT`] whether it still
//!   answers: connections can die without a word.
//! - What was read while a change arrived is not kept: each entry carries
//!   the generation it was read in, and the generation moves on with every
//!   notification.
//! - What depends on the clock (today's composition, upcoming meetings)
//!   lives at most [`MAX_AGE`], and the keys hold today's date.
//! - Each store is bounded in size.

pub mod data;
mod pages;
pub mod sessions;
pub mod stored;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use sqlx::PgPool;
use sqlx::postgres::{PgListener, PgPoolOptions};

pub use pages::layer;

/// The channel the triggers of the tables notify.
pub const CHANNEL: &str = "vesoc_changed";
/// The channel a changed or ended session notifies, with its id.
pub const SESSION_CHANNEL: &str = "vesoc_session";
/// How long anything may be served from memory without a change.
pub const MAX_AGE: Duration = Duration::from_secs(60);

pub struct Cache {
    enabled: bool,
    /// True while the listening connection is up and listening.
    live: AtomicBool,
    /// Moves on with every change of a table; pages and data of an older
    /// one are stale.
    generation: AtomicU64,
    pages: Mutex<pages::Pages>,
    data: Mutex<data::Data>,
    sessions: Mutex<sessions::Sessions>,
    /// Read models being built: used whether memory caches are on or not.
    building: stored::Building,
}

impl Cache {
    /// A cache that stays bypassed until [`Cache::listen`] has connected.
    /// `enabled: false` keeps it bypassed for good: every request reads
    /// the database.
    pub fn new(enabled: bool) -> Arc<Self> {
        Arc::new(Cache {
            enabled,
            live: AtomicBool::new(false),
            generation: AtomicU64::new(0),
            pages: Mutex::default(),
            data: Mutex::default(),
            sessions: Mutex::default(),
            building: stored::Building::default(),
        })
    }

    pub fn is_live(&self) -> bool {
        self.enabled && self.live.load(Ordering::SeqCst)
    }

    fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// Forgets every page and all data: a table changed.
    pub fn invalidate(&self) {
        // Both locks, so that nothing is stored with the old generation
        // after the stores were emptied.
        let mut pages = lock(&self.pages);
        let mut data = lock(&self.data);
        self.generation.fetch_add(1, Ordering::SeqCst);
        pages.clear();
        data.clear();
    }

    fn set_live(&self, live: bool) {
        // Both ways, what is kept may be stale: while the connection was
        // down, or (going down) from now on nobody would tell.
        self.invalidate();
        lock(&self.sessions).forget_all();
        self.live.store(live, Ordering::SeqCst);
    }

    /// Listens for changes until the process ends, reconnecting after a
    /// lost connection. Uses a connection of its own, outside the pool
    /// that serves the pages.
    pub async fn listen(self: Arc<Self>, db: PgPool) {
        if !self.enabled {
            return;
        }
        let options = db.connect_options().as_ref().clone();
        let own = PgPoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(2))
            .connect_lazy_with(options);
        loop {
            match PgListener::connect_with(&own).await {
                Ok(mut listener) => {
                    listener.eager_reconnect(false);
                    if let Err(e) = listener.listen_all([CHANNEL, SESSION_CHANNEL]).await {
                        tracing::warn!("cache: cannot listen: {e}");
                    } else {
                        self.set_live(true);
                        tracing::debug!("cache: listening on {CHANNEL} and {SESSION_CHANNEL}");
                        let mut release = next_release(&db).await;
                        loop {
                            // `try_recv` is cancel-safe: a heartbeat in
                            // between loses no notification.
                            let received = tokio::select! {
                                r = listener.try_recv() => r,
                                () = until(release) => {
                                    // A confidential item is released: pages
                                    // change though nothing was written.
                                    self.invalidate();
                                    release = next_release(&db).await;
                                    continue;
                                }
                                () = tokio::time::sleep(HEARTBEAT) => {
                                    if heartbeat(&mut listener).await {
                                        continue;
                                    }
                                    tracing::warn!("cache: the listening connection stopped answering");
                                    break;
                                }
                            };
                            match received {
                                Ok(Some(n)) if n.channel() == SESSION_CHANNEL => {
                                    lock(&self.sessions).forget(n.payload());
                                }
                                Ok(Some(_)) => {
                                    self.invalidate();
                                    release = next_release(&db).await;
                                }
                                Ok(None) => break,
                                Err(e) => {
                                    tracing::warn!("cache: listening stopped: {e}");
                                    break;
                                }
                            }
                        }
                        self.set_live(false);
                    }
                }
                Err(e) => tracing::debug!("cache: no connection: {e}"),
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
}

/// How often a quiet listening connection is asked whether it is still
/// there. A connection can die without a word (a firewall forgetting it, a
/// database host failing over): then no notification would ever come, and
/// what is kept would go stale unnoticed.
const HEARTBEAT: Duration = Duration::from_secs(10);

/// The next moment a confidential agenda item (and its documents) is
/// released (`embargo_until`): what is kept must be read again then. None
/// when nothing is to be released, or the question failed (then the next
/// change asks again). Asked through the pool: the listening connection's
/// last statement stays its `LISTEN`.
async fn next_release(db: &PgPool) -> Option<tokio::time::Instant> {
    let ask = sqlx::query_scalar::<_, Option<time::OffsetDateTime>>(
        "SELECT min(embargo_until) FROM agenda_item WHERE embargo_until > now()",
    )
    .fetch_one(db);
    let at = tokio::time::timeout(Duration::from_secs(5), ask)
        .await
        .ok()?
        .ok()??;
    let wait = Duration::try_from(at - time::OffsetDateTime::now_utc()).unwrap_or_default();
    Some(tokio::time::Instant::now() + wait)
}

/// Waits until `at`; never without one.
async fn until(at: Option<tokio::time::Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// Does the listening connection still answer, within a few seconds?
async fn heartbeat(listener: &mut PgListener) -> bool {
    let ping = sqlx::query("SELECT 1").execute(&mut *listener);
    matches!(
        tokio::time::timeout(Duration::from_secs(5), ping).await,
        Ok(Ok(_))
    )
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock leaves a consistent map: use it.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

//! What pages read from the database, kept per kind of viewer: pages for
//! signed-in users cannot be shared whole (they carry the user's name and
//! CSRF token), but what they show often can. The key must name everything
//! the read depends on (the viewer's organisation, today's date…); a
//! change to any table empties the store (see the module above).

use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use super::{Cache, MAX_AGE, lock};

/// At most this many entries; then the store starts afresh. The largest
/// entry (a meeting with its agenda and documents) is some tens of KB.
const MAX_ENTRIES: usize = 512;

#[derive(Default)]
pub(super) struct Data {
    entries: HashMap<String, Entry>,
}

impl Data {
    pub(super) fn clear(&mut self) {
        self.entries.clear();
    }
}

struct Entry {
    generation: u64,
    stored: Instant,
    value: Arc<dyn Any + Send + Sync>,
}

impl Cache {
    /// The value for `key`: from memory if it was read in the current
    /// generation, otherwise from `read`, then kept (unless a change
    /// arrived meanwhile). Errors are not kept.
    pub async fn data<T, E, F>(&self, key: String, read: F) -> Result<Arc<T>, E>
    where
        T: Send + Sync + 'static,
        F: Future<Output = Result<T, E>>,
    {
        if !self.is_live() {
            return read.await.map(Arc::new);
        }
        let generation = self.generation();
        if let Some(value) = self.data_entry(&key, generation) {
            return Ok(value);
        }
        let value = Arc::new(read.await?);
        let mut store = lock(&self.data);
        if self.generation() == generation && self.is_live() {
            if store.entries.len() >= MAX_ENTRIES {
                store.entries.clear();
            }
            store.entries.insert(
                key,
                Entry {
                    generation,
                    stored: Instant::now(),
                    value: value.clone(),
                },
            );
        }
        Ok(value)
    }

    fn data_entry<T: Send + Sync + 'static>(&self, key: &str, generation: u64) -> Option<Arc<T>> {
        let store = lock(&self.data);
        let entry = store.entries.get(key)?;
        if entry.generation != generation || entry.stored.elapsed() >= MAX_AGE {
            return None;
        }
        entry.value.clone().downcast::<T>().ok()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    async fn read(reads: &AtomicUsize, value: i32) -> Result<i32, ()> {
        reads.fetch_add(1, Ordering::SeqCst);
        Ok(value)
    }

    #[tokio::test]
    async fn kept_while_live_and_until_a_change() {
        let cache = Cache::new(true);
        let reads = AtomicUsize::new(0);
        // Not live: read every time.
        cache.data("k".into(), read(&reads, 1)).await.expect("read");
        cache.data("k".into(), read(&reads, 1)).await.expect("read");
        assert_eq!(reads.load(Ordering::SeqCst), 2);

        cache.live.store(true, Ordering::SeqCst);
        assert_eq!(
            *cache.data("k".into(), read(&reads, 1)).await.expect("read"),
            1
        );
        assert_eq!(
            *cache.data("k".into(), read(&reads, 2)).await.expect("read"),
            1
        );
        assert_eq!(reads.load(Ordering::SeqCst), 3);
        // Another key, another value; a value of another type is not taken
        // for this one.
        assert_eq!(
            *cache.data("j".into(), read(&reads, 5)).await.expect("read"),
            5
        );
        let other: Arc<String> = cache
            .data("k".into(), async { Ok::<_, ()>("tekst".to_string()) })
            .await
            .expect("read");
        assert_eq!(*other, "tekst");

        cache.invalidate();
        assert_eq!(
            *cache.data("k".into(), read(&reads, 3)).await.expect("read"),
            3
        );
        assert_eq!(
            *cache.data("k".into(), read(&reads, 4)).await.expect("read"),
            3
        );
    }

    #[tokio::test]
    async fn a_read_during_a_change_is_not_kept_nor_an_error() {
        let cache = Cache::new(true);
        cache.live.store(true, Ordering::SeqCst);
        let value = cache
            .data("k".into(), async {
                cache.invalidate();
                Ok::<_, ()>(1)
            })
            .await
            .expect("read");
        assert_eq!(*value, 1, "the reader gets what was read");
        assert_eq!(
            *cache
                .data("k".into(), async { Ok::<_, ()>(2) })
                .await
                .expect("read"),
            2
        );
        assert!(
            cache
                .data::<i32, _, _>("e".into(), async { Err("weg") })
                .await
                .is_err()
        );
        assert_eq!(
            *cache
                .data("e".into(), async { Ok::<_, ()>(7) })
                .await
                .expect("read"),
            7
        );
    }

    #[test]
    fn disabled_is_never_live() {
        let cache = Cache::new(false);
        cache.live.store(true, Ordering::SeqCst);
        assert!(!cache.is_live());
    }
}

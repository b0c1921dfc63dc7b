//! What pages read from the database, kept per kind of viewer: pages for
//! signed-in users cannot be shared whole (they carry the user's name and
//! CSRF token), but what they show often can. The key must name everything
//! the read depends on (the viewer's organisation, today's date…); a
//! change to any table empties the store (see the module above).

use std::any::Any;
use std::future::Future;
use std::num::NonZeroUsize;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use lru::LruCache;
use tokio::sync::Notify;

use super::{Cache, MAX_AGE, lock};

/// At most this many entries; beyond, the least recently used goes. Most
/// entries are some tens of KB (a meeting with its agenda and documents);
/// a few, one each, are some hundreds (the review queue, the mandates of a
/// body for its editor, the people register).
const MAX_ENTRIES: usize = 512;

pub(super) struct Data {
    entries: LruCache<String, Entry>,
}

impl Default for Data {
    fn default() -> Self {
        Data {
            entries: LruCache::new(NonZeroUsize::new(MAX_ENTRIES).unwrap_or(NonZeroUsize::MIN)),
        }
    }
}

impl Data {
    pub(super) fn clear(&mut self) {
        self.entries.clear();
    }
}

/// One value, or the read of it under way: who asks meanwhile waits for
/// that read instead of reading too (after a write, every open page asks
/// at once). `value` is an `Arc<Slot<T>>` of the reader's type.
struct Entry {
    generation: u64,
    stored: Instant,
    value: Arc<dyn Any + Send + Sync>,
}

struct Slot<T> {
    value: OnceLock<Arc<T>>,
    /// Told when the read is over, whether it gave a value or not.
    done: Notify,
}

/// How long a request waits for another's read of the same value; then it
/// reads for itself.
const WAIT_FOR_READ: Duration = Duration::from_secs(2);

/// The request that reads a value: when it is dropped (the read done,
/// failed or abandoned), who waits is told; without a value, the entry goes,
/// so that the next request reads afresh.
struct Reading<'a, T: Send + Sync + 'static> {
    cache: &'a Cache,
    key: String,
    slot: Arc<Slot<T>>,
}

impl<T: Send + Sync + 'static> Drop for Reading<'_, T> {
    fn drop(&mut self) {
        if self.slot.value.get().is_none() {
            let mut store = lock(&self.cache.data);
            let ours = store.entries.peek(&self.key).is_some_and(|e| {
                e.value
                    .clone()
                    .downcast::<Slot<T>>()
                    .is_ok_and(|s| Arc::ptr_eq(&s, &self.slot))
            });
            if ours {
                store.entries.pop(&self.key);
            }
        }
        self.slot.done.notify_waiters();
    }
}

impl Cache {
    /// The value for `key`: from memory if it was read in the current
    /// generation (or is being read: then it waits for that read, at most
    /// [`WAIT_FOR_READ`]), otherwise from `read`, then kept (unless a
    /// change arrived meanwhile). Errors are not kept, nor shared: when the
    /// read waited for fails, who waited reads for themselves.
    pub async fn data<T, E, F>(&self, key: String, read: F) -> Result<Arc<T>, E>
    where
        T: Send + Sync + 'static,
        F: Future<Output = Result<T, E>>,
    {
        if !self.is_live() {
            return read.await.map(Arc::new);
        }
        let (slot, reader) = self.data_slot::<T>(&key);
        if let Some(value) = slot.value.get() {
            return Ok(value.clone());
        }
        if !reader {
            // Made before looking again: then the end of the read cannot
            // slip between the look and the wait.
            let done = slot.done.notified();
            if slot.value.get().is_none() {
                let _ = tokio::time::timeout(WAIT_FOR_READ, done).await;
            }
            return match slot.value.get() {
                Some(value) => Ok(value.clone()),
                None => read.await.map(Arc::new),
            };
        }
        let reading = Reading {
            cache: self,
            key,
            slot,
        };
        let value = Arc::new(read.await?);
        let _ = reading.slot.value.set(value.clone());
        drop(reading);
        Ok(value)
    }

    /// The entry for `key` in the current generation, and whether this
    /// request is to read it: a new one if need be (or if the one there
    /// holds another type).
    fn data_slot<T: Send + Sync + 'static>(&self, key: &str) -> (Arc<Slot<T>>, bool) {
        let mut store = lock(&self.data);
        // Under the store's lock: `invalidate` cannot move the generation
        // on between reading it and storing a new entry.
        let generation = self.generation();
        if let Some(entry) = store.entries.get(key)
            && entry.generation == generation
            && entry.stored.elapsed() < MAX_AGE
            && let Ok(slot) = entry.value.clone().downcast::<Slot<T>>()
        {
            return (slot, false);
        }
        let slot = Arc::new(Slot {
            value: OnceLock::new(),
            done: Notify::new(),
        });
        store.entries.put(
            key.to_string(),
            Entry {
                generation,
                stored: Instant::now(),
                value: slot.clone(),
            },
        );
        (slot, true)
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

    #[tokio::test]
    async fn who_asks_during_a_read_waits_for_it() {
        let cache = Cache::new(true);
        cache.live.store(true, Ordering::SeqCst);
        let reads = AtomicUsize::new(0);
        let counter = &reads;
        let slow = |value| async move {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            read(counter, value).await
        };
        let (a, b, c) = tokio::join!(
            cache.data("k".into(), slow(1)),
            cache.data("k".into(), slow(2)),
            cache.data("k".into(), slow(3)),
        );
        assert_eq!(reads.load(Ordering::SeqCst), 1);
        for value in [a, b, c] {
            assert_eq!(*value.expect("read"), 1);
        }
        // A failed read is not waited on: the next one reads.
        let (failed, next) = tokio::join!(
            cache.data::<i32, _, _>("f".into(), async {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                Err(())
            }),
            cache.data("f".into(), read(&reads, 4)),
        );
        assert!(failed.is_err());
        assert_eq!(*next.expect("read"), 4);
    }

    #[test]
    fn disabled_is_never_live() {
        let cache = Cache::new(false);
        cache.live.store(true, Ordering::SeqCst);
        assert!(!cache.is_live());
    }

    #[tokio::test]
    async fn many_distinct_keys_evict_the_least_recently_used_not_everything() {
        let cache = Cache::new(true);
        cache.live.store(true, std::sync::atomic::Ordering::SeqCst);
        let reads = AtomicUsize::new(0);
        cache
            .data("hot".into(), read(&reads, 1))
            .await
            .expect("read");
        for n in 0..(MAX_ENTRIES * 4) {
            cache
                .data(format!("k{n}"), read(&reads, 2))
                .await
                .expect("read");
            // the hot value is read all the time: it stays
            cache
                .data("hot".into(), read(&reads, 3))
                .await
                .expect("read");
        }
        assert_eq!(reads.load(Ordering::SeqCst), 1 + MAX_ENTRIES * 4);
        assert!(lock(&cache.data).entries.len() <= MAX_ENTRIES);
    }
}

//! Fixed-window attempt counters for sign-in, sign-up and similar doors.
//!
//! On SQLite they are kept in memory (one process is the whole cluster); on
//! PostgreSQL in a table every instance shares (see [`postgres`]), so a
//! flood spread over several instances is limited as one. Keys are like
//! `login:ip:127.0.0.1`; they
//! are stored only as SHA-256 digests, so a stranger who sends huge keys
//! costs 32 bytes each, and the map holds at most a fixed number of them:
//! past it, the oldest key goes (in O(1)), so memory stays bounded whatever
//! a loop of distinct keys does.

use std::{
    collections::{HashMap, VecDeque},
    sync::Mutex,
    time::{Duration, Instant},
};

use sha2::{Digest, Sha256};
use sqlx::PgPool;

use crate::db::Db;

mod postgres;

/// How many keys the map holds by default (about 10 MB at most).
pub const DEFAULT_MAX_KEYS: usize = 100_000;

type Digest32 = [u8; 32];

#[derive(Debug)]
pub struct RateLimiter {
    window: Duration,
    max_keys: usize,
    store: Store,
}

#[derive(Debug)]
enum Store {
    Memory(Mutex<Counts>),
    Shared(PgPool),
}

/// The counters, and their keys in the order they were first counted (the
/// oldest first), so that the oldest can be evicted without a scan.
#[derive(Debug, Default)]
struct Counts {
    by_key: HashMap<Digest32, Counter>,
    order: VecDeque<(Digest32, u64)>,
    /// Tells a key's current entry in `order` from a stale one it left
    /// behind when its window restarted.
    next_stamp: u64,
}

#[derive(Debug)]
struct Counter {
    start: Instant,
    attempts: u32,
    stamp: u64,
}

impl RateLimiter {
    pub fn new(window: Duration) -> Self {
        Self::with_max_keys(window, DEFAULT_MAX_KEYS)
    }

    /// A limiter in this process's memory that remembers at most `max_keys`
    /// keys (at least one).
    pub fn with_max_keys(window: Duration, max_keys: usize) -> Self {
        Self { window, max_keys: max_keys.max(1), store: Store::Memory(Mutex::new(Counts::default())) }
    }

    /// The limiter for `db`: shared by every instance on PostgreSQL, in
    /// memory on SQLite.
    pub fn for_db(db: &Db, window: Duration, max_keys: usize) -> Self {
        match db {
            Db::Postgres(pool) => Self { window, max_keys: max_keys.max(1), store: Store::Shared(pool.clone()) },
            Db::Sqlite(_) => Self::with_max_keys(window, max_keys),
        }
    }

    /// Counts one attempt under `key`; false once `limit` attempts were
    /// already made in the current window.
    pub async fn allow(&self, key: &str, limit: u32) -> bool {
        self.allow_all(&[(key, limit)]).await
    }

    /// Counts one attempt under each key (every one of them, in one
    /// statement when shared); false when any is past its limit. A shared
    /// counter the database cannot reach lets the attempt through (and says
    /// so in the log): the door behind it needs the database too.
    pub async fn allow_all(&self, attempts: &[(&str, u32)]) -> bool {
        let mut digests: Vec<(Digest32, u32)> = Vec::with_capacity(attempts.len());
        for (key, limit) in attempts {
            let digest: Digest32 = Sha256::digest(key.as_bytes()).into();
            if !digests.iter().any(|(d, _)| *d == digest) {
                digests.push((digest, *limit));
            }
        }
        match &self.store {
            Store::Memory(counts) => {
                digests.iter().fold(true, |all, (digest, limit)| self.allow_in_memory(counts, *digest, *limit) && all)
            }
            Store::Shared(pool) => {
                let keys: Vec<Digest32> = digests.iter().map(|(d, _)| *d).collect();
                match postgres::count(pool, &keys, self.window, self.max_keys).await {
                    Ok(counted) => digests.iter().all(|(digest, limit)| {
                        counted.iter().find(|(d, _)| d == digest).is_none_or(|(_, n)| *n <= i64::from(*limit))
                    }),
                    Err(e) => {
                        tracing::warn!(error = %e, "could not count an attempt in the shared rate limits");
                        true
                    }
                }
            }
        }
    }

    fn allow_in_memory(&self, counts: &Mutex<Counts>, digest: Digest32, limit: u32) -> bool {
        let now = Instant::now();
        let mut counts = counts.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        counts.forget_expired(now, self.window);
        let fresh = counts.by_key.get(&digest).is_none_or(|c| now.duration_since(c.start) >= self.window);
        if fresh {
            counts.start(digest, now, self.max_keys);
        }
        let Some(counter) = counts.by_key.get_mut(&digest) else { return true };
        if counter.attempts >= limit {
            return false;
        }
        counter.attempts += 1;
        true
    }

    /// How many keys are remembered now (never more than the cap).
    pub async fn len(&self) -> usize {
        match &self.store {
            Store::Memory(counts) => counts.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).by_key.len(),
            Store::Shared(pool) => postgres::len(pool).await.unwrap_or(0),
        }
    }

    pub async fn is_empty(&self) -> bool {
        self.len().await == 0
    }

    /// The most keys this limiter remembers.
    pub fn max_keys(&self) -> usize {
        self.max_keys
    }
}

impl Counts {
    /// A new window for `digest`, evicting the oldest keys to make room.
    fn start(&mut self, digest: Digest32, now: Instant, max_keys: usize) {
        if !self.by_key.contains_key(&digest) {
            while self.by_key.len() >= max_keys && self.evict_oldest() {}
        }
        let stamp = self.next_stamp;
        self.next_stamp += 1;
        self.by_key.insert(digest, Counter { start: now, attempts: 0, stamp });
        self.order.push_back((digest, stamp));
        // Stale entries (of keys whose window restarted) are bounded too.
        while self.order.len() > 2 * max_keys && self.evict_oldest() {}
    }

    /// Drops the oldest entry of `order` and, unless it is stale, its key.
    fn evict_oldest(&mut self) -> bool {
        let Some((digest, stamp)) = self.order.pop_front() else { return false };
        if self.by_key.get(&digest).is_some_and(|c| c.stamp == stamp) {
            self.by_key.remove(&digest);
        }
        true
    }

    /// Keys are counted in order of their window's start, so the expired
    /// ones are at the front: each call drops a few, amortised O(1).
    fn forget_expired(&mut self, now: Instant, window: Duration) {
        for _ in 0..4 {
            let expired = match self.order.front() {
                Some((digest, stamp)) => match self.by_key.get(digest) {
                    Some(c) if c.stamp == *stamp => now.duration_since(c.start) >= window,
                    _ => true,
                },
                None => false,
            };
            if !expired {
                return;
            }
            self.evict_oldest();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn refuses_past_the_limit_and_per_key() {
        let limiter = RateLimiter::new(Duration::from_secs(60));
        assert!(limiter.allow("a", 2).await);
        assert!(limiter.allow("a", 2).await);
        assert!(!limiter.allow("a", 2).await);
        assert!(limiter.allow("b", 2).await);
    }

    #[tokio::test]
    async fn a_new_window_starts_over() {
        let limiter = RateLimiter::new(Duration::ZERO);
        for _ in 0..5 {
            assert!(limiter.allow("a", 1).await);
        }
        assert!(limiter.len().await <= 1);
    }

    #[tokio::test]
    async fn the_map_never_passes_its_cap_and_the_oldest_key_goes_first() {
        let limiter = RateLimiter::with_max_keys(Duration::from_secs(60), 100);
        assert!(limiter.allow("first", 1).await);
        assert!(!limiter.allow("first", 1).await, "still counted while under the cap");
        for n in 0..10_000 {
            limiter.allow(&format!("key-{n}"), 5).await;
            assert!(limiter.len().await <= 100);
        }
        assert_eq!(limiter.len().await, 100);
        assert!(limiter.allow("first", 1).await, "the oldest key was evicted");
        assert!(limiter.allow("key-9999", 2).await, "a recent key is still counted");
        assert!(!limiter.allow("key-9999", 2).await);
    }

    #[tokio::test]
    async fn huge_keys_are_stored_as_digests() {
        let limiter = RateLimiter::with_max_keys(Duration::from_secs(60), 10);
        let huge = "x".repeat(1 << 20);
        assert!(limiter.allow(&huge, 1).await);
        assert!(!limiter.allow(&huge, 1).await);
        let Store::Memory(counts) = &limiter.store else { panic!("in memory") };
        let counts = counts.lock().expect("counts");
        assert_eq!(counts.by_key.len(), 1);
        assert_eq!(std::mem::size_of_val(counts.by_key.keys().next().expect("key")), 32);
    }

    #[tokio::test]
    async fn restarting_windows_leave_the_order_bounded() {
        let limiter = RateLimiter::with_max_keys(Duration::ZERO, 3);
        for n in 0..1_000 {
            limiter.allow(&format!("k{}", n % 3), 1).await;
        }
        let Store::Memory(counts) = &limiter.store else { panic!("in memory") };
        let counts = counts.lock().expect("counts");
        assert!(counts.order.len() <= 6 && counts.by_key.len() <= 3);
    }
}

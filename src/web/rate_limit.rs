//! Fixed-window attempt counters for sign-in, sign-up and similar doors.
//!
//! Kept in memory: each instance counts its own attempts, which is enough to
//! make guessing passwords slow. Keys are like `login:ip:127.0.0.1`.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

/// Counters are swept once the map holds this many keys.
const SWEEP_AT: usize = 10_000;

#[derive(Debug)]
pub struct RateLimiter {
    window: Duration,
    counts: Mutex<HashMap<String, (Instant, u32)>>,
}

impl RateLimiter {
    pub fn new(window: Duration) -> Self {
        Self { window, counts: Mutex::new(HashMap::new()) }
    }

    /// Counts one attempt under `key`; false once `limit` attempts were
    /// already made in the current window.
    pub fn allow(&self, key: &str, limit: u32) -> bool {
        let now = Instant::now();
        let mut counts = self.counts.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if counts.len() >= SWEEP_AT {
            counts.retain(|_, (start, _)| now.duration_since(*start) < self.window);
        }
        let entry = counts.entry(key.to_owned()).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        if entry.1 >= limit {
            return false;
        }
        entry.1 += 1;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_past_the_limit_and_per_key() {
        let limiter = RateLimiter::new(Duration::from_secs(60));
        assert!(limiter.allow("a", 2));
        assert!(limiter.allow("a", 2));
        assert!(!limiter.allow("a", 2));
        assert!(limiter.allow("b", 2));
    }

    #[test]
    fn a_new_window_starts_over() {
        let limiter = RateLimiter::new(Duration::ZERO);
        for _ in 0..5 {
            assert!(limiter.allow("a", 1));
        }
    }
}

//! Recently read sessions, kept in memory so a busy person's requests do not
//! each read their session row (SQLite only: there one process is the whole
//! cluster, so no other instance can change a row behind this copy).
//!
//! A copy is only ever made from a read of the database, and every write or
//! delete throws the copy away before and after it reaches the database, so a
//! read that raced a write can never leave the older record here.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use tower_sessions::session::{Id, Record};

/// How long a copy serves before the row is read again.
const FRESH_FOR: Duration = Duration::from_secs(30);
/// Copies kept at most (a few hundred bytes each).
const CAPACITY: usize = 10_000;

#[derive(Debug, Default)]
pub struct RecentSessions {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    copies: HashMap<Id, (Record, Instant)>,
    /// Bumped by every write, so a read that began before one does not keep
    /// what it read.
    writes: u64,
}

/// What a read must show when it offers its record back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadTicket(u64);

impl RecentSessions {
    fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The fresh copy of `id`'s record, or the ticket to offer one later.
    pub fn get(&self, id: &Id) -> Result<Record, ReadTicket> {
        let mut inner = self.inner();
        let now = Instant::now();
        match inner.copies.get(id) {
            Some((record, at))
                if now.duration_since(*at) < FRESH_FOR && record.expiry_date > time::OffsetDateTime::now_utc() =>
            {
                Ok(record.clone())
            }
            Some(_) => {
                inner.copies.remove(id);
                Err(ReadTicket(inner.writes))
            }
            None => Err(ReadTicket(inner.writes)),
        }
    }

    /// Keeps `record`, read from the database, unless a write happened since
    /// the read began.
    pub fn offer(&self, ticket: ReadTicket, record: &Record) {
        let mut inner = self.inner();
        if inner.writes != ticket.0 {
            return;
        }
        if inner.copies.len() >= CAPACITY {
            let now = Instant::now();
            inner.copies.retain(|_, (_, at)| now.duration_since(*at) < FRESH_FOR);
            if inner.copies.len() >= CAPACITY {
                inner.copies.clear();
            }
        }
        inner.copies.insert(record.id, (record.clone(), Instant::now()));
    }

    /// Throws away `id`'s copy; called before and after each write of it.
    pub fn forget(&self, id: &Id) {
        let mut inner = self.inner();
        inner.writes = inner.writes.wrapping_add(1);
        inner.copies.remove(id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: i128) -> Record {
        Record {
            id: Id(id),
            data: Default::default(),
            expiry_date: time::OffsetDateTime::now_utc() + time::Duration::hours(1),
        }
    }

    #[test]
    fn a_read_that_raced_a_write_is_not_kept() {
        let cache = RecentSessions::default();
        let Err(ticket) = cache.get(&Id(1)) else { panic!("empty cache") };
        cache.forget(&Id(1));
        cache.offer(ticket, &record(1));
        assert!(cache.get(&Id(1)).is_err(), "the older record must not be kept");
        let Err(ticket) = cache.get(&Id(1)) else { panic!("still empty") };
        cache.offer(ticket, &record(1));
        assert_eq!(cache.get(&Id(1)).map(|r| r.id), Ok(Id(1)));
        cache.forget(&Id(1));
        assert!(cache.get(&Id(1)).is_err(), "a write throws the copy away");
    }

    #[test]
    fn an_expired_record_is_not_served() {
        let cache = RecentSessions::default();
        let mut old = record(2);
        old.expiry_date = time::OffsetDateTime::now_utc() - time::Duration::seconds(1);
        let Err(ticket) = cache.get(&Id(2)) else { panic!("empty cache") };
        cache.offer(ticket, &old);
        assert!(cache.get(&Id(2)).is_err());
    }
}

//! A few SQLite connections kept beside the pool, for the one statement
//! every request begins with (the person and their membership).
//!
//! sqlx pings a pooled connection each time it goes back to the pool. On
//! SQLite that ping is one more trip to the connection's own thread after
//! the statement's: for a thumbnail, one trip in three. A connection held
//! here is locked, used for one statement outside any transaction, and
//! unlocked, with nothing sent on the way back. PostgreSQL keeps the pool:
//! its connections can go away under us, and the pool is what notices.

use std::sync::{
    Arc,
    atomic::{AtomicUsize, Ordering},
};

use sqlx::{ConnectOptions, SqliteConnection, sqlite::SqliteConnectOptions};
use tokio::sync::{MappedMutexGuard, Mutex, MutexGuard};

use super::{Db, Target};

/// Beside the pool (eight by default): enough that a request rarely finds all busy
/// (it then uses the pool, as before), few enough to cost little memory.
const SIDE_CONNECTIONS: usize = 4;

#[derive(Clone, Debug, Default)]
pub struct SideReads(Option<Arc<Slots>>);

#[derive(Debug)]
struct Slots {
    options: SqliteConnectOptions,
    slots: Vec<Mutex<Option<SqliteConnection>>>,
    next: AtomicUsize,
}

impl SideReads {
    pub fn for_db(db: &Db) -> Self {
        match db {
            Db::Sqlite(pool) => Self(Some(Arc::new(Slots {
                options: (*pool.connect_options()).clone(),
                slots: (0..SIDE_CONNECTIONS).map(|_| Mutex::new(None)).collect(),
                next: AtomicUsize::new(0),
            }))),
            Db::Postgres(_) => Self(None),
        }
    }

    /// Where to run one read: a free side connection (opened on first use),
    /// else `db` itself.
    pub async fn reader<'a>(&'a self, db: &'a Db) -> Reader<'a> {
        let Some(slots) = &self.0 else { return Reader::Pool(db) };
        let start = slots.next.fetch_add(1, Ordering::Relaxed);
        let count = slots.slots.len();
        let free =
            (0..count).map(|i| &slots.slots[(start + i) % count]).find_map(|slot| Some((slot, slot.try_lock().ok()?)));
        let Some((slot, mut held)) = free else { return Reader::Pool(db) };
        if held.is_none() {
            match slots.options.connect().await {
                Ok(conn) => *held = Some(conn),
                Err(e) => {
                    tracing::warn!(error = %e, "side connection: using the pool");
                    return Reader::Pool(db);
                }
            }
        }
        match MutexGuard::try_map(held, Option::as_mut) {
            Ok(conn) => Reader::Side { conn, slot },
            Err(_) => Reader::Pool(db),
        }
    }
}

/// One read's connection; see [`SideReads::reader`].
pub enum Reader<'a> {
    Side { conn: MappedMutexGuard<'a, SqliteConnection>, slot: &'a Mutex<Option<SqliteConnection>> },
    Pool(&'a Db),
}

impl Reader<'_> {
    pub fn target(&mut self) -> Target<'_> {
        match self {
            Self::Side { conn, .. } => Target::Sqlite(conn),
            Self::Pool(db) => db.target(),
        }
    }

    /// After a failed statement: a side connection is closed (a later
    /// request opens a fresh one), as the pool closes a broken one.
    pub fn failed(self) {
        if let Self::Side { conn, slot } = self {
            drop(conn);
            if let Ok(mut held) = slot.try_lock() {
                held.take();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn sqlite() -> (tempfile::TempDir, Db) {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("side.db").display());
        (dir, Db::connect(&url).await.expect("connect"))
    }

    async fn one(reader: &mut Reader<'_>) -> sqlx::Result<i64> {
        crate::db::query::fetch_scalar!(reader, i64, "SELECT 1")
    }

    #[tokio::test]
    async fn a_busy_side_sends_the_read_to_the_pool_and_a_failed_one_reopens() {
        let (_dir, db) = sqlite().await;
        let side = SideReads::for_db(&db);
        let mut held = Vec::new();
        for _ in 0..SIDE_CONNECTIONS {
            let mut reader = side.reader(&db).await;
            assert!(matches!(reader, Reader::Side { .. }));
            assert_eq!(one(&mut reader).await.expect("read"), 1);
            held.push(reader);
        }
        let mut busy = side.reader(&db).await;
        assert!(matches!(busy, Reader::Pool(_)), "all side connections are in use");
        assert_eq!(one(&mut busy).await.expect("read on the pool"), 1);
        drop(held);

        let mut reader = side.reader(&db).await;
        let bad = crate::db::query::fetch_scalar!(reader, i64, "SELECT nonsense FROM nowhere");
        assert!(bad.is_err());
        reader.failed();
        let closed = side.0.as_ref().expect("sqlite").slots.iter().filter(|s| s.try_lock().is_ok_and(|c| c.is_none()));
        assert_eq!(closed.count(), 1, "the failed connection is closed");
        for _ in 0..SIDE_CONNECTIONS {
            let mut reader = side.reader(&db).await;
            assert_eq!(one(&mut reader).await.expect("read after a failure"), 1);
        }
    }
}

//! Sessions kept in the same database as everything else, whichever it is.

use async_trait::async_trait;
use tower_sessions::{
    ExpiredDeletion,
    session::{Id, Record},
    session_store::{self, SessionStore as Store},
};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

use super::Db;

/// The tower-sessions store of the configured backend.
#[derive(Clone, Debug)]
pub enum SessionStore {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
    /// EXPERIMENT: a short-lived in-process copy in front of the database.
    Cached(Box<SessionStore>, std::sync::Arc<Recent>),
}

#[derive(Debug, Default)]
pub struct Recent(std::sync::Mutex<std::collections::HashMap<Id, (Record, std::time::Instant)>>);

const RECENT_TTL: std::time::Duration = std::time::Duration::from_secs(5);
const RECENT_MAX: usize = 10_000;

impl Recent {
    fn get(&self, id: &Id) -> Option<Record> {
        let map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let (record, at) = map.get(id)?;
        (at.elapsed() < RECENT_TTL && record.expiry_date > time::OffsetDateTime::now_utc()).then(|| record.clone())
    }

    fn put(&self, record: &Record) {
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= RECENT_MAX {
            map.retain(|_, (_, at)| at.elapsed() < RECENT_TTL);
            if map.len() >= RECENT_MAX {
                map.clear();
            }
        }
        map.insert(record.id, (record.clone(), std::time::Instant::now()));
    }

    fn forget(&self, id: &Id) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).remove(id);
    }
}

impl SessionStore {
    pub(super) fn for_db(db: &Db) -> Self {
        let store = match db {
            Db::Sqlite(pool) => Self::Sqlite(SqliteStore::new(pool.clone())),
            Db::Postgres(pool) => Self::Postgres(PostgresStore::new(pool.clone())),
        };
        match std::env::var("EASEL_SESSION_CACHE").as_deref() {
            Ok("1") => Self::Cached(Box::new(store), Default::default()),
            _ => store,
        }
    }

    /// Creates the session table when it is missing.
    pub async fn migrate(&self) -> sqlx::Result<()> {
        match self {
            Self::Sqlite(s) => s.migrate().await,
            Self::Postgres(s) => s.migrate().await,
            Self::Cached(s, _) => Box::pin(s.migrate()).await,
        }
    }
}

#[async_trait]
impl Store for SessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        match self {
            Self::Sqlite(s) => s.create(record).await,
            Self::Postgres(s) => s.create(record).await,
            Self::Cached(s, recent) => {
                s.create(record).await?;
                recent.put(record);
                Ok(())
            }
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        match self {
            Self::Sqlite(s) => s.save(record).await,
            Self::Postgres(s) => s.save(record).await,
            Self::Cached(s, recent) => {
                s.save(record).await?;
                recent.put(record);
                Ok(())
            }
        }
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        match self {
            Self::Sqlite(s) => s.load(id).await,
            Self::Postgres(s) => s.load(id).await,
            Self::Cached(s, recent) => {
                if let Some(record) = recent.get(id) {
                    return Ok(Some(record));
                }
                let record = s.load(id).await?;
                if let Some(record) = &record {
                    recent.put(record);
                }
                Ok(record)
            }
        }
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        match self {
            Self::Sqlite(s) => s.delete(id).await,
            Self::Postgres(s) => s.delete(id).await,
            Self::Cached(s, recent) => {
                recent.forget(id);
                s.delete(id).await
            }
        }
    }
}

#[async_trait]
impl ExpiredDeletion for SessionStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        match self {
            Self::Sqlite(s) => s.delete_expired().await,
            Self::Postgres(s) => s.delete_expired().await,
            Self::Cached(s, _) => s.delete_expired().await,
        }
    }
}

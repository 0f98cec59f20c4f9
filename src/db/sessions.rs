//! Sessions kept in the same database as everything else, whichever it is.

use std::sync::Arc;

use async_trait::async_trait;
use tower_sessions::{
    ExpiredDeletion,
    session::{Id, Record},
    session_store::{self, SessionStore as Store},
};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

use super::{Db, session_cache::RecentSessions};

/// The tower-sessions store of the configured backend.
#[derive(Clone, Debug)]
pub struct SessionStore {
    backend: Backend,
    /// SQLite only: several instances share a PostgreSQL database, and one
    /// instance's copy would miss another's sign-out or workspace switch.
    recent: Option<Arc<RecentSessions>>,
}

#[derive(Clone, Debug)]
enum Backend {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl SessionStore {
    pub(super) fn for_db(db: &Db) -> Self {
        match db {
            Db::Sqlite(pool) => {
                Self { backend: Backend::Sqlite(SqliteStore::new(pool.clone())), recent: Some(Arc::default()) }
            }
            Db::Postgres(pool) => Self { backend: Backend::Postgres(PostgresStore::new(pool.clone())), recent: None },
        }
    }

    /// Creates the session table when it is missing.
    pub async fn migrate(&self) -> sqlx::Result<()> {
        match &self.backend {
            Backend::Sqlite(s) => s.migrate().await,
            Backend::Postgres(s) => s.migrate().await,
        }
    }

    fn forget(&self, id: &Id) {
        if let Some(recent) = &self.recent {
            recent.forget(id);
        }
    }
}

#[async_trait]
impl Store for SessionStore {
    /// A new id has no copy to drop, and a read of it before now found nothing to keep.
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        match &self.backend {
            Backend::Sqlite(s) => s.create(record).await,
            Backend::Postgres(s) => s.create(record).await,
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.forget(&record.id);
        let saved = match &self.backend {
            Backend::Sqlite(s) => s.save(record).await,
            Backend::Postgres(s) => s.save(record).await,
        };
        self.forget(&record.id);
        saved
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let ticket = match self.recent.as_ref().map(|recent| recent.get(id)) {
            Some(Ok(record)) => return Ok(Some(record)),
            Some(Err(ticket)) => Some(ticket),
            None => None,
        };
        let loaded = match &self.backend {
            Backend::Sqlite(s) => s.load(id).await?,
            Backend::Postgres(s) => s.load(id).await?,
        };
        if let (Some(recent), Some(ticket), Some(record)) = (&self.recent, ticket, &loaded) {
            recent.offer(ticket, record);
        }
        Ok(loaded)
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.forget(id);
        let deleted = match &self.backend {
            Backend::Sqlite(s) => s.delete(id).await,
            Backend::Postgres(s) => s.delete(id).await,
        };
        self.forget(id);
        deleted
    }
}

#[async_trait]
impl ExpiredDeletion for SessionStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        match &self.backend {
            Backend::Sqlite(s) => s.delete_expired().await,
            Backend::Postgres(s) => s.delete_expired().await,
        }
    }
}

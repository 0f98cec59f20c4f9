//! Transactions, and the workspace-scoped transaction every tenant query runs in.

use sqlx::{Postgres, Sqlite, Transaction};
use uuid::Uuid;

use super::{Db, Target};

/// An open transaction on either backend; dropped without `commit`, it rolls back.
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

impl Tx {
    pub(super) async fn begin(db: &Db, write: bool) -> sqlx::Result<Self> {
        Ok(match db {
            Db::Sqlite(pool) if write => Self::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Db::Sqlite(pool) => Self::Sqlite(pool.begin().await?),
            Db::Postgres(pool) => Self::Postgres(pool.begin().await?),
        })
    }

    pub fn target(&mut self) -> Target<'_> {
        match self {
            Self::Sqlite(tx) => Target::Sqlite(tx),
            Self::Postgres(tx) => Target::Postgres(tx),
        }
    }

    pub async fn commit(self) -> sqlx::Result<()> {
        match self {
            Self::Sqlite(tx) => tx.commit().await,
            Self::Postgres(tx) => tx.commit().await,
        }
    }
}

/// A transaction that may touch one workspace's rows and no other's.
///
/// On PostgreSQL it sets `app.workspace_id` for this transaction only (never
/// for the session, which a pooled connection would carry to the next
/// request), so the row-level security policies hide every other workspace.
/// Queries still name the workspace in every `WHERE` and `INSERT`, which is
/// what keeps SQLite isolated.
pub struct WorkspaceTx {
    tx: Tx,
    workspace_id: Uuid,
}

impl WorkspaceTx {
    /// Scopes an open transaction to a workspace. Only `tenancy` calls this,
    /// with an id it has checked the person's membership of (or just created).
    pub(crate) async fn enter(mut tx: Tx, workspace_id: Uuid) -> sqlx::Result<Self> {
        if let Tx::Postgres(pg) = &mut tx {
            sqlx::query("SELECT set_config('app.workspace_id', $1, true)")
                .bind(workspace_id.to_string())
                .execute(&mut **pg)
                .await?;
        }
        Ok(Self { tx, workspace_id })
    }

    /// Scopes an open transaction to a workspace about to be created.
    pub(crate) async fn for_new_workspace(tx: Tx) -> sqlx::Result<Self> {
        Self::enter(tx, Uuid::now_v7()).await
    }

    pub fn workspace_id(&self) -> Uuid {
        self.workspace_id
    }

    pub fn target(&mut self) -> Target<'_> {
        self.tx.target()
    }

    pub async fn commit(self) -> sqlx::Result<()> {
        self.tx.commit().await
    }

    /// The plain transaction again, to go on with work outside this
    /// workspace. On PostgreSQL `app.workspace_id` stays set until the
    /// transaction ends, which only ever narrows what it can see.
    pub fn into_tx(self) -> Tx {
        self.tx
    }
}

/// A platform admin's transaction: it reads and writes across workspaces.
///
/// On PostgreSQL it sets `app.platform_admin` for this transaction only,
/// which the row-level security policies accept. Only the admin module opens
/// one, behind its `PlatformAdmin` extractor, and it audits what it changes.
pub struct AdminTx {
    tx: Tx,
}

impl AdminTx {
    pub(crate) async fn begin(db: &Db) -> sqlx::Result<Self> {
        let mut tx = Tx::begin(db, true).await?;
        if let Tx::Postgres(pg) = &mut tx {
            sqlx::query("SELECT set_config('app.platform_admin', 'on', true)").execute(&mut **pg).await?;
        }
        Ok(Self { tx })
    }

    pub fn target(&mut self) -> Target<'_> {
        self.tx.target()
    }

    pub async fn commit(self) -> sqlx::Result<()> {
        self.tx.commit().await
    }

    /// The plain transaction, still seeing every workspace, for code that
    /// works with a `Tx` (the archive's importer).
    pub fn into_tx(self) -> Tx {
        self.tx
    }
}

//! Transactions, and the workspace-scoped transaction every tenant query runs in.

use sqlx::{Postgres, Sqlite, Transaction, pool::PoolConnection};
use uuid::Uuid;

use super::{Db, Target};

/// An open transaction on either backend; dropped without `commit`, it rolls back.
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
    /// SQLite reads that need no snapshot across their statements: each
    /// statement reads on its own, sparing the `BEGIN` and `COMMIT` round
    /// trips to the connection's worker thread.
    SqliteEach(PoolConnection<Sqlite>),
}

impl Tx {
    pub(super) async fn begin(db: &Db, write: bool) -> sqlx::Result<Self> {
        Ok(match db {
            Db::Sqlite(pool) if write => Self::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Db::Sqlite(pool) => Self::Sqlite(pool.begin().await?),
            Db::Postgres(pool) => Self::Postgres(pool.begin().await?),
        })
    }

    /// Begins a transaction with a transaction-local setting already made:
    /// on PostgreSQL `BEGIN` and `set_config` travel in one round trip.
    /// `value` must be a literal Easel made (a UUID, `on`), never user text.
    async fn begin_set(db: &Db, write: bool, setting: &str, value: &str) -> sqlx::Result<Self> {
        match db {
            Db::Postgres(pool) => Ok(Self::Postgres(pool.begin_with(set_at_begin("BEGIN", setting, value)).await?)),
            Db::Sqlite(_) => Self::begin(db, write).await,
        }
    }

    /// A read on SQLite without a transaction (see `SqliteEach`: a write
    /// there would commit at once, so only reads belong here); on PostgreSQL
    /// a `READ ONLY` transaction, as row-level security needs its setting.
    /// Either way there is nothing to commit.
    async fn begin_reading(db: &Db, setting: &str, value: &str) -> sqlx::Result<Self> {
        match db {
            Db::Sqlite(pool) => Ok(Self::SqliteEach(pool.acquire().await?)),
            Db::Postgres(pool) => {
                Ok(Self::Postgres(pool.begin_with(set_at_begin("BEGIN READ ONLY", setting, value)).await?))
            }
        }
    }

    pub fn target(&mut self) -> Target<'_> {
        match self {
            Self::Sqlite(tx) => Target::Sqlite(tx),
            Self::Postgres(tx) => Target::Postgres(tx),
            Self::SqliteEach(conn) => Target::Sqlite(conn),
        }
    }

    pub async fn commit(self) -> sqlx::Result<()> {
        match self {
            Self::Sqlite(tx) => tx.commit().await,
            Self::Postgres(tx) => tx.commit().await,
            Self::SqliteEach(_) => Ok(()),
        }
    }
}

/// `begin` and a transaction-local `set_config`, sent as one round trip.
fn set_at_begin(begin: &str, setting: &str, value: &str) -> String {
    format!("{begin}; SELECT set_config('{setting}', '{value}', true)")
}

const WORKSPACE_SETTING: &str = "app.workspace_id";

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
    /// Opened by `open_reading`, for reads only: there is nothing to commit.
    reading: bool,
    /// The global tables (memberships, invitations, the `workspaces` row,
    /// plans) live in the main database; for a workspace placed elsewhere
    /// they are reached through a second transaction, opened when needed.
    global: Global,
}

enum Global {
    /// The workspace lives in the main database: `tx` sees everything.
    Same,
    /// Elsewhere: a transaction on the main database once a query asks.
    Later {
        main: Db,
        write: bool,
    },
    Open(Tx),
}

impl WorkspaceTx {
    /// Scopes an open transaction to a workspace. Only `tenancy` calls this,
    /// with an id it has checked the person's membership of (or just created).
    pub(crate) async fn enter(mut tx: Tx, workspace_id: Uuid) -> sqlx::Result<Self> {
        if let Tx::Postgres(pg) = &mut tx {
            sqlx::query("SELECT set_config($1, $2, true)")
                .bind(WORKSPACE_SETTING)
                .bind(workspace_id.to_string())
                .execute(&mut **pg)
                .await?;
        }
        Ok(Self { tx, workspace_id, reading: false, global: Global::Same })
    }

    /// Opens a transaction on `data`, the database holding the workspace's
    /// rows, already scoped to it; `main` is the main database when that is
    /// another one.
    pub(crate) async fn open(data: &Db, write: bool, workspace_id: Uuid, main: Option<Db>) -> sqlx::Result<Self> {
        let tx = Tx::begin_set(data, write, WORKSPACE_SETTING, &workspace_id.to_string()).await?;
        let global = match main {
            Some(main) => Global::Later { main, write },
            None => Global::Same,
        };
        Ok(Self { tx, workspace_id, reading: false, global })
    }

    /// Like `open` for reading only, for a page's parts, which need no
    /// snapshot across their statements: on SQLite no transaction at all, on
    /// PostgreSQL one that cannot write.
    pub(crate) async fn open_reading(data: &Db, workspace_id: Uuid, main: Option<Db>) -> sqlx::Result<Self> {
        let tx = Tx::begin_reading(data, WORKSPACE_SETTING, &workspace_id.to_string()).await?;
        let global = match main {
            Some(main) => Global::Later { main, write: false },
            None => Global::Same,
        };
        Ok(Self { tx, workspace_id, reading: true, global })
    }

    /// Scopes `tx` (on the workspace's own database) with `main_tx`, already
    /// open on the main database, as its global side.
    pub(crate) async fn apart(tx: Tx, workspace_id: Uuid, main_tx: Tx) -> sqlx::Result<Self> {
        let mut scoped = Self::enter(tx, workspace_id).await?;
        scoped.global = Global::Open(main_tx);
        Ok(scoped)
    }

    /// A new workspace whose rows go to `data` (another database than the
    /// one `main_tx` is on) while `main_tx` holds its global rows.
    pub(crate) async fn for_new_workspace_in(main_tx: Tx, data: Option<&Db>) -> sqlx::Result<Self> {
        let Some(data) = data else { return Self::for_new_workspace(main_tx).await };
        let mut scoped = Self::enter(data.begin_write().await?, Uuid::now_v7()).await?;
        scoped.global = Global::Open(main_tx);
        Ok(scoped)
    }

    /// The transaction for global tables: this one when the workspace lives
    /// in the main database, else one on the main database. No statement
    /// ever joins the two sides.
    pub async fn global(&mut self) -> sqlx::Result<&mut Tx> {
        if let Global::Later { main, write } = &self.global {
            // Scoped too: billing rows on the main database are under row-level security.
            let id = self.workspace_id.to_string();
            let tx = match self.reading {
                true => Tx::begin_reading(main, WORKSPACE_SETTING, &id).await?,
                false => Tx::begin_set(main, *write, WORKSPACE_SETTING, &id).await?,
            };
            self.global = Global::Open(tx);
        }
        Ok(match &mut self.global {
            Global::Open(tx) => tx,
            _ => &mut self.tx,
        })
    }

    /// Whether the workspace's rows live in another database than the
    /// global tables.
    pub fn is_placed_apart(&self) -> bool {
        !matches!(self.global, Global::Same)
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

    /// Commits the workspace's side, then the global side. A crash between
    /// the two leaves the global tables as they were: a new workspace's rows
    /// without a `workspaces` row are invisible, and every two-sided change
    /// can simply be made again.
    pub async fn commit(self) -> sqlx::Result<()> {
        if self.reading {
            // Dropped, PostgreSQL's read-only transaction ends with a
            // `ROLLBACK` that sqlx sends with the ping it makes when the
            // connection goes back to the pool: one round trip fewer.
            return Ok(());
        }
        self.tx.commit().await?;
        if let Global::Open(global) = self.global {
            global.commit().await?;
        }
        Ok(())
    }

    /// The plain transaction again, to go on with work outside this
    /// workspace. Only for a workspace in the main database (a global side
    /// opened apart would be rolled back). On PostgreSQL `app.workspace_id` stays set until the
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
        Ok(Self { tx: Tx::begin_set(db, true, "app.platform_admin", "on").await? })
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

/// A transaction of either kind, for queries that run in a platform
/// transaction (a webhook, the operator) and in a workspace's global side.
pub trait Executes: Send {
    fn target(&mut self) -> Target<'_>;
}

impl Executes for Tx {
    fn target(&mut self) -> Target<'_> {
        Tx::target(self)
    }
}

impl Executes for AdminTx {
    fn target(&mut self) -> Target<'_> {
        AdminTx::target(self)
    }
}

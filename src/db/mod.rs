//! The database: the backend chosen at run time, migrations, and transactions.
//!
//! Every query is written once, in SQL both SQLite and PostgreSQL accept, and
//! run through the macros in [`query`], which dispatch on the backend.

pub mod cluster;
mod databases;
pub mod direct;
pub mod query;
pub mod search;
mod session_cache;
mod sessions;
mod side;
mod tx;

use std::{
    path::{Path, PathBuf},
    str::FromStr,
    time::Duration,
};

use sqlx::{
    PgPool, SqlitePool,
    migrate::Migrator,
    postgres::{PgConnectOptions, PgPoolOptions},
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};

pub use databases::{Databases, UnknownDatabase};
pub use query::Target;
pub use sessions::SessionStore;
pub use side::{Reader, SideReads};
pub use tx::{AdminTx, Executes, Tx, WorkspaceTx};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("migrations/postgres");

/// A pool of connections to whichever backend `DATABASE_URL` names.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Connections per pool: `EASEL_DB_CONNECTIONS`, else the backend's default.
fn pool_size(default: u32) -> anyhow::Result<u32> {
    Ok(crate::config::db_connections(&|name| std::env::var(name).ok())?.unwrap_or(default))
}

/// SQLite counts every allocation under one process-wide mutex unless told
/// not to. Rows are built on each connection's worker thread and freed on
/// the request's thread, so under load the threads queue on that mutex: a
/// perf profile of the month grid spent about a third of its CPU in
/// `sqlite3Malloc`/`sqlite3_free` and the futex calls around them. Easel
/// reads none of those statistics (nor sets a soft heap limit, which needs
/// them).
fn sqlite_without_memory_statistics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: SQLITE_CONFIG_MEMSTATUS takes one int. Before SQLite's
        // first connection it applies; after, SQLite refuses it with
        // SQLITE_MISUSE and changes nothing, which is harmless.
        let code = unsafe { libsqlite3_sys::sqlite3_config(libsqlite3_sys::SQLITE_CONFIG_MEMSTATUS, 0) };
        if code != libsqlite3_sys::SQLITE_OK {
            tracing::debug!(code, "SQLite was already in use: its allocation statistics stay on");
        }
    });
}

impl Db {
    /// Connects, creating the SQLite file and its folder on first run.
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        if url.starts_with("sqlite:") {
            sqlite_without_memory_statistics();
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(5))
                // A month's post rows (about 700) fit in one go. With sqlx's
                // 50, the connection's thread stopped at every row past the
                // 50th until the request had taken one: a thread switch per row.
                .row_buffer_size(1024);
            let file = on_disk(options.get_filename());
            if let Some(file) = &file {
                if let Some(parent) = file.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                if !file.exists() {
                    // An empty file is an empty database; made here, it is 0600 from the start.
                    crate::storage::private::write_new(file, b"")?;
                }
            }
            // A SQLite connection cannot go away under us: no ping on acquire.
            let pool = SqlitePoolOptions::new()
                .max_connections(pool_size(8)?)
                .test_before_acquire(false)
                .acquire_timeout(Duration::from_secs(5))
                .connect_with(options)
                .await?;
            if let Some(file) = &file {
                // SQLite gives its -wal and -shm files the database file's mode;
                // these also tighten a database made by an older Easel.
                for suffix in ["", "-wal", "-shm"] {
                    let mut path = file.as_os_str().to_owned();
                    path.push(suffix);
                    crate::storage::private::tighten(Path::new(&path), crate::storage::private::FILE);
                }
            }
            Ok(Self::Sqlite(pool))
        } else {
            let mut options = PgConnectOptions::from_str(url)?;
            // Each prepared statement is planned once per connection (unless the
            // URL says otherwise). Left to choose, PostgreSQL planned afresh on
            // every run the statements whose generic plan it guessed dearer (a
            // `LIMIT $n`, a `$n IS NULL OR …`): a quarter of the machine's CPU on
            // the home page. With this, home served 30–50% more and the grid
            // planner 35% more, and no page less (docs/PERFORMANCE.md).
            if !url.contains("plan_cache_mode") {
                options = options.options([("plan_cache_mode", "force_generic_plan")]);
            }
            let pool = PgPoolOptions::new()
                .max_connections(pool_size(16)?)
                .test_before_acquire(false)
                .before_acquire(|conn, meta| Box::pin(ping_if_idle(conn, meta)))
                .acquire_timeout(Duration::from_secs(5))
                .connect_with(options)
                .await?;
            Ok(Self::Postgres(pool))
        }
    }

    pub async fn migrate(&self) -> anyhow::Result<()> {
        match self {
            Self::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await?,
            Self::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await?,
        }
        Ok(())
    }

    pub fn target(&self) -> Target<'_> {
        match self {
            Self::Sqlite(pool) => Target::SqlitePool(pool),
            Self::Postgres(pool) => Target::PostgresPool(pool),
        }
    }

    /// A transaction for reads (and writes that need no lock up front).
    pub async fn begin(&self) -> sqlx::Result<Tx> {
        Tx::begin(self, false).await
    }

    /// A transaction that will write. On SQLite it takes the write lock at
    /// once, so it waits for other writers instead of failing half-way.
    pub async fn begin_write(&self) -> sqlx::Result<Tx> {
        Tx::begin(self, true).await
    }

    /// True when the database answers a trivial query in time.
    pub async fn is_healthy(&self) -> bool {
        let ping = async { query::fetch_scalar!(self, i32, "SELECT 1") };
        matches!(tokio::time::timeout(Duration::from_secs(3), ping).await, Ok(Ok(1)))
    }

    /// Row-level security means nothing to a superuser or a BYPASSRLS role,
    /// so Easel refuses to run as one unless the operator insists.
    pub async fn check_rls_role(&self, allow_bypass: bool) -> anyhow::Result<()> {
        let Self::Postgres(pool) = self else { return Ok(()) };
        let (superuser, bypass): (bool, bool) =
            sqlx::query_as("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
                .fetch_one(pool)
                .await?;
        if !(superuser || bypass) {
            return Ok(());
        }
        if allow_bypass {
            tracing::warn!(
                "the database role is a superuser or has BYPASSRLS: row-level security is NOT protecting workspaces (EASEL_ALLOW_RLS_BYPASS=1)"
            );
            Ok(())
        } else {
            anyhow::bail!(
                "DATABASE_URL: the role is a superuser or has BYPASSRLS, which switches off row-level security; use an ordinary role (see README), or set EASEL_ALLOW_RLS_BYPASS=1 to run anyway"
            )
        }
    }

    pub fn session_store(&self) -> SessionStore {
        SessionStore::for_db(self)
    }
}

/// A connection idle this long is checked before use; one busier than that
/// was checked when it was last released (sqlx pings on release), so the
/// round trip a ping per acquire costs is only paid after a quiet spell,
/// which is when a restarted server or a dropped link shows.
const CHECK_AFTER_IDLE: Duration = Duration::from_secs(1);

async fn ping_if_idle(conn: &mut sqlx::PgConnection, meta: sqlx::pool::PoolConnectionMetadata) -> sqlx::Result<bool> {
    if meta.idle_for >= CHECK_AFTER_IDLE {
        sqlx::Connection::ping(conn).await?;
    }
    Ok(true)
}

/// The SQLite database's file, unless the database lives in memory.
fn on_disk(name: &Path) -> Option<PathBuf> {
    let text = name.to_string_lossy();
    let in_memory = text.is_empty() || text.starts_with(":memory:") || text.starts_with("file:");
    (!in_memory).then(|| name.to_owned())
}

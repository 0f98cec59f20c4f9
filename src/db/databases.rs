//! Every database a workspace may live in: `main` (`DATABASE_URL`, which also
//! holds every global table) and the named ones of `EASEL_DATABASES`.
//!
//! A workspace's placement is a column of its global `workspaces` row; its
//! own rows (and an anchor copy of that `workspaces` row, for the foreign
//! keys) live in the database the placement names.

use std::{sync::Arc, time::Duration};

use uuid::Uuid;

use super::{
    Db, Tx, WorkspaceTx,
    query::{fetch_all, fetch_optional},
};
use crate::config::{Config, MAIN};

#[derive(Clone, Debug)]
pub struct Databases {
    main: Db,
    named: Arc<Vec<(String, Db)>>,
    new_in: Arc<Vec<String>>,
}

/// A placement that names no configured database: the operator removed it
/// from `EASEL_DATABASES` while workspaces still live there.
#[derive(Debug, thiserror::Error)]
#[error("the workspace lives in the database '{0}', which EASEL_DATABASES does not name")]
pub struct UnknownDatabase(pub String);

impl Databases {
    /// Only the main database (SQLite, or PostgreSQL without extras).
    pub fn single(main: Db) -> Self {
        Self { main, named: Arc::new(Vec::new()), new_in: Arc::new(Vec::new()) }
    }

    /// Connects to, checks and migrates every named database.
    pub async fn connect(main: Db, config: &Config) -> anyhow::Result<Self> {
        let mut named = Vec::new();
        for (name, url) in &config.placement.databases {
            let db = Db::connect(url).await.map_err(|e| anyhow::anyhow!("EASEL_DATABASES: '{name}': {e}"))?;
            db.check_rls_role(config.allow_rls_bypass)
                .await
                .map_err(|e| anyhow::anyhow!("EASEL_DATABASES: '{name}': {e}"))?;
            db.migrate().await.map_err(|e| anyhow::anyhow!("EASEL_DATABASES: '{name}': {e}"))?;
            named.push((name.clone(), db));
        }
        Ok(Self { main, named: Arc::new(named), new_in: Arc::new(config.placement.new_workspaces_in.clone()) })
    }

    pub fn main(&self) -> &Db {
        &self.main
    }

    /// The database a placement names.
    pub fn by_name(&self, name: &str) -> Result<&Db, UnknownDatabase> {
        if name == MAIN {
            return Ok(&self.main);
        }
        self.named.iter().find(|(n, _)| n == name).map(|(_, db)| db).ok_or_else(|| UnknownDatabase(name.to_owned()))
    }

    /// `main` first, then the named databases in the order configured.
    pub fn all(&self) -> Vec<(&str, &Db)> {
        std::iter::once((MAIN, &self.main)).chain(self.named.iter().map(|(n, db)| (n.as_str(), db))).collect()
    }

    /// Whether any database besides `main` is configured.
    pub fn has_others(&self) -> bool {
        !self.named.is_empty()
    }

    /// Where a workspace's rows live (`main` for an unknown id, whose rows
    /// are nowhere: its queries then find nothing).
    pub async fn placement_of(&self, workspace: Uuid) -> sqlx::Result<String> {
        if !self.has_others() {
            return Ok(MAIN.to_owned());
        }
        let row: Option<(String,)> =
            fetch_optional!(&self.main, (String,), "SELECT placement FROM workspaces WHERE id = $1", workspace)?;
        Ok(row.map_or_else(|| MAIN.to_owned(), |(p,)| p))
    }

    /// The database holding a workspace's rows, for work that names its
    /// workspace itself (jobs, feeds, the archive) rather than a request's
    /// `Workspace`.
    pub async fn for_workspace(&self, workspace: Uuid) -> anyhow::Result<Db> {
        let placement = self.placement_of(workspace).await?;
        Ok(self.by_name(&placement)?.clone())
    }

    /// A transaction scoped to a workspace, on the database holding its
    /// rows (global tables through [`WorkspaceTx::global`]), for work that
    /// names its workspace itself instead of taking a request's `Workspace`.
    pub async fn workspace_tx(&self, workspace: Uuid, write: bool) -> anyhow::Result<WorkspaceTx> {
        let placement = self.placement_of(workspace).await?;
        let data = self.by_name(&placement)?;
        let main = (placement != MAIN).then(|| self.main.clone());
        Ok(WorkspaceTx::open(data, write, workspace, main).await?)
    }

    /// Like [`Self::workspace_tx`], for work that already holds a write
    /// transaction on `main` (which then carries the global side).
    pub async fn workspace_tx_with_main(&self, workspace: Uuid, main_tx: Tx) -> anyhow::Result<WorkspaceTx> {
        let placement = self.placement_of(workspace).await?;
        Ok(match placement.as_str() {
            MAIN => WorkspaceTx::enter(main_tx, workspace).await?,
            name => WorkspaceTx::apart(self.by_name(name)?.begin_write().await?, workspace, main_tx).await?,
        })
    }

    /// Opens the transaction a new workspace is created in: its global rows
    /// go through `main_tx`, its own rows to the database it is placed in.
    /// Returns the placement, which `tenancy::queries::create` records.
    pub async fn new_workspace_tx(&self, main_tx: Tx) -> sqlx::Result<(WorkspaceTx, String)> {
        let placement = self.for_new_workspace().await?;
        let data = match placement.as_str() {
            MAIN => None,
            name => self.by_name(name).ok(),
        };
        let placement = if data.is_none() { MAIN.to_owned() } else { placement };
        Ok((WorkspaceTx::for_new_workspace_in(main_tx, data).await?, placement))
    }

    /// Where a new workspace goes: of `EASEL_NEW_WORKSPACES_IN`, the database
    /// holding the fewest workspaces (ties: the first listed); else `main`.
    pub async fn for_new_workspace(&self) -> sqlx::Result<String> {
        if self.new_in.len() < 2 {
            return Ok(self.new_in.first().cloned().unwrap_or_else(|| MAIN.to_owned()));
        }
        let counts: Vec<(String, i64)> =
            fetch_all!(&self.main, (String, i64), "SELECT placement, COUNT(*) FROM workspaces GROUP BY placement")?;
        let load = |name: &String| counts.iter().find(|(p, _)| p == name).map_or(0, |(_, n)| *n);
        let mut best = &self.new_in[0];
        for name in self.new_in.iter().skip(1) {
            if load(name) < load(best) {
                best = name;
            }
        }
        Ok(best.clone())
    }

    /// Whether a database answers in time (for pages that must not hang on
    /// a database that is down).
    pub async fn answers(db: &Db) -> bool {
        let ping = async { super::query::fetch_scalar!(db, i32, "SELECT 1") };
        matches!(tokio::time::timeout(Duration::from_secs(2), ping).await, Ok(Ok(1)))
    }
}

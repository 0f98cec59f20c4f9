//! Copying one workspace's own rows from one database to another, every
//! column as it is (sealed keys and feed tokens included: both databases
//! belong to this instance), and proving the copy with canonical hashes.

use futures_util::TryStreamExt;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    ArchiveError,
    catalogue::{self, Scope, Table},
    instance, sink,
    sink::Inserter,
    source::{Query, Rows, Snapshot},
};
use crate::db::Db;

/// The tables a workspace's database holds for it, parents first (the
/// anchor `workspaces` row aside).
pub fn owned_tables() -> impl DoubleEndedIterator<Item = &'static Table> {
    catalogue::TABLES.iter().filter(|t| t.scope != Scope::Global)
}

/// The anchor row a database other than `main` needs for the foreign keys.
pub struct Anchor {
    pub name: String,
    pub created_at: OffsetDateTime,
}

/// Copies the workspace's rows from `from` into `to` in one transaction
/// (with its anchor row first, when `to` is not `main`); returns the rows.
pub async fn copy_workspace(from: &Db, to: &Db, workspace: Uuid, anchor: Option<Anchor>) -> Result<u64, ArchiveError> {
    let mut snapshot = Snapshot::begin(from).await?;
    let mut tx = sink::begin(to).await?;
    if let Some(anchor) = anchor {
        crate::db::query::execute!(
            tx,
            "INSERT INTO workspaces (id, name, created_at) VALUES ($1, $2, $3)",
            workspace,
            anchor.name,
            anchor.created_at
        )?;
    }
    let mut copied = 0;
    for table in owned_tables() {
        let columns: Vec<_> = table.columns.iter().collect();
        let mut inserter = Inserter::new(table, columns.clone());
        let query = Query::table(table, &columns, Rows::Workspace(workspace), snapshot.is_postgres());
        let mut stream = snapshot.rows(&query);
        while let Some(cells) = stream.try_next().await? {
            inserter.push(&mut tx, cells).await?;
        }
        drop(stream);
        inserter.flush(&mut tx).await?;
        copied += inserter.inserted;
    }
    snapshot.close().await?;
    tx.commit().await?;
    Ok(copied)
}

/// Each owned table's row count and canonical SHA-256 for one workspace.
pub async fn digests(db: &Db, workspace: Uuid) -> Result<Vec<(&'static str, u64, String)>, ArchiveError> {
    let mut snapshot = Snapshot::begin(db).await?;
    let mut found = Vec::new();
    for table in owned_tables() {
        let (rows, sha) = instance::digest_rows(&mut snapshot, table, Rows::Workspace(workspace)).await?;
        found.push((table.name, rows, sha));
    }
    snapshot.close().await?;
    Ok(found)
}

//! The instance scope: restoring a backup, and copying one database into
//! another (SQLite → PostgreSQL, or back), each verified table by table.

use std::path::Path;

use futures_util::TryStreamExt;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::{
    ArchiveError, Progress, Summary,
    canonical::line,
    catalogue::{self, Table},
    import::{self, Mapping},
    manifest,
    sink::{self, Inserter},
    source::{Query, Rows, Snapshot},
};
use crate::{db::Db, storage::Storage};

pub async fn restore(db: &Db, storage: &Storage, archive: &Path, progress: &Progress) -> Result<Summary, ArchiveError> {
    let checked = import::check(archive, manifest::INSTANCE, db).await?;
    ensure_empty(db, "restore into").await?;
    ensure_no_uploads(storage, &checked.manifest).await?;
    progress.set_total(import::work(&checked.manifest));
    let mut mapping = Mapping::identity();
    let placed = import::place_files(&checked, storage, &mut mapping, progress).await?;
    let written = async {
        let mut tx = sink::begin(db).await?;
        crate::db::query::execute!(tx, "DELETE FROM plans")?;
        let tables: Vec<&'static Table> = catalogue::TABLES.iter().collect();
        let rows = import::insert_tables(&mut tx, &checked, &tables, &mut mapping, |_, _| Ok(()), progress).await?;
        tx.commit().await?;
        Ok::<_, ArchiveError>(rows)
    }
    .await;
    match written {
        Ok(rows) => Ok(import::summary(&checked, rows)),
        Err(err) => {
            import::remove(storage, placed).await;
            Err(err)
        }
    }
}

/// Refuses a database with rows (the plans Easel ships with aside), naming
/// what it found.
pub async fn ensure_empty(db: &Db, verb: &str) -> Result<(), ArchiveError> {
    let mut tx = sink::begin(db).await?;
    let mut found = Vec::new();
    for table in catalogue::TABLES.iter().filter(|t| t.name != "plans") {
        let sql = format!("SELECT COUNT(*) FROM {}", table.name);
        let count: i64 = crate::db::query::fetch_scalar!(tx, i64, &sql)?;
        if count > 0 {
            found.push(format!("{count} row(s) in {}", table.name));
        }
    }
    tx.commit().await?;
    if found.is_empty() {
        return Ok(());
    }
    Err(ArchiveError::Conflict(format!(
        "Easel will only {verb} an empty database, and this one has {}. Nothing was changed.",
        found.join(", ")
    )))
}

/// The store must hold no workspace's files, except ones this very archive
/// placed in an earlier, interrupted restore (overwritten now).
async fn ensure_no_uploads(storage: &Storage, manifest: &manifest::Manifest) -> Result<(), ArchiveError> {
    use futures_util::TryStreamExt;
    let ours: std::collections::HashSet<String> =
        manifest.files.iter().filter_map(|f| f.path.split('/').next().map(str::to_owned)).collect();
    let mut foreign = std::collections::BTreeSet::new();
    let mut listing = storage.list(None);
    while let Some(object) = listing.try_next().await? {
        let workspace = object.key.split('/').next().unwrap_or_default().to_owned();
        if uuid::Uuid::parse_str(&workspace).is_ok() && !ours.contains(&workspace) {
            foreign.insert(workspace);
        }
    }
    if foreign.is_empty() {
        return Ok(());
    }
    Err(ArchiveError::Conflict(format!(
        "Easel will only restore into an empty store, and {} holds the files of {} workspace(s) ({}). Nothing was changed.",
        storage.describe(),
        foreign.len(),
        foreign.iter().take(3).cloned().collect::<Vec<_>>().join(", ")
    )))
}

/// What `easel copy` did, table by table.
#[derive(Clone, Debug, Default)]
pub struct Copied {
    pub tables: Vec<(String, u64)>,
    pub rows: u64,
}

/// Copies every table of `from` into the empty, migrated `to`, in one
/// transaction, then compares each table's rows and canonical SHA-256 on
/// both sides.
pub async fn copy(from: &Db, to: &Db, progress: &Progress) -> Result<Copied, ArchiveError> {
    ensure_empty(to, "copy into").await?;
    let mut snapshot = Snapshot::begin(from).await?;
    let mut total = 0;
    for table in catalogue::TABLES {
        total += snapshot.count(table, Rows::All).await?;
    }
    progress.set_total(total);
    let mut tx = sink::begin(to).await?;
    crate::db::query::execute!(tx, "DELETE FROM plans")?;
    let mut copied = Copied::default();
    for table in catalogue::TABLES {
        let columns: Vec<_> = table.columns.iter().collect();
        let mut inserter = Inserter::new(table, columns.clone());
        let query = Query::table(table, &columns, Rows::All, snapshot.is_postgres());
        let mut stream = snapshot.rows(&query);
        while let Some(cells) = stream.try_next().await? {
            progress.add(1);
            inserter.push(&mut tx, cells).await?;
        }
        drop(stream);
        inserter.flush(&mut tx).await?;
        copied.rows += inserter.inserted;
        copied.tables.push((table.name.to_owned(), inserter.inserted));
    }
    snapshot.close().await?;
    tx.commit().await?;
    verify(from, to).await?;
    Ok(copied)
}

/// Both databases hold the same rows: counts and canonical hashes agree.
pub async fn verify(a: &Db, b: &Db) -> Result<(), ArchiveError> {
    let (mut left, mut right) = (Snapshot::begin(a).await?, Snapshot::begin(b).await?);
    for table in catalogue::TABLES {
        let (l, r) = (digest(&mut left, table).await?, digest(&mut right, table).await?);
        if l != r {
            return Err(ArchiveError::Io(format!(
                "the copy differs from the original in the table {} ({} row(s) there, {} here); do not use the copy",
                table.name, l.0, r.0
            )));
        }
    }
    left.close().await?;
    right.close().await
}

/// A table's row count and the SHA-256 of its canonical rows.
pub async fn digest(snapshot: &mut Snapshot, table: &'static Table) -> Result<(u64, String), ArchiveError> {
    digest_rows(snapshot, table, Rows::All).await
}

/// The same for some of a table's rows.
pub async fn digest_rows(
    snapshot: &mut Snapshot,
    table: &'static Table,
    which: Rows,
) -> Result<(u64, String), ArchiveError> {
    let columns: Vec<_> = table.columns.iter().collect();
    let mut hasher = Sha256::new();
    let mut rows = 0u64;
    let query = Query::table(table, &columns, which, snapshot.is_postgres());
    let mut stream = snapshot.rows(&query);
    while let Some(cells) = stream.try_next().await? {
        let values: Vec<Value> = cells.iter().map(|c| c.to_json()).collect();
        hasher.update(line(&columns, &values).as_bytes());
        hasher.update(b"\n");
        rows += 1;
    }
    drop(stream);
    Ok((rows, hex::encode(hasher.finalize())))
}

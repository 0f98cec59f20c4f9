//! Writing archives: a workspace's, an instance's (a backup).

use std::{collections::HashMap, path::Path};

use futures_util::TryStreamExt;
use serde_json::Value;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    ArchiveError, FORMAT, Progress, Summary,
    canonical::{Cell, line, time_text},
    catalogue::{self, Column, Kind, Table},
    manifest::{self, Manifest, TableEntry, WorkspaceEntry},
    readable,
    source::{Query, Rows, Snapshot},
    writer::Writer,
};
use crate::storage::Storage;

/// What one archive holds: every table (instance) or one workspace's rows.
#[derive(Clone, Copy, Debug)]
pub enum Scope {
    Instance,
    Workspace(Uuid),
    /// One person's own data ("Download my data").
    Person(Uuid),
}

impl Scope {
    fn rows(self) -> Rows {
        match self {
            Scope::Instance => Rows::All,
            Scope::Workspace(id) => Rows::Workspace(id),
            Scope::Person(id) => Rows::Person(id),
        }
    }

    /// The tables this scope carries, parents first.
    pub fn tables(self) -> Vec<&'static Table> {
        match self {
            Scope::Instance => catalogue::TABLES.iter().collect(),
            Scope::Workspace(_) => catalogue::TABLES
                .iter()
                .filter(|t| t.in_workspace_archive() || matches!(t.name, "workspaces" | "invitations"))
                .collect(),
            Scope::Person(_) => catalogue::TABLES
                .iter()
                .filter(|t| matches!(t.name, "users" | "memberships" | "audit_log" | "platform_audit"))
                .collect(),
        }
    }

    /// The columns written for `table` (secrets stay out of workspace archives).
    pub fn columns(self, table: &'static Table) -> Vec<&'static Column> {
        table
            .columns
            .iter()
            .filter(|c| matches!(self, Scope::Instance) || !catalogue::stays_in_instance(table.name, c.name))
            .filter(|c| !catalogue::stays_here(table.name, c.name))
            .collect()
    }
}

/// Writes an archive of `scope` from the databases `snapshot` reads.
pub async fn write(
    mut snapshot: Snapshot,
    storage: &Storage,
    scope: Scope,
    out: &Path,
    progress: &Progress,
) -> Result<Summary, ArchiveError> {
    let schema_version = snapshot.schema_version().await?;
    let workspace = match scope {
        Scope::Workspace(id) => Some(workspace_entry(&mut snapshot, id).await?),
        Scope::Instance | Scope::Person(_) => None,
    };
    let tables = scope.tables();
    let mut total = 0;
    for table in &tables {
        total += snapshot.count(table, scope.rows()).await?;
    }
    let files = match scope {
        Scope::Person(_) => 0,
        _ => snapshot.count(catalogue::table("images").ok_or_else(unknown)?, scope.rows()).await?,
    };
    progress.set_total(total + files);
    let emails = match scope {
        Scope::Instance => HashMap::new(),
        Scope::Workspace(_) | Scope::Person(_) => emails(&mut snapshot).await?,
    };
    let mut writer = Writer::create(out)?;
    let mut entries = Vec::new();
    for table in tables {
        entries.push(write_table(&mut snapshot, &mut writer, scope, table, &emails, progress).await?);
    }
    if !matches!(scope, Scope::Person(_)) {
        write_files(&mut snapshot, &mut writer, scope, storage, progress).await?;
    }
    if let Scope::Workspace(id) = scope {
        readable::people(&mut snapshot, &mut writer, id).await?;
        readable::artwork_csv(&mut snapshot, &mut writer, id).await?;
        readable::posts_csv(&mut snapshot, &mut writer, id).await?;
    }
    let keys_to_reenter = match scope {
        Scope::Workspace(id) => sealed_keys(&mut snapshot, id).await?,
        Scope::Instance | Scope::Person(_) => Vec::new(),
    };
    snapshot.close().await?;
    let rows = entries.iter().map(|e| e.rows).sum();
    let manifest = Manifest {
        format: FORMAT,
        easel_version: env!("CARGO_PKG_VERSION").to_owned(),
        schema_version,
        scope: match scope {
            Scope::Workspace(_) => manifest::WORKSPACE,
            Scope::Instance => manifest::INSTANCE,
            Scope::Person(_) => manifest::PERSON,
        }
        .to_owned(),
        workspace,
        created_at: time_text(OffsetDateTime::now_utc()),
        tables: entries,
        files: Vec::new(),
        derived_files: manifest::DERIVED_NOTE.to_owned(),
        keys_to_reenter,
    };
    let (bytes, files) = writer.finish(manifest).await?;
    Ok(Summary { bytes, rows, files })
}

fn unknown() -> ArchiveError {
    ArchiveError::Io("the archive catalogue is missing a table".into())
}

async fn workspace_entry(snapshot: &mut Snapshot, id: Uuid) -> Result<WorkspaceEntry, ArchiveError> {
    let name: Option<String> = crate::db::query::fetch_scalar!(
        snapshot.tx(),
        Option<String>,
        "SELECT MAX(name) FROM workspaces WHERE id = $1",
        id
    )?;
    let name = name.ok_or_else(|| ArchiveError::Conflict(format!("There is no workspace {id} here.")))?;
    Ok(WorkspaceEntry { id, name })
}

/// Every account's email by id, to write people as emails.
async fn emails(snapshot: &mut Snapshot) -> Result<HashMap<Uuid, String>, ArchiveError> {
    let rows: Vec<(Uuid, String)> =
        crate::db::query::fetch_all!(snapshot.tx(), (Uuid, String), "SELECT id, email FROM users")?;
    Ok(rows.into_iter().collect())
}

async fn sealed_keys(snapshot: &mut Snapshot, id: Uuid) -> Result<Vec<String>, ArchiveError> {
    let rows: Vec<(String,)> = crate::db::query::fetch_all!(
        snapshot.data_tx(),
        (String,),
        "SELECT field FROM workspace_secrets WHERE workspace_id = $1 ORDER BY field",
        id
    )?;
    Ok(rows.into_iter().map(|(field,)| field).collect())
}

async fn write_table(
    snapshot: &mut Snapshot,
    writer: &mut Writer,
    scope: Scope,
    table: &'static Table,
    emails: &HashMap<Uuid, String>,
    progress: &Progress,
) -> Result<TableEntry, ArchiveError> {
    let columns = scope.columns(table);
    writer.start(&manifest::table_entry(table.name)).await?;
    let mut hasher = Sha256::new();
    let mut rows = 0u64;
    let by_email = !matches!(scope, Scope::Instance);
    let query = Query::table(table, &columns, scope.rows(), snapshot.is_postgres());
    let mut stream = snapshot.rows(&query);
    while let Some(cells) = stream.try_next().await? {
        let values: Vec<Value> = columns
            .iter()
            .zip(&cells)
            .map(|(column, cell)| match (column.kind, cell) {
                (Kind::Person, Cell::Uuid(id)) if by_email => {
                    emails.get(id).map_or(Value::Null, |e| Value::String(e.clone()))
                }
                _ => cell.to_json(),
            })
            .collect();
        let mut text = line(&columns, &values);
        text.push('\n');
        hasher.update(text.as_bytes());
        writer.write(text.as_bytes()).await?;
        rows += 1;
        progress.add(1);
    }
    drop(stream);
    Ok(TableEntry { name: table.name.to_owned(), rows, sha256: hex::encode(hasher.finalize()) })
}

/// The originals and logos, under their storage keys.
async fn write_files(
    snapshot: &mut Snapshot,
    writer: &mut Writer,
    scope: Scope,
    storage: &Storage,
    progress: &Progress,
) -> Result<(), ArchiveError> {
    let images = catalogue::table("images").ok_or_else(unknown)?;
    let columns: Vec<&Column> =
        ["workspace_id", "id", "extension"].iter().filter_map(|name| images.column(name)).collect();
    let query = Query::table(images, &columns, scope.rows(), snapshot.is_postgres());
    let mut stream = snapshot.rows(&query);
    while let Some(cells) = stream.try_next().await? {
        if let [Cell::Uuid(ws), Cell::Uuid(id), Cell::Text(ext)] = cells.as_slice() {
            let key = format!("{ws}/originals/{id}.{ext}");
            writer.stored_file(storage, key).await?;
        }
        progress.add(1);
    }
    drop(stream);
    for (ws, logo) in logos(snapshot, scope).await? {
        let key = format!("{ws}/brand/{logo}");
        writer.stored_file(storage, key).await?;
    }
    Ok(())
}

async fn logos(snapshot: &mut Snapshot, scope: Scope) -> Result<Vec<(Uuid, String)>, ArchiveError> {
    Ok(match scope {
        Scope::Workspace(id) => crate::db::query::fetch_all!(
            snapshot.tx(),
            (Uuid, String),
            "SELECT id, logo FROM workspaces WHERE id = $1 AND logo <> ''",
            id
        )?,
        Scope::Instance => crate::db::query::fetch_all!(
            snapshot.tx(),
            (Uuid, String),
            "SELECT id, logo FROM workspaces WHERE logo <> '' ORDER BY id"
        )?,
        Scope::Person(_) => Vec::new(),
    })
}

//! Importing a workspace archive: kept ids (refused if the workspace is
//! here already) or fresh ones (`--as-new`), people matched by email.

use std::path::Path;

use serde_json::Value;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    ArchiveError, ImportOptions, Imported, Progress,
    catalogue::Table,
    export::Scope,
    import::{self, Mapping},
    reader::{self, Checked},
    sink,
};
use crate::{db::Db, db::Tx, storage::Storage};

/// The longest workspace name the app accepts (a copy's name stays within it).
const MAX_NAME: usize = 100;

/// How long the invitation made for someone without an account here lasts.
const INVITATION_DAYS: i64 = 7;

pub async fn import(
    db: &Db,
    storage: &Storage,
    archive: &Path,
    options: &ImportOptions,
    progress: &Progress,
) -> Result<Imported, ArchiveError> {
    let checked = import::check(archive, import::WORKSPACE, db).await?;
    let entry = checked.manifest.workspace.clone().ok_or_else(|| ArchiveError::Invalid("no workspace".into()))?;
    if !options.as_new && exists(db, entry.id).await? {
        return Err(ArchiveError::Conflict(format!(
            "The workspace {} is already on this instance. Import it as a copy beside the original (\"as a copy\", or --as-new on the command line).",
            entry.name
        )));
    }
    progress.set_total(import::work(&checked.manifest));
    let people = people(db).await?;
    let mut mapping = import::with_people(Mapping::identity(), people.clone());
    if options.as_new {
        mapping = import::fresh(mapping);
    }
    let target = mapping.id(entry.id);
    let written = match import::place_files(&checked, storage, &mut mapping, progress).await {
        Ok(placed) => {
            let written = write_rows(db, &checked, entry.id, options.as_new, &mut mapping, &people, progress).await;
            if written.is_err() {
                import::remove(storage, placed).await;
            }
            written
        }
        Err(err) => Err(err),
    };
    match written {
        Ok((rows, members, invited)) => Ok(Imported {
            workspace_id: target,
            name: entry.name,
            summary: import::summary(&checked, rows),
            keys_to_reenter: checked.manifest.keys_to_reenter.clone(),
            members,
            invited,
        }),
        Err(err) => {
            // The workspace is not here (that was checked, or its ids are
            // new), so its whole folder goes, empty folders included.
            let _ = storage.delete_workspace(target).await;
            Err(err)
        }
    }
}

async fn exists(db: &Db, id: Uuid) -> Result<bool, ArchiveError> {
    let found: Option<(Uuid,)> =
        crate::db::query::fetch_optional!(db, (Uuid,), "SELECT id FROM workspaces WHERE id = $1", id)?;
    Ok(found.is_some())
}

async fn people(db: &Db) -> Result<std::collections::HashMap<String, Uuid>, ArchiveError> {
    let rows: Vec<(String, Uuid)> = crate::db::query::fetch_all!(db, (String, Uuid), "SELECT email, id FROM users")?;
    Ok(import::people_by_email(rows))
}

type Written = (u64, Vec<String>, Vec<String>);

async fn write_rows(
    db: &Db,
    checked: &Checked,
    source: Uuid,
    copy: bool,
    mapping: &mut Mapping,
    people: &std::collections::HashMap<String, Uuid>,
    progress: &Progress,
) -> Result<Written, ArchiveError> {
    let mut tx = sink::begin(db).await?;
    let tables = Scope::Workspace(source).tables();
    let adjust = |table: &'static Table, row: &mut serde_json::Map<String, Value>| belongs(table, row, source, copy);
    let rows = import::insert_tables(&mut tx, checked, &tables, mapping, adjust, progress).await?;
    let target = mapping.id(source);
    let (members, invited) = members(&mut tx, checked, target, people).await?;
    recount(&mut tx, target).await?;
    tx.commit().await?;
    Ok((rows, members, invited))
}

/// Every row must be the archive's own workspace's, and invitations get
/// a token nobody knows (the archive never carries one). A copy says so in
/// its name, so that nobody mistakes it for the original.
fn belongs(
    table: &'static Table,
    row: &mut serde_json::Map<String, Value>,
    source: Uuid,
    copy: bool,
) -> Result<(), ArchiveError> {
    let column = if table.name == "workspaces" { "id" } else { "workspace_id" };
    let owner = row.get(column).and_then(Value::as_str).and_then(|s| Uuid::parse_str(s).ok());
    if owner != Some(source) {
        return Err(ArchiveError::Invalid(format!(
            "The archive's table {} has a row of another workspace; nothing was imported.",
            table.name
        )));
    }
    if table.name == "invitations" {
        row.insert("token_hash".into(), Value::String(unknown_token()));
    }
    if copy && table.name == "workspaces" {
        let name = row.get("name").and_then(Value::as_str).unwrap_or_default();
        let renamed = format!("{} (copy)", name.chars().take(MAX_NAME - 7).collect::<String>());
        row.insert("name".into(), Value::String(renamed));
    }
    Ok(())
}

fn unknown_token() -> String {
    let bytes: [u8; 32] = rand::random();
    hex::encode(Sha256::digest(bytes))
}

/// People in `people.jsonl`: members again where they have an account here,
/// pending invitations (not mailed) where they do not.
async fn members(
    tx: &mut Tx,
    checked: &Checked,
    workspace: Uuid,
    people: &std::collections::HashMap<String, Uuid>,
) -> Result<(Vec<String>, Vec<String>), ArchiveError> {
    let path = checked.path.clone();
    let lines = tokio::task::spawn_blocking(move || {
        let mut lines = Vec::new();
        reader::each_entry_line(&path, import::PEOPLE, |line| {
            lines.push(line);
            Ok(())
        })
        .map(|()| lines)
    })
    .await
    .map_err(|e| ArchiveError::Io(e.to_string()))??;
    let (mut members, mut invited) = (Vec::new(), Vec::new());
    let now = OffsetDateTime::now_utc();
    for line in lines {
        let (email, role) = person_line(&line)?;
        match people.get(&email) {
            Some(user) => {
                crate::db::query::execute!(
                    tx,
                    "INSERT INTO memberships (workspace_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)",
                    workspace,
                    *user,
                    role.clone(),
                    now
                )?;
                members.push(email);
            }
            None => {
                invite(tx, workspace, &email, &role, now).await?;
                invited.push(email);
            }
        }
    }
    Ok((members, invited))
}

fn person_line(line: &str) -> Result<(String, String), ArchiveError> {
    let bad = || ArchiveError::Invalid("The archive's people.jsonl has a line Easel cannot read.".into());
    let value: Value = serde_json::from_str(line).map_err(|_| bad())?;
    let email = value.get("email").and_then(Value::as_str).ok_or_else(bad)?.trim().to_lowercase();
    let role = value.get("role").and_then(Value::as_str).ok_or_else(bad)?;
    if !["owner", "admin", "member", "viewer"].contains(&role) || !email.contains('@') {
        return Err(bad());
    }
    Ok((email, role.to_owned()))
}

async fn invite(
    tx: &mut Tx,
    workspace: Uuid,
    email: &str,
    role: &str,
    now: OffsetDateTime,
) -> Result<(), ArchiveError> {
    let pending: Option<(Uuid,)> = crate::db::query::fetch_optional!(
        tx,
        (Uuid,),
        "SELECT id FROM invitations WHERE workspace_id = $1 AND lower(email) = $2 AND accepted_at IS NULL \
         AND revoked_at IS NULL",
        workspace,
        email.to_owned()
    )?;
    if pending.is_some() {
        return Ok(());
    }
    crate::db::query::execute!(
        tx,
        "INSERT INTO invitations (id, workspace_id, email, role, token_hash, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        Uuid::now_v7(),
        workspace,
        email.to_owned(),
        role.to_owned(),
        unknown_token(),
        now,
        now + time::Duration::days(INVITATION_DAYS)
    )?;
    Ok(())
}

/// Storage counters follow from the rows, so they are counted, not carried.
pub async fn recount(tx: &mut Tx, workspace: Uuid) -> Result<(), ArchiveError> {
    crate::db::query::execute!(
        tx,
        "INSERT INTO workspace_usage (workspace_id, image_count, storage_bytes) \
         SELECT $1, COUNT(*), COALESCE(SUM(stored_bytes), 0) FROM images WHERE workspace_id = $1 \
         ON CONFLICT (workspace_id) DO UPDATE SET image_count = excluded.image_count, \
         storage_bytes = excluded.storage_bytes",
        workspace
    )?;
    Ok(())
}

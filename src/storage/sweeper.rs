//! Start-up clean-up of the uploads folder: half-written temporary files,
//! files whose database row never came (a crash between the two), and the
//! folders of workspaces that no longer exist.

use std::{collections::HashSet, path::Path};

use uuid::Uuid;

use super::{Folder, Storage, TMP};
use crate::db::{
    Databases, Db,
    query::{fetch_all, fetch_optional},
};

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Swept {
    pub temporary: usize,
    pub orphans: usize,
    pub workspaces: usize,
}

pub async fn sweep(databases: &Databases, storage: &Storage) -> anyhow::Result<Swept> {
    let db = databases.main();
    let mut swept = Swept::default();
    let Ok(entries) = std::fs::read_dir(storage.root()) else { return Ok(swept) };
    for entry in entries.flatten() {
        let Some(workspace) = entry.file_name().to_str().and_then(|n| Uuid::parse_str(n).ok()) else { continue };
        if !workspace_exists(db, workspace).await? {
            storage.remove_workspace(workspace)?;
            swept.workspaces += 1;
            continue;
        }
        swept.temporary += clear_dir(&storage.workspace_dir(workspace).join(TMP));
        let known = image_ids(databases, workspace).await?;
        for folder in Folder::ALL {
            swept.orphans += remove_unknown(&storage.workspace_dir(workspace).join(folder.dir_name()), &known);
        }
    }
    if swept != Swept::default() {
        tracing::info!(?swept, "swept the uploads folder");
    }
    Ok(swept)
}

async fn workspace_exists(db: &Db, id: Uuid) -> sqlx::Result<bool> {
    let row: Option<(Uuid,)> = fetch_optional!(db, (Uuid,), "SELECT id FROM workspaces WHERE id = $1", id)?;
    Ok(row.is_some())
}

async fn image_ids(databases: &Databases, workspace: Uuid) -> anyhow::Result<HashSet<Uuid>> {
    let mut tx = databases.workspace_tx(workspace, false).await?;
    let rows: Vec<(Uuid,)> = fetch_all!(tx, (Uuid,), "SELECT id FROM images WHERE workspace_id = $1", workspace)?;
    tx.commit().await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

fn clear_dir(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    entries.flatten().filter(|e| std::fs::remove_file(e.path()).is_ok()).count()
}

/// Removes files named `<id>.<ext>` whose id has no row (and anything else).
fn remove_unknown(dir: &Path, known: &HashSet<Uuid>) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    entries
        .flatten()
        .filter(|e| {
            let name = e.file_name();
            let id = name.to_str().and_then(|n| n.split('.').next()).and_then(|stem| Uuid::parse_str(stem).ok());
            !id.is_some_and(|id| known.contains(&id))
        })
        .filter(|e| std::fs::remove_file(e.path()).is_ok())
        .count()
}

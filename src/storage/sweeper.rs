//! Clean-up of the store: temporary files, objects whose database row never
//! came (a crash between the two), and the objects of workspaces that no
//! longer exist. Only objects older than a grace period go, so an upload in
//! flight on another instance (objects put, row not yet written) is never
//! swept; several instances may sweep at once (removing twice is harmless).

use std::{
    collections::{HashMap, HashSet},
    path::Path,
    time::Duration,
};

use futures_util::TryStreamExt;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{BRAND, Folder, Listed, Storage, TMP};
use crate::{
    db::{
        Databases, Db, cluster,
        query::{fetch_all, fetch_optional},
    },
    images::crops::{RENDITIONS, live_renditions},
};

/// How often a server sweeps after its start-up sweep.
pub const EVERY: Duration = Duration::from_secs(3600);

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Swept {
    pub temporary: usize,
    pub orphans: usize,
    pub workspaces: usize,
}

/// One sweep of the whole store; objects younger than `grace` stay.
pub async fn sweep(databases: &Databases, storage: &Storage, grace: Duration) -> anyhow::Result<Swept> {
    let cutoff = OffsetDateTime::now_utc() - grace;
    let mut swept = Swept { temporary: clear_local_temp(storage, grace), ..Swept::default() };
    // Listed before the rows are read: a row written meanwhile is seen.
    let mut by_workspace: HashMap<Uuid, Vec<Listed>> = HashMap::new();
    let mut listing = storage.list(None);
    while let Some(object) = listing.try_next().await? {
        if let Some(ws) = object.key.split('/').next().and_then(|w| Uuid::parse_str(w).ok()) {
            by_workspace.entry(ws).or_default().push(object);
        }
    }
    for (workspace, objects) in by_workspace {
        let Some(logo) = logo_of(databases.main(), workspace).await? else {
            if objects.iter().all(|o| o.modified <= cutoff) {
                storage.delete_workspace(workspace).await?;
                swept.workspaces += 1;
            }
            continue;
        };
        let (known, renditions) = match image_ids(databases, workspace).await {
            Ok(known) => known,
            // Its database is down: nothing of it is swept this time.
            Err(e) => {
                tracing::warn!(%workspace, error = %e, "could not sweep a workspace's files");
                continue;
            }
        };
        let mut doomed = Vec::new();
        for object in objects.into_iter().filter(|o| o.modified <= cutoff) {
            match leftover(&object.key, &known, &logo, &renditions) {
                Some(Leftover::Temporary) => swept.temporary += 1,
                Some(Leftover::Orphan) => swept.orphans += 1,
                None => continue,
            }
            doomed.push(object.key);
        }
        storage.delete(&doomed).await;
    }
    if swept != Swept::default() {
        tracing::info!(?swept, "swept the uploads folder");
    }
    Ok(swept)
}

enum Leftover {
    Temporary,
    Orphan,
}

/// Whether `key` (`<ws>/<folder>/<name>`) is a leftover: a temporary file,
/// an image file without its row, a logo that is not the current one, or a
/// rendition no current frame makes (its image is gone or its crop changed).
/// Exports and anything unknown are left alone.
fn leftover(key: &str, known: &HashSet<Uuid>, logo: &str, renditions: &HashSet<String>) -> Option<Leftover> {
    let mut parts = key.splitn(3, '/').skip(1);
    let (folder, name) = (parts.next()?, parts.next()?);
    if folder == TMP {
        return Some(Leftover::Temporary);
    }
    if folder == RENDITIONS {
        return (!renditions.contains(name)).then_some(Leftover::Orphan);
    }
    if folder == BRAND {
        return (name != logo).then_some(Leftover::Orphan);
    }
    if !Folder::ALL.iter().any(|f| f.dir_name() == folder) {
        return None;
    }
    let id = name.split('.').next().and_then(|stem| Uuid::parse_str(stem).ok());
    (!id.is_some_and(|id| known.contains(&id))).then_some(Leftover::Orphan)
}

/// The temporary files of an S3 store live on this machine: the ones older
/// than the grace period are leftovers of a crash.
fn clear_local_temp(storage: &Storage, grace: Duration) -> usize {
    if !storage.is_s3() {
        return 0;
    }
    let Ok(workspaces) = std::fs::read_dir(storage.temp_root()) else { return 0 };
    workspaces.flatten().map(|dir| clear_old_files(&dir.path(), grace)).sum()
}

fn clear_old_files(dir: &Path, grace: Duration) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    let old = |e: &std::fs::DirEntry| {
        e.metadata().and_then(|m| m.modified()).is_ok_and(|t| t.elapsed().unwrap_or_default() >= grace)
    };
    entries.flatten().filter(old).filter(|e| std::fs::remove_file(e.path()).is_ok()).count()
}

/// The workspace's current logo name (`""` for none), or `None` when the
/// workspace does not exist.
async fn logo_of(db: &Db, id: Uuid) -> sqlx::Result<Option<String>> {
    let row: Option<(String,)> = fetch_optional!(db, (String,), "SELECT logo FROM workspaces WHERE id = $1", id)?;
    Ok(row.map(|(logo,)| logo))
}

/// The workspace's image ids, and the names of its current renditions.
async fn image_ids(databases: &Databases, workspace: Uuid) -> anyhow::Result<(HashSet<Uuid>, HashSet<String>)> {
    let mut tx = databases.workspace_tx(workspace, false).await?;
    let rows: Vec<(Uuid,)> = fetch_all!(tx, (Uuid,), "SELECT id FROM images WHERE workspace_id = $1", workspace)?;
    let renditions = live_renditions(&mut tx).await?;
    tx.commit().await?;
    Ok((rows.into_iter().map(|(id,)| id).collect(), renditions))
}

/// The cluster job's name in `cluster_jobs`.
const JOB: &str = "storage sweep";

/// The start-up sweep, before the server listens. It counts as the cluster's
/// sweep, so the periodic one does not run again at once: with a short grace
/// that second sweep would race the first uploads (or a restore) and take
/// objects whose rows were not yet written.
pub async fn sweep_at_start(
    databases: &Databases,
    storage: &Storage,
    grace: Duration,
    lease: Duration,
) -> anyhow::Result<()> {
    let main = databases.main();
    let claimed = cluster::claim_due(main, JOB, Duration::ZERO, lease).await?;
    let swept = sweep(databases, storage, grace).await;
    if claimed {
        cluster::finish(main, JOB, swept.is_ok()).await?;
    }
    swept.map(drop)
}

/// The periodic sweep, once per cluster: whichever instance claims the hour
/// sweeps. Sweeping twice would be harmless, only wasted listing.
pub async fn keep_sweeping(databases: Databases, storage: Storage, grace: Duration, lease: Duration) {
    let main = databases.main().clone();
    cluster::keep_doing(main, JOB, EVERY, lease, move || {
        let (databases, storage) = (databases.clone(), storage.clone());
        async move { sweep(&databases, &storage, grace).await.map(drop) }
    })
    .await;
}

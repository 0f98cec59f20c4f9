//! The background job that writes a workspace archive, and the tidying of
//! old ones. The job's state lives in `workspace_exports` (any instance
//! shows it, with the percentage recorded at each lease renewal); the live
//! percentage lives here, in the process writing it.

use std::{
    collections::HashMap,
    path::PathBuf,
    sync::{Arc, LazyLock, Mutex},
    time::Duration,
};

use time::OffsetDateTime;
use uuid::Uuid;

use super::{files, queries};
use crate::{
    archive::{self, Progress},
    db::{AdminTx, WorkspaceTx},
    state::AppState,
    storage::private,
};

/// Export id → progress, for the exports this process is writing.
static RUNNING: LazyLock<Mutex<HashMap<Uuid, Arc<Progress>>>> = LazyLock::new(Mutex::default);

/// How often a running export renews its lease (well inside [`queries::LEASE`])
/// and records its percentage for the other instances.
const RENEW_EVERY: Duration = Duration::from_secs(5);

fn running() -> std::sync::MutexGuard<'static, HashMap<Uuid, Arc<Progress>>> {
    RUNNING.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The percentage of an export this process is writing, if it is.
pub fn percent(export: Uuid) -> Option<u8> {
    running().get(&export).map(|p| p.percent())
}

/// How far a running export got: live when this process writes it, else
/// as its worker (on another instance) last recorded it.
pub fn percent_of(export: &queries::Export) -> Option<u8> {
    percent(export.id).or_else(|| (export.state == "running").then(|| u8::try_from(export.percent).unwrap_or(0)))
}

// A background job, not a request: it names its workspace itself, one the
// owner's request checked when it queued the export.
async fn enter(state: &AppState, workspace: Uuid) -> sqlx::Result<WorkspaceTx> {
    state.databases.workspace_tx(workspace, true).await.map_err(|e| sqlx::Error::Protocol(format!("{e:#}")))
}

/// Starts writing a queued export in the background.
pub fn start(state: &AppState, workspace: Uuid, export: Uuid) {
    let progress = Progress::new();
    running().insert(export, progress.clone());
    let state = state.clone();
    tokio::spawn(async move {
        let work = tokio::spawn(run(state.clone(), workspace, export, progress));
        // A panic in the archive code still ends the job, as failed.
        if let Err(e) = work.await {
            tracing::error!(%workspace, %export, error = %e, "a workspace export stopped unexpectedly");
            if let Err(e) = settle(&state, workspace, export, Err(UNEXPECTED.to_owned())).await {
                tracing::warn!(%export, error = %e, "could not record a failed export");
            }
        }
        running().remove(&export);
    });
}

async fn run(state: AppState, workspace: Uuid, export: Uuid, progress: Arc<Progress>) {
    match claim(&state, workspace, export).await {
        Ok(true) => {}
        Ok(false) => return,
        Err(e) => {
            tracing::warn!(%export, error = %e, "could not start a workspace export");
            return;
        }
    }
    let keep_alive = tokio::spawn(renew_lease(state.clone(), workspace, export));
    let written = match archive_path(&state, workspace, export) {
        Ok(out) => write(&state, workspace, export, out, progress).await,
        Err(e) => Err(format!("Easel could not make a folder for the archive: {e}")),
    };
    keep_alive.abort();
    if let Err(e) = settle(&state, workspace, export, written).await {
        tracing::warn!(%export, error = %e, "could not record how a workspace export ended");
    }
}

const UNEXPECTED: &str = "Something went wrong while making this archive. Start a new export.";

/// Writes the archive; its size, or the sentence the page shows.
async fn write(
    state: &AppState,
    workspace: Uuid,
    export: Uuid,
    out: PathBuf,
    progress: Arc<Progress>,
) -> Result<u64, String> {
    let (databases, storage) = (state.databases.clone(), state.storage.clone());
    let written = as_a_task(async move {
        let summary = archive::export_workspace(&databases, &storage, workspace, &out, &progress).await?;
        // Only Easel's own user may read a workspace's whole archive.
        private::tighten(&out, private::FILE);
        // Into the store, so that any instance can serve the download.
        storage.put_file(&out, &files::archive_key(workspace, export)).await?;
        Ok::<_, archive::ArchiveError>(summary.bytes)
    })
    .await;
    match written {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(e)) => {
            tracing::warn!(%workspace, %export, error = %e, "a workspace export failed");
            Err(e.to_string())
        }
        Err(e) => {
            tracing::error!(%workspace, %export, error = %e, "a workspace export stopped unexpectedly");
            Err(UNEXPECTED.to_owned())
        }
    }
}

/// Runs an archive job as a task of its own: a request that goes away (a
/// closed tab) does not cut the archive off half-way.
pub async fn as_a_task<T: Send + 'static>(
    job: impl std::future::Future<Output = T> + Send + 'static,
) -> Result<T, tokio::task::JoinError> {
    tokio::spawn(job).await
}

fn archive_path(state: &AppState, workspace: Uuid, export: Uuid) -> std::io::Result<PathBuf> {
    files::workspace_folder(&state.config.data_dir, workspace)?;
    Ok(files::archive_path(&state.config.data_dir, workspace, export))
}

async fn claim(state: &AppState, workspace: Uuid, export: Uuid) -> sqlx::Result<bool> {
    let mut tx = enter(state, workspace).await?;
    let claimed = queries::claim(&mut tx, export, OffsetDateTime::now_utc()).await?;
    tx.commit().await?;
    Ok(claimed)
}

async fn renew_lease(state: AppState, workspace: Uuid, export: Uuid) {
    loop {
        tokio::time::sleep(RENEW_EVERY).await;
        let renewed = async {
            let mut tx = enter(&state, workspace).await?;
            let done = percent(export).map_or(0, i32::from);
            queries::renew(&mut tx, export, OffsetDateTime::now_utc(), done).await?;
            tx.commit().await
        };
        if let Err(e) = renewed.await {
            tracing::warn!(%export, error = %e, "could not renew a workspace export's lease");
        }
    }
}

/// Records the end of a job. A failed one leaves no file behind, and
/// neither does one whose row is gone (the workspace was deleted meanwhile).
async fn settle(state: &AppState, workspace: Uuid, export: Uuid, written: Result<u64, String>) -> sqlx::Result<()> {
    let now = OffsetDateTime::now_utc();
    let mut tx = enter(state, workspace).await?;
    let recorded = match &written {
        Ok(bytes) => queries::finish(&mut tx, export, i64::try_from(*bytes).unwrap_or(i64::MAX), now).await?,
        Err(message) => queries::fail(&mut tx, export, message, now).await?,
    };
    tx.commit().await?;
    if written.is_err() || recorded == 0 {
        files::remove_everywhere(&state.storage, &state.config.data_dir, workspace, export).await;
    }
    Ok(())
}

/// Fails this workspace's abandoned exports and deletes expired archives.
/// Called when the exports page opens and, for every workspace, at start-up.
pub async fn tidy(state: &AppState, workspace: Uuid) -> sqlx::Result<()> {
    let now = OffsetDateTime::now_utc();
    let mut tx = enter(state, workspace).await?;
    let abandoned = queries::fail_abandoned(&mut tx, now).await?;
    let expired = queries::expired(&mut tx, now).await?;
    tx.commit().await?;
    for export in abandoned {
        files::remove_everywhere(&state.storage, &state.config.data_dir, workspace, export).await;
    }
    for export in expired {
        files::remove_everywhere(&state.storage, &state.config.data_dir, workspace, export).await;
        let mut tx = enter(state, workspace).await?;
        queries::mark_expired(&mut tx, export).await?;
        tx.commit().await?;
    }
    Ok(())
}

/// At start-up: an export whose worker died is shown as failed, and expired
/// archives are deleted, in every workspace.
pub async fn tidy_everywhere(state: &AppState) -> anyhow::Result<()> {
    let mut workspaces = Vec::new();
    for (_, db) in state.databases.all() {
        let mut tx = AdminTx::begin(db).await?;
        workspaces.extend(queries::workspaces_to_tidy(&mut tx, OffsetDateTime::now_utc()).await?);
        tx.commit().await?;
    }
    for workspace in workspaces {
        tidy(state, workspace).await?;
    }
    remove_archives_of_deleted_workspaces(state).await
}

/// A deleted workspace's archives leave with it (its rows are gone already).
async fn remove_archives_of_deleted_workspaces(state: &AppState) -> anyhow::Result<()> {
    let Ok(folders) = std::fs::read_dir(state.config.data_dir.join("exports")) else { return Ok(()) };
    for folder in folders.flatten() {
        let Some(workspace) = folder.file_name().to_str().and_then(|n| Uuid::parse_str(n).ok()) else { continue };
        let mut tx = AdminTx::begin(&state.db).await?;
        let exists = queries::workspace_exists(&mut tx, workspace).await?;
        tx.commit().await?;
        if !exists && let Err(e) = std::fs::remove_dir_all(folder.path()) {
            tracing::warn!(%workspace, error = %e, "could not remove a deleted workspace's exports");
        }
    }
    Ok(())
}

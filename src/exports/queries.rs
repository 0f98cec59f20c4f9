//! SQL of `workspace_exports`: one row per archive an owner asked for.

use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::db::{
    AdminTx, WorkspaceTx,
    query::{execute, fetch_all, fetch_optional, fetch_scalar},
};

/// How long a finished archive may be downloaded.
pub const VALID_FOR: Duration = Duration::hours(24);

/// How long a worker's claim on an export lasts unless it renews it.
pub const LEASE: Duration = Duration::seconds(60);

/// What a failed export says when its worker stopped without finishing.
pub const ABANDONED: &str = "Easel stopped while this archive was being made. Start a new export.";

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Export {
    pub id: Uuid,
    pub state: String,
    pub error: String,
    pub bytes: i64,
    pub created_at: OffsetDateTime,
    pub finished_at: Option<OffsetDateTime>,
    pub expires_at: Option<OffsetDateTime>,
    /// How far it got when its worker last renewed the lease.
    pub percent: i32,
}

impl Export {
    /// Still being made (queued or running).
    pub fn in_progress(&self) -> bool {
        matches!(self.state.as_str(), "queued" | "running")
    }

    /// Ready, and its link has not run out.
    pub fn downloadable(&self, now: OffsetDateTime) -> bool {
        self.state == "ready" && self.expires_at.is_some_and(|at| at > now)
    }
}

const COLUMNS: &str = "id, state, error, bytes, created_at, finished_at, expires_at, percent";

/// Records a new export, queued and leased to this process. `false` when
/// one is already queued or running in the workspace (the unique index
/// keeps that true across instances too).
pub async fn queue(tx: &mut WorkspaceTx, id: Uuid, by: Uuid, now: OffsetDateTime) -> sqlx::Result<bool> {
    let workspace = tx.workspace_id();
    let sql = "INSERT INTO workspace_exports (workspace_id, id, requested_by, state, created_at, lease_until) \
               VALUES ($1, $2, $3, 'queued', $4, $5)";
    match execute!(tx, sql, workspace, id, by, now, now + LEASE) {
        Ok(_) => Ok(true),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Ok(false),
        Err(e) => Err(e),
    }
}

/// The most recent exports, newest first.
pub async fn recent(tx: &mut WorkspaceTx, limit: i64) -> sqlx::Result<Vec<Export>> {
    let workspace = tx.workspace_id();
    let sql = format!(
        "SELECT {COLUMNS} FROM workspace_exports WHERE workspace_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2"
    );
    fetch_all!(tx, Export, &sql, workspace, limit)
}

pub async fn get(tx: &mut WorkspaceTx, id: Uuid) -> sqlx::Result<Option<Export>> {
    let workspace = tx.workspace_id();
    let sql = format!("SELECT {COLUMNS} FROM workspace_exports WHERE workspace_id = $1 AND id = $2");
    fetch_optional!(tx, Export, &sql, workspace, id)
}

/// Moves a queued export to running; `false` if someone else has it.
pub async fn claim(tx: &mut WorkspaceTx, id: Uuid, now: OffsetDateTime) -> sqlx::Result<bool> {
    let workspace = tx.workspace_id();
    let sql = "UPDATE workspace_exports SET state = 'running', lease_until = $3 \
               WHERE workspace_id = $1 AND id = $2 AND state = 'queued'";
    Ok(execute!(tx, sql, workspace, id, now + LEASE)? == 1)
}

/// The worker is alive: push its lease on, and record how far it got.
pub async fn renew(tx: &mut WorkspaceTx, id: Uuid, now: OffsetDateTime, percent: i32) -> sqlx::Result<u64> {
    let workspace = tx.workspace_id();
    let sql = "UPDATE workspace_exports SET lease_until = $3, percent = $4 \
               WHERE workspace_id = $1 AND id = $2 AND state = 'running'";
    execute!(tx, sql, workspace, id, now + LEASE, percent)
}

/// The archive is in place: downloadable for [`VALID_FOR`].
pub async fn finish(tx: &mut WorkspaceTx, id: Uuid, bytes: i64, now: OffsetDateTime) -> sqlx::Result<u64> {
    let workspace = tx.workspace_id();
    let sql = "UPDATE workspace_exports SET state = 'ready', bytes = $3, finished_at = $4, expires_at = $5, \
               lease_until = NULL WHERE workspace_id = $1 AND id = $2 AND state = 'running'";
    execute!(tx, sql, workspace, id, bytes, now, now + VALID_FOR)
}

pub async fn fail(tx: &mut WorkspaceTx, id: Uuid, error: &str, now: OffsetDateTime) -> sqlx::Result<u64> {
    let workspace = tx.workspace_id();
    let sql = "UPDATE workspace_exports SET state = 'failed', error = $3, finished_at = $4, lease_until = NULL \
               WHERE workspace_id = $1 AND id = $2 AND state IN ('queued', 'running')";
    execute!(tx, sql, workspace, id, error, now)
}

/// Exports whose worker stopped renewing its lease (Easel stopped or
/// crashed) are failed, so the page never shows them running forever.
/// Yields their ids, so their half-written files can go too.
pub async fn fail_abandoned(tx: &mut WorkspaceTx, now: OffsetDateTime) -> sqlx::Result<Vec<Uuid>> {
    let workspace = tx.workspace_id();
    let sql = "UPDATE workspace_exports SET state = 'failed', error = $2, finished_at = $3, lease_until = NULL \
               WHERE workspace_id = $1 AND state IN ('queued', 'running') AND lease_until < $3 RETURNING id";
    let rows: Vec<(Uuid,)> = fetch_all!(tx, (Uuid,), sql, workspace, ABANDONED, now)?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// Ready exports whose link has run out (their files are to be deleted).
pub async fn expired(tx: &mut WorkspaceTx, now: OffsetDateTime) -> sqlx::Result<Vec<Uuid>> {
    let workspace = tx.workspace_id();
    let sql = "SELECT id FROM workspace_exports WHERE workspace_id = $1 AND state = 'ready' AND expires_at < $2";
    let rows: Vec<(Uuid,)> = fetch_all!(tx, (Uuid,), sql, workspace, now)?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// The file of this export is gone: its row says so.
pub async fn mark_expired(tx: &mut WorkspaceTx, id: Uuid) -> sqlx::Result<u64> {
    let workspace = tx.workspace_id();
    let sql = "UPDATE workspace_exports SET state = 'expired' WHERE workspace_id = $1 AND id = $2 AND state = 'ready'";
    execute!(tx, sql, workspace, id)
}

/// At start-up, across workspaces: which have exports to tidy (abandoned
/// or expired), so each can be tidied in its own workspace transaction.
pub async fn workspaces_to_tidy(tx: &mut AdminTx, now: OffsetDateTime) -> sqlx::Result<Vec<Uuid>> {
    let sql = "SELECT DISTINCT workspace_id FROM workspace_exports \
               WHERE (state IN ('queued', 'running') AND lease_until < $1) \
                  OR (state = 'ready' AND expires_at < $1)";
    let rows: Vec<(Uuid,)> = fetch_all!(tx, (Uuid,), sql, now)?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// Whether the workspace still exists (its archives go with it).
pub async fn workspace_exists(tx: &mut AdminTx, workspace: Uuid) -> sqlx::Result<bool> {
    Ok(fetch_scalar!(tx, i64, "SELECT COUNT(*) FROM workspaces WHERE id = $1", workspace)? > 0)
}

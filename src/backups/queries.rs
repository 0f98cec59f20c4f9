//! The SQL of `backup_runs`: claiming a run under a lease, renewing it,
//! recording how it ended, and reading the latest runs for the dashboard.

use time::OffsetDateTime;
use uuid::Uuid;

use crate::db::{
    AdminTx, Target,
    query::{execute, fetch_optional},
};

/// One backup, running or finished.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct BackupRun {
    pub id: Uuid,
    pub instance: String,
    /// "the schedule", or the email of the admin who pressed "Back up now".
    pub requested_by: String,
    pub file_name: String,
    pub started_at: OffsetDateTime,
    pub finished_at: Option<OffsetDateTime>,
    /// `None` while it runs.
    pub ok: Option<bool>,
    pub bytes: Option<i64>,
    pub error: String,
}

const COLUMNS: &str = "id, instance, requested_by, file_name, started_at, finished_at, ok, bytes, error";

/// Makes claims wait for one another: on PostgreSQL a table lock held until
/// the claiming transaction ends (readers are not blocked); on SQLite the
/// write transaction `AdminTx` opens with `BEGIN IMMEDIATE` already does.
pub async fn serialize_claims(tx: &mut AdminTx) -> sqlx::Result<()> {
    if let Target::Postgres(conn) = tx.target() {
        sqlx::query("LOCK TABLE backup_runs IN SHARE ROW EXCLUSIVE MODE").execute(conn).await?;
    }
    Ok(())
}

/// Closes, as failed, every run whose instance stopped renewing its lease.
pub async fn close_abandoned(tx: &mut AdminTx, now: OffsetDateTime) -> sqlx::Result<u64> {
    execute!(
        tx,
        "UPDATE backup_runs SET finished_at = $1, lease_until = NULL, ok = FALSE, \
           error = 'The Easel instance taking this backup stopped before it finished.' \
         WHERE finished_at IS NULL AND lease_until < $1",
        now
    )
}

/// The run that holds a live lease, if any.
pub async fn running(tx: &mut AdminTx) -> sqlx::Result<Option<BackupRun>> {
    let sql = format!("SELECT {COLUMNS} FROM backup_runs WHERE finished_at IS NULL ORDER BY id DESC LIMIT 1");
    fetch_optional!(tx, BackupRun, &sql)
}

/// The newest finished run that succeeded (`true`) or failed (`false`).
pub async fn latest_finished(tx: &mut AdminTx, ok: bool) -> sqlx::Result<Option<BackupRun>> {
    let sql = format!("SELECT {COLUMNS} FROM backup_runs WHERE ok = $1 ORDER BY id DESC LIMIT 1");
    fetch_optional!(tx, BackupRun, &sql, ok)
}

/// Records a new run, holding a lease until `lease_until`.
pub async fn insert(
    tx: &mut AdminTx,
    instance: &str,
    requested_by: &str,
    file_name: &str,
    now: OffsetDateTime,
    lease_until: OffsetDateTime,
) -> sqlx::Result<Uuid> {
    let id = Uuid::now_v7();
    execute!(
        tx,
        "INSERT INTO backup_runs (id, instance, requested_by, file_name, started_at, lease_until) \
         VALUES ($1, $2, $3, $4, $5, $6)",
        id,
        instance,
        requested_by,
        file_name,
        now,
        lease_until
    )?;
    Ok(id)
}

/// Extends a running run's lease; false if it is no longer running.
pub async fn renew(tx: &mut AdminTx, run: Uuid, lease_until: OffsetDateTime) -> sqlx::Result<bool> {
    let n = execute!(
        tx,
        "UPDATE backup_runs SET lease_until = $2 WHERE id = $1 AND finished_at IS NULL",
        run,
        lease_until
    )?;
    Ok(n == 1)
}

/// Records how a run ended: its size, or the reason it failed.
pub async fn finish(tx: &mut AdminTx, run: Uuid, outcome: Result<u64, &str>) -> sqlx::Result<()> {
    let (ok, bytes, error) = match outcome {
        Ok(bytes) => (true, Some(i64::try_from(bytes).unwrap_or(i64::MAX)), ""),
        Err(why) => (false, None, why),
    };
    execute!(
        tx,
        "UPDATE backup_runs SET finished_at = $2, lease_until = NULL, ok = $3, bytes = $4, error = $5 WHERE id = $1",
        run,
        OffsetDateTime::now_utc(),
        ok,
        bytes,
        error
    )
    .map(drop)
}

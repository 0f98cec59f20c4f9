//! Backups the server takes by itself (`EASEL_BACKUP_DIR`): an instance
//! archive every `EASEL_BACKUP_EVERY`, the newest `EASEL_BACKUP_KEEP` kept.
//!
//! Each run is claimed in `backup_runs` with a lease (DESIGN §9), so any
//! number of instances on one database take one backup per interval between
//! them, never two at once, and a dead instance's run is taken over once its
//! lease runs out. A platform admin can also start one from `/admin`.

pub mod files;
pub mod queries;
mod schedule;

use std::{path::PathBuf, time::Duration};

use time::OffsetDateTime;
use uuid::Uuid;

pub use queries::BackupRun;
pub use schedule::start;

use crate::{
    archive::{self, Progress},
    config::BackupSchedule,
    db::{AdminTx, Databases, Db, cluster::instance},
    storage::Storage,
};

/// How long a claim holds without renewal: long enough to ride out a slow
/// database, short enough that a dead instance's run is taken over soon.
pub const LEASE: Duration = Duration::from_secs(120);
/// How often a running backup renews its lease.
const RENEW_EVERY: Duration = Duration::from_secs(30);

/// Who asked for a backup.
#[derive(Clone, Copy, Debug)]
pub enum Trigger<'a> {
    /// The schedule: only when one is due.
    Schedule,
    /// A platform admin (their email) pressed "Back up now": whenever none runs.
    Admin(&'a str),
}

/// The answer to a claim.
#[derive(Debug)]
pub enum Claim {
    /// This instance now holds the lease and must take the backup.
    Claimed(ClaimedRun),
    /// Another backup holds a live lease.
    Busy(BackupRun),
    /// The schedule's last backup is recent enough (or its last failure is).
    NotDue,
}

/// A run this instance claimed.
#[derive(Clone, Debug)]
pub struct ClaimedRun {
    pub id: Uuid,
    pub file_name: String,
}

/// Claims a backup inside `tx`, which the caller commits (the admin's
/// button records its audit entry in the same transaction).
pub(crate) async fn claim_in(tx: &mut AdminTx, schedule: &BackupSchedule, trigger: Trigger<'_>) -> sqlx::Result<Claim> {
    queries::serialize_claims(tx).await?;
    let now = OffsetDateTime::now_utc();
    // A run abandoned by a dead instance is taken over at once: the retry
    // delay after a failure is for backups that failed, not for a crash.
    let taking_over = queries::close_abandoned(tx, now).await? > 0;
    if let Some(run) = queries::running(tx).await? {
        return Ok(Claim::Busy(run));
    }
    if matches!(trigger, Trigger::Schedule) && !due(tx, schedule, now, taking_over).await? {
        return Ok(Claim::NotDue);
    }
    let requested_by = match trigger {
        Trigger::Schedule => "the schedule",
        Trigger::Admin(email) => email,
    };
    let file_name = files::name_for(now);
    let id = queries::insert(tx, instance(), requested_by, &file_name, now, now + LEASE).await?;
    Ok(Claim::Claimed(ClaimedRun { id, file_name }))
}

/// Due when the last success is older than the interval and the last
/// failure older than the retry delay (so a failing backup is retried
/// sooner than a day later, but not in a tight loop). `taking_over` skips
/// the retry delay.
async fn due(
    tx: &mut AdminTx,
    schedule: &BackupSchedule,
    now: OffsetDateTime,
    taking_over: bool,
) -> sqlx::Result<bool> {
    let recent = |at: Option<OffsetDateTime>, within: Duration| at.is_some_and(|at| now - at < within);
    let last_ok = queries::latest_finished(tx, true).await?.map(|r| r.started_at);
    if recent(last_ok, schedule.every) {
        return Ok(false);
    }
    let last_failure = queries::latest_finished(tx, false).await?.and_then(|r| r.finished_at);
    Ok(taking_over || !recent(last_failure, schedule.retry_after()))
}

/// Claims a backup in a transaction of its own.
pub async fn claim(db: &Db, schedule: &BackupSchedule, trigger: Trigger<'_>) -> sqlx::Result<Claim> {
    let mut tx = AdminTx::begin(db).await?;
    let claim = claim_in(&mut tx, schedule, trigger).await?;
    tx.commit().await?;
    Ok(claim)
}

/// Takes the claimed backup, renewing its lease meanwhile, records how it
/// ended and prunes old ones. The size of the backup, or why it failed.
pub async fn run(
    databases: &Databases,
    storage: &Storage,
    schedule: &BackupSchedule,
    run: &ClaimedRun,
) -> Result<u64, String> {
    let db = databases.main();
    let outcome = write(databases, storage, schedule, run).await;
    let recorded = async {
        let mut tx = AdminTx::begin(db).await?;
        queries::finish(&mut tx, run.id, outcome.as_ref().copied().map_err(String::as_str)).await?;
        tx.commit().await
    };
    if let Err(e) = recorded.await {
        tracing::error!(error = %e, file = %run.file_name, "could not record how a backup ended");
    }
    match &outcome {
        Ok(bytes) => {
            tracing::info!(file = %run.file_name, bytes, "backup written");
            prune(schedule);
        }
        Err(why) => tracing::error!(file = %run.file_name, error = %why, "backup failed"),
    }
    outcome
}

/// The backup itself: the folder made ready, then the archive written
/// (as `.part`, then renamed) while the lease is renewed.
async fn write(
    databases: &Databases,
    storage: &Storage,
    schedule: &BackupSchedule,
    run: &ClaimedRun,
) -> Result<u64, String> {
    let db = databases.main();
    let dir = schedule.dir.as_deref().ok_or("Scheduled backups are not configured (EASEL_BACKUP_DIR).")?;
    files::ensure_folder(dir)?;
    match files::remove_leftovers(dir) {
        Ok(0) => {}
        Ok(n) => tracing::info!(files = n, "removed the leftovers of interrupted backups"),
        Err(e) => tracing::warn!(error = %e, "could not remove the leftovers of interrupted backups"),
    }
    let out = dir.join(&run.file_name);
    let mut backup = in_background(databases, storage, out);
    let mut renewal = tokio::time::interval_at(tokio::time::Instant::now() + RENEW_EVERY, RENEW_EVERY);
    let written = loop {
        tokio::select! {
            written = &mut backup => break written,
            _ = renewal.tick() => renew(db, run).await,
        }
    };
    let written = written.map_err(|e| format!("The backup stopped unexpectedly: {e}."))?;
    written.map(|summary| summary.bytes).map_err(|e| e.to_string())
}

/// Writes the instance archive as a task of its own, so the lease can be
/// renewed while it runs.
fn in_background(
    databases: &Databases,
    storage: &Storage,
    out: PathBuf,
) -> tokio::task::JoinHandle<Result<archive::Summary, archive::ArchiveError>> {
    let (databases, storage) = (databases.clone(), storage.clone());
    tokio::spawn(async move {
        let progress = Progress::new();
        archive::backup(&databases, &storage, &out, &progress).await
    })
}

async fn renew(db: &Db, run: &ClaimedRun) {
    let renewed = async {
        let mut tx = AdminTx::begin(db).await?;
        let still = queries::renew(&mut tx, run.id, OffsetDateTime::now_utc() + LEASE).await?;
        tx.commit().await.map(|()| still)
    };
    match renewed.await {
        Ok(true) => {}
        Ok(false) => tracing::warn!(file = %run.file_name, "this backup's lease was taken over; finishing it anyway"),
        Err(e) => tracing::warn!(error = %e, file = %run.file_name, "could not renew this backup's lease"),
    }
}

fn prune(schedule: &BackupSchedule) {
    let Some(dir) = &schedule.dir else { return };
    match files::prune(dir, schedule.keep) {
        Ok(gone) if gone.is_empty() => {}
        Ok(gone) => tracing::info!(deleted = ?gone, keep = schedule.keep, "removed old backups"),
        Err(e) => tracing::warn!(error = %e, "could not remove old backups"),
    }
}

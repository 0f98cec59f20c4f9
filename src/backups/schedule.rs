//! The background task: looks now and then whether a backup is due and,
//! when this instance wins the claim, takes it.

use std::time::Duration;

use tokio::task::JoinHandle;

use super::{Claim, Trigger, claim, run};
use crate::{config::BackupSchedule, db::Databases, state::AppState, storage::Storage};

/// The longest wait between two looks: another instance's backup, a lease
/// that ran out or a retry after a failure is noticed within it.
const LOOK_AT_MOST_EVERY: Duration = Duration::from_secs(60);

/// Starts the schedule when `EASEL_BACKUP_DIR` is set; `None` otherwise.
pub fn start(state: &AppState) -> Option<JoinHandle<()>> {
    let schedule = state.config.backups.clone();
    let dir = schedule.dir.as_ref()?;
    tracing::info!(
        folder = %dir.display(),
        every = ?schedule.every,
        keep = schedule.keep,
        "scheduled backups are on"
    );
    Some(tokio::spawn(keep_backing_up(state.databases.clone(), state.storage.clone(), schedule)))
}

async fn keep_backing_up(databases: Databases, storage: Storage, schedule: BackupSchedule) {
    let db = databases.main().clone();
    let pause = schedule.every.min(schedule.retry_after()).min(LOOK_AT_MOST_EVERY);
    loop {
        match claim(&db, &schedule, Trigger::Schedule).await {
            Ok(Claim::Claimed(claimed)) => {
                // The outcome is recorded and logged by `run`.
                let _ = run(&databases, &storage, &schedule, &claimed).await;
            }
            Ok(Claim::Busy(_) | Claim::NotDue) => {}
            Err(e) => tracing::warn!(error = %e, "could not look whether a backup is due"),
        }
        tokio::time::sleep(pause).await;
    }
}

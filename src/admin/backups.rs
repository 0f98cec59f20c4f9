//! The dashboard's "Backups" panel (the last backup's time, size, result
//! and file, a failure in red) and its "Back up now" button.

use std::time::Duration;

use axum::{extract::State, response::Redirect};
use time::OffsetDateTime;
use tower_sessions::Session;

use super::{PlatformAdmin, queries};
use crate::{
    backups::{self, BackupRun, Claim, Trigger, queries as runs},
    config::BackupSchedule,
    db::AdminTx,
    error::AppResult,
    state::AppState,
    web::flash,
};

/// What the panel shows.
pub struct BackupsPanel {
    /// False when `EASEL_BACKUP_DIR` is unset: the panel says how to set it.
    pub configured: bool,
    pub folder: String,
    pub every: String,
    pub keep: usize,
    /// A backup holding a live lease, on this instance or another.
    pub running: Option<BackupRun>,
    /// The newest finished backup, good or failed.
    pub last: Option<BackupRun>,
    /// When the newest one failed: the newest that worked.
    pub last_good: Option<BackupRun>,
}

impl BackupsPanel {
    pub async fn load(tx: &mut AdminTx, schedule: &BackupSchedule) -> sqlx::Result<Self> {
        let running = runs::running(tx).await?;
        let good = runs::latest_finished(tx, true).await?;
        let failed = runs::latest_finished(tx, false).await?;
        let failed_last = match (&good, &failed) {
            (Some(g), Some(f)) => f.id > g.id,
            (None, Some(_)) => true,
            _ => false,
        };
        let (last, last_good) = if failed_last { (failed, good) } else { (good, None) };
        Ok(Self {
            configured: schedule.dir.is_some(),
            folder: schedule.dir.as_ref().map(|d| d.display().to_string()).unwrap_or_default(),
            every: span(schedule.every),
            keep: schedule.keep,
            running,
            last,
            last_good,
        })
    }

    pub fn failed(&self, run: &BackupRun) -> bool {
        run.ok == Some(false)
    }

    pub fn when(&self, at: &OffsetDateTime) -> String {
        at_utc(at)
    }

    pub fn size(&self, run: &BackupRun) -> String {
        run.bytes.map_or_else(|| "—".into(), human_size)
    }

    pub fn finished(&self, run: &BackupRun) -> String {
        run.finished_at.as_ref().map_or_else(|| self.when(&run.started_at), |at| self.when(at))
    }
}

/// "512 bytes", "3.4 KB", "12.0 MB", "1.5 GB" (powers of 1024).
pub fn human_size(bytes: i64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if bytes < 1024 {
        return format!("{bytes} bytes");
    }
    let mut size = bytes as f64 / 1024.0;
    let mut unit = 0;
    while size >= 1024.0 && unit + 1 < UNITS.len() {
        size /= 1024.0;
        unit += 1;
    }
    format!("{size:.1} {}", UNITS[unit])
}

/// A schedule's interval in words, in its largest whole unit: "1 day",
/// "2 weeks", "90 seconds".
fn span(every: Duration) -> String {
    let secs = every.as_secs();
    let units = [(7 * 86_400, "week"), (86_400, "day"), (3600, "hour"), (60, "minute"), (1, "second")];
    let (size, unit) =
        units.into_iter().find(|(size, _)| secs >= *size && secs.is_multiple_of(*size)).unwrap_or((1, "second"));
    let n = secs / size;
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

/// "2026-11-27 13:25 UTC".
fn at_utc(at: &OffsetDateTime) -> String {
    crate::web::dates::moment_utc(*at)
}

/// "Back up now": claims a backup (refused if one runs), audits it, and
/// takes it in the background; the dashboard shows how it went.
pub async fn back_up_now(State(state): State<AppState>, admin: PlatformAdmin, session: Session) -> AppResult<Redirect> {
    let schedule = state.config.backups.clone();
    if schedule.dir.is_none() {
        flash::error(
            &session,
            "Backups are not configured: set EASEL_BACKUP_DIR and restart Easel. Nothing was started.",
        )
        .await?;
        return Ok(Redirect::to("/admin"));
    }
    let mut tx = AdminTx::begin(&state.db).await?;
    let claimed = match backups::claim_in(&mut tx, &schedule, Trigger::Admin(&admin.user.email)).await? {
        Claim::Claimed(claimed) => claimed,
        // An admin's claim is never "not due"; only a running backup stops it.
        Claim::Busy(run) => {
            tx.commit().await?;
            let text = format!(
                "A backup is already running ({}, started {} by {}). Nothing new was started; \
                 refresh this page to see when it is done.",
                run.file_name,
                at_utc(&run.started_at),
                run.requested_by
            );
            flash::error(&session, text).await?;
            return Ok(Redirect::to("/admin"));
        }
        Claim::NotDue => return Ok(Redirect::to("/admin")),
    };
    queries::record(&mut tx, Some(admin.user.id), &admin.user.email, "backup.started", None, &claimed.file_name)
        .await?;
    tx.commit().await?;
    let (databases, storage) = (state.databases.clone(), state.storage.clone());
    let file = claimed.file_name.clone();
    tokio::spawn(async move {
        // The outcome is recorded in `backup_runs` and logged by `run`.
        let _ = backups::run(&databases, &storage, &schedule, &claimed).await;
    });
    flash::success(&session, format!("Backup started: {file}. Refresh this page to see how it went.")).await?;
    Ok(Redirect::to("/admin"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_spans_read_as_words() {
        assert_eq!(human_size(512), "512 bytes");
        assert_eq!(human_size(3 * 1024 + 400), "3.4 KB");
        assert_eq!(human_size(12 * 1024 * 1024), "12.0 MB");
        assert_eq!(human_size(3 * 1024 * 1024 * 1024 / 2), "1.5 GB");
        assert_eq!(span(Duration::from_secs(86_400)), "1 day");
        assert_eq!(span(Duration::from_secs(6 * 3600)), "6 hours");
        assert_eq!(span(Duration::from_secs(14 * 86_400)), "2 weeks");
        assert_eq!(span(Duration::from_secs(2 * 86_400)), "2 days");
        assert_eq!(span(Duration::from_secs(3600)), "1 hour");
        assert_eq!(span(Duration::from_secs(90)), "90 seconds");
        assert_eq!(span(Duration::from_secs(1)), "1 second");
    }
}

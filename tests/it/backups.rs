//! Scheduled backups: the schedule in the server, the claim that keeps two
//! from running at once, keeping only the newest, and the dashboard's panel.

use std::{path::Path, time::Duration};

use easel::{
    backups::{self, Claim, Trigger},
    config::BackupSchedule,
};

use crate::{
    harness::{Backend, TestApp},
    on_both_backends,
    operations::admin,
};

on_both_backends!(
    a_failed_backup_is_shown_in_red_with_its_message,
    a_backup_is_taken_at_start_and_shown_on_the_dashboard,
    only_the_newest_backups_are_kept_and_other_files_stay,
    claims_at_once_give_one_backup_and_a_dead_claim_expires,
    back_up_now_is_for_platform_admins_and_audited,
    without_a_folder_the_panel_says_how_to_turn_backups_on,
);

/// Looks up to 30 seconds (a bounded number of looks) for `look` to answer.
async fn eventually<T>(what: &str, mut look: impl AsyncFnMut() -> Option<T>) -> T {
    for _ in 0..1200 {
        if let Some(found) = look().await {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("gave up waiting: {what}")
}

fn schedule(dir: &Path, every: Duration, keep: usize) -> BackupSchedule {
    BackupSchedule { dir: Some(dir.to_owned()), every, keep }
}

async fn with_backups(backend: Backend, schedule: &BackupSchedule) -> TestApp {
    let schedule = schedule.clone();
    TestApp::spawn_with(backend, move |c| c.backups = schedule).await
}

/// Backups of Easel's naming scheme in `dir`, oldest first.
fn backups_in(dir: &Path) -> Vec<String> {
    backups::files::list(dir).unwrap_or_default()
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read the backup folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

async fn finished_runs(app: &TestApp) -> i64 {
    app.count("SELECT COUNT(*) FROM backup_runs WHERE finished_at IS NOT NULL").await
}

async fn a_failed_backup_is_shown_in_red_with_its_message(backend: Backend) {
    let outside = tempfile::tempdir().expect("temp dir");
    let not_a_folder = outside.path().join("backups");
    std::fs::write(&not_a_folder, b"a file where the folder should be").expect("write");
    let app = with_backups(backend, &schedule(&not_a_folder, Duration::from_secs(1), 7)).await;
    let oz = admin(&app).await;
    let page = eventually("the failure on /admin", async || {
        let page = oz.get("/admin").await;
        page.body.contains("id=\"backup-failed\"").then_some(page)
    })
    .await;
    let failure = page.text("#backup-failed");
    assert!(failure.contains("is a file, not a folder"), "{failure}");
    assert_eq!(page.attrs("#backup-failed", "class"), vec!["alert alert-error".to_owned()]);
    assert_eq!(page.text("#last-backup [data-field=result]"), "failed");
    assert_eq!(page.text("#last-good-backup"), "No backup has succeeded yet.");
    let errors = app.strings("SELECT error FROM backup_runs WHERE ok = FALSE").await;
    assert!(!errors.is_empty() && errors.iter().all(|e| e.contains("is a file, not a folder")), "{errors:?}");
    assert_eq!(app.count("SELECT COUNT(*) FROM backup_runs WHERE ok = TRUE").await, 0);
    assert_eq!(std::fs::read(&not_a_folder).expect("still the file"), b"a file where the folder should be");
}

async fn a_backup_is_taken_at_start_and_shown_on_the_dashboard(backend: Backend) {
    let outside = tempfile::tempdir().expect("temp dir");
    let dir = outside.path().join("nested/backups");
    let every = Duration::from_secs(3600);
    let app = with_backups(backend, &schedule(&dir, every, 7)).await;
    let oz = admin(&app).await;
    let file = eventually("a backup file", async || backups_in(&dir).pop()).await;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&dir).expect("folder").permissions().mode() & 0o777;
        assert_eq!(mode, 0o700, "the folder Easel made is private");
    }
    let bytes = std::fs::metadata(dir.join(&file)).expect("backup").len();
    assert!(bytes > 0);
    let page = eventually("the backup on /admin", async || {
        let page = oz.get("/admin").await;
        page.body.contains("id=\"last-backup\"").then_some(page)
    })
    .await;
    assert_eq!(page.text("#last-backup [data-field=file]"), file);
    assert_eq!(page.text("#last-backup [data-field=result]"), "succeeded");
    assert!(page.texts("#backup-failed").is_empty());
    let size = page.text("#last-backup [data-field=size]");
    assert!(size.ends_with("bytes") || size.ends_with("KB") || size.ends_with("MB"), "{size}");
    assert!(page.text("#backup-schedule").contains("Every 1 hour"));
    assert_eq!(names_in(&dir), vec![file], "no .part file is left behind");
    // Restarting does not take another: the last success is within the interval.
    let claim = backups::claim(&app.db, &schedule(&dir, every, 7), Trigger::Schedule).await.expect("claim");
    assert!(matches!(claim, Claim::NotDue), "{claim:?}");
}

async fn only_the_newest_backups_are_kept_and_other_files_stay(backend: Backend) {
    let outside = tempfile::tempdir().expect("temp dir");
    let dir = outside.path().join("backups");
    std::fs::create_dir(&dir).expect("folder");
    let leftover = "easel-backup-20200101T000000.000Z.zip.part";
    for other in ["notes.txt", "easel-backup-mine.zip", leftover] {
        std::fs::write(dir.join(other), b"x").expect("write");
    }
    let keep_two = schedule(&dir, Duration::from_secs(3600), 2);
    let app = with_backups(backend, &keep_two).await;
    eventually("the scheduled backup", async || (finished_runs(&app).await >= 1).then_some(())).await;
    let storage = app.storage.clone();
    let mut taken = Vec::new();
    for _ in 0..3 {
        let claimed = eventually("a free claim", async || {
            match backups::claim(&app.db, &keep_two, Trigger::Admin("test")).await.expect("claim") {
                Claim::Claimed(run) => Some(run),
                _ => None,
            }
        })
        .await;
        backups::run(&app.databases, &storage, &keep_two, &claimed).await.expect("backup");
        taken.push(claimed.file_name);
    }
    assert_eq!(backups_in(&dir), taken[1..].to_vec(), "the two newest are kept");
    let mut expected = vec!["easel-backup-mine.zip".to_owned(), "notes.txt".to_owned()];
    expected.extend(taken[1..].iter().cloned());
    expected.sort();
    assert_eq!(names_in(&dir), expected, "other files stay; the stale .part is gone");
}

async fn claims_at_once_give_one_backup_and_a_dead_claim_expires(backend: Backend) {
    // No schedule in the server: the test is the only claimer.
    let app = TestApp::spawn(backend).await;
    let outside = tempfile::tempdir().expect("temp dir");
    let every = Duration::from_secs(3600);
    let daily = schedule(outside.path(), every, 7);
    let past = match backend {
        Backend::Sqlite => "'2000-01-01 00:00:00.0+00:00'",
        Backend::Postgres => "now() - interval '1 hour'",
    };
    for round in 0..4 {
        let claimers: Vec<_> = (0..6)
            .map(|_| {
                let (db, daily) = (app.db.clone(), daily.clone());
                tokio::spawn(async move { backups::claim(&db, &daily, Trigger::Admin("oz@example.com")).await })
            })
            .collect();
        let mut claims = Vec::new();
        for claimer in claimers {
            claims.push(claimer.await.expect("claimer").expect("claim"));
        }
        let claimed = claims.iter().filter(|c| matches!(c, Claim::Claimed(_))).count();
        assert_eq!(claimed, 1, "round {round}: {claims:?}");
        assert_eq!(claims.iter().filter(|c| matches!(c, Claim::Busy(_))).count(), 5, "round {round}");
        // The winner's instance dies: its lease runs out; the next claim closes its run.
        app.try_execute(&format!("UPDATE backup_runs SET lease_until = {past} WHERE finished_at IS NULL"))
            .await
            .expect("expire the lease");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM backup_runs").await, 4);
    let next = backups::claim(&app.db, &daily, Trigger::Schedule).await.expect("claim");
    let Claim::Claimed(run) = next else { panic!("the dead run's lease expired: {next:?}") };
    let closed = app.strings("SELECT error FROM backup_runs WHERE ok = FALSE").await;
    assert_eq!(closed, vec!["The Easel instance taking this backup stopped before it finished.".to_owned(); 4]);
    backups::run(&app.databases, &app.storage, &daily, &run).await.expect("backup");
    let again = backups::claim(&app.db, &daily, Trigger::Schedule).await.expect("claim");
    assert!(matches!(again, Claim::NotDue), "one backup per interval: {again:?}");
}

async fn back_up_now_is_for_platform_admins_and_audited(backend: Backend) {
    let outside = tempfile::tempdir().expect("temp dir");
    let dir = outside.path().join("backups");
    let app = with_backups(backend, &schedule(&dir, Duration::from_secs(3600), 7)).await;
    eventually("the scheduled backup", async || (finished_runs(&app).await >= 1).then_some(())).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    ada.get("/").await;
    ada.post("/admin/backups", &[]).await.assert_status(404);
    let stranger = app.client();
    stranger.get("/login").await;
    stranger.post("/admin/backups", &[]).await.assert_status(404);
    assert_eq!(app.count("SELECT COUNT(*) FROM backup_runs").await, 1);

    let oz = admin(&app).await;
    oz.get("/admin").await.assert_status(200);
    oz.post("/admin/backups", &[]).await.assert_redirect("/admin");
    eventually("the second backup", async || (finished_runs(&app).await == 2).then_some(())).await;
    let page = oz.get("/admin").await;
    assert!(page.body.contains("Backup started: easel-backup-"), "{}", page.body);
    let audit = app.strings("SELECT action || '|' || actor_email || '|' || detail FROM platform_audit").await;
    let started: Vec<_> =
        audit.iter().filter(|a| a.starts_with("backup.started|oz@example.com|easel-backup-")).collect();
    assert_eq!(started.len(), 1, "{audit:?}");
    oz.get("/admin/audit").await.assert_status(200);
    assert!(oz.get("/admin/audit").await.body.contains("Started a backup"));

    // While one runs (another instance's), the button is refused politely.
    let claim = backups::claim(&app.db, &schedule(&dir, Duration::from_secs(3600), 7), Trigger::Admin("x"))
        .await
        .expect("claim");
    assert!(matches!(claim, Claim::Claimed(_)));
    let page = oz.get("/admin").await;
    assert!(page.text("#backup-running").contains("A backup is running"));
    oz.post("/admin/backups", &[]).await.assert_redirect("/admin");
    assert!(oz.get("/admin").await.body.contains("A backup is already running"));
    assert_eq!(app.count("SELECT COUNT(*) FROM backup_runs").await, 3);
}

async fn without_a_folder_the_panel_says_how_to_turn_backups_on(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let oz = admin(&app).await;
    let page = oz.get("/admin").await;
    assert!(page.text("#backups-not-configured").contains("Set EASEL_BACKUP_DIR"));
    assert_eq!(page.text("#no-backup-yet"), "No backup has been taken yet.");
    assert!(page.attrs("form[action='/admin/backups']", "method").is_empty(), "no button without a folder");
    oz.post("/admin/backups", &[]).await.assert_redirect("/admin");
    assert!(oz.get("/admin").await.body.contains("Backups are not configured"));
    assert_eq!(app.count("SELECT COUNT(*) FROM backup_runs").await, 0);
}

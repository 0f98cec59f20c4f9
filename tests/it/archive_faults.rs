//! Archives under stress: an import or a restore killed (SIGKILL) at any
//! point leaves everything or nothing, and a backup taken while a client
//! uploads restores into an instance where every row has its files.

use std::{
    path::Path,
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use crate::{
    archives::{export, seeded, storage},
    harness::{Backend, TestApp, art},
    on_both_backends,
};
use easel::{
    archive::{self, Progress},
    db::Db,
    storage::Storage,
};

on_both_backends!(
    an_import_or_a_restore_killed_at_any_point_leaves_everything_or_nothing,
    a_backup_taken_during_uploads_restores_whole,
    the_import_command_invites_by_mail_when_asked,
);

/// A fresh, migrated target: its folder, the app's URL and an all-seeing one.
async fn target(backend: Backend) -> (tempfile::TempDir, String, Db) {
    let dir = tempfile::Builder::new().prefix("easel-target-").tempdir().expect("dir");
    let (url, inspector) = crate::faults::database_for(backend, dir.path()).await;
    let status = easel(dir.path(), &url, &["migrate"]).status().expect("migrate");
    assert!(status.success());
    (dir, url, Db::connect(&inspector).await.expect("inspector"))
}

fn easel(dir: &Path, url: &str, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_easel"));
    command
        .args(args)
        .env_clear()
        .current_dir(dir)
        .env("PATH", std::env::var_os("PATH").unwrap_or_else(|| "/usr/bin:/bin".into()))
        .env("DATABASE_URL", url)
        .env("EASEL_DATA_DIR", dir.join("data"))
        .env("EASEL_UPLOADS_DIR", dir.join("uploads"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

async fn count(db: &Db, table: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM {table}");
    match db {
        Db::Sqlite(p) => sqlx::query_scalar(&sql).fetch_one(p).await.expect("count"),
        Db::Postgres(p) => sqlx::query_scalar(&sql).fetch_one(p).await.expect("count"),
    }
}

/// Every table's rows as the manifest counts them.
fn expected(file: &Path) -> Vec<(String, i64)> {
    let entries = crate::archives::entries(file);
    let manifest: serde_json::Value = serde_json::from_slice(&entries["manifest.json"]).expect("manifest");
    manifest["tables"]
        .as_array()
        .expect("tables")
        .iter()
        .map(|t| (t["name"].as_str().expect("name").to_owned(), t["rows"].as_i64().expect("rows")))
        .collect()
}

/// Files under the uploads folder (originals and logos, not resized copies).
fn originals(uploads: &Path) -> usize {
    let Ok(workspaces) = std::fs::read_dir(uploads) else { return 0 };
    workspaces
        .flatten()
        .flat_map(|ws| ["originals", "brand"].map(|f| ws.path().join(f)))
        .filter_map(|dir| std::fs::read_dir(dir).ok())
        .map(|entries| entries.count())
        .sum()
}

async fn an_import_or_a_restore_killed_at_any_point_leaves_everything_or_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let ws = seeded(&app, &ada).await;
    for seed in 0..12u64 {
        ada.upload("/images", &[(&format!("noise-{seed}.png"), art::noisy_png(640, 480, seed))]).await;
    }
    let workspace_zip = export(&app, &ws, "workspace.zip").await;
    let backup = app.dir.path().join("backup.zip");
    archive::backup(&app.databases, &storage(&app), &backup, &Progress::default()).await.expect("backup");

    for (command, file) in [("import", &workspace_zip), ("restore", &backup)] {
        let mut tables = expected(file);
        if command == "import" {
            // Nobody has an account in the target: each member becomes an invitation.
            let people = crate::archives::entries(file)["people.jsonl"].iter().filter(|b| **b == b'\n').count();
            for (table, rows) in &mut tables {
                if table == "invitations" {
                    *rows += people as i64;
                }
            }
        }
        let files = crate::archives::entries(file).keys().filter(|k| k.starts_with("files/")).count();
        // One run to the end: the command works, and its length spreads the kills.
        let (dir, url, _) = target(backend).await;
        let started = Instant::now();
        let done = easel(dir.path(), &url, &[command, &file.display().to_string()]).output().expect("run");
        assert!(done.status.success(), "{command}: {}", String::from_utf8_lossy(&done.stderr));
        let whole = started.elapsed();
        for round in 0..5u32 {
            let (dir, url, inspector) = target(backend).await;
            let mut child = easel(dir.path(), &url, &[command, &file.display().to_string()]).spawn().expect("start");
            tokio::time::sleep(whole.mul_f64(f64::from(round * 2 + 1) / 10.0)).await;
            let _ = child.kill();
            let _ = child.wait();
            let counts: Vec<(String, i64)> = {
                let mut counts = Vec::new();
                for (table, _) in &tables {
                    counts.push((table.clone(), count(&inspector, table).await));
                }
                counts
            };
            let everything = counts.iter().zip(&tables).all(|((_, got), (_, want))| got == want);
            // The plans Easel ships with are there before any restore.
            let nothing = counts.iter().all(|(table, got)| *got == 0 || table == "plans");
            assert!(everything || nothing, "{command} killed in round {round}: {counts:?} of {tables:?}");
            let uploads = dir.path().join("uploads");
            if everything {
                assert_eq!(originals(&uploads), files, "{command} round {round}: every row has its file");
            } else {
                // What a killed run placed has no row; the sweep at start-up removes it.
                let db = Db::connect(&url).await.expect("db");
                let databases = easel::db::Databases::single(db);
                easel::storage::sweeper::sweep(&databases, &Storage::new(&uploads), Duration::ZERO)
                    .await
                    .expect("sweep");
                assert_eq!(originals(&uploads), 0, "{command} round {round}: no file is left behind");
            }
        }
    }
}

async fn a_backup_taken_during_uploads_restores_whole(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    seeded(&app, &ada).await;
    let uploading = {
        let ada = ada.clone();
        tokio::spawn(async move {
            for seed in 100..116u64 {
                ada.upload("/images", &[(&format!("live-{seed}.png"), art::noisy_png(320, 240, seed))]).await;
            }
        })
    };
    let mut backups = Vec::new();
    for n in 0..3 {
        let out = app.dir.path().join(format!("live-{n}.zip"));
        archive::backup(&app.databases, &storage(&app), &out, &Progress::default())
            .await
            .expect("backup while uploading");
        backups.push(out);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    uploading.await.expect("uploads");
    for backup in backups {
        let fresh = TestApp::spawn(backend).await;
        std::fs::remove_dir_all(fresh.uploads()).ok();
        archive::restore(&fresh.db, &Storage::new(fresh.uploads()), &backup, &Progress::default())
            .await
            .expect("restore");
        let rows = fresh.count("SELECT COUNT(*) FROM images").await;
        assert!(rows >= 2, "{rows}");
        assert_eq!(originals(&fresh.uploads()) as i64, rows + 1, "every image row has its original (and the logo)");
        let workspaces = fresh.count("SELECT COUNT(*) FROM workspaces").await;
        assert!(workspaces >= 1);
    }
}

async fn the_import_command_invites_by_mail_when_asked(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let ws = seeded(&app, &ada).await;
    let file = export(&app, &ws, "ws.zip").await;
    let (dir, url, _) = target(backend).await;
    let quiet = easel(dir.path(), &url, &["import", &file.display().to_string()]).output().expect("import");
    assert!(quiet.status.success(), "{}", String::from_utf8_lossy(&quiet.stderr));
    let said = String::from_utf8_lossy(&quiet.stdout);
    assert!(said.contains("pending invitations (not mailed") && said.contains("ada@example.com"), "{said}");
    assert!(!dir.path().join("data/outbox").exists(), "nothing mailed without --invite");

    let (dir, url, _) = target(backend).await;
    let mailed = easel(dir.path(), &url, &["import", &file.display().to_string(), "--as-new", "--invite"])
        .output()
        .expect("import");
    assert!(mailed.status.success(), "{}", String::from_utf8_lossy(&mailed.stderr));
    let mails: Vec<String> = std::fs::read_dir(dir.path().join("data/outbox"))
        .expect("outbox")
        .flatten()
        .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
        .collect();
    for email in ["ada@example.com", "tom@example.com"] {
        assert!(mails.iter().any(|m| m.contains(email) && m.contains("/invites/")), "{email}: {mails:?}");
    }
}

//! Moving a workspace between databases (`easel workspace move`, PostgreSQL
//! only: SQLite has one database). The tests call the function the command
//! runs; the fault drill stops it after each step, as a kill would.

use easel::admin::moving::{Halt, Outcome, Step, move_workspace};
use uuid::Uuid;

use crate::{
    calendars::{new_calendar, new_post},
    collections::{new_collection, upload},
    harness::{Backend, Client, TestApp},
};

/// What a member sees of the workspace: the gallery, a collection's order,
/// a calendar's posts and one post's page.
#[derive(Debug, PartialEq)]
struct Seen {
    gallery: Vec<String>,
    collection: Vec<String>,
    calendar: Vec<String>,
    post: u16,
}

struct Filled {
    workspace: Uuid,
    collection: String,
    calendar: String,
    post: String,
}

/// A workspace with images, a collection of them and a post.
async fn filled(app: &TestApp, ada: &Client) -> Filled {
    let workspace = Uuid::parse_str(&ada.guards().page_workspace).expect("workspace id");
    let (a, b) = (upload(ada, "a.png", 1).await, upload(ada, "b.png", 2).await);
    let collection = new_collection(ada, "Herons").await;
    let path = format!("/collections/{collection}");
    ada.post(&format!("{path}/images"), &[("ids", &b), ("ids", &a)]).await.assert_redirect(&path);
    let calendar = new_calendar(ada, "Shop").await;
    let post = new_post(ada, &calendar, "2026-12-10", "10:00").await;
    assert_eq!(placement(app, workspace).await, "main");
    Filled { workspace, collection, calendar, post }
}

async fn seen(ada: &Client, filled: &Filled) -> Seen {
    Seen {
        gallery: ada.get("/images").await.attrs(".art-card input[name=ids]", "value"),
        collection: ada.get(&format!("/collections/{}", filled.collection)).await.attrs("ol.art-grid li", "data-id"),
        calendar: ada
            .get(&format!("/calendars/{}?date=2026-12-10", filled.calendar))
            .await
            .attrs("[data-post]", "data-post"),
        post: ada.get(&format!("/events/{}", filled.post)).await.status,
    }
}

async fn placement(app: &TestApp, workspace: Uuid) -> String {
    app.strings(&format!("SELECT placement FROM workspaces WHERE id = '{workspace}'::uuid")).await.concat()
}

/// The workspace's rows in each database: (main, second), summed over the
/// tables a move carries.
async fn rows_in(app: &TestApp, workspace: Uuid) -> (i64, i64) {
    let mut found = (0, 0);
    for table in ["images", "collections", "collection_images", "events", "calendars", "workspace_settings"] {
        let sql = format!("SELECT COUNT(*) FROM {table} WHERE workspace_id = '{workspace}'::uuid");
        found.0 += app.count_in("main", &sql).await;
        found.1 += app.count_in("second", &sql).await;
    }
    let anchor = format!("SELECT COUNT(*) FROM workspaces WHERE id = '{workspace}'::uuid");
    found.1 += app.count_in("second", &anchor).await;
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_workspace_moves_to_the_second_database_and_back_and_its_members_see_the_same() {
    let app = TestApp::spawn(Backend::Postgres).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let filled = filled(&app, &ada).await;
    let before = seen(&ada, &filled).await;
    assert_eq!((before.gallery.len(), before.collection.len(), before.calendar.len()), (2, 2, 1));
    let at_home = rows_in(&app, filled.workspace).await;
    assert_eq!(at_home.1, 0);

    let moved = move_workspace(&app.databases, filled.workspace, "second", Halt::Never).await.expect("move");
    assert!(matches!(moved, Outcome::Moved { rows } if rows > 0), "{moved:?}");
    assert_eq!(placement(&app, filled.workspace).await, "second");
    assert_eq!(rows_in(&app, filled.workspace).await, (0, at_home.0 + 1));
    assert_eq!(seen(&ada, &filled).await, before);
    // It writes in its new home.
    upload(&ada, "c.png", 3).await;

    move_workspace(&app.databases, filled.workspace, "main", Halt::Never).await.expect("move back");
    assert_eq!(placement(&app, filled.workspace).await, "main");
    assert_eq!(rows_in(&app, filled.workspace).await, (at_home.0 + 1, 0));
    assert_eq!(ada.get("/images").await.attrs(".art-card input[name=ids]", "value").len(), 3);
    let audit = "SELECT COUNT(*) FROM platform_audit WHERE action LIKE 'workspace.move.%'";
    assert_eq!(app.count(audit).await, 10, "five steps, twice");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_move_is_refused_clearly_and_a_workspace_being_moved_reads_but_does_not_write() {
    let app = TestApp::spawn(Backend::Postgres).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let filled = filled(&app, &ada).await;
    let refused = |r: anyhow::Result<Outcome>| r.expect_err("refused").to_string();
    let nobody = Uuid::now_v7();
    assert!(refused(move_workspace(&app.databases, nobody, "second", Halt::Never).await).contains("no workspace"));
    let unknown = refused(move_workspace(&app.databases, filled.workspace, "third", Halt::Never).await);
    assert!(unknown.contains("no database 'third'") && unknown.contains("main, second"), "{unknown}");
    let there = refused(move_workspace(&app.databases, filled.workspace, "main", Halt::Never).await);
    assert!(there.contains("already in the database 'main'"), "{there}");

    // One move of a workspace at a time: another holding it is waited for, then refused.
    let easel::db::Db::Postgres(pool) = &app.db else { panic!("PostgreSQL") };
    let mut other = pool.acquire().await.expect("connection").detach();
    let key = i64::from_be_bytes(filled.workspace.as_bytes()[8..].try_into().expect("8 bytes"));
    sqlx::query("SELECT pg_advisory_lock($1)").bind(key).execute(&mut other).await.expect("lock");
    let busy = refused(move_workspace(&app.databases, filled.workspace, "second", Halt::Never).await);
    assert!(busy.contains("another move"), "{busy}");
    sqlx::query("SELECT pg_advisory_unlock($1)").bind(key).execute(&mut other).await.expect("unlock");
    assert_eq!(placement(&app, filled.workspace).await, "main");

    let stopped = move_workspace(&app.databases, filled.workspace, "second", Halt::Stop(Step::Marked)).await;
    assert_eq!(stopped.expect("marked"), Outcome::Stopped(Step::Marked));
    let page = ada.get("/images").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("moving-notice"), "the pages say so");
    ada.get("/collections").await;
    let write = ada.post("/collections", &[("name", "Egrets"), ("description", "")]).await;
    assert_eq!(write.status, 403);
    assert!(write.body.contains("being moved"), "{}", write.body);
    let other = refused(move_workspace(&app.databases, filled.workspace, "main", Halt::Never).await);
    assert!(other.contains("being moved to 'second'"), "{other}");
    assert_eq!(app.count("SELECT COUNT(*) FROM collections").await, 1, "nothing was written");

    move_workspace(&app.databases, filled.workspace, "second", Halt::Never).await.expect("resumed");
    assert!(!ada.get("/images").await.body.contains("moving-notice"));
    ada.get("/collections").await;
    ada.post("/collections", &[("name", "Egrets"), ("description", "")]).await.assert_status(303);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_move_stopped_after_any_step_leaves_the_workspace_in_one_place_and_running_it_again_finishes_it() {
    let app = TestApp::spawn(Backend::Postgres).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let filled = filled(&app, &ada).await;
    let before = seen(&ada, &filled).await;
    let rows = rows_in(&app, filled.workspace).await.0;
    let mut home = "main";
    for step in [Step::Marked, Step::Copied, Step::Verified, Step::Switched, Step::Purged] {
        let to = if home == "main" { "second" } else { "main" };
        let stopped = move_workspace(&app.databases, filled.workspace, to, Halt::Stop(step)).await.expect("step");
        assert_eq!(stopped, Outcome::Stopped(step));
        let switched = matches!(step, Step::Switched | Step::Purged);
        assert_eq!(placement(&app, filled.workspace).await, if switched { to } else { home }, "after {step}");
        assert_eq!(seen(&ada, &filled).await, before, "readable where it is after {step}");

        let again = move_workspace(&app.databases, filled.workspace, to, Halt::Never).await;
        match step {
            Step::Purged => assert!(again.expect_err("done").to_string().contains("already in")),
            Step::Switched => assert_eq!(again.expect("purged"), Outcome::Finished),
            _ => assert!(matches!(again.expect("moved"), Outcome::Moved { .. })),
        }
        assert_eq!(placement(&app, filled.workspace).await, to);
        let expected = if to == "main" { (rows, 0) } else { (0, rows + 1) };
        assert_eq!(rows_in(&app, filled.workspace).await, expected, "only in {to} after a stop at {step}");
        assert_eq!(seen(&ada, &filled).await, before);
        home = to;
    }
}

/// Runs `easel workspace move` beside the app; with `pause`, the drill
/// makes it wait after that step, where it is killed (SIGKILL).
fn command(
    app: &TestApp,
    workspace: Uuid,
    to: &str,
    pause: Option<&str>,
    log: &std::path::Path,
) -> std::process::Child {
    let out = std::fs::File::create(log).expect("command log");
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_easel"));
    command
        .args(["workspace", "move", &workspace.to_string(), "--to", to])
        .env_clear()
        .current_dir(app.dir.path())
        .env("PATH", std::env::var_os("PATH").unwrap_or_else(|| "/usr/bin:/bin".into()))
        .env("NO_COLOR", "1")
        .envs(app.command_env())
        .stdin(std::process::Stdio::null())
        .stdout(out.try_clone().expect("log"))
        .stderr(out);
    if let Some(step) = pause {
        command.env("EASEL_MOVE_PAUSE_AFTER", step);
    }
    command.spawn().expect("start easel workspace move")
}

/// Waits (a bounded number of times) until the command says it paused.
async fn until_paused(child: &mut std::process::Child, log: &std::path::Path) {
    for _ in 0..1200 {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        if text.contains("paused after") {
            return;
        }
        assert!(child.try_wait().expect("poll").is_none(), "the command ended instead of pausing:\n{text}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the command never paused:\n{}", std::fs::read_to_string(log).unwrap_or_default());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_killed_after_each_step_leaves_the_workspace_in_one_place_and_finishes_when_run_again() {
    let app = TestApp::spawn(Backend::Postgres).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let filled = filled(&app, &ada).await;
    let before = seen(&ada, &filled).await;
    let rows = rows_in(&app, filled.workspace).await.0;
    let log = app.dir.path().join("move.log");
    let mut home = "main";
    for step in [Step::Marked, Step::Copied, Step::Verified, Step::Switched] {
        let to = if home == "main" { "second" } else { "main" };
        let mut child = command(&app, filled.workspace, to, Some(step.name()), &log);
        until_paused(&mut child, &log).await;
        child.kill().expect("SIGKILL");
        child.wait().expect("reaped");
        let switched = step == Step::Switched;
        assert_eq!(placement(&app, filled.workspace).await, if switched { to } else { home }, "killed after {step}");
        assert_eq!(seen(&ada, &filled).await, before, "readable in one place after a kill at {step}");

        let status = command(&app, filled.workspace, to, None, &log).wait().expect("run again");
        let said = std::fs::read_to_string(&log).unwrap_or_default();
        assert!(status.success(), "after a kill at {step}: {said}");
        assert_eq!(placement(&app, filled.workspace).await, to);
        let expected = if to == "main" { (rows, 0) } else { (0, rows + 1) };
        assert_eq!(rows_in(&app, filled.workspace).await, expected, "only in {to} after a kill at {step}");
        assert_eq!(seen(&ada, &filled).await, before);
        home = to;
    }
    // A refusal is one clear line and a failure status.
    let status = command(&app, filled.workspace, "third", None, &log).wait().expect("refused");
    assert!(!status.success());
    assert!(std::fs::read_to_string(&log).unwrap_or_default().contains("no database 'third'"));
}

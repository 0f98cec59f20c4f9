//! Archives in the app: "Export this workspace" (owners only, one at a time,
//! a 24-hour link), "Download my data", and the admin's "Import a workspace".

use std::io::{Read, Write};

use easel::db::Db;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::{
    harness::{Backend, Client, TestApp, process::with_session_of},
    on_every_store,
};

on_every_store!(
    only_owners_see_and_reach_exports,
    a_ready_export_downloads_for_its_owner_only_until_it_expires,
    an_export_whose_worker_died_shows_as_failed,
    one_export_at_a_time,
    the_import_page_is_for_platform_admins_only,
    a_garbage_upload_is_refused_and_imports_nothing,
    an_archive_over_the_import_limit_is_refused_and_removed,
    download_my_data_is_for_the_signed_in_person_only,
    an_export_is_made_downloaded_and_imported_as_new,
);

/// Puts an export row in place behind the app's back: `at` is the lease's
/// end for one in progress, the link's end for a ready one.
pub async fn put_export(app: &TestApp, workspace: &str, state: &str, at: OffsetDateTime) -> Uuid {
    let id = Uuid::now_v7();
    let ws = Uuid::parse_str(workspace).expect("workspace id");
    let now = OffsetDateTime::now_utc();
    let ready = state == "ready";
    let (finished, expires, lease) = if ready { (Some(now), Some(at), None) } else { (None, None, Some(at)) };
    let sql = "INSERT INTO workspace_exports \
               (workspace_id, id, state, bytes, created_at, finished_at, expires_at, lease_until) \
               VALUES ($1, $2, $3, 22, $4, $5, $6, $7)";
    match &app.db {
        Db::Sqlite(pool) => {
            let q = sqlx::query(sql).bind(ws).bind(id).bind(state).bind(now).bind(finished).bind(expires).bind(lease);
            q.execute(pool).await.expect("insert export");
        }
        Db::Postgres(pool) => {
            let mut tx = pool.begin().await.expect("begin");
            sqlx::query("SELECT set_config('app.workspace_id', $1, true)")
                .bind(ws.to_string())
                .execute(&mut *tx)
                .await
                .expect("scope");
            let q = sqlx::query(sql).bind(ws).bind(id).bind(state).bind(now).bind(finished).bind(expires).bind(lease);
            q.execute(&mut *tx).await.expect("insert export");
            tx.commit().await.expect("commit");
        }
    }
    if ready {
        let key = easel::exports::files::archive_key(ws, id);
        app.storage.put_bytes(&key, small_zip()).await.expect("archive");
    }
    id
}

/// A zip holding only `manifest.json`, standing in for an archive.
fn small_zip() -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file("manifest.json", zip::write::SimpleFileOptions::default()).expect("entry");
    zip.write_all(b"{\"format\":1}").expect("write");
    zip.finish().expect("finish").into_inner()
}

/// The names of the entries of a zip, or a panic if it does not open.
fn entries(bytes: &[u8]) -> Vec<String> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("the download is a zip");
    (0..zip.len()).map(|i| zip.by_index(i).expect("entry").name().to_owned()).collect()
}

fn read_entry(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("zip");
    let mut text = String::new();
    zip.by_name(name).expect("entry").read_to_string(&mut text).expect("read");
    text
}

async fn audit_actions(app: &TestApp) -> Vec<String> {
    app.strings("SELECT action FROM audit_log ORDER BY created_at").await
}

/// Ada owns her studio; Ann, Mel and Vic are its admin, member and viewer.
async fn team(app: &TestApp) -> (Client, String, Vec<(&'static str, Client)>) {
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let workspace = ada.guards().page_workspace;
    let mut others = Vec::new();
    for (name, email, role) in [
        ("Ann", "ann@example.com", "admin"),
        ("Mel", "mel@example.com", "member"),
        ("Vic", "vic@example.com", "viewer"),
    ] {
        let client = app.signed_up(name, email).await;
        app.add_member(&workspace, email, role).await;
        client.post("/workspaces/switch", &[("workspace_id", &workspace), ("back", "/")]).await;
        others.push((role, client));
    }
    (ada, workspace, others)
}

async fn only_owners_see_and_reach_exports(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (ada, workspace, others) = team(&app).await;
    let ready = put_export(&app, &workspace, "ready", OffsetDateTime::now_utc() + Duration::hours(20)).await;
    assert_eq!(ada.get("/settings").await.attrs("a[href='/settings/exports']", "href").len(), 1);
    for (role, client) in &others {
        assert!(client.get("/settings").await.attrs("a[href='/settings/exports']", "href").is_empty(), "{role}");
        assert_eq!(client.get("/settings/exports").await.status, 403, "{role} GET");
        // An export's own links: 404 for anyone but an owner, as for no export at all.
        assert_eq!(client.get(&format!("/settings/exports/{ready}/download")).await.status, 404, "{role} download");
        assert_eq!(client.get(&format!("/settings/exports/{ready}/progress")).await.status, 404, "{role} progress");
        client.get("/").await;
        assert_eq!(client.post("/settings/exports", &[]).await.status, 403, "{role} POST");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM workspace_exports").await, 1, "no export was started");
    assert!(!audit_actions(&app).await.iter().any(|a| a.starts_with("export.")));

    // The owner starts one: it is recorded, audited and listed.
    ada.get("/settings/exports").await.assert_status(200);
    ada.post("/settings/exports", &[]).await.assert_redirect("/settings/exports");
    assert_eq!(app.count("SELECT COUNT(*) FROM workspace_exports").await, 2);
    assert!(audit_actions(&app).await.contains(&"export.requested".to_owned()));
    assert_eq!(ada.get("/settings/exports").await.attrs("li.export-line", "id").len(), 2);
    // Without a session, the pages send people to sign in.
    let page = app.client().get("/settings/exports").await;
    assert!(page.location().is_some_and(|l| l.starts_with("/login")));
}

async fn a_ready_export_downloads_for_its_owner_only_until_it_expires(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let workspace = ada.guards().page_workspace;
    let bea = app.signed_up("Bea", "bea@example.com").await;
    let ready = put_export(&app, &workspace, "ready", OffsetDateTime::now_utc() + Duration::hours(20)).await;
    let expired = put_export(&app, &workspace, "ready", OffsetDateTime::now_utc() - Duration::minutes(1)).await;
    let expired_file = app.uploads().join(format!("{workspace}/exports/{expired}.zip"));

    // Another workspace's owner: 404, as for an id that does not exist.
    for path in [format!("/settings/exports/{ready}/download"), format!("/settings/exports/{ready}/progress")] {
        let page = bea.get(&path).await;
        assert_eq!(page.status, 404, "{path}");
        // A zip starts with its local-header signature; the 404 page's random
        // tokens may well spell "PK" somewhere.
        assert!(!page.bytes.starts_with(b"PK\x03\x04"), "{path} leaked the archive");
        assert_ne!(page.header("content-type"), "application/zip", "{path}");
    }
    ada.get(&format!("/settings/exports/{}/download", Uuid::now_v7())).await.assert_status(404);
    ada.get("/settings/exports/not-an-id/download").await.assert_status(404);

    let download = ada.get(&format!("/settings/exports/{ready}/download")).await;
    download.assert_status(200);
    assert_eq!(download.header("content-type"), "application/zip");
    let today = OffsetDateTime::now_utc().date();
    assert_eq!(download.header("content-disposition"), format!("attachment; filename=\"ada-s-studio-{today}.zip\""));
    assert!(entries(&download.bytes).contains(&"manifest.json".to_owned()));
    assert!(audit_actions(&app).await.contains(&"export.downloaded".to_owned()));

    // An expired link is a 404, and opening the page deletes its file.
    ada.get(&format!("/settings/exports/{expired}/download")).await.assert_status(404);
    assert!(expired_file.exists());
    let page = ada.get("/settings/exports").await;
    assert!(!expired_file.exists(), "the expired archive was deleted");
    assert_eq!(page.attrs("[data-export-download]", "href"), vec![format!("/settings/exports/{ready}/download")]);
    assert_eq!(app.strings("SELECT state FROM workspace_exports ORDER BY state").await, ["expired", "ready"]);
}

async fn an_export_whose_worker_died_shows_as_failed(backend: Backend) {
    let mut app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let workspace = ada.guards().page_workspace;
    // Its worker stopped renewing the lease a minute ago (Easel was killed).
    let dead = put_export(&app, &workspace, "running", OffsetDateTime::now_utc() - Duration::minutes(1)).await;
    let half_written = app.dir.path().join(format!("data/exports/{workspace}/{dead}.zip.part"));
    std::fs::create_dir_all(half_written.parent().expect("folder")).expect("folder");
    std::fs::write(&half_written, b"PK half").expect("part");
    let gone = app.dir.path().join(format!("data/exports/{}", Uuid::now_v7()));
    std::fs::create_dir_all(&gone).expect("folder");
    std::fs::write(gone.join("old.zip"), b"PK").expect("archive");
    app.restart_with(|_| {}).await;
    app.client().get("/healthz").await.assert_status(200);
    assert_eq!(app.strings("SELECT state FROM workspace_exports").await, ["failed"], "failed at start-up");
    assert!(!half_written.exists(), "its half-written archive is gone");
    assert!(!gone.exists(), "a deleted workspace's archives are gone");
    let ada = with_session_of(&ada, app.url(""));
    let page = ada.get("/settings/exports").await;
    assert!(page.text(".export-line .field-error").contains("Easel stopped"), "{}", page.body);
    // And it does not stand in the way of a new one.
    ada.post("/settings/exports", &[]).await.assert_redirect("/settings/exports");
}

async fn one_export_at_a_time(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let workspace = ada.guards().page_workspace;
    let running = put_export(&app, &workspace, "running", OffsetDateTime::now_utc() + Duration::minutes(1)).await;
    // Another instance writes it, and recorded how far it got.
    let progress =
        format!("UPDATE workspace_exports SET percent = 42 WHERE id = {}", app.uuid_literal(&running.to_string()));
    assert_eq!(app.try_execute(&progress).await.expect("record progress"), 1);
    let line = ada.get(&format!("/settings/exports/{running}/progress")).await;
    assert_eq!(line.attrs("progress", "value"), ["42"], "the other instance's progress: {}", line.body);
    let page = ada.get("/settings/exports").await;
    assert_eq!(page.attrs("progress", "value"), ["42"]);
    assert!(page.attrs("form[action='/settings/exports']", "action").is_empty(), "no start button while one runs");
    assert_eq!(page.attrs("li.export-line[hx-get]", "hx-trigger"), ["load delay:1s"], "its line polls");
    assert!(page.body.contains("refresh it"), "and without script, a link to refresh");
    let page = ada.post("/settings/exports", &[]).await;
    assert_eq!(page.status, 409);
    assert!(page.text("[role=alert]").contains("already being made"), "{}", page.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM workspace_exports").await, 1);
}

async fn admin(app: &TestApp) -> Client {
    let oz = app.signed_up("Oz", "oz@example.com").await;
    easel::admin::set_platform_admin(&app.db, "oz@example.com", true, "test").await.expect("grant");
    oz
}

async fn the_import_page_is_for_platform_admins_only(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    ada.get("/admin/import").await.assert_status(404);
    ada.get("/").await;
    ada.upload_form("/admin/import", &[("as_new", "1")], "archive", ("a.zip", small_zip())).await.assert_status(404);
    app.client().get("/admin/import").await.assert_status(404);

    let oz = admin(&app).await;
    let page = oz.get("/admin/import").await;
    page.assert_status(200);
    assert_eq!(page.attrs("input[type=file]", "name"), ["archive"]);
    assert!(page.body.contains("20 GB"));
    // No file at all: a 422 that says what to do.
    let page = oz.upload_form("/admin/import", &[("as_new", "1")], "archive", ("", Vec::new())).await;
    assert_eq!(page.status, 422);
    assert!(page.text("#import-error").contains("Choose a workspace archive"));
    assert!(page.attrs("#as_new", "checked").len() == 1, "the choices are kept");
    assert_eq!(app.count("SELECT COUNT(*) FROM platform_audit WHERE action = 'workspace.imported'").await, 0);
}

async fn a_garbage_upload_is_refused_and_imports_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let oz = admin(&app).await;
    let workspaces = app.count("SELECT COUNT(*) FROM workspaces").await;
    oz.get("/admin/import").await;
    let page = oz.upload_form("/admin/import", &[], "archive", ("garbage.zip", b"this is no zip".repeat(100))).await;
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(page.text("#import-error").contains("Nothing was imported"), "{}", page.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM workspaces").await, workspaces);
    let scratch = app.dir.path().join("data/imports");
    assert_eq!(std::fs::read_dir(&scratch).map(|d| d.count()).unwrap_or(0), 0, "the upload was removed");
}

async fn an_archive_over_the_import_limit_is_refused_and_removed(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.bounds.max_import_bytes = 1024 * 1024).await;
    let oz = admin(&app).await;
    let workspaces = app.count("SELECT COUNT(*) FROM workspaces").await;
    let page = oz.get("/admin/import").await;
    assert!(page.body.contains("1 MB"), "the page names the limit");
    let page = oz.upload_form("/admin/import", &[], "archive", ("big.zip", vec![7u8; 2 * 1024 * 1024])).await;
    assert_eq!(page.status, 413, "{}", page.body);
    assert!(page.body.contains("EASEL_MAX_IMPORT_BYTES"), "{}", page.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM workspaces").await, workspaces);
    let scratch = app.dir.path().join("data/imports");
    assert_eq!(std::fs::read_dir(&scratch).map(|d| d.count()).unwrap_or(0), 0, "the upload was removed");
}

async fn download_my_data_is_for_the_signed_in_person_only(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    app.signed_up("Bea", "bea@example.com").await;
    // Signed out: sent to sign in; a forged post without the token: refused.
    let stranger = app.client();
    stranger.get("/login").await;
    let page = stranger.post("/account/my-data", &[]).await;
    assert!(page.location().is_some_and(|l| l.starts_with("/login")), "{}", page.status);
    let forged = ada.post_exactly("/account/my-data", &[], &[]).await;
    assert_eq!(forged.status, 403, "{}", forged.body);

    let account = ada.get("/account").await;
    assert_eq!(account.attrs("#my-data form", "action"), ["/account/my-data"]);
    let download = ada.post("/account/my-data", &[]).await;
    download.assert_status(200);
    assert!(download.header("content-disposition").starts_with("attachment; filename=\"easel-my-data-"));
    let names = entries(&download.bytes);
    let everything: String = names.iter().map(|n| read_entry(&download.bytes, n)).collect();
    assert!(everything.contains("ada@example.com"), "{names:?}");
    assert!(!everything.contains("bea@example.com"), "another person's data leaked");
    assert_eq!(std::fs::read_dir(app.dir.path().join("data/my-data")).map(|d| d.count()).unwrap_or(0), 0);
}

/// Polls an export's line until it is no longer in progress (bounded).
async fn finished(client: &Client, id: &str) -> String {
    for _ in 0..600 {
        let line = client.get(&format!("/settings/exports/{id}/progress")).await;
        let state = line.attrs("[data-export-state]", "data-export-state").pop().expect("state");
        if state != "queued" && state != "running" {
            return state;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the export did not finish in 600 looks")
}

async fn an_export_is_made_downloaded_and_imported_as_new(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    ada.get("/settings/exports").await;
    ada.post("/settings/exports", &[]).await.assert_redirect("/settings/exports");
    let page = ada.get("/settings/exports").await;
    let id = page.attrs("li.export-line", "id").pop().expect("export").trim_start_matches("export-").to_owned();
    let state = finished(&ada, &id).await;
    assert_eq!(state, "ready", "{}", ada.get("/settings/exports").await.body);
    // The finished archive is in the store (any instance serves it), and
    // on disk only Easel's own user may read it.
    let workspace = ada.guards().page_workspace;
    let stored = app.uploads().join(&workspace).join(format!("exports/{id}.zip"));
    assert!(stored.exists(), "the archive is in the store");
    #[cfg(unix)]
    if !app.on_s3() {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&stored).expect("metadata").permissions().mode() & 0o777, 0o600);
    }
    let download = ada.get(&format!("/settings/exports/{id}/download")).await;
    download.assert_status(200);
    assert!(entries(&download.bytes).contains(&"manifest.json".to_owned()));
    assert!(read_entry(&download.bytes, "manifest.json").contains("Ada's studio"));

    let oz = admin(&app).await;
    oz.get("/admin/import").await;
    // The workspace is here already: refused unless imported as new.
    let page = oz.upload_form("/admin/import", &[], "archive", ("ada.zip", download.bytes.clone())).await;
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(page.text("#import-error").contains("Nothing was imported"));
    assert_eq!(app.count("SELECT COUNT(*) FROM workspaces WHERE name = 'Ada''s studio'").await, 1);
    let page = oz.upload_form("/admin/import", &[("as_new", "1")], "archive", ("ada.zip", download.bytes)).await;
    page.assert_status(200);
    assert_eq!(page.texts("#members-matched li"), ["ada@example.com"]);
    let link = page.attrs("#imported-workspace", "href").pop().expect("link to the workspace");
    assert!(link.starts_with("/admin/workspaces/"));
    assert_eq!(app.count("SELECT COUNT(*) FROM workspaces WHERE name = 'Ada''s studio'").await, 1);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM workspaces WHERE name = 'Ada''s studio (copy)'").await,
        1,
        "a copy says so"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM platform_audit WHERE action = 'workspace.imported'").await, 1);
    oz.get(&link).await.assert_status(200);
}

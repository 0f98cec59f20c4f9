//! Deletion that can be undone: a deleted workspace is gone for its members
//! at once, its owner or a platform admin can restore it with everything in
//! it, and once its grace period is over the purge removes rows and files.

use std::time::Duration;

use easel::tenancy::{Access, ROUTES};

use crate::{
    calendars::new_calendar,
    collections::upload,
    harness::{Backend, Client, TestApp},
    isolation::snapshot,
    on_both_backends,
    roles::fixture,
};

on_both_backends!(
    an_owners_deletion_hides_it_at_once_and_restoring_brings_everything_back,
    another_owner_cannot_delete_or_restore_yours,
    a_member_of_a_scheduled_workspace_gets_404_on_every_id_route,
    after_the_grace_period_rows_and_files_are_all_gone,
    the_sweep_keeps_a_scheduled_workspaces_files_and_clears_a_purged_ones,
);

pub async fn delete(client: &Client, workspace: &str, name: &str) {
    client.get("/team").await;
    let page = client.post(&format!("/workspaces/{workspace}/delete"), &[("confirm_name", name)]).await;
    page.assert_redirect("/workspaces");
}

pub async fn restore(client: &Client, workspace: &str) -> crate::harness::Page {
    client.get("/workspaces").await;
    client.post(&format!("/workspaces/{workspace}/restore"), &[]).await
}

fn where_id(app: &TestApp, id: &str) -> String {
    format!("WHERE workspace_id = {}", app.uuid_literal(id))
}

/// The path of a new calendar feed address.
async fn feed(app: &TestApp, client: &Client, calendar: &str) -> String {
    client.get(&format!("/calendars/{calendar}")).await;
    let made = client.post(&format!("/calendars/{calendar}/feed"), &[]).await;
    made.text(".feed-url").trim_start_matches(&app.url("")).to_owned()
}

async fn an_owners_deletion_hides_it_at_once_and_restoring_brings_everything_back(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let studio = ada.guards().page_workspace;
    let image = upload(&ada, "heron.png", 1).await;
    let calendar = new_calendar(&ada, "Main").await;
    let feed = feed(&app, &ada, &calendar).await;
    ada.get("/team").await;
    ada.post("/team/invites", &[("email", "cal@example.com"), ("role", "member")]).await;
    let flash = ada.get("/team").await.text(".flash");
    let at = flash.find("/invites/").expect("invitation link");
    let invitation = flash[at..at + 9 + 43].to_owned();
    let bea = app.signed_up("Bea", "bea@example.com").await;
    app.add_member(&studio, "bea@example.com", "member").await;
    bea.post("/workspaces/switch", &[("workspace_id", &studio), ("back", "/")]).await;
    assert_eq!(bea.get("/").await.text(".switcher-name"), "Ada's studio");
    let before = snapshot(&app, &[&studio]).await;
    assert_eq!(app.files_of(&studio).len(), 3, "original, large and thumbnail");

    delete(&ada, &studio, "Ada's studio").await;
    // Bea loses it at once: 404 on its pages and files, gone from the switcher.
    bea.get(&format!("/images/{image}")).await.assert_status(404);
    bea.get(&format!("/media/{image}/thumb")).await.assert_status(404);
    let home = bea.get("/").await;
    assert_eq!(home.text(".switcher-name"), "Bea's studio", "the active workspace falls back");
    assert!(!home.body.contains("Ada's studio"), "not in the switcher");
    bea.post("/workspaces/switch", &[("workspace_id", &studio), ("back", "/")]).await.assert_status(404);
    app.client().get(&feed).await.assert_status(404);
    assert!(app.client().get(&invitation).await.body.contains("not valid"), "its invitations are dead");
    // Nothing is gone yet: the rows and files wait for the grace period.
    assert_eq!(snapshot(&app, &[&studio]).await, before);
    assert_eq!(app.scheduled().await, 1);
    let list = ada.get("/workspaces").await;
    assert!(list.text("#scheduled").contains("Ada's studio"), "{}", list.body);
    let year = time::OffsetDateTime::now_utc().year();
    assert!(list.text(&format!("[data-scheduled='{studio}']")).contains(&format!(" {year} ")));
    assert!(list.text(&format!("[data-scheduled='{studio}']")).contains("UTC"));
    // Restoring is the owner's: Bea, a member, cannot.
    bea.get("/workspaces").await;
    bea.post(&format!("/workspaces/{studio}/restore"), &[]).await.assert_status(404);

    restore(&ada, &studio).await.assert_redirect("/");
    assert_eq!(app.scheduled().await, 0);
    assert_eq!(snapshot(&app, &[&studio]).await, before, "every row and file is back");
    assert_eq!(ada.get("/").await.text(".switcher-name"), "Ada's studio");
    bea.get("/").await;
    bea.post("/workspaces/switch", &[("workspace_id", &studio), ("back", "/")]).await.assert_status(303);
    bea.get(&format!("/images/{image}")).await.assert_status(200);
    for size in ["original", "large", "thumb"] {
        bea.get(&format!("/media/{image}/{size}")).await.assert_status(200);
    }
    app.client().get(&feed).await.assert_status(200);
    let log =
        app.strings(&format!("SELECT action FROM audit_log {} ORDER BY created_at", where_id(&app, &studio))).await;
    assert!(log.ends_with(&["workspace.deletion_scheduled".to_owned(), "workspace.restored".to_owned()]), "{log:?}");
}

async fn another_owner_cannot_delete_or_restore_yours(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let studio = ada.guards().page_workspace;
    upload(&ada, "heron.png", 1).await;
    let bea = app.signed_up("Bea", "bea@example.com").await;
    bea.get("/team").await;
    let path = format!("/workspaces/{studio}/delete");
    bea.post(&path, &[("confirm_name", "Ada's studio")]).await.assert_status(404);
    assert_eq!(app.scheduled().await, 0);

    delete(&ada, &studio, "Ada's studio").await;
    let before = snapshot(&app, &[&studio]).await;
    restore(&bea, &studio).await.assert_status(404);
    bea.get("/team").await;
    bea.post(&path, &[("confirm_name", "Ada's studio")]).await.assert_status(404);
    assert!(!bea.get("/workspaces").await.body.contains("Ada's studio"));
    assert_eq!(snapshot(&app, &[&studio]).await, before);
    assert_eq!(app.scheduled().await, 1, "still scheduled");
    // Deleting again does not move the date: the workspace is simply gone.
    ada.post(&path, &[("confirm_name", "Ada's studio")]).await.assert_status(303);
    assert_eq!(app.scheduled().await, 1);
}

async fn a_member_of_a_scheduled_workspace_gets_404_on_every_id_route(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let studio = ada.guards().page_workspace;
    let fixture = fixture(&app, &ada).await;
    let bea = app.signed_up("Bea", "bea@example.com").await;
    // Her own studio has its usage row already, as anyone's who uploaded.
    upload(&bea, "fox.png", 2).await;
    app.add_member(&studio, "bea@example.com", "admin").await;
    // The studio is her active workspace when it is deleted.
    bea.post("/workspaces/switch", &[("workspace_id", &studio), ("back", "/")]).await.assert_status(303);
    assert_eq!(bea.get("/").await.text(".switcher-name"), "Ada's studio");
    delete(&ada, &studio, "Ada's studio").await;
    let before = snapshot(&app, &[&studio]).await;
    let mut tried = 0;
    for (method, template, access) in ROUTES {
        let by_id = ["{id}", "{image_id}", "{user_id}"].iter().any(|k| template.contains(k));
        if !by_id || matches!(access, Access::Public | Access::PlatformAdmin) {
            continue;
        }
        let path = fixture.path(template);
        bea.get("/").await;
        let page = match *method {
            "GET" => bea.get(&path).await,
            _ => bea.post(&path, &[("confirm_name", "Ada's studio"), ("name", "Changed")]).await,
        };
        assert_eq!(page.status, 404, "{method} {path}: {}", page.body);
        tried += 1;
    }
    assert!(tried > 30, "only {tried} routes tried");
    assert_eq!(snapshot(&app, &[&studio]).await, before, "nothing changed");
}

async fn after_the_grace_period_rows_and_files_are_all_gone(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.delete_grace = Duration::from_secs(1)).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let studio = ada.guards().page_workspace;
    fixture(&app, &ada).await;
    let bea = app.signed_up("Bea", "bea@example.com").await;
    let beas = bea.guards().page_workspace;
    upload(&bea, "fox.png", 2).await;

    delete(&ada, &studio, "Ada's studio").await;
    let mut purged = 0;
    for _ in 0..200 {
        purged += app.purge_due().await;
        if purged > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(purged, 1, "the grace period ended and the purge took the studio");
    let id = app.uuid_literal(&studio);
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM workspaces WHERE id = {id}")).await, 0);
    for table in ["images", "collections", "calendars", "events", "memberships", "invitations", "audit_log"] {
        let n = app.count(&format!("SELECT COUNT(*) FROM {table} {}", where_id(&app, &studio))).await;
        assert_eq!(n, 0, "{table} rows of the purged workspace");
    }
    assert!(!app.uploads().join(&studio).exists(), "its files went after its rows");
    let bea_images = format!("SELECT COUNT(*) FROM images {}", where_id(&app, &beas));
    assert_eq!(app.count(&bea_images).await, 1, "another workspace keeps its rows");
    assert_eq!(app.files_of(&beas).len(), 3, "another workspace keeps its files");
    assert_eq!(app.purge_due().await, 0, "running it again finds nothing to do");
    restore(&ada, &studio).await.assert_status(404);
}

async fn the_sweep_keeps_a_scheduled_workspaces_files_and_clears_a_purged_ones(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let studio = ada.guards().page_workspace;
    let image = upload(&ada, "heron.png", 1).await;
    delete(&ada, &studio, "Ada's studio").await;
    assert_eq!(app.purge_due().await, 0, "not before its date");
    app.sweep_uploads().await;
    assert_eq!(app.files_of(&studio).len(), 3, "the start-up sweep leaves a scheduled workspace's files");
    restore(&ada, &studio).await.assert_redirect("/");
    ada.get(&format!("/media/{image}/original")).await.assert_status(200);

    // A purge cut off between its rows and its files: the sweep finishes it.
    delete(&ada, &studio, "Ada's studio").await;
    app.try_execute(&format!("DELETE FROM workspaces WHERE id = {}", app.uuid_literal(&studio))).await.expect("rows");
    assert!(app.uploads().join(&studio).exists());
    assert_eq!(app.purge_due().await, 0);
    app.sweep_uploads().await;
    assert!(!app.uploads().join(&studio).exists());
}

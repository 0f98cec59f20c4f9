//! Deletion that can be undone, from the operator's side: a platform admin
//! restores or purges a scheduled workspace, an account's solo workspaces
//! are scheduled with it, and a scheduled workspace sends nothing to Publer.

use std::time::Duration;

use crate::{
    calendars::new_calendar,
    collections::upload,
    deletion::{delete, restore},
    harness::{Backend, Client, TestApp, services::Services},
    on_both_backends,
    publer::{ADA_PUBLER, connect, fast, post_on, send, settled, step_of},
};

on_both_backends!(
    a_platform_admin_restores_a_scheduled_workspace_or_purges_it_now,
    deleting_an_account_schedules_its_solo_workspaces_for_an_admin_to_restore,
    a_scheduled_workspaces_queued_post_is_not_sent_until_it_is_restored,
);

async fn operator(app: &TestApp) -> Client {
    let oz = app.signed_up("Oz", "oz@example.com").await;
    assert!(easel::admin::set_platform_admin(&app.db, "oz@example.com", true, "test").await.expect("grant"));
    oz
}

async fn platform_audit(app: &TestApp) -> Vec<String> {
    app.strings("SELECT action || '|' || actor_email || '|' || workspace_name FROM platform_audit ORDER BY created_at")
        .await
}

async fn a_platform_admin_restores_a_scheduled_workspace_or_purges_it_now(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let studio = ada.guards().page_workspace;
    let image = upload(&ada, "heron.png", 1).await;
    let oz = operator(&app).await;
    let base = format!("/admin/workspaces/{studio}");
    oz.get(&base).await;
    oz.post(&format!("{base}/purge"), &[("confirm_name", "Ada's studio")]).await.assert_status(400);
    oz.post(&format!("{base}/delete"), &[("confirm_name", "wrong")]).await.assert_status(400);
    assert_eq!(app.scheduled().await, 0);
    oz.post(&format!("{base}/delete"), &[("confirm_name", "Ada's studio")]).await.assert_redirect(&base);
    assert_eq!(app.scheduled().await, 1);
    ada.get(&format!("/images/{image}")).await.assert_redirect("/workspaces");
    let dashboard = oz.get("/admin").await;
    assert!(
        dashboard.text(&format!("tr[data-workspace='{studio}'] [data-col=status]")).contains("scheduled for deletion")
    );
    let page = oz.get(&base).await;
    assert_eq!(page.text("#status"), "scheduled for deletion");
    assert!(page.text("#scheduled").contains("oz@example.com"), "{}", page.text("#scheduled"));

    oz.post(&format!("{base}/restore"), &[]).await.assert_redirect(&base);
    assert_eq!(app.scheduled().await, 0);
    oz.post(&format!("{base}/restore"), &[]).await.assert_status(400);
    ada.get(&format!("/images/{image}")).await.assert_status(200);
    assert_eq!(oz.get(&base).await.text("#status"), "active");

    delete(&ada, &studio, "Ada's studio").await;
    oz.get(&base).await;
    oz.post(&format!("{base}/purge"), &[("confirm_name", "wrong")]).await.assert_status(400);
    assert_eq!(app.files_of(&studio).len(), 3, "a wrong name purges nothing");
    oz.post(&format!("{base}/purge"), &[("confirm_name", "Ada's studio")]).await.assert_redirect("/admin");
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM workspaces WHERE id = {}", app.uuid_literal(&studio))).await,
        0
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM images").await, 0);
    assert!(!app.uploads().join(&studio).exists());
    oz.get(&base).await.assert_status(404);
    let audit = platform_audit(&app).await;
    for action in ["workspace.deletion_scheduled", "workspace.restored", "workspace.purged"] {
        let line = format!("{action}|oz@example.com|Ada's studio");
        assert!(audit.contains(&line), "{line} missing from {audit:?}");
    }
}

async fn deleting_an_account_schedules_its_solo_workspaces_for_an_admin_to_restore(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let bea = app.signed_up("Bea", "bea@example.com").await;
    let beas = bea.guards().page_workspace;
    let image = upload(&bea, "fox.png", 2).await;
    bea.get("/account").await;
    bea.post("/account/delete", &[("confirm_email", "bea@example.com")]).await.assert_redirect("/signup");
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 0);
    assert_eq!(app.scheduled().await, 1, "her studio waits out its grace period");
    assert_eq!(app.files_of(&beas).len(), 3);

    let oz = operator(&app).await;
    let base = format!("/admin/workspaces/{beas}");
    let page = oz.get(&base).await;
    assert_eq!(page.text("#status"), "scheduled for deletion");
    let note = page.text("#scheduled");
    assert!(note.contains("bea@example.com") && note.contains("no owner"), "{note}");
    oz.post(&format!("{base}/restore"), &[]).await.assert_redirect(&base);
    assert_eq!(app.scheduled().await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM images").await, 1, "restored without its owner, nothing lost");
    assert_eq!(app.files_of(&beas).len(), 3);
    let _ = image;

    // Scheduled again, the grace period ends, and the purge takes it all.
    oz.get(&base).await;
    oz.post(&format!("{base}/delete"), &[("confirm_name", "Bea's studio")]).await.assert_redirect(&base);
    app.end_grace_periods().await;
    assert_eq!(app.purge_due().await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM images").await, 0);
    assert!(!app.uploads().join(&beas).exists());
}

async fn a_scheduled_workspaces_queued_post_is_not_sent_until_it_is_restored(backend: Backend) {
    let services = Services::start().await;
    services.set(|s| s.job_end = crate::harness::services::JobEnd::KeepsWorking);
    let quick = fast(&services);
    // Publer's first job runs on until the test says; Easel keeps asking.
    let app = TestApp::spawn_with(backend, move |c| {
        quick(c);
        c.publer.polls = 1_000_000;
    })
    .await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let studio = ada.guards().page_workspace;
    let calendar = new_calendar(&ada, "Main").await;
    let first = post_on(&ada, &calendar, "2030-05-08", "ready").await;
    let second = post_on(&ada, &calendar, "2030-05-09", "ready").await;
    connect(&ada, &services, ADA_PUBLER, "pw-ada").await;
    send(&ada, &first).await;
    for _ in 0..800 {
        if step_of(&app, &first).await == "polling" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(step_of(&app, &first).await, "polling");
    // The second waits behind the first; then the workspace is deleted.
    send(&ada, &second).await;
    delete(&ada, &studio, "Ada's studio").await;
    services.set(|s| s.job_end = crate::harness::services::JobEnd::Completes);
    assert_eq!(settled(&app, &first).await.0, "scheduled", "what Publer already had is followed to the end");
    let sql = format!("SELECT error FROM publer_sends WHERE event_id = {}", app.uuid_literal(&second));
    for _ in 0..800 {
        if !app.strings(&sql).await.pop().unwrap_or_default().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(!app.strings(&sql).await.pop().unwrap_or_default().is_empty(), "the queued send waits");
    assert_eq!(step_of(&app, &second).await, "queued");
    assert_eq!(services.seen("/publer/posts/schedule").len(), 1, "nothing new went to Publer");

    restore(&ada, &studio).await.assert_redirect("/");
    assert_eq!(settled(&app, &second).await, ("scheduled".to_owned(), String::new()));
    assert_eq!(services.seen("/publer/posts/schedule").len(), 2);
}

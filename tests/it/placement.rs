//! A workspace in a database of its own (PostgreSQL only): where new
//! workspaces go, that each workspace's rows live in one database, and the
//! admin dashboard when a database is down. (Every other PostgreSQL test
//! runs with its second workspace in the second database, too.)

use crate::{
    collections::upload,
    harness::{Backend, TestApp},
    operations::admin,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_workspaces_go_to_the_emptier_database_and_their_rows_live_only_there() {
    let app = TestApp::spawn(Backend::Postgres).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let bea = app.signed_up("Bea", "bea@example.com").await;
    let (adas, beas) = (ada.guards().page_workspace, bea.guards().page_workspace);
    let placement = |id: &str| format!("SELECT placement FROM workspaces WHERE id = '{id}'::uuid");
    assert_eq!(app.strings(&placement(&adas)).await, ["main"]);
    assert_eq!(app.strings(&placement(&beas)).await, ["second"]);
    let beas_image = upload(&bea, "b.png", 1).await;
    upload(&ada, "a.png", 2).await;
    let images_of = |id: &str| format!("SELECT COUNT(*) FROM images WHERE workspace_id = '{id}'::uuid");
    assert_eq!(app.count_in("second", &images_of(&beas)).await, 1);
    assert_eq!(app.count_in("main", &images_of(&beas)).await, 0);
    assert_eq!(app.count_in("main", &images_of(&adas)).await, 1);
    // Global rows stay in main: the second database holds only the anchor
    // copy of Bea's workspace row, and no person, membership or plan choice.
    assert_eq!(app.count_in("second", "SELECT COUNT(*) FROM workspaces").await, 1);
    assert_eq!(app.count_in("second", "SELECT COUNT(*) FROM users").await, 0);
    assert_eq!(app.count_in("second", "SELECT COUNT(*) FROM memberships").await, 0);
    // Bea's pages read from her database.
    let gallery = bea.get("/images").await;
    assert_eq!(gallery.attrs(".art-card input[name=ids]", "value"), vec![beas_image.clone()]);
    bea.get(&format!("/images/{beas_image}")).await.assert_status(200);
    ada.get(&format!("/images/{beas_image}")).await.assert_status(404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_adds_up_every_database_and_shows_one_that_is_down_as_unavailable() {
    let app = TestApp::spawn(Backend::Postgres).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let bea = app.signed_up("Bea", "bea@example.com").await;
    let beas = bea.guards().page_workspace;
    upload(&ada, "a.png", 1).await;
    upload(&bea, "b.png", 2).await;
    upload(&bea, "c.png", 3).await;
    let oz = admin(&app).await;
    let page = oz.get("/admin").await;
    page.assert_status(200);
    assert_eq!(page.text("[data-total=images]"), "3", "images of both databases add up");
    let row = format!("tr[data-workspace='{beas}'] [data-col=images]");
    assert_eq!(page.text(&row), "2");
    assert!(page.texts("[data-unavailable]").is_empty());

    app.stop_second_database().await;
    let page = oz.get("/admin").await;
    page.assert_status(200);
    let status = format!("tr[data-workspace='{beas}'] [data-col=status]");
    assert!(page.text(&status).contains("unavailable"), "{}", page.text(&status));
    assert_eq!(page.texts("[data-unavailable]").len(), 1, "only Bea's workspace is in the second database");
    assert_eq!(page.text("[data-total=images]"), "1", "what can be counted still is");
    let details = oz.get(&format!("/admin/workspaces/{beas}")).await;
    details.assert_status(200);
    assert!(details.text("#placement").contains("second"));
    assert_eq!(details.texts("[data-unavailable]").len(), 1);
}

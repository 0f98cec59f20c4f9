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

/// The app's configuration from `vars` plus its folders.
fn config(dir: &tempfile::TempDir, vars: &[(&str, String)]) -> easel::config::Config {
    let mut all: std::collections::HashMap<String, String> =
        vars.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect();
    all.insert("EASEL_DATA_DIR".into(), dir.path().join("data").display().to_string());
    all.insert("EASEL_UPLOADS_DIR".into(), dir.path().join("uploads").display().to_string());
    easel::config::Config::from_lookup(|k| all.get(k).cloned()).expect("configuration")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_named_database_is_checked_like_the_main_one_and_refused_when_unfit() {
    let cluster = crate::harness::postgres::cluster();
    let (main, second) = (cluster.create_database().await, cluster.create_database().await);
    let dir = tempfile::tempdir().expect("temp dir");
    // A superuser sees through row-level security: refused, naming the database.
    let superuser = config(
        &dir,
        &[("DATABASE_URL", cluster.app_url(&main)), ("EASEL_DATABASES", format!("big={}", cluster.admin_url(&second)))],
    );
    let refused = easel::prepare(superuser).await.err().expect("a superuser is refused").to_string();
    assert!(refused.contains("'big'") && refused.contains("BYPASSRLS"), "{refused}");
    // One that does not answer stops start-up, without its password.
    let dead = config(
        &dir,
        &[
            ("DATABASE_URL", cluster.app_url(&main)),
            ("EASEL_DATABASES", "big=postgres://easel:hunter2@127.0.0.1:9/none".to_owned()),
        ],
    );
    let refused = easel::prepare(dead).await.err().expect("a dead database is refused").to_string();
    assert!(refused.contains("'big'") && !refused.contains("hunter2"), "{refused}");
    // A fit one is migrated at start-up.
    let fit = config(
        &dir,
        &[("DATABASE_URL", cluster.app_url(&main)), ("EASEL_DATABASES", format!("big={}", cluster.app_url(&second)))],
    );
    let state = easel::prepare(fit).await.expect("a fit database is taken");
    let big = state.databases.by_name("big").expect("named").clone();
    let easel::db::Db::Postgres(pool) = big else { panic!("PostgreSQL") };
    let migrated: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations").fetch_one(&pool).await.expect("n");
    assert!(migrated >= 17, "{migrated}");
}

//! PostgreSQL's row-level security, tested directly as the app's own role.

use easel::config::Config;
use sqlx::{Connection, PgConnection, postgres::PgPoolOptions};
use uuid::Uuid;

use crate::harness::{Backend, TestApp, postgres};

/// Two workspaces in one database: row-level security is what keeps them
/// apart there (the harness otherwise puts the second in another database).
async fn two_workspaces() -> (TestApp, Uuid, Uuid) {
    let app = TestApp::spawn_with(Backend::Postgres, |c| c.placement.new_workspaces_in.clear()).await;
    let a = app.signed_up("Ada", "ada@example.com").await.guards().page_workspace;
    let b = app.signed_up("Bea", "bea@example.com").await.guards().page_workspace;
    (app, a.parse().expect("uuid"), b.parse().expect("uuid"))
}

async fn scope(conn: &mut PgConnection, workspace: Uuid) {
    sqlx::query("SELECT set_config('app.workspace_id', $1, true)")
        .bind(workspace.to_string())
        .execute(&mut *conn)
        .await
        .expect("set workspace");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_workspaces_rows_are_invisible_and_untouchable() {
    let (app, a, b) = two_workspaces().await;
    let mut conn = PgConnection::connect(&app.database_url).await.expect("connect as the app role");
    let mut tx = conn.begin().await.expect("begin");
    scope(&mut tx, a).await;

    let visible: Vec<Uuid> =
        sqlx::query_scalar("SELECT workspace_id FROM workspace_settings").fetch_all(&mut *tx).await.expect("select");
    assert_eq!(visible, vec![a]);
    let updated = sqlx::query("UPDATE workspace_settings SET display_name = 'x' WHERE workspace_id = $1")
        .bind(b)
        .execute(&mut *tx)
        .await
        .expect("update");
    assert_eq!(updated.rows_affected(), 0);
    let deleted = sqlx::query("DELETE FROM workspace_settings WHERE workspace_id = $1")
        .bind(b)
        .execute(&mut *tx)
        .await
        .expect("delete");
    assert_eq!(deleted.rows_affected(), 0);
    tx.rollback().await.expect("rollback");

    // Inserting a row into B, or moving A's row into B, fails the policy.
    for sql in [
        "INSERT INTO workspace_settings (workspace_id, display_name, time_zone, updated_at) VALUES ($1, 'x', 'UTC', now())",
        "UPDATE workspace_settings SET workspace_id = $1",
    ] {
        let mut tx = conn.begin().await.expect("begin");
        scope(&mut tx, a).await;
        let err = sqlx::query(sql).bind(b).execute(&mut *tx).await.expect_err("the policy must refuse");
        assert!(err.to_string().contains("row-level security"), "{err}");
    }
    let mut tx = conn.begin().await.expect("begin");
    scope(&mut tx, b).await;
    let names: Vec<String> =
        sqlx::query_scalar("SELECT display_name FROM workspace_settings").fetch_all(&mut *tx).await.expect("select");
    assert_eq!(names, vec!["Bea's studio"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_no_workspace_set_nothing_is_visible() {
    let (app, _, _) = two_workspaces().await;
    let mut conn = PgConnection::connect(&app.database_url).await.expect("connect");
    let count: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM workspace_settings").fetch_one(&mut conn).await.expect("count");
    assert_eq!(count, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pooled_connection_forgets_the_workspace_after_its_transaction() {
    let (app, a, _) = two_workspaces().await;
    let pool = PgPoolOptions::new().max_connections(1).connect(&app.database_url).await.expect("pool of one");
    let mut tx = pool.begin().await.expect("begin");
    scope(&mut tx, a).await;
    let inside: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM workspace_settings").fetch_one(&mut *tx).await.expect("count");
    assert_eq!(inside, 1);
    tx.commit().await.expect("commit");

    let after: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM workspace_settings").fetch_one(&pool).await.expect("count");
    assert_eq!(after, 0, "the same connection must see nothing once the transaction ended");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_role_can_not_bypass_row_level_security() {
    let (app, _, _) = two_workspaces().await;
    let mut conn = PgConnection::connect(&app.database_url).await.expect("connect");
    let (superuser, bypass): (bool, bool) =
        sqlx::query_as("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
            .fetch_one(&mut conn)
            .await
            .expect("role");
    assert!(!superuser && !bypass);
    let forced: Vec<(String, bool, bool)> = sqlx::query_as(
        "SELECT relname::text, relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = 'workspace_settings'",
    )
    .fetch_all(&mut conn)
    .await
    .expect("pg_class");
    assert_eq!(forced, vec![("workspace_settings".to_owned(), true, true)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn easel_refuses_to_run_as_a_superuser_unless_told_to() {
    let cluster = postgres::cluster();
    let database = cluster.create_database().await;
    let config = |allow: bool| {
        let url = cluster.admin_url(&database);
        let dir = std::env::temp_dir().join(format!("easel-su-{}", Uuid::new_v4()));
        let mut config = Config::from_lookup(|k| match k {
            "DATABASE_URL" => Some(url.clone()),
            "EASEL_DATA_DIR" => Some(dir.join("data").display().to_string()),
            "EASEL_UPLOADS_DIR" => Some(dir.join("uploads").display().to_string()),
            _ => None,
        })
        .expect("config");
        config.allow_rls_bypass = allow;
        config
    };
    let refused = easel::prepare(config(false)).await.err().expect("a superuser must be refused");
    assert!(refused.to_string().contains("BYPASSRLS"), "{refused}");
    assert!(easel::prepare(config(true)).await.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_workspace_table_is_forced_and_only_the_admin_setting_reads_across() {
    let (app, a, b) = two_workspaces().await;
    let mut conn = PgConnection::connect(&app.database_url).await.expect("connect");
    // Tables with a workspace_id, minus the global ones whose rows are found by token or id.
    let unguarded: Vec<String> = sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.relkind = 'r' AND n.nspname = current_schema() \
           AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'workspace_id') \
           AND c.relname NOT IN ('memberships', 'invitations', 'calendar_feeds', 'review_link_tokens', 'platform_audit') \
           AND NOT (c.relrowsecurity AND c.relforcerowsecurity \
                    AND EXISTS (SELECT 1 FROM pg_policies p WHERE p.tablename = c.relname))",
    )
    .fetch_all(&mut conn)
    .await
    .expect("tables");
    assert!(unguarded.is_empty(), "workspace tables without forced row-level security: {unguarded:?}");

    let mut tx = conn.begin().await.expect("begin");
    sqlx::query("SELECT set_config('app.platform_admin', 'on', true)").execute(&mut *tx).await.expect("admin");
    let mut all: Vec<Uuid> =
        sqlx::query_scalar("SELECT workspace_id FROM workspace_settings").fetch_all(&mut *tx).await.expect("select");
    all.sort();
    let mut both = vec![a, b];
    both.sort();
    assert_eq!(all, both, "the admin setting reads across workspaces");
    tx.commit().await.expect("commit");
    let after: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM workspace_settings").fetch_one(&mut conn).await.expect("count");
    assert_eq!(after, 0, "and ends with its transaction");
}

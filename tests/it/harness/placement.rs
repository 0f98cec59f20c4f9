//! The second database every PostgreSQL test app gets, and looking into it.

use easel::db::Db;

use super::{TestApp, postgres};

impl TestApp {
    /// The inspectors a statement concerns: the main database's, and the
    /// second database's when the statement names a workspace-owned table
    /// (global tables live in main; the second one holds only anchor copies
    /// of its workspaces' rows, which a purge deletes with `workspaces`).
    pub(super) fn inspectors(&self, sql: &str) -> Vec<&Db> {
        let mut found = vec![&self.inspector];
        if let Some(second) = &self.second
            && (names_owned_table(sql) || sql.trim_start().to_lowercase().starts_with("delete from workspaces"))
        {
            found.push(second);
        }
        found
    }

    /// Counts with the inspector of one database only: `main` or `second`.
    pub async fn count_in(&self, database: &str, sql: &str) -> i64 {
        let db = match database {
            "main" => &self.inspector,
            _ => self.second.as_ref().expect("a second database (PostgreSQL only)"),
        };
        match db {
            Db::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.expect("count"),
            Db::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.expect("count"),
        }
    }

    /// Takes the second database away from the app, as a crashed server
    /// would: its connections end and new ones are refused.
    pub async fn stop_second_database(&self) {
        let (_, url) = self.placement.databases.first().expect("a second database (PostgreSQL only)");
        let name = url.rsplit('/').next().expect("a database name");
        let cluster = postgres::cluster();
        let admin = Db::connect(&cluster.admin_url("postgres")).await.expect("admin connection");
        let Db::Postgres(pool) = &admin else { panic!("PostgreSQL") };
        sqlx::query(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS false")).execute(pool).await.expect("refuse");
        sqlx::query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1")
            .bind(name)
            .execute(pool)
            .await
            .expect("end its connections");
    }
}

/// Whether `sql` names a table owned by a workspace (the archive catalogue's
/// list, plus the exports' job table).
fn names_owned_table(sql: &str) -> bool {
    let words: Vec<String> = sql
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase())
        .collect();
    easel::archive::catalogue::TABLES
        .iter()
        .filter(|t| t.scope != easel::archive::catalogue::Scope::Global)
        .map(|t| t.name)
        .chain(["workspace_exports"])
        .any(|table| words.iter().any(|w| w == table))
}

/// A second database for every PostgreSQL test app, named `second`: new
/// workspaces go to whichever of main and second holds fewer, so a test's
/// first workspace lives in main and its second in `second`, and every
/// test proves that no query joins a workspace's rows with global ones.
pub(super) async fn second_database() -> (easel::config::Placement, Option<Db>) {
    let cluster = postgres::cluster();
    let database = cluster.create_database().await;
    let placement = easel::config::Placement {
        databases: vec![("second".to_owned(), cluster.app_url(&database))],
        new_workspaces_in: vec!["main".to_owned(), "second".to_owned()],
    };
    let inspector = Db::connect(&cluster.admin_url(&database)).await.expect("second inspector");
    (placement, Some(inspector))
}

impl TestApp {
    /// The variables that point an `easel` command (run beside this app) at
    /// its databases, folders and store.
    pub fn command_env(&self) -> Vec<(String, String)> {
        let databases: Vec<String> = self.placement.databases.iter().map(|(n, url)| format!("{n}={url}")).collect();
        let mut env = vec![
            ("DATABASE_URL".to_owned(), self.database_url.clone()),
            ("EASEL_DATABASES".to_owned(), databases.join(",")),
            ("EASEL_DATA_DIR".to_owned(), self.dir.path().join("data").display().to_string()),
            ("EASEL_UPLOADS_DIR".to_owned(), self.dir.path().join("uploads").display().to_string()),
        ];
        env.extend(self.storage_env.iter().cloned());
        env
    }
}

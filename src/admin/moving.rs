//! Moving a workspace to another database (`easel workspace move`): mark it
//! moving (reads go on, writes are refused), copy its rows, verify the copy
//! by canonical hashes, switch its placement, purge the old rows.
//!
//! A crash at any step leaves the workspace readable in exactly one place:
//! its old database until the switch, the new one after it. Running the
//! move again resumes: before the switch it drops a partial copy and copies
//! again; after it, it purges what is left in the old database.

use std::fmt;

use time::OffsetDateTime;
use uuid::Uuid;

use crate::{
    archive::relocate::{self, Anchor},
    config::MAIN,
    db::{
        AdminTx, Databases, Db,
        query::{execute, fetch_optional, fetch_scalar},
    },
};

/// The fault drill: `EASEL_MOVE_PAUSE_AFTER=<step>` makes the command wait
/// for ever after that step, so that a test (or an operator rehearsing) can
/// kill it there and run it again.
pub const PAUSE_AFTER: &str = "EASEL_MOVE_PAUSE_AFTER";

/// The steps of a move, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Marked,
    Copied,
    Verified,
    Switched,
    Purged,
}

impl Step {
    pub const ALL: [Step; 5] = [Step::Marked, Step::Copied, Step::Verified, Step::Switched, Step::Purged];

    pub fn name(self) -> &'static str {
        match self {
            Step::Marked => "marked",
            Step::Copied => "copied",
            Step::Verified => "verified",
            Step::Switched => "switched",
            Step::Purged => "purged",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == text.trim())
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What to do once a step is done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Halt {
    /// Go on to the end.
    Never,
    /// Say so on stdout and wait for ever (the command's fault drill).
    Pause(Step),
    /// Return there, as if the process had died (in-process drills).
    Stop(Step),
}

impl Halt {
    /// The drill `EASEL_MOVE_PAUSE_AFTER` asks for, if any.
    pub fn from_env() -> anyhow::Result<Self> {
        match std::env::var(PAUSE_AFTER) {
            Ok(text) if !text.trim().is_empty() => Step::parse(&text).map(Halt::Pause).ok_or_else(|| {
                let names: Vec<_> = Step::ALL.iter().map(|s| s.name()).collect();
                anyhow::anyhow!("{PAUSE_AFTER}: '{text}' is not a step; use one of {}", names.join(", "))
            }),
            _ => Ok(Halt::Never),
        }
    }
}

/// How a move ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The workspace lives in the target now, and nowhere else.
    Moved { rows: u64 },
    /// It already lived there; what an interrupted move left behind is gone.
    Finished,
    /// Stopped after a step (`Halt::Stop`).
    Stopped(Step),
}

/// The workspace as `main` describes it.
struct Found {
    name: String,
    placement: String,
    moving_to: Option<String>,
    created_at: OffsetDateTime,
}

/// Moves `workspace` to the database `to` (`main` or a name from
/// `EASEL_DATABASES`), or finishes an interrupted move there.
pub async fn move_workspace(databases: &Databases, workspace: Uuid, to: &str, halt: Halt) -> anyhow::Result<Outcome> {
    let found = find(databases.main(), workspace).await?;
    let target = databases.by_name(to).map_err(|_| unknown_database(databases, to))?.clone();
    let held = hold(databases.main(), workspace, &found.name).await?;
    let moved = steps(databases, workspace, to, halt, target).await;
    release(held).await;
    moved
}

async fn steps(databases: &Databases, workspace: Uuid, to: &str, halt: Halt, target: Db) -> anyhow::Result<Outcome> {
    // Read again under the lock: a move that held it may have changed it.
    let found = find(databases.main(), workspace).await?;
    let audit = Audit { main: databases.main(), workspace, name: &found.name };
    match found.moving_to.as_deref() {
        Some(other) if other != to => anyhow::bail!(
            "the workspace {} is being moved to '{other}'; finish that first: easel workspace move {workspace} --to {other}",
            found.name
        ),
        Some(_) => audit.record("workspace.move.resumed", &format!("to {to}, from {}", found.placement)).await?,
        None if found.placement == to => return finish_moved(databases, &audit, to).await,
        None => {
            mark(databases.main(), workspace, to).await?;
            audit.record("workspace.move.started", &format!("from {} to {to}", found.placement)).await?;
        }
    }
    if let Some(stop) = after(halt, Step::Marked).await {
        return Ok(stop);
    }
    let source = databases.by_name(&found.placement)?.clone();
    let rows = copy(&source, &target, workspace, &found, to).await?;
    audit
        .record("workspace.move.copied", &format!("{} to {to}", crate::web::plural::count(rows as i64, "row", "rows")))
        .await?;
    if let Some(stop) = after(halt, Step::Copied).await {
        return Ok(stop);
    }
    verify(&source, &target, workspace).await?;
    audit.record("workspace.move.verified", &format!("every table's rows and SHA-256 agree in {to}")).await?;
    if let Some(stop) = after(halt, Step::Verified).await {
        return Ok(stop);
    }
    switch(databases.main(), workspace, &found.placement, to).await?;
    audit.record("workspace.move.switched", &format!("its rows are read from {to} now")).await?;
    if let Some(stop) = after(halt, Step::Switched).await {
        return Ok(stop);
    }
    purge(&source, workspace, found.placement == MAIN).await?;
    audit.record("workspace.move.purged", &format!("its old rows in {} are gone", found.placement)).await?;
    Ok(after(halt, Step::Purged).await.unwrap_or(Outcome::Moved { rows }))
}

/// One move of a workspace at a time: two would drop each other's copy.
/// A PostgreSQL advisory lock, on a connection of its own (never returned to
/// the pool) held for the whole move; a killed command's connection ends and
/// lets go of it, so the wait covers the moment that takes. (SQLite has one
/// database: nothing ever moves there.)
struct Held {
    connection: sqlx::PgConnection,
    key: i64,
}

async fn hold(main: &Db, workspace: Uuid, name: &str) -> anyhow::Result<Option<Held>> {
    let Db::Postgres(pool) = main else { return Ok(None) };
    let mut connection = pool.acquire().await?.detach();
    let key = i64::from_be_bytes(workspace.as_bytes()[8..].try_into()?);
    sqlx::query("SET lock_timeout = '5s'").execute(&mut connection).await?;
    if sqlx::query("SELECT pg_advisory_lock($1)").bind(key).execute(&mut connection).await.is_err() {
        anyhow::bail!("another move of the workspace {name} is running; let it finish (or stop it) first");
    }
    Ok(Some(Held { connection, key }))
}

/// Lets go of the lock before the connection closes, so that the next move
/// need not wait for the server to notice.
async fn release(held: Option<Held>) {
    if let Some(mut held) = held {
        let _ = sqlx::query("SELECT pg_advisory_unlock($1)").bind(held.key).execute(&mut held.connection).await;
        let _ = sqlx::Connection::close(held.connection).await;
    }
}

async fn find(main: &Db, workspace: Uuid) -> anyhow::Result<Found> {
    let row: Option<(String, String, Option<String>, OffsetDateTime)> = fetch_optional!(
        main,
        (String, String, Option<String>, OffsetDateTime),
        "SELECT name, placement, moving_to, created_at FROM workspaces WHERE id = $1",
        workspace
    )?;
    let (name, placement, moving_to, created_at) =
        row.ok_or_else(|| anyhow::anyhow!("there is no workspace {workspace} on this instance"))?;
    Ok(Found { name, placement, moving_to, created_at })
}

fn unknown_database(databases: &Databases, to: &str) -> anyhow::Error {
    let names: Vec<&str> = databases.all().into_iter().map(|(name, _)| name).collect();
    anyhow::anyhow!("there is no database '{to}': the databases are {}", names.join(", "))
}

/// The workspace already lives in `to`: an interrupted move's old rows
/// elsewhere are purged, else there is nothing to do.
async fn finish_moved(databases: &Databases, audit: &Audit<'_>, to: &str) -> anyhow::Result<Outcome> {
    let mut purged = Vec::new();
    for (name, db) in databases.all() {
        if name != to && holds(db, audit.workspace, name == MAIN).await? {
            purge(db, audit.workspace, name == MAIN).await?;
            audit.record("workspace.move.purged", &format!("its old rows in {name} are gone")).await?;
            purged.push(name);
        }
    }
    if purged.is_empty() {
        anyhow::bail!("the workspace {} is already in the database '{to}'; nothing to move", audit.name);
    }
    Ok(Outcome::Finished)
}

/// Whether `db` holds any row of the workspace (its anchor, in a database
/// other than `main`, or any of its own tables).
async fn holds(db: &Db, workspace: Uuid, is_main: bool) -> anyhow::Result<bool> {
    let mut tx = AdminTx::begin(db).await?;
    if !is_main {
        let anchors: i64 = fetch_scalar!(tx, i64, "SELECT COUNT(*) FROM workspaces WHERE id = $1", workspace)?;
        if anchors > 0 {
            return Ok(true);
        }
    }
    for table in relocate::owned_tables().map(|t| t.name).chain(["workspace_exports", "caption_jobs"]) {
        let sql = format!("SELECT COUNT(*) FROM {table} WHERE workspace_id = $1");
        if fetch_scalar!(tx, i64, &sql, workspace)? > 0 {
            return Ok(true);
        }
    }
    Ok(false)
}

async fn mark(main: &Db, workspace: Uuid, to: &str) -> anyhow::Result<()> {
    let mut tx = AdminTx::begin(main).await?;
    let marked =
        execute!(tx, "UPDATE workspaces SET moving_to = $2 WHERE id = $1 AND moving_to IS NULL", workspace, to)?;
    if marked != 1 {
        anyhow::bail!("the workspace {workspace} changed meanwhile (another move started?); run the command again");
    }
    tx.commit().await?;
    Ok(())
}

/// Drops a partial copy a crash left in the target, then copies afresh.
async fn copy(source: &Db, target: &Db, workspace: Uuid, found: &Found, to: &str) -> anyhow::Result<u64> {
    let to_main = to == MAIN;
    purge(target, workspace, to_main).await?;
    let anchor = (!to_main).then(|| Anchor { name: found.name.clone(), created_at: found.created_at });
    Ok(relocate::copy_workspace(source, target, workspace, anchor).await?)
}

/// The copy must hold exactly the rows of the original, table by table.
/// Nothing writes to a workspace being moved, so they can only differ by a
/// fault; the copy is then dropped and the workspace stays where it was.
async fn verify(source: &Db, target: &Db, workspace: Uuid) -> anyhow::Result<()> {
    let (there, here) = (relocate::digests(source, workspace).await?, relocate::digests(target, workspace).await?);
    if let Some(((table, rows, _), (_, copied, _))) = there.iter().zip(&here).find(|(a, b)| a != b) {
        anyhow::bail!(
            "the copy differs from the original in the table {table} ({rows} row(s) there, {copied} in the copy); \
             the workspace stays where it was: run the command again to copy it afresh"
        );
    }
    Ok(())
}

/// The one statement that moves the workspace: from now on it is read from
/// `to`.
async fn switch(main: &Db, workspace: Uuid, from: &str, to: &str) -> anyhow::Result<()> {
    let mut tx = AdminTx::begin(main).await?;
    let switched = execute!(
        tx,
        "UPDATE workspaces SET placement = $3, moving_to = NULL WHERE id = $1 AND placement = $2 AND moving_to = $3",
        workspace,
        from,
        to
    )?;
    if switched != 1 {
        anyhow::bail!("the workspace {workspace} changed meanwhile; run the command again");
    }
    tx.commit().await?;
    Ok(())
}

/// Deletes the workspace's own rows from `db` in one transaction, children
/// first, and its anchor row outside `main` (in `main` the `workspaces` row
/// is the global one and stays). Its files are in the shared store and stay.
async fn purge(db: &Db, workspace: Uuid, is_main: bool) -> anyhow::Result<()> {
    let mut tx = AdminTx::begin(db).await?;
    let jobs = ["workspace_exports", "caption_job_posts", "caption_jobs"];
    for table in jobs.into_iter().chain(relocate::owned_tables().rev().map(|t| t.name)) {
        let sql = format!("DELETE FROM {table} WHERE workspace_id = $1");
        execute!(tx, &sql, workspace)?;
    }
    if !is_main {
        execute!(tx, "DELETE FROM workspaces WHERE id = $1", workspace)?;
    }
    tx.commit().await?;
    Ok(())
}

/// Applies the drill after `step`: `Some` when the move is to stop there.
async fn after(halt: Halt, step: Step) -> Option<Outcome> {
    match halt {
        Halt::Stop(at) if at == step => Some(Outcome::Stopped(step)),
        Halt::Pause(at) if at == step => {
            use std::io::Write;
            println!("paused after {step} ({PAUSE_AFTER}); kill the command, then run it again");
            let _ = std::io::stdout().flush();
            loop {
                tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
            }
        }
        _ => None,
    }
}

/// Every step goes to the platform audit log in `main`.
struct Audit<'a> {
    main: &'a Db,
    workspace: Uuid,
    name: &'a str,
}

impl Audit<'_> {
    async fn record(&self, action: &str, detail: &str) -> anyhow::Result<()> {
        let mut tx = AdminTx::begin(self.main).await?;
        super::queries::record(&mut tx, None, "command line", action, Some((self.workspace, self.name)), detail)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

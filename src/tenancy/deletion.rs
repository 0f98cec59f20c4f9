//! Deleting a workspace so that it can be undone: scheduling it (its members
//! lose access at once), restoring it, and purging it once its grace period
//! is over — rows first, then files — claimed with a lease in the database so
//! that one instance purges each workspace and a dead one's claim expires
//! (DESIGN §9).

use std::time::Duration;

use time::OffsetDateTime;
use uuid::Uuid;

use super::permissions::Role;
use crate::{
    db::{
        AdminTx, Databases, Db, Target, Tx, WorkspaceTx,
        query::{execute, fetch_all, fetch_optional},
    },
    storage::Storage,
};

/// Anything a deletion statement can run in: a plain transaction on `main`
/// (deleting an account, or a workspace's global side) or a platform admin's.
pub trait Conn {
    fn target(&mut self) -> Target<'_>;
}

impl Conn for Tx {
    fn target(&mut self) -> Target<'_> {
        Tx::target(self)
    }
}

impl Conn for AdminTx {
    fn target(&mut self) -> Target<'_> {
        AdminTx::target(self)
    }
}

/// How long a purge may hold its claim. Purging one workspace takes seconds;
/// a claim still held after this belongs to an instance that died.
const LEASE: time::Duration = time::Duration::minutes(10);

/// The most workspaces one sweep purges, so a sweep always ends.
const MOST_PER_SWEEP: usize = 1000;

/// How often the background purge looks for workspaces whose time is up.
const SWEEP_EVERY: Duration = Duration::from_secs(60);

/// "Fri 11 Dec 2026 09:30 UTC": when a scheduled workspace goes.
pub fn when(at: OffsetDateTime) -> String {
    crate::web::dates::moment_utc(at)
}

/// Schedules the workspace for deletion after `grace`. `None` when it was
/// already scheduled (its date stands) or does not exist.
pub async fn schedule<C: Conn>(
    c: &mut C,
    workspace: Uuid,
    by: &str,
    grace: Duration,
) -> sqlx::Result<Option<OffsetDateTime>> {
    let now = OffsetDateTime::now_utc();
    // The configuration caps the grace period at ten years, so this fits.
    let at = now.saturating_add(time::Duration::try_from(grace).unwrap_or(time::Duration::days(14)));
    let done = execute!(
        c,
        "UPDATE workspaces SET delete_after = $2, deletion_requested_at = $3, deletion_requested_by = $4, \
           purge_lease_until = NULL WHERE id = $1 AND delete_after IS NULL",
        workspace,
        at,
        now,
        by
    )?;
    Ok((done == 1).then_some(at))
}

/// Brings a scheduled workspace back; false when it is not scheduled (or
/// was purged meanwhile: the purge deletes only a still-scheduled row, and
/// whichever of the two commits first wins).
pub async fn restore<C: Conn>(c: &mut C, workspace: Uuid) -> sqlx::Result<bool> {
    let done = execute!(
        c,
        "UPDATE workspaces SET delete_after = NULL, deletion_requested_at = NULL, deletion_requested_by = '', \
           purge_lease_until = NULL WHERE id = $1 AND delete_after IS NOT NULL",
        workspace
    )?;
    Ok(done == 1)
}

/// A workspace of the person's that is waiting to be purged.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Scheduled {
    pub id: Uuid,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
    pub delete_after: OffsetDateTime,
}

impl Scheduled {
    pub fn goes_on(&self) -> String {
        when(self.delete_after)
    }
}

/// The scheduled workspaces this person owns (only owners may restore).
pub async fn scheduled_of(db: &Db, user: Uuid) -> sqlx::Result<Vec<Scheduled>> {
    fetch_all!(
        db,
        Scheduled,
        "SELECT w.id, w.name, m.role, w.delete_after FROM memberships m JOIN workspaces w ON w.id = m.workspace_id \
         WHERE m.user_id = $1 AND m.role = 'owner' AND w.delete_after IS NOT NULL ORDER BY w.delete_after, w.id",
        user,
    )
}

/// A write transaction on the scheduled workspace `id` with its name, when
/// `user` owns it; `None` (nothing opened) for anyone else, or when it is
/// not scheduled.
pub async fn open_scheduled(
    databases: &Databases,
    user: Uuid,
    id: Uuid,
) -> anyhow::Result<Option<(WorkspaceTx, String)>> {
    let found: Option<(String,)> = fetch_optional!(
        databases.main(),
        (String,),
        "SELECT w.name FROM memberships m JOIN workspaces w ON w.id = m.workspace_id \
         WHERE m.user_id = $1 AND m.workspace_id = $2 AND m.role = 'owner' AND w.delete_after IS NOT NULL",
        user,
        id
    )?;
    let Some((name,)) = found else { return Ok(None) };
    Ok(Some((databases.workspace_tx(id, true).await?, name)))
}

/// Claims one workspace whose time is up (or `only` that one), unless
/// another instance holds a live claim on it.
async fn claim(db: &Db, only: Option<Uuid>) -> sqlx::Result<Option<Uuid>> {
    let now = OffsetDateTime::now_utc();
    let due =
        "delete_after IS NOT NULL AND delete_after <= $1 AND (purge_lease_until IS NULL OR purge_lease_until < $1)";
    // The condition is checked again on the row itself: of two instances
    // that picked the same workspace, the second finds it claimed.
    let sql = format!(
        "UPDATE workspaces SET purge_lease_until = $2 WHERE id = (SELECT id FROM workspaces WHERE {due} \
           AND ($3 IS NULL OR id = $3) ORDER BY delete_after, id LIMIT 1) AND {due} RETURNING id"
    );
    let mut tx = db.begin_write().await?;
    let claimed: Option<(Uuid,)> = fetch_optional!(tx, (Uuid,), &sql, now, now + LEASE, only)?;
    tx.commit().await?;
    Ok(claimed.map(|(id,)| id))
}

/// Purges a claimed workspace: one transaction deletes its row (every
/// workspace row cascades with it), then its folder goes. False when it was
/// restored after the claim. Interrupted between the two, the start-up
/// sweep removes the folder of a workspace that has no row.
///
/// A workspace placed in another database goes there first (its anchor row,
/// with every row cascading), while its `main` row is locked against a
/// restore; a crash before `main` commits leaves it scheduled, and the next
/// purge finishes it.
async fn purge_claimed(databases: &Databases, storage: &Storage, workspace: Uuid) -> anyhow::Result<bool> {
    let mut tx = databases.workspace_tx(workspace, true).await?;
    let now = OffsetDateTime::now_utc();
    let due = "DELETE FROM workspaces WHERE id = $1 AND delete_after IS NOT NULL AND delete_after <= $2";
    let gone = if tx.is_placed_apart() {
        let locked: Option<(Uuid,)> = fetch_optional!(
            tx.global().await?,
            (Uuid,),
            "SELECT id FROM workspaces WHERE id = $1 AND delete_after IS NOT NULL AND delete_after <= $2 FOR UPDATE",
            workspace,
            now
        )?;
        if locked.is_some() {
            execute!(tx, "DELETE FROM workspaces WHERE id = $1", workspace)?;
        }
        execute!(tx.global().await?, due, workspace, now)?
    } else {
        execute!(tx, due, workspace, now)?
    };
    tx.commit().await?;
    if gone == 0 {
        return Ok(false);
    }
    if let Err(e) = storage.delete_workspace(workspace).await {
        tracing::warn!(%workspace, error = %e, "the purged workspace's files stay until the next sweep");
    }
    tracing::info!(%workspace, "purged a workspace whose grace period was over");
    Ok(true)
}

/// Purges every workspace whose grace period is over; how many went.
pub async fn purge_due(databases: &Databases, storage: &Storage) -> anyhow::Result<usize> {
    let mut purged = 0;
    for _ in 0..MOST_PER_SWEEP {
        let Some(workspace) = claim(databases.main(), None).await? else { break };
        if purge_claimed(databases, storage, workspace).await? {
            purged += 1;
        }
    }
    Ok(purged)
}

/// What "Purge now" did.
#[derive(Debug, PartialEq, Eq)]
pub enum PurgedNow {
    Purged,
    /// Not scheduled (restored meanwhile, or already gone).
    NotScheduled,
    /// Another instance is purging it at this moment.
    Underway,
}

/// Purges a scheduled workspace without waiting for its date.
pub async fn purge_now(databases: &Databases, storage: &Storage, workspace: Uuid) -> anyhow::Result<PurgedNow> {
    let db = databases.main();
    let mut tx = db.begin_write().await?;
    let now = OffsetDateTime::now_utc();
    execute!(
        tx,
        "UPDATE workspaces SET delete_after = $2 WHERE id = $1 AND delete_after IS NOT NULL AND delete_after > $2",
        workspace,
        now
    )?;
    let scheduled: Option<(Uuid,)> = fetch_optional!(
        tx,
        (Uuid,),
        "SELECT id FROM workspaces WHERE id = $1 AND delete_after IS NOT NULL",
        workspace
    )?;
    tx.commit().await?;
    if scheduled.is_none() {
        return Ok(PurgedNow::NotScheduled);
    }
    match claim(db, Some(workspace)).await? {
        Some(id) if purge_claimed(databases, storage, id).await? => Ok(PurgedNow::Purged),
        Some(_) => Ok(PurgedNow::NotScheduled),
        None => Ok(PurgedNow::Underway),
    }
}

/// The background purge: once at start-up, then every minute.
pub async fn keep_purging(databases: Databases, storage: Storage) {
    let mut every = tokio::time::interval(SWEEP_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        if let Err(e) = purge_due(&databases, &storage).await {
            tracing::warn!(error = %e, "could not purge the workspaces whose grace period is over");
        }
    }
}

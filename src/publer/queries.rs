//! SQL of Publer accounts, calendar routes and sends.

use std::{sync::LazyLock, time::Duration};

use time::OffsetDateTime;
use uuid::Uuid;

use super::client::Account;
use crate::db::{
    Db, WorkspaceTx,
    query::{execute, fetch_all, fetch_one, fetch_optional, fetch_scalar},
};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct StoredAccount {
    pub id: String,
    pub name: String,
    pub provider: String,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Route {
    pub calendar_id: Uuid,
    pub platform: String,
    pub account_id: String,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Send {
    pub event_id: Uuid,
    pub state: String,
    pub step: String,
    pub account_id: String,
    pub media_ids: String,
    pub job_id: String,
    pub publer_post_ids: String,
    pub error: String,
    pub requested_by: String,
    pub updated_at: OffsetDateTime,
}

pub async fn accounts(tx: &mut WorkspaceTx) -> sqlx::Result<Vec<StoredAccount>> {
    let ws = tx.workspace_id();
    fetch_all!(
        tx,
        StoredAccount,
        "SELECT id, name, provider FROM publer_accounts WHERE workspace_id = $1 ORDER BY provider, name, id",
        ws
    )
}

/// Replaces the stored list; routes to accounts that are gone go with them.
pub async fn replace_accounts(tx: &mut WorkspaceTx, list: &[Account]) -> sqlx::Result<()> {
    let ws = tx.workspace_id();
    let now = OffsetDateTime::now_utc();
    let keep: Vec<&str> = list.iter().map(|a| a.id.as_str()).collect();
    for old in accounts(tx).await? {
        if !keep.contains(&old.id.as_str()) {
            execute!(tx, "DELETE FROM publer_accounts WHERE workspace_id = $1 AND id = $2", ws, &old.id)?;
        }
    }
    for a in list {
        execute!(
            tx,
            "INSERT INTO publer_accounts (workspace_id, id, name, provider, kind, listed_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (workspace_id, id) DO UPDATE SET \
               name = excluded.name, provider = excluded.provider, kind = excluded.kind, listed_at = excluded.listed_at",
            ws,
            &a.id,
            &a.name,
            &a.provider,
            &a.kind,
            now
        )?;
    }
    Ok(())
}

pub async fn routes(tx: &mut WorkspaceTx) -> sqlx::Result<Vec<Route>> {
    let ws = tx.workspace_id();
    fetch_all!(tx, Route, "SELECT calendar_id, platform, account_id FROM publer_routes WHERE workspace_id = $1", ws)
}

/// Sets (or with an empty account, clears) where a calendar's posts go.
pub async fn set_route(tx: &mut WorkspaceTx, calendar: Uuid, platform: &str, account: &str) -> sqlx::Result<()> {
    let ws = tx.workspace_id();
    execute!(
        tx,
        "DELETE FROM publer_routes WHERE workspace_id = $1 AND calendar_id = $2 AND platform = $3",
        ws,
        calendar,
        platform
    )?;
    if !account.is_empty() {
        execute!(
            tx,
            "INSERT INTO publer_routes (workspace_id, calendar_id, platform, account_id) VALUES ($1, $2, $3, $4)",
            ws,
            calendar,
            platform,
            account
        )?;
    }
    Ok(())
}

/// The route a post takes, as the tail of a statement over `r` (the route)
/// and `a` (its account): the route for the post's platform before the
/// calendar's route for all platforms. `calendar` and `platform` name the
/// parameters holding them; `$1` is the workspace.
pub fn chosen_route(calendar: &str, platform: &str) -> String {
    format!(
        "FROM publer_routes r \
         JOIN publer_accounts a ON a.workspace_id = r.workspace_id AND a.id = r.account_id \
         WHERE r.workspace_id = $1 AND r.calendar_id = {calendar} AND r.platform IN ({platform}, '') \
         ORDER BY r.platform DESC LIMIT 1"
    )
}

static ROUTE_FOR: LazyLock<String> =
    LazyLock::new(|| format!("SELECT r.account_id, a.provider {}", chosen_route("$2", "$3")));

/// The account a post of this calendar and platform goes to, with its network.
pub async fn route_for(tx: &mut WorkspaceTx, calendar: Uuid, platform: &str) -> sqlx::Result<Option<(String, String)>> {
    let ws = tx.workspace_id();
    fetch_optional!(tx, (String, String), &ROUTE_FOR, ws, calendar, platform)
}

const SEND_COLUMNS: &str = "event_id, state, step, account_id, media_ids, job_id, publer_post_ids, error, \
                            requested_by, updated_at";

pub async fn send(tx: &mut WorkspaceTx, event: Uuid) -> sqlx::Result<Option<Send>> {
    let ws = tx.workspace_id();
    let sql = format!("SELECT {SEND_COLUMNS} FROM publer_sends WHERE workspace_id = $1 AND event_id = $2");
    fetch_optional!(tx, Send, &sql, ws, event)
}

/// Claims the oldest send in flight that no instance holds a live lease on
/// (none, or one that ran out: its instance died), leasing it to `me` until
/// `until`; with `hand_over` false, only those Publer already has (a
/// suspended workspace hands nothing new over).
pub async fn claim_next(
    tx: &mut WorkspaceTx,
    hand_over: bool,
    me: &str,
    now: OffsetDateTime,
    until: OffsetDateTime,
) -> sqlx::Result<Option<Send>> {
    let ws = tx.workspace_id();
    let free = "state = 'sending' AND (lease_until IS NULL OR lease_until < $3)";
    // The conditions are checked again on the row itself: of two instances
    // that picked the same send, the second finds it leased.
    let sql = format!(
        "UPDATE publer_sends SET lease_until = $4, leased_by = $5 WHERE workspace_id = $1 AND event_id = ( \
           SELECT event_id FROM publer_sends WHERE workspace_id = $1 AND {free} AND ($2 OR step <> 'queued') \
           ORDER BY requested_at, event_id LIMIT 1) AND {free} \
         RETURNING {SEND_COLUMNS}"
    );
    fetch_optional!(tx, Send, &sql, ws, hand_over, now, until, me)
}

/// Extends `me`'s lease on a send in flight; false when it is not ours any more.
pub async fn renew(tx: &mut WorkspaceTx, event: Uuid, me: &str, until: OffsetDateTime) -> sqlx::Result<bool> {
    let ws = tx.workspace_id();
    let renewed = execute!(
        tx,
        "UPDATE publer_sends SET lease_until = $4 WHERE workspace_id = $1 AND event_id = $2 AND leased_by = $3 \
           AND state = 'sending'",
        ws,
        event,
        me,
        until
    )?;
    Ok(renewed == 1)
}

/// Gives back `me`'s leases (on one send, or all of the workspace's): what
/// is still in flight may be claimed at once by any instance.
pub async fn release(tx: &mut WorkspaceTx, event: Option<Uuid>, me: &str) -> sqlx::Result<u64> {
    let ws = tx.workspace_id();
    execute!(
        tx,
        "UPDATE publer_sends SET lease_until = NULL WHERE workspace_id = $1 AND leased_by = $2 \
           AND lease_until IS NOT NULL AND ($3 IS NULL OR event_id = $3)",
        ws,
        me,
        event
    )
}

/// What a post waiting out a suspension says, until the suspension is lifted.
pub const WAITING_FOR_SUSPENSION: &str =
    "Waiting: the workspace is suspended. This post goes to Publer when the suspension is lifted.";

/// Gives the sends not yet handed over the reason they wait (while
/// `suspended`), or takes it away again.
pub async fn note_suspension(tx: &mut WorkspaceTx, suspended: bool) -> sqlx::Result<u64> {
    let ws = tx.workspace_id();
    let (from, to) = if suspended { ("", WAITING_FOR_SUSPENSION) } else { (WAITING_FOR_SUSPENSION, "") };
    execute!(
        tx,
        "UPDATE publer_sends SET error = $3, updated_at = $4 \
         WHERE workspace_id = $1 AND state = 'sending' AND step = 'queued' AND error = $2",
        ws,
        from,
        to,
        OffsetDateTime::now_utc()
    )
}

/// True while the operator has the workspace suspended, it is scheduled for
/// deletion, or (with billing on: `billing_grace`) a failed payment's grace
/// is over: nothing new goes to Publer until that ends (a global row, read by
/// the background sender, which has no request to ask).
pub async fn is_suspended(db: &Db, workspace: Uuid, billing_grace: Option<Duration>) -> sqlx::Result<bool> {
    let row: Option<(bool, Option<OffsetDateTime>)> = fetch_optional!(
        db,
        (bool, Option<OffsetDateTime>),
        "SELECT suspended_at IS NOT NULL OR delete_after IS NOT NULL, billing_past_due_since FROM workspaces \
         WHERE id = $1",
        workspace
    )?;
    Ok(row.is_some_and(|(suspended, past_due_since)| {
        let lapsed =
            billing_grace.zip(past_due_since).is_some_and(|(grace, since)| since + grace <= OffsetDateTime::now_utc());
        suspended || lapsed
    }))
}

/// Posts Publer accepted this month, and those on their way, read in one
/// statement: read apart, a send finishing between the two reads (moving
/// from the second count to the first) would be missed on PostgreSQL, where
/// each statement sees the commits made before it began.
pub async fn sent_and_sending(tx: &mut WorkspaceTx) -> sqlx::Result<(i64, i64)> {
    let ws = tx.workspace_id();
    fetch_one!(
        tx,
        (i64, i64),
        "SELECT COALESCE((SELECT publer_posts FROM monthly_usage WHERE workspace_id = $1 AND month = $2), 0), \
                (SELECT COUNT(*) FROM publer_sends WHERE workspace_id = $1 AND state = 'sending')",
        ws,
        crate::usage::this_month()
    )
}

/// How many sends in flight no instance holds a live lease on.
pub async fn claimable(tx: &mut WorkspaceTx, now: OffsetDateTime) -> sqlx::Result<i64> {
    let ws = tx.workspace_id();
    fetch_scalar!(
        tx,
        i64,
        "SELECT COUNT(*) FROM publer_sends WHERE workspace_id = $1 AND state = 'sending' \
           AND (lease_until IS NULL OR lease_until < $2)",
        ws,
        now
    )
}

/// Queues a post that was never sent; false if it already was.
pub async fn queue(tx: &mut WorkspaceTx, event: Uuid, account: &str, by: &str) -> sqlx::Result<bool> {
    let ws = tx.workspace_id();
    let now = OffsetDateTime::now_utc();
    let added = execute!(
        tx,
        "INSERT INTO publer_sends (workspace_id, event_id, state, step, account_id, requested_by, requested_at, \
           updated_at) VALUES ($1, $2, 'sending', 'queued', $3, $4, $5, $5) \
         ON CONFLICT (workspace_id, event_id) DO NOTHING",
        ws,
        event,
        account,
        by,
        now
    )?;
    Ok(added == 1)
}

/// Queues a failed send again (the explicit "send again"); false otherwise.
pub async fn requeue_failed(tx: &mut WorkspaceTx, event: Uuid, account: &str, by: &str) -> sqlx::Result<bool> {
    let ws = tx.workspace_id();
    let now = OffsetDateTime::now_utc();
    let changed = execute!(
        tx,
        "UPDATE publer_sends SET state = 'sending', step = 'queued', account_id = $3, media_ids = '', job_id = '', \
           publer_post_ids = '', error = '', attempts = attempts + 1, requested_by = $4, requested_at = $5, \
           updated_at = $5 WHERE workspace_id = $1 AND event_id = $2 AND state = 'failed'",
        ws,
        event,
        account,
        by,
        now
    )?;
    Ok(changed == 1)
}

/// What a step of the hand-over records.
#[derive(Default)]
pub struct Progress<'a> {
    pub media_ids: Option<&'a str>,
    pub job_id: Option<&'a str>,
}

/// Moves a send in flight from one step to the next; false if it was not
/// at `from` any more.
pub async fn advance(tx: &mut WorkspaceTx, event: Uuid, from: &str, to: &str, p: Progress<'_>) -> sqlx::Result<bool> {
    let ws = tx.workspace_id();
    let now = OffsetDateTime::now_utc();
    let changed = execute!(
        tx,
        "UPDATE publer_sends SET step = $4, media_ids = COALESCE($5, media_ids), job_id = COALESCE($6, job_id), \
           updated_at = $7 WHERE workspace_id = $1 AND event_id = $2 AND state = 'sending' AND step = $3",
        ws,
        event,
        from,
        to,
        p.media_ids,
        p.job_id,
        now
    )?;
    Ok(changed == 1)
}

pub async fn mark_scheduled(tx: &mut WorkspaceTx, event: Uuid, post_ids: &str) -> sqlx::Result<bool> {
    let ws = tx.workspace_id();
    let now = OffsetDateTime::now_utc();
    let changed = execute!(
        tx,
        "UPDATE publer_sends SET state = 'scheduled', step = 'done', publer_post_ids = $3, error = '', \
           updated_at = $4 WHERE workspace_id = $1 AND event_id = $2 AND state = 'sending'",
        ws,
        event,
        post_ids,
        now
    )?;
    execute!(
        tx,
        "UPDATE events SET status = 'scheduled', updated_at = $3 WHERE workspace_id = $1 AND id = $2 \
           AND status IN ('draft', 'ready', 'failed')",
        ws,
        event,
        now
    )?;
    Ok(changed == 1)
}

pub async fn mark_failed(tx: &mut WorkspaceTx, event: Uuid, error: &str) -> sqlx::Result<()> {
    let ws = tx.workspace_id();
    let now = OffsetDateTime::now_utc();
    execute!(
        tx,
        "UPDATE publer_sends SET state = 'failed', error = $3, updated_at = $4 \
         WHERE workspace_id = $1 AND event_id = $2 AND state = 'sending'",
        ws,
        event,
        error,
        now
    )
    .map(drop)
}

/// The posts of a calendar in a time range, with whether each was sent.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Candidate {
    pub id: Uuid,
    pub starts_at: OffsetDateTime,
    pub platform: String,
    pub status: String,
    pub publer_state: String,
    /// Where it stands in review (`events.review`).
    pub review: String,
}

pub async fn candidates(
    tx: &mut WorkspaceTx,
    calendar: Uuid,
    from: OffsetDateTime,
    until: OffsetDateTime,
) -> sqlx::Result<Vec<Candidate>> {
    let ws = tx.workspace_id();
    fetch_all!(
        tx,
        Candidate,
        "SELECT e.id, e.starts_at, e.platform, e.status, COALESCE(s.state, '') AS publer_state, e.review FROM events e \
         LEFT JOIN publer_sends s ON s.workspace_id = e.workspace_id AND s.event_id = e.id \
         WHERE e.workspace_id = $1 AND e.calendar_id = $2 AND e.starts_at >= $3 AND e.starts_at < $4 \
         ORDER BY e.starts_at, e.id",
        ws,
        calendar,
        from,
        until
    )
}

//! SQL of the bulk caption jobs: the job with its counts and lease, and
//! a result per post.

use time::OffsetDateTime;
use uuid::Uuid;

use crate::db::{
    WorkspaceTx,
    query::{execute, fetch_all, fetch_optional},
};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Job {
    pub id: Uuid,
    /// `ai` or `template`.
    pub source: String,
    /// `save`, `suggest` or `unsaved`.
    pub landing: String,
    /// `running` or `done`.
    pub state: String,
    pub total: i64,
    pub done: i64,
    pub failed: i64,
    pub lease_until: Option<OffsetDateTime>,
}

/// One post's result, with what the job page shows of the post.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Outcome {
    pub event_id: Uuid,
    /// `waiting`, `written` or `failed`.
    pub state: String,
    pub caption: String,
    pub hashtags: String,
    pub error: String,
    pub starts_at: OffsetDateTime,
    pub platform: String,
    pub calendar_name: String,
}

pub async fn create(
    tx: &mut WorkspaceTx,
    id: Uuid,
    source: &str,
    landing: &str,
    posts: &[Uuid],
    by: &str,
) -> sqlx::Result<()> {
    let ws = tx.workspace_id();
    let total = posts.len() as i64;
    execute!(
        tx,
        "INSERT INTO caption_jobs (workspace_id, id, source, landing, state, total, requested_by, created_at) \
         VALUES ($1, $2, $3, $4, 'running', $5, $6, $7)",
        ws,
        id,
        source,
        landing,
        total,
        by,
        OffsetDateTime::now_utc()
    )?;
    for (position, post) in posts.iter().enumerate() {
        execute!(
            tx,
            "INSERT INTO caption_job_posts (workspace_id, job_id, event_id, position) VALUES ($1, $2, $3, $4)",
            ws,
            id,
            *post,
            position as i64
        )?;
    }
    Ok(())
}

pub async fn get(tx: &mut WorkspaceTx, id: Uuid) -> sqlx::Result<Option<Job>> {
    let ws = tx.workspace_id();
    fetch_optional!(
        tx,
        Job,
        "SELECT id, source, landing, state, total, done, failed, lease_until FROM caption_jobs \
         WHERE workspace_id = $1 AND id = $2",
        ws,
        id
    )
}

/// Takes a running job whose lease ran out (or that nobody holds yet).
pub async fn claim(
    tx: &mut WorkspaceTx,
    id: Uuid,
    owner: &str,
    now: OffsetDateTime,
    until: OffsetDateTime,
) -> sqlx::Result<bool> {
    let ws = tx.workspace_id();
    let claimed = execute!(
        tx,
        "UPDATE caption_jobs SET lease_owner = $3, lease_until = $5 WHERE workspace_id = $1 AND id = $2 \
         AND state = 'running' AND (lease_until IS NULL OR lease_until < $4)",
        ws,
        id,
        owner,
        now,
        until
    )?;
    Ok(claimed == 1)
}

/// Keeps the lease; false when another worker has taken the job over.
pub async fn renew(tx: &mut WorkspaceTx, id: Uuid, owner: &str, until: OffsetDateTime) -> sqlx::Result<bool> {
    let ws = tx.workspace_id();
    let renewed = execute!(
        tx,
        "UPDATE caption_jobs SET lease_until = $4 WHERE workspace_id = $1 AND id = $2 AND lease_owner = $3 \
         AND state = 'running'",
        ws,
        id,
        owner,
        until
    )?;
    Ok(renewed == 1)
}

/// The next post still to write, in the order it was selected.
pub async fn next_waiting(tx: &mut WorkspaceTx, id: Uuid) -> sqlx::Result<Option<Uuid>> {
    let ws = tx.workspace_id();
    let row: Option<(Uuid,)> = fetch_optional!(
        tx,
        (Uuid,),
        "SELECT event_id FROM caption_job_posts WHERE workspace_id = $1 AND job_id = $2 AND state = 'waiting' \
         ORDER BY position LIMIT 1",
        ws,
        id
    )?;
    Ok(row.map(|(event,)| event))
}

/// Records one post's result and counts it, if it was still waiting.
pub async fn record(
    tx: &mut WorkspaceTx,
    id: Uuid,
    event: Uuid,
    written: Result<(&str, &str), &str>,
) -> sqlx::Result<u64> {
    let ws = tx.workspace_id();
    let (state, caption, hashtags, error, counter) = match written {
        Ok((caption, hashtags)) => ("written", caption, hashtags, "", "done"),
        Err(why) => ("failed", "", "", why, "failed"),
    };
    let changed = execute!(
        tx,
        "UPDATE caption_job_posts SET state = $4, caption = $5, hashtags = $6, error = $7 \
         WHERE workspace_id = $1 AND job_id = $2 AND event_id = $3 AND state = 'waiting'",
        ws,
        id,
        event,
        state,
        caption,
        hashtags,
        error
    )?;
    if changed == 1 {
        let sql = format!("UPDATE caption_jobs SET {counter} = {counter} + 1 WHERE workspace_id = $1 AND id = $2");
        execute!(tx, &sql, ws, id)?;
    }
    Ok(changed)
}

pub async fn finish(tx: &mut WorkspaceTx, id: Uuid, owner: &str) -> sqlx::Result<u64> {
    let ws = tx.workspace_id();
    execute!(
        tx,
        "UPDATE caption_jobs SET state = 'done', finished_at = $4, lease_owner = '', lease_until = NULL \
         WHERE workspace_id = $1 AND id = $2 AND lease_owner = $3 AND state = 'running'",
        ws,
        id,
        owner,
        OffsetDateTime::now_utc()
    )
}

const OUTCOME_SELECT: &str = "SELECT r.event_id, r.state, r.caption, r.hashtags, r.error, e.starts_at, e.platform, \
       c.name AS calendar_name FROM caption_job_posts r \
     JOIN events e ON e.workspace_id = r.workspace_id AND e.id = r.event_id \
     JOIN calendars c ON c.workspace_id = e.workspace_id AND c.id = e.calendar_id";

pub async fn outcomes(tx: &mut WorkspaceTx, id: Uuid) -> sqlx::Result<Vec<Outcome>> {
    let ws = tx.workspace_id();
    let sql = format!("{OUTCOME_SELECT} WHERE r.workspace_id = $1 AND r.job_id = $2 ORDER BY r.position");
    fetch_all!(tx, Outcome, &sql, ws, id)
}

pub async fn outcome(tx: &mut WorkspaceTx, id: Uuid, event: Uuid) -> sqlx::Result<Option<Outcome>> {
    let ws = tx.workspace_id();
    let sql = format!("{OUTCOME_SELECT} WHERE r.workspace_id = $1 AND r.job_id = $2 AND r.event_id = $3");
    fetch_optional!(tx, Outcome, &sql, ws, id, event)
}

/// A caption offered in the editor, the post's own caption untouched.
pub async fn set_suggestion(tx: &mut WorkspaceTx, event: Uuid, caption: &str, hashtags: &str) -> sqlx::Result<u64> {
    let ws = tx.workspace_id();
    execute!(
        tx,
        "UPDATE events SET suggested_caption = $3, suggested_hashtags = $4 WHERE workspace_id = $1 AND id = $2",
        ws,
        event,
        caption,
        hashtags
    )
}

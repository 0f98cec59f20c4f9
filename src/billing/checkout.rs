//! Starting a Checkout Session without ever starting two: one row per
//! workspace, plan and interval is claimed before Stripe is called, so a
//! double click (or two tabs) finds the first click's session and reuses
//! it. The claim's id is the Idempotency-Key, so a retried call to Stripe
//! cannot make a second session either.

use std::time::Duration;

use time::OffsetDateTime;
use uuid::Uuid;

use crate::db::{
    Executes,
    query::{execute, fetch_optional},
};

/// How long a claim may wait for its Stripe call before another click may
/// take it over (the call's own timeout is 20 s).
const CLAIM_LIFE: Duration = Duration::from_secs(30);

/// A session is reused only while it has this much life left.
const REUSE_MARGIN: Duration = Duration::from_secs(10 * 60);

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Claim {
    pub id: Uuid,
    pub url: String,
    pub expires_at: OffsetDateTime,
    pub completed_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
}

/// What to do about a click on "Choose".
pub enum Next {
    /// Ours: call Stripe with this id as the idempotency key.
    Create(Uuid),
    /// An open session already exists: send the person there.
    Reuse(String),
    /// Another click is creating it right now: look again shortly.
    Wait,
}

/// Claims the right to create the session, or finds the one to reuse.
/// A claim that is stale, expired or already paid is replaced.
pub async fn claim(tx: &mut impl Executes, ws: Uuid, plan: &str, interval: &str) -> sqlx::Result<Next> {
    let now = OffsetDateTime::now_utc();
    if let Some(found) = find(tx, ws, plan, interval).await? {
        let usable = found.completed_at.is_none() && found.expires_at > now + REUSE_MARGIN;
        if usable && !found.url.is_empty() {
            return Ok(Next::Reuse(found.url));
        }
        if found.url.is_empty() && found.created_at + CLAIM_LIFE > now {
            return Ok(Next::Wait);
        }
        execute!(
            tx,
            "DELETE FROM billing_checkouts WHERE workspace_id = $1 AND plan = $2 AND billing_interval = $3 AND id = $4",
            ws,
            plan,
            interval,
            found.id
        )?;
    }
    let id = Uuid::new_v4();
    let inserted = execute!(
        tx,
        "INSERT INTO billing_checkouts (workspace_id, plan, billing_interval, id, expires_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (workspace_id, plan, billing_interval) DO NOTHING",
        ws,
        plan,
        interval,
        id,
        now
    )?;
    Ok(if inserted == 1 { Next::Create(id) } else { Next::Wait })
}

async fn find(tx: &mut impl Executes, ws: Uuid, plan: &str, interval: &str) -> sqlx::Result<Option<Claim>> {
    fetch_optional!(
        tx,
        Claim,
        "SELECT id, url, expires_at, completed_at, created_at FROM billing_checkouts \
         WHERE workspace_id = $1 AND plan = $2 AND billing_interval = $3",
        ws,
        plan,
        interval
    )
}

/// Fills a claim with the session Stripe made.
pub async fn fill(
    tx: &mut impl Executes,
    ws: Uuid,
    claim: Uuid,
    session: &str,
    url: &str,
    expires_at: i64,
) -> sqlx::Result<()> {
    let expires = OffsetDateTime::from_unix_timestamp(expires_at)
        .unwrap_or_else(|_| OffsetDateTime::now_utc() + Duration::from_secs(86_400));
    execute!(
        tx,
        "UPDATE billing_checkouts SET session_id = $3, url = $4, expires_at = $5 WHERE workspace_id = $1 AND id = $2",
        ws,
        claim,
        session,
        url,
        expires
    )
    .map(drop)
}

/// Gives a claim up (Stripe refused or could not be reached).
pub async fn release(tx: &mut impl Executes, ws: Uuid, claim: Uuid) -> sqlx::Result<()> {
    execute!(tx, "DELETE FROM billing_checkouts WHERE workspace_id = $1 AND id = $2", ws, claim).map(drop)
}

/// Marks the session paid (from `checkout.session.completed`).
pub async fn complete(tx: &mut impl Executes, ws: Uuid, session: &str) -> sqlx::Result<()> {
    execute!(
        tx,
        "UPDATE billing_checkouts SET completed_at = $3 WHERE workspace_id = $1 AND session_id = $2",
        ws,
        session,
        OffsetDateTime::now_utc()
    )
    .map(drop)
}

/// Whether the session the person came back from is still unconfirmed.
pub async fn is_pending(tx: &mut impl Executes, ws: Uuid, session: &str) -> sqlx::Result<bool> {
    let found: Option<(Option<OffsetDateTime>,)> = fetch_optional!(
        tx,
        (Option<OffsetDateTime>,),
        "SELECT completed_at FROM billing_checkouts WHERE workspace_id = $1 AND session_id = $2",
        ws,
        session
    )?;
    Ok(matches!(found, Some((None,))))
}

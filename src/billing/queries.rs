//! SQL of billing: each workspace's subscription, the webhook's events, the
//! open Checkout Sessions and the tally of refused webhook calls. The
//! webhook works across workspaces in an `AdminTx`; a workspace's own pages
//! read through its `WorkspaceTx`.

use time::OffsetDateTime;
use uuid::Uuid;

use crate::db::{
    AdminTx, Db, Executes,
    query::{execute, fetch_all, fetch_optional, fetch_scalar},
};

/// A workspace's subscription as last applied (or only its customer).
#[derive(Clone, Debug, Default, sqlx::FromRow)]
pub struct Subscription {
    pub workspace_id: Uuid,
    pub customer_id: String,
    pub subscription_id: String,
    pub price_id: String,
    pub plan: String,
    pub status: String,
    pub billing_interval: String,
    pub amount_cents: i64,
    pub mrr_cents: i64,
    pub currency: String,
    pub current_period_start: Option<OffsetDateTime>,
    pub current_period_end: Option<OffsetDateTime>,
    pub cancel_at_period_end: bool,
    pub trial_end: Option<OffsetDateTime>,
    pub canceled_at: Option<OffsetDateTime>,
    pub downgrade_at: Option<OffsetDateTime>,
    pub state_at: i64,
}

impl Subscription {
    /// Paying, trying, or behind on payment: a new Checkout would start a
    /// second subscription, so plan changes go through the portal.
    pub fn is_live(&self) -> bool {
        matches!(self.status.as_str(), "active" | "trialing" | "past_due" | "unpaid")
    }
}

const COLUMNS: &str = "workspace_id, customer_id, subscription_id, price_id, plan, status, billing_interval, \
                       amount_cents, mrr_cents, currency, current_period_start, current_period_end, \
                       cancel_at_period_end, trial_end, canceled_at, downgrade_at, state_at";

/// A workspace's subscription (in its own transaction's global side, or
/// the platform's).
pub async fn of(tx: &mut impl Executes, workspace: Uuid) -> sqlx::Result<Option<Subscription>> {
    let sql = format!("SELECT {COLUMNS} FROM subscriptions WHERE workspace_id = $1");
    fetch_optional!(tx, Subscription, &sql, workspace)
}

/// The workspace a Stripe subscription or customer belongs to.
pub async fn workspace_of(tx: &mut AdminTx, subscription: &str, customer: &str) -> sqlx::Result<Option<Uuid>> {
    fetch_optional!(
        tx,
        (Uuid,),
        "SELECT workspace_id FROM subscriptions \
         WHERE (subscription_id <> '' AND subscription_id = $1) OR customer_id = $2 \
         ORDER BY (subscription_id = $1) DESC LIMIT 1",
        subscription,
        customer
    )
    .map(|row| row.map(|(id,)| id))
}

/// Whether a workspace exists (a webhook may name one since deleted).
pub async fn workspace_exists(tx: &mut AdminTx, workspace: Uuid) -> sqlx::Result<bool> {
    fetch_scalar!(tx, i64, "SELECT COUNT(*) FROM workspaces WHERE id = $1", workspace).map(|n| n > 0)
}

/// Records a workspace's Stripe customer (first checkout, or a webhook
/// naming it); an existing row keeps its customer.
pub async fn link_customer(tx: &mut impl Executes, workspace: Uuid, customer: &str) -> sqlx::Result<()> {
    execute!(
        tx,
        "INSERT INTO subscriptions (workspace_id, customer_id, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (workspace_id) DO NOTHING",
        workspace,
        customer,
        OffsetDateTime::now_utc()
    )
    .map(drop)
}

/// The subscription's new state (everything but the customer).
pub async fn save(tx: &mut AdminTx, s: &Subscription) -> sqlx::Result<()> {
    execute!(
        tx,
        "UPDATE subscriptions SET subscription_id = $2, price_id = $3, plan = $4, status = $5, \
           billing_interval = $6, amount_cents = $7, mrr_cents = $8, currency = $9, current_period_start = $10, \
           current_period_end = $11, cancel_at_period_end = $12, trial_end = $13, canceled_at = $14, \
           downgrade_at = $15, state_at = $16, updated_at = $17 \
         WHERE workspace_id = $1",
        s.workspace_id,
        &s.subscription_id,
        &s.price_id,
        &s.plan,
        &s.status,
        &s.billing_interval,
        s.amount_cents,
        s.mrr_cents,
        &s.currency,
        s.current_period_start,
        s.current_period_end,
        s.cancel_at_period_end,
        s.trial_end,
        s.canceled_at,
        s.downgrade_at,
        s.state_at,
        OffsetDateTime::now_utc()
    )
    .map(drop)
}

/// What billing needs of the workspace row itself.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Standing {
    pub name: String,
    pub plan: String,
    pub complimentary_plan: bool,
    pub billing_past_due_since: Option<OffsetDateTime>,
}

pub async fn standing(tx: &mut AdminTx, workspace: Uuid) -> sqlx::Result<Option<Standing>> {
    fetch_optional!(
        tx,
        Standing,
        "SELECT name, plan, complimentary_plan, billing_past_due_since FROM workspaces WHERE id = $1",
        workspace
    )
}

pub async fn set_plan(tx: &mut AdminTx, workspace: Uuid, plan: &str) -> sqlx::Result<()> {
    execute!(tx, "UPDATE workspaces SET plan = $2 WHERE id = $1", workspace, plan).map(drop)
}

pub async fn set_past_due_since(tx: &mut AdminTx, workspace: Uuid, since: Option<OffsetDateTime>) -> sqlx::Result<()> {
    execute!(tx, "UPDATE workspaces SET billing_past_due_since = $2 WHERE id = $1", workspace, since).map(drop)
}

/// The plan a Stripe price buys, if any plan sells it.
pub async fn plan_of_price(tx: &mut AdminTx, price: &str) -> sqlx::Result<Option<String>> {
    if price.is_empty() {
        return Ok(None);
    }
    fetch_optional!(
        tx,
        (String,),
        "SELECT key FROM plans WHERE stripe_price_monthly = $1 OR stripe_price_yearly = $1 ORDER BY position LIMIT 1",
        price
    )
    .map(|row| row.map(|(key,)| key))
}

/// Takes an event by id; `false` when it was taken before (a replay).
pub async fn take_event(tx: &mut AdminTx, id: &str, kind: &str, created: i64) -> sqlx::Result<bool> {
    execute!(
        tx,
        "INSERT INTO stripe_events (id, kind, created, outcome, received_at) VALUES ($1, $2, $3, 'taken', $4) \
         ON CONFLICT (id) DO NOTHING",
        id,
        kind,
        created,
        OffsetDateTime::now_utc()
    )
    .map(|n| n == 1)
}

/// What became of a taken event, for the operator.
pub async fn settle_event(
    tx: &mut AdminTx,
    id: &str,
    workspace: Option<Uuid>,
    outcome: &str,
    detail: &str,
) -> sqlx::Result<()> {
    execute!(
        tx,
        "UPDATE stripe_events SET workspace_id = $2, outcome = $3, detail = $4 WHERE id = $1",
        id,
        workspace,
        outcome,
        detail
    )
    .map(drop)
}

/// Counts a refused webhook call under its reason (a bounded table).
pub async fn tally_refusal(db: &Db, reason: &str, ip: &str) -> sqlx::Result<()> {
    let mut tx = AdminTx::begin(db).await?;
    execute!(
        tx,
        "INSERT INTO stripe_refusals (reason, count, last_at, last_ip) VALUES ($1, 1, $2, $3) \
         ON CONFLICT (reason) DO UPDATE SET count = stripe_refusals.count + 1, last_at = $2, last_ip = $3",
        reason,
        OffsetDateTime::now_utc(),
        ip
    )?;
    tx.commit().await
}

/// Canceled subscriptions whose paid period is over: their workspaces go
/// back to the free plan.
pub async fn due_downgrades(tx: &mut AdminTx, now: OffsetDateTime) -> sqlx::Result<Vec<(Uuid, OffsetDateTime)>> {
    fetch_all!(
        tx,
        (Uuid, OffsetDateTime),
        "SELECT workspace_id, downgrade_at FROM subscriptions WHERE downgrade_at IS NOT NULL AND downgrade_at <= $1 \
         LIMIT 100",
        now
    )
}

/// Claims one due downgrade; `false` when another instance took it first.
pub async fn claim_downgrade(tx: &mut AdminTx, workspace: Uuid, due: OffsetDateTime) -> sqlx::Result<bool> {
    execute!(
        tx,
        "UPDATE subscriptions SET downgrade_at = NULL WHERE workspace_id = $1 AND downgrade_at = $2",
        workspace,
        due
    )
    .map(|n| n == 1)
}

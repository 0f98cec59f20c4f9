//! What a subscription's state (from a webhook, or fetched) means for its
//! workspace: the plan its price buys, the grace of a failed payment, the
//! return to Free when it ends. Newer states win: a state is applied only
//! if it is at least as new as the one already applied (`state_at`).

use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    queries::{self, Standing, Subscription},
    stripe,
};
use crate::{
    audit::queries::{Actor, record_by},
    db::{AdminTx, Databases},
    error::{AppError, AppResult},
};

/// The plan a workspace returns to when its subscription ends.
pub const FREE: &str = "free";

/// What applying an event did, for the event's row and the audit logs.
#[derive(Debug, Default)]
pub struct Outcome {
    pub workspace: Option<Uuid>,
    /// `applied`, `stale`, `ignored`, `unknown_customer`, …
    pub result: &'static str,
    pub detail: String,
    /// Entries for the workspace's own audit log: (action, detail).
    pub audit: Vec<(&'static str, String)>,
}

impl Outcome {
    pub fn of(result: &'static str, detail: impl Into<String>) -> Self {
        Self { result, detail: detail.into(), ..Self::default() }
    }

    fn at(workspace: Uuid, result: &'static str, detail: impl Into<String>) -> Self {
        Self { workspace: Some(workspace), ..Self::of(result, detail) }
    }
}

/// Who billing's changes are made by, in both audit logs.
pub const ACTOR: &str = "Billing (Stripe)";

/// Commits `tx` with the workspace's own audit entries in the same commit
/// (the workspace's rows may live in another database: its transaction
/// carries this one as its global side).
pub async fn commit(databases: &Databases, tx: AdminTx, outcome: &Outcome) -> AppResult<()> {
    let Some(ws) = outcome.workspace.filter(|_| !outcome.audit.is_empty()) else {
        return Ok(tx.commit().await?);
    };
    let mut wtx = databases.workspace_tx_with_main(ws, tx.into_tx()).await.map_err(AppError::Internal)?;
    for (action, detail) in &outcome.audit {
        record_by(&mut wtx, Actor { id: None, name: ACTOR, ip: "" }, action, "billing", detail).await?;
    }
    Ok(wtx.commit().await?)
}

/// Records in the platform audit log (the workspace's own log is written
/// from `Outcome::audit` once its transaction is open).
pub async fn platform_audit(
    tx: &mut AdminTx,
    workspace: Option<(Uuid, &str)>,
    action: &str,
    detail: &str,
) -> sqlx::Result<()> {
    crate::admin::queries::record(tx, None, ACTOR, action, workspace, detail).await
}

/// The workspace a subscription belongs to: known already, by its ids, or
/// by the workspace id Easel put in its metadata at checkout.
async fn find_workspace(
    tx: &mut AdminTx,
    known: Option<Uuid>,
    subscription: &str,
    customer: &str,
    named: Option<Uuid>,
) -> sqlx::Result<Option<Uuid>> {
    if let Some(id) = known {
        return Ok(Some(id));
    }
    if let Some(id) = queries::workspace_of(tx, subscription, customer).await? {
        return Ok(Some(id));
    }
    match named {
        Some(id) if queries::workspace_exists(tx, id).await? && !customer.is_empty() => {
            queries::link_customer(tx, id, customer).await?;
            Ok(Some(id))
        }
        _ => Ok(None),
    }
}

/// Records an event nobody here can use, for the operator.
pub async fn unknown(tx: &mut AdminTx, customer: &str, event: &str) -> sqlx::Result<Outcome> {
    let detail = format!("event {event} for customer {customer:?}, which no workspace has");
    platform_audit(tx, None, "billing.unknown_customer", &detail).await?;
    Ok(Outcome::of("unknown_customer", detail))
}

fn moment(unix: Option<i64>) -> Option<OffsetDateTime> {
    unix.and_then(|t| OffsetDateTime::from_unix_timestamp(t).ok())
}

/// The monthly recurring revenue of a price per interval, in cents.
pub fn monthly_cents(amount: i64, interval: &str, count: i64) -> i64 {
    let count = count.max(1);
    match interval {
        "year" => amount / (12 * count),
        "week" => amount * 52 / 12 / count,
        "day" => amount * 365 / 12 / count,
        _ => amount / count,
    }
}

fn is_live(status: &str) -> bool {
    matches!(status, "active" | "trialing" | "past_due" | "unpaid")
}

/// The row a subscription object describes, keeping what it does not say.
fn described(current: &Subscription, sub: &stripe::Subscription, plan: Option<&str>, state_at: i64) -> Subscription {
    let item = sub.price().cloned().unwrap_or_default();
    let recurring = item.price.recurring.clone().unwrap_or_default();
    let amount = item.price.unit_amount.unwrap_or(0) * item.quantity.unwrap_or(1).max(1);
    let interval = if recurring.interval.is_empty() { "month".to_owned() } else { recurring.interval.clone() };
    let paying = matches!(sub.status.as_str(), "active" | "past_due" | "unpaid");
    Subscription {
        workspace_id: current.workspace_id,
        customer_id: current.customer_id.clone(),
        subscription_id: sub.id.clone(),
        price_id: item.price.id.clone(),
        plan: plan.map_or_else(|| current.plan.clone(), str::to_owned),
        status: sub.status.clone(),
        mrr_cents: if paying { monthly_cents(amount, &interval, recurring.interval_count.unwrap_or(1)) } else { 0 },
        billing_interval: interval,
        amount_cents: amount,
        currency: if item.price.currency.is_empty() { current.currency.clone() } else { item.price.currency },
        current_period_start: moment(sub.current_period_start),
        current_period_end: moment(sub.current_period_end),
        cancel_at_period_end: sub.cancel_at_period_end,
        trial_end: moment(sub.trial_end),
        canceled_at: moment(sub.canceled_at),
        downgrade_at: None,
        state_at,
    }
}

/// Applies a subscription's state, reported at `state_at` (unix seconds).
pub async fn subscription(
    tx: &mut AdminTx,
    known: Option<Uuid>,
    sub: &stripe::Subscription,
    state_at: i64,
    event: &str,
) -> sqlx::Result<Outcome> {
    let Some(ws) = find_workspace(tx, known, &sub.id, &sub.customer, sub.workspace()).await? else {
        return unknown(tx, &sub.customer, event).await;
    };
    queries::link_customer(tx, ws, &sub.customer).await?;
    let current = queries::locked(tx, ws).await?.unwrap_or_default();
    let same = current.subscription_id == sub.id;
    if !same && !current.subscription_id.is_empty() && is_live(&current.status) && !is_live(&sub.status) {
        return Ok(Outcome::at(ws, "ignored", format!("{} is not the workspace's live subscription", sub.id)));
    }
    if same && state_at < current.state_at {
        return Ok(Outcome::at(ws, "stale", format!("older than the state of {}", current.state_at)));
    }
    let price = sub.price().map(|i| i.price.id.clone()).unwrap_or_default();
    let plan = queries::plan_of_price(tx, &price).await?;
    let mut next = described(&current, sub, plan.as_deref(), state_at);
    let Some(standing) = queries::standing(tx, ws).await? else {
        return unknown(tx, &sub.customer, event).await;
    };
    let mut outcome = Outcome::at(ws, "applied", format!("{} is {}", sub.id, sub.status));
    let target = effects(tx, ws, &standing, &current, &mut next, plan.as_deref(), &mut outcome).await?;
    if plan.is_none() && is_live(&sub.status) {
        let detail = format!("price {price:?} of {} is not sold by any plan: plan unchanged", sub.id);
        platform_audit(tx, Some((ws, &standing.name)), "billing.unknown_price", &detail).await?;
        outcome.detail = detail;
    }
    queries::save(tx, &next).await?;
    if let Some(target) = target {
        change_plan(tx, ws, &standing, &target, &next.status, &mut outcome).await?;
    }
    Ok(outcome)
}

/// What the status means for the workspace: grace, the end, the plan to be on.
async fn effects(
    tx: &mut AdminTx,
    ws: Uuid,
    standing: &Standing,
    current: &Subscription,
    next: &mut Subscription,
    plan: Option<&str>,
    outcome: &mut Outcome,
) -> sqlx::Result<Option<String>> {
    let now = OffsetDateTime::now_utc();
    match next.status.as_str() {
        "trialing" | "active" => {
            if standing.billing_past_due_since.is_some() {
                queries::set_past_due_since(tx, ws, None).await?;
            }
            Ok(plan.map(str::to_owned))
        }
        "past_due" | "unpaid" => {
            if standing.billing_past_due_since.is_none() {
                let since = moment(Some(next.state_at)).unwrap_or(now).min(now);
                queries::set_past_due_since(tx, ws, Some(since)).await?;
                outcome.audit.push(("billing.payment_failed", format!("{} is {}", next.subscription_id, next.status)));
            }
            Ok(None)
        }
        "canceled" | "incomplete_expired" => {
            let was_live = is_live(&current.status) || current.subscription_id != next.subscription_id;
            if was_live {
                let detail = format!("{} ended ({} plan)", next.subscription_id, standing.plan);
                platform_audit(tx, Some((ws, &standing.name)), "billing.canceled", &detail).await?;
                outcome.audit.push(("billing.canceled", detail));
            }
            queries::set_past_due_since(tx, ws, None).await?;
            let paid_until = next.current_period_end.filter(|end| *end > now);
            match paid_until {
                Some(end) if standing.billing_past_due_since.is_none() && was_live => {
                    next.downgrade_at = Some(end);
                    Ok(None)
                }
                _ => Ok(Some(FREE.to_owned())),
            }
        }
        _ => Ok(None),
    }
}

/// Moves the workspace to `target` unless it is there already or its plan
/// is complimentary; audited in both logs.
pub async fn change_plan(
    tx: &mut AdminTx,
    ws: Uuid,
    standing: &Standing,
    target: &str,
    why: &str,
    outcome: &mut Outcome,
) -> sqlx::Result<()> {
    if standing.plan == target {
        return Ok(());
    }
    if standing.complimentary_plan {
        outcome.detail.push_str(&format!("; complimentary {} plan kept (billing says {target})", standing.plan));
        return Ok(());
    }
    queries::set_plan(tx, ws, target).await?;
    let detail = format!("{} → {target} ({why})", standing.plan);
    platform_audit(tx, Some((ws, &standing.name)), "billing.plan_changed", &detail).await?;
    outcome.audit.push(("billing.plan_changed", detail));
    Ok(())
}

/// An invoice paid or failed: the grace starts or ends.
pub async fn payment(
    tx: &mut AdminTx,
    subscription: &str,
    customer: &str,
    failed: bool,
    created: i64,
    event: &str,
) -> sqlx::Result<Outcome> {
    let Some(ws) = queries::workspace_of(tx, subscription, customer).await? else {
        return unknown(tx, customer, event).await;
    };
    let (Some(mut current), Some(standing)) = (queries::locked(tx, ws).await?, queries::standing(tx, ws).await?) else {
        return unknown(tx, customer, event).await;
    };
    if created < current.state_at {
        return Ok(Outcome::at(ws, "stale", format!("older than the state of {}", current.state_at)));
    }
    let mut outcome = Outcome::at(ws, "applied", if failed { "payment failed" } else { "payment received" });
    if failed && is_live(&current.status) {
        current.status = "past_due".into();
        current.state_at = created;
        if standing.billing_past_due_since.is_none() {
            let since = moment(Some(created)).unwrap_or_else(OffsetDateTime::now_utc).min(OffsetDateTime::now_utc());
            queries::set_past_due_since(tx, ws, Some(since)).await?;
            let detail = format!("a payment for {} failed: the grace period starts", current.subscription_id);
            platform_audit(tx, Some((ws, &standing.name)), "billing.payment_failed", &detail).await?;
            outcome.audit.push(("billing.payment_failed", detail));
        }
        queries::save(tx, &current).await?;
    } else if !failed && matches!(current.status.as_str(), "past_due" | "unpaid") {
        current.status = "active".into();
        current.state_at = created;
        queries::set_past_due_since(tx, ws, None).await?;
        let detail = format!("the payment for {} went through: writable again", current.subscription_id);
        platform_audit(tx, Some((ws, &standing.name)), "billing.payment_recovered", &detail).await?;
        outcome.audit.push(("billing.payment_recovered", detail));
        queries::save(tx, &current).await?;
    } else if !failed && standing.billing_past_due_since.is_some() {
        queries::set_past_due_since(tx, ws, None).await?;
    }
    Ok(outcome)
}

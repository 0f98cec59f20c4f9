//! The operator's view of billing (issue 19): the dashboard's Billing panel
//! (revenue, subscribers, failed payments, lapsed workspaces, churn, refused
//! webhook calls) and one workspace's subscription.
//!
//! Everything is read in the admin's transaction: on PostgreSQL the billing
//! rows are under row-level security, and only the platform sees across
//! workspaces. The figures are what the webhook stored; nothing here asks
//! Stripe, so the dashboard stays fast and works while Stripe is down.

use std::time::Duration;

use time::OffsetDateTime;
use uuid::Uuid;

use super::{handlers::when, queries::WorkspaceRow};
use crate::{
    config::billing::Billing,
    db::{
        AdminTx,
        query::{fetch_all, fetch_optional, fetch_scalar},
    },
    plans::queries::Plan,
    web::money::money,
};

/// The window of "failed payments" and of churn.
const WINDOW: time::Duration = time::Duration::days(30);

/// How many refusal reasons and unknown-customer events the panel lists.
const LISTED: i64 = 10;

/// The most lapsed workspaces listed (the oldest first: they are read-only).
const LAPSED_LISTED: i64 = 100;

/// Active and trialing subscribers of one plan.
#[derive(Debug, sqlx::FromRow)]
pub struct PlanSubscribers {
    pub plan: String,
    pub name: String,
    pub active: i64,
    pub trialing: i64,
}

/// A workspace whose payment failed: in grace until `until`, then read-only.
#[derive(Debug)]
pub struct Lapsed {
    pub id: Uuid,
    pub name: String,
    pub since: String,
    pub until: String,
    pub locked: bool,
}

impl Lapsed {
    fn of(id: Uuid, name: &str, since: OffsetDateTime, grace: Duration) -> Self {
        let until = since + grace;
        Self {
            id,
            name: name.to_owned(),
            since: when(Some(since)),
            until: when(Some(until)),
            locked: until <= OffsetDateTime::now_utc(),
        }
    }
}

#[derive(sqlx::FromRow)]
struct LapsedRow {
    id: Uuid,
    name: String,
    since: OffsetDateTime,
}

/// Webhook calls refused for one reason.
#[derive(Debug, sqlx::FromRow)]
pub struct Refusal {
    pub reason: String,
    pub count: i64,
    pub last_at: OffsetDateTime,
}

/// An event for a customer or workspace Easel does not know.
#[derive(Debug, sqlx::FromRow)]
pub struct UnknownCustomer {
    pub detail: String,
    pub created_at: OffsetDateTime,
}

/// The dashboard's Billing panel.
pub struct BillingPanel {
    /// Monthly recurring revenue: "$123.45".
    pub mrr: String,
    pub plans: Vec<PlanSubscribers>,
    pub active: i64,
    pub trialing: i64,
    /// `invoice.payment_failed` events received in the window.
    pub failed: i64,
    pub lapsed: Vec<Lapsed>,
    /// "n of m (x%)".
    pub churn: String,
    pub refusals: Vec<Refusal>,
    pub unknown: Vec<UnknownCustomer>,
}

impl BillingPanel {
    /// The panel, or `None` while billing is off.
    pub async fn load(tx: &mut AdminTx, billing: &Billing) -> sqlx::Result<Option<Self>> {
        if billing.stripe.is_none() {
            return Ok(None);
        }
        let since = OffsetDateTime::now_utc() - WINDOW;
        let plans = subscribers(tx).await?;
        let (active, trialing) = plans.iter().fold((0, 0), |(a, t), p| (a + p.active, t + p.trialing));
        let ended = ended_since(tx, since).await?;
        let lapsed = lapsed(tx).await?.into_iter().map(|r| Lapsed::of(r.id, &r.name, r.since, billing.grace));
        Ok(Some(Self {
            mrr: money(mrr_cents(tx).await?, "usd"),
            plans,
            active,
            trialing,
            failed: failed_since(tx, since).await?,
            lapsed: lapsed.collect(),
            churn: churn(ended, active + trialing),
            refusals: refusals(tx).await?,
            unknown: unknown_customers(tx).await?,
        }))
    }

    pub fn at(&self, at: &OffsetDateTime) -> String {
        when(Some(*at))
    }
}

/// Subscriptions that ended in the window against those that could have:
/// the subscribers now plus the ones that ended.
fn churn(ended: i64, current: i64) -> String {
    let of = ended + current;
    let percent = if of == 0 { 0.0 } else { ended as f64 * 100.0 / of as f64 };
    format!("{ended} of {of} ({percent:.1}%)")
}

/// Active and past-due subscriptions pay; the webhook already turned a
/// yearly price into its monthly share.
async fn mrr_cents(tx: &mut AdminTx) -> sqlx::Result<i64> {
    fetch_scalar!(
        tx,
        i64,
        "SELECT CAST(COALESCE(SUM(mrr_cents), 0) AS BIGINT) FROM subscriptions \
         WHERE status IN ('active', 'past_due')"
    )
}

/// Per plan (in the plans' order; a plan no longer known last, by its key).
async fn subscribers(tx: &mut AdminTx) -> sqlx::Result<Vec<PlanSubscribers>> {
    fetch_all!(
        tx,
        PlanSubscribers,
        "SELECT s.plan, COALESCE(p.name, s.plan) AS name, \
           CAST(SUM(CASE WHEN s.status = 'active' THEN 1 ELSE 0 END) AS BIGINT) AS active, \
           CAST(SUM(CASE WHEN s.status = 'trialing' THEN 1 ELSE 0 END) AS BIGINT) AS trialing \
         FROM subscriptions s LEFT JOIN plans p ON p.key = s.plan \
         WHERE s.status IN ('active', 'trialing') \
         GROUP BY s.plan, p.name, p.position ORDER BY COALESCE(p.position, 1000000), s.plan"
    )
}

async fn failed_since(tx: &mut AdminTx, since: OffsetDateTime) -> sqlx::Result<i64> {
    fetch_scalar!(
        tx,
        i64,
        "SELECT COUNT(*) FROM stripe_events WHERE kind = 'invoice.payment_failed' AND received_at >= $1",
        since
    )
}

/// The webhook records each subscription that ends as `billing.canceled`.
async fn ended_since(tx: &mut AdminTx, since: OffsetDateTime) -> sqlx::Result<i64> {
    fetch_scalar!(
        tx,
        i64,
        "SELECT COUNT(*) FROM platform_audit WHERE action = 'billing.canceled' AND created_at >= $1",
        since
    )
}

async fn lapsed(tx: &mut AdminTx) -> sqlx::Result<Vec<LapsedRow>> {
    fetch_all!(
        tx,
        LapsedRow,
        "SELECT id, name, billing_past_due_since AS since FROM workspaces \
         WHERE billing_past_due_since IS NOT NULL ORDER BY billing_past_due_since, id LIMIT $1",
        LAPSED_LISTED
    )
}

async fn refusals(tx: &mut AdminTx) -> sqlx::Result<Vec<Refusal>> {
    fetch_all!(
        tx,
        Refusal,
        "SELECT reason, count, last_at FROM stripe_refusals ORDER BY last_at DESC, reason LIMIT $1",
        LISTED
    )
}

async fn unknown_customers(tx: &mut AdminTx) -> sqlx::Result<Vec<UnknownCustomer>> {
    fetch_all!(
        tx,
        UnknownCustomer,
        "SELECT detail, created_at FROM platform_audit WHERE action = 'billing.unknown_customer' \
         ORDER BY created_at DESC, id DESC LIMIT $1",
        LISTED
    )
}

/// A Stripe id, linked to Stripe's dashboard when it looks like one.
#[derive(Debug)]
pub struct StripeLink {
    pub id: String,
    pub url: Option<String>,
}

impl StripeLink {
    fn of(kind: &str, id: &str) -> Option<Self> {
        if id.is_empty() {
            return None;
        }
        // Only a plain id goes into a URL: what the webhook stored came from outside.
        let plain = id.len() <= 255 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        let url = plain.then(|| format!("https://dashboard.stripe.com/{kind}/{id}"));
        Some(Self { id: id.to_owned(), url })
    }
}

#[derive(sqlx::FromRow)]
struct SubscriptionRow {
    customer_id: String,
    subscription_id: String,
    plan: String,
    status: String,
    billing_interval: String,
    amount_cents: i64,
    mrr_cents: i64,
    currency: String,
    current_period_start: Option<OffsetDateTime>,
    current_period_end: Option<OffsetDateTime>,
    cancel_at_period_end: bool,
    trial_end: Option<OffsetDateTime>,
    canceled_at: Option<OffsetDateTime>,
}

/// A subscription as the workspace page shows it.
#[derive(Debug)]
pub struct SubscriptionView {
    pub status: String,
    pub plan: String,
    pub interval: String,
    /// "$99.00 / year".
    pub price: String,
    pub mrr: String,
    /// "Sun 1 Nov 2026 – Tue 1 Dec 2026".
    pub period: String,
    /// Cancels at the period's end: that day.
    pub cancels_on: Option<String>,
    pub trial_end: Option<String>,
    pub canceled_at: Option<String>,
    pub link: Option<StripeLink>,
}

/// The workspace page's Subscription section.
#[derive(Debug, Default)]
pub struct SubscriptionSection {
    /// `None`: no subscription (perhaps a customer without one yet).
    pub subscription: Option<SubscriptionView>,
    pub customer: Option<StripeLink>,
    pub lapsed: Option<Lapsed>,
}

impl SubscriptionSection {
    pub async fn load(tx: &mut AdminTx, row: &WorkspaceRow, plans: &[Plan], grace: Duration) -> sqlx::Result<Self> {
        let stored = subscription(tx, row.id).await?;
        let lapsed = row.billing_past_due_since.map(|since| Lapsed::of(row.id, &row.name, since, grace));
        let Some(s) = stored else { return Ok(Self { lapsed, ..Self::default() }) };
        let customer = StripeLink::of("customers", &s.customer_id);
        let subscription = (!s.subscription_id.is_empty()).then(|| view(s, plans));
        Ok(Self { subscription, customer, lapsed })
    }
}

fn view(s: SubscriptionRow, plans: &[Plan]) -> SubscriptionView {
    let day = |at: Option<OffsetDateTime>| at.map(crate::web::dates::day_utc);
    let period = match (day(s.current_period_start), day(s.current_period_end)) {
        (Some(start), Some(end)) => format!("{start} – {end}"),
        (start, end) => format!("{} – {}", start.unwrap_or("?".into()), end.unwrap_or("?".into())),
    };
    SubscriptionView {
        plan: plans.iter().find(|p| p.key == s.plan).map_or_else(|| s.plan.clone(), |p| p.name.clone()),
        price: format!("{} / {}", money(s.amount_cents, &s.currency), s.billing_interval),
        mrr: money(s.mrr_cents, &s.currency),
        period,
        cancels_on: if s.cancel_at_period_end {
            day(s.current_period_end).or(Some("the period's end".into()))
        } else {
            None
        },
        trial_end: day(s.trial_end),
        canceled_at: day(s.canceled_at),
        link: StripeLink::of("subscriptions", &s.subscription_id),
        status: s.status,
        interval: s.billing_interval,
    }
}

async fn subscription(tx: &mut AdminTx, workspace: Uuid) -> sqlx::Result<Option<SubscriptionRow>> {
    fetch_optional!(
        tx,
        SubscriptionRow,
        "SELECT customer_id, subscription_id, plan, status, billing_interval, amount_cents, mrr_cents, currency, \
           current_period_start, current_period_end, cancel_at_period_end, trial_end, canceled_at \
         FROM subscriptions WHERE workspace_id = $1",
        workspace
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn churn_counts_the_ended_against_all_who_could_have() {
        assert_eq!(churn(1, 3), "1 of 4 (25.0%)");
        assert_eq!(churn(0, 0), "0 of 0 (0.0%)");
    }

    #[test]
    fn only_plain_ids_become_links() {
        let link = StripeLink::of("customers", "cus_123").expect("a link");
        assert_eq!(link.url.as_deref(), Some("https://dashboard.stripe.com/customers/cus_123"));
        assert!(StripeLink::of("customers", "cus_1\"/x").and_then(|l| l.url).is_none());
        assert!(StripeLink::of("customers", "").is_none());
    }
}

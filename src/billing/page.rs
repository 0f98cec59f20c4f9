//! The plan page, `/settings/plan`: the plan and what is used of each limit;
//! with billing on, the plans side by side, and for the owner their prices,
//! the "Choose" buttons and where the subscription stands.

use askama::Template;
use axum::{
    extract::{Query, State},
    response::Response,
};
use serde::Deserialize;

use super::{checkout, meters::Meter, queries::Subscription};
use crate::{
    error::AppResult,
    plans::{self, megabytes, queries::Plan},
    state::AppState,
    tenancy::{BillingStanding, Permission, Workspace},
    web::{Layout, dates::day_utc, money::money, page},
};

#[derive(Template)]
#[template(path = "plans/index.html")]
struct PlanView {
    layout: Layout,
    plan_name: String,
    meters: Vec<Meter>,
    can_hide_branding: bool,
    /// Plan cards are shown (billing is on).
    billing_on: bool,
    /// Prices and payment buttons are shown (the owner).
    owner: bool,
    cards: Vec<PlanCard>,
    /// Paying already: "Choose" goes through the portal.
    subscribed: bool,
    has_customer: bool,
    status: String,
    pending: bool,
    cancelled: bool,
    exceeded: Vec<String>,
}

pub struct PlanCard {
    pub key: String,
    pub name: String,
    pub current: bool,
    /// "$9.99", "Free", or empty when the plan is not sold.
    pub price: String,
    /// "/ month" beside a paid price.
    pub per: String,
    /// "or $99.00 / year" when sold yearly too.
    pub yearly: String,
    pub sold_monthly: bool,
    pub sold_yearly: bool,
    pub limits: Vec<String>,
    pub trial: String,
}

#[derive(Deserialize, Default)]
pub struct Return {
    #[serde(default)]
    checkout: String,
    #[serde(default)]
    session: String,
}

pub async fn view_plan(
    State(state): State<AppState>,
    ws: Workspace,
    layout: Layout,
    Query(back): Query<Return>,
) -> AppResult<Response> {
    ws.require(Permission::ManageSettings)?;
    let mut tx = ws.read().await?;
    let limits = plans::queries::limits(&mut tx).await?;
    let meters = Meter::all(&mut tx, &limits).await?;
    let billing_on = state.config.billing.stripe.is_some();
    let owner = billing_on && ws.role().can(Permission::ManageBilling);
    let id = ws.id();
    let subscription = super::queries::of(tx.global().await?, id).await?.unwrap_or_default();
    let pending = back.checkout == "done" && checkout::is_pending(tx.global().await?, id, &back.session).await?;
    tx.commit().await?;
    let all = if billing_on { plans::queries::plans(&state.db).await? } else { Vec::new() };
    let trial_days = state.config.billing.trial_days;
    let cards = all.iter().map(|p| card(p, &limits.key, trial_days)).collect();
    let status = if owner { status_line(&subscription, &limits.name, ws.billing()) } else { String::new() };
    page(PlanView {
        layout,
        plan_name: limits.name,
        exceeded: meters.iter().filter_map(Meter::exceeded).collect(),
        meters,
        can_hide_branding: limits.can_hide_branding,
        billing_on,
        owner,
        cards,
        subscribed: subscription.is_live(),
        has_customer: !subscription.customer_id.is_empty(),
        status,
        pending,
        cancelled: back.checkout == "cancelled",
    })
}

fn card(p: &Plan, current: &str, default_trial: i64) -> PlanCard {
    let (sold_monthly, sold_yearly) = (!p.stripe_price_monthly.is_empty(), !p.stripe_price_yearly.is_empty());
    let (price, per) = match (sold_monthly, p.price_monthly_cents) {
        (true, cents) if cents > 0 => (money(cents, "usd"), "/ month".to_owned()),
        _ if p.key == super::apply::FREE => ("Free".to_owned(), String::new()),
        _ => (String::new(), String::new()),
    };
    let yearly = match (sold_yearly, p.price_yearly_cents) {
        (true, cents) if cents > 0 => format!("or {} / year", money(cents, "usd")),
        (true, _) => "or yearly".to_owned(),
        _ => String::new(),
    };
    let trial = p.trial_days.unwrap_or(default_trial);
    PlanCard {
        key: p.key.clone(),
        name: p.name.clone(),
        current: p.key == current,
        price,
        per,
        yearly,
        sold_monthly,
        sold_yearly,
        limits: limit_lines(p),
        trial: if trial > 0 && (sold_monthly || sold_yearly) {
            format!("{trial}-day free trial")
        } else {
            String::new()
        },
    }
}

fn limit_lines(p: &Plan) -> Vec<String> {
    let line = |limit: Option<i64>, what: &str, show: fn(i64) -> String| match limit {
        Some(n) => format!("{} {what}", show(n)),
        None => format!("Unlimited {what}"),
    };
    let count = |n: i64| n.to_string();
    vec![
        line(p.max_images, "images", count),
        line(p.max_storage_bytes, "storage", megabytes),
        line(p.max_members, "members", count),
        line(p.max_ai_generations, "AI captions a month", count),
        line(p.max_publer_posts, "posts to Publer a month", count),
    ]
}

/// Where the subscription stands, in one sentence for the owner.
fn status_line(s: &Subscription, plan: &str, standing: BillingStanding) -> String {
    let day = |at: Option<time::OffsetDateTime>| at.map(day_utc).unwrap_or_else(|| "the end of the period".into());
    match (standing, s.status.as_str()) {
        (BillingStanding::Locked, _) => {
            "A payment failed and the grace period is over: the workspace is read-only until the payment is fixed. \
             Nothing has been deleted."
                .into()
        }
        (BillingStanding::Grace { until }, _) => {
            format!("A payment failed. Fix the payment by {} or the workspace becomes read-only.", day_utc(until))
        }
        (_, "trialing") => format!("Free trial of {plan} until {}.", day(s.trial_end.or(s.current_period_end))),
        (_, "active") if s.cancel_at_period_end => format!(
            "{plan} cancels on {}; the workspace then moves to Free. Nothing is deleted.",
            day(s.current_period_end)
        ),
        (_, "active") => format!("{plan}: renews on {}.", day(s.current_period_end)),
        (_, "canceled") if s.downgrade_at.is_some() => {
            format!("The subscription was canceled: {plan} stays until {}, then Free.", day(s.downgrade_at))
        }
        (_, "incomplete") => "The first payment has not gone through yet.".into(),
        _ => String::new(),
    }
}

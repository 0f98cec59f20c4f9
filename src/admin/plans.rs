//! `/admin/plans`: each plan's limits and, for billing, its Stripe prices,
//! the price the plan page shows, and its trial.

use askama::Template;
use axum::{
    extract::{Path, State},
    response::{Redirect, Response},
};
use tower_sessions::Session;

use super::{PlatformAdmin, handlers::custom_value, queries};
use crate::{
    db::AdminTx,
    error::{AppError, AppResult},
    plans::{self, queries::Plan},
    state::AppState,
    web::{Layout, flash, form::FormFields, page},
};

/// Stripe's limit on a trial, and ours.
const MOST_TRIAL_DAYS: i64 = 730;

/// The highest display price taken, in cents ($1,000,000): a typo guard.
const MOST_CENTS: i64 = 100_000_000;

#[derive(Template)]
#[template(path = "admin/plans.html")]
struct PlansView {
    layout: Layout,
    plans: Vec<PlanRow>,
    billing_on: bool,
    /// `EASEL_TRIAL_DAYS`: what an empty trial means.
    trial_default: i64,
}

struct PlanRow {
    key: String,
    name: String,
    images: String,
    storage_mb: String,
    members: String,
    ai: String,
    publer: String,
    can_hide_branding: bool,
    stripe_price_monthly: String,
    stripe_price_yearly: String,
    price_monthly: String,
    price_yearly: String,
    trial_days: String,
}

impl PlanRow {
    fn of(p: Plan) -> Self {
        let show = |v: Option<i64>| v.map_or(String::new(), |n| n.to_string());
        Self {
            images: show(p.max_images),
            storage_mb: show(p.max_storage_bytes.map(|b| b / (1024 * 1024))),
            members: show(p.max_members),
            ai: show(p.max_ai_generations),
            publer: show(p.max_publer_posts),
            can_hide_branding: p.can_hide_branding,
            price_monthly: dollars_field(p.price_monthly_cents),
            price_yearly: dollars_field(p.price_yearly_cents),
            trial_days: show(p.trial_days),
            stripe_price_monthly: p.stripe_price_monthly,
            stripe_price_yearly: p.stripe_price_yearly,
            key: p.key,
            name: p.name,
        }
    }
}

/// A price as the form shows it: "9.99", or empty for nothing.
fn dollars_field(cents: i64) -> String {
    if cents == 0 { String::new() } else { format!("{}.{:02}", cents / 100, cents % 100) }
}

pub async fn view_plans(State(state): State<AppState>, _admin: PlatformAdmin, layout: Layout) -> AppResult<Response> {
    let plans = plans::queries::plans(&state.db).await?.into_iter().map(PlanRow::of).collect();
    let billing = &state.config.billing;
    page(PlansView { layout, plans, billing_on: billing.stripe.is_some(), trial_default: billing.trial_days })
}

/// A plan's limit field: empty is no limit.
fn plan_value(raw: &str, unit: i64) -> Result<Option<i64>, ()> {
    match custom_value(raw, unit)? {
        Some(n) if n < 0 => Ok(None),
        other => Ok(other),
    }
}

pub async fn save_plan(
    State(state): State<AppState>,
    admin: PlatformAdmin,
    session: Session,
    Path(key): Path<String>,
    form: FormFields,
) -> AppResult<Redirect> {
    let plans = plans::queries::plans(&state.db).await?;
    let Some(current) = plans.iter().find(|p| p.key == key) else { return Err(AppError::NotFound) };
    let field = |name: &str, unit: i64| plan_value(form.get(name), unit);
    let parsed =
        (field("images", 1), field("storage_mb", 1024 * 1024), field("members", 1), field("ai", 1), field("publer", 1));
    let (Ok(images), Ok(storage), Ok(members), Ok(ai), Ok(publer)) = parsed else {
        return Err(refused("Each limit is a whole number, or empty for no limit."));
    };
    let priced = with_billing(&form, current, &plans, state.config.billing.trial_days)?;
    let plan = Plan {
        max_images: images,
        max_storage_bytes: storage,
        max_members: members,
        max_ai_generations: ai,
        max_publer_posts: publer,
        can_hide_branding: !form.get("can_hide_branding").is_empty(),
        ..priced
    };
    let mut tx = AdminTx::begin(&state.db).await?;
    plans::queries::update_plan(&mut tx, &plan).await?;
    queries::record(&mut tx, Some(admin.user.id), &admin.user.email, "plan.changed", None, &plan.key).await?;
    tx.commit().await?;
    flash::success(&session, format!("The {} plan is saved.", plan.name)).await?;
    Ok(Redirect::to("/admin/plans"))
}

/// A 422 that says what to fix and that nothing changed.
fn refused(why: &str) -> AppError {
    AppError::Unprocessable(format!("{why} Nothing was changed."))
}

/// What the form sent for `name`, trimmed; `None` when it sent no such
/// field (a form from before billing), and the plan keeps its value.
fn sent<'a>(form: &'a FormFields, name: &str) -> Option<&'a str> {
    form.pairs().iter().find(|(k, _)| k == name).map(|(_, v)| v.trim())
}

/// `current` with the billing fields the form sent, checked.
fn with_billing(form: &FormFields, current: &Plan, plans: &[Plan], trial_default: i64) -> AppResult<Plan> {
    let mut plan = current.clone();
    if let Some(raw) = sent(form, "stripe_price_monthly") {
        plan.stripe_price_monthly = price_id(raw, "monthly")?;
    }
    if let Some(raw) = sent(form, "stripe_price_yearly") {
        plan.stripe_price_yearly = price_id(raw, "yearly")?;
    }
    if let Some(raw) = sent(form, "price_monthly") {
        plan.price_monthly_cents = cents(raw).ok_or_else(|| refused(&price_rule("monthly")))?;
    }
    if let Some(raw) = sent(form, "price_yearly") {
        plan.price_yearly_cents = cents(raw).ok_or_else(|| refused(&price_rule("yearly")))?;
    }
    if let Some(raw) = sent(form, "trial_days") {
        plan.trial_days = trial_days(raw).ok_or_else(|| {
            refused(&format!(
                "The trial is a whole number of days from 0 to {MOST_TRIAL_DAYS}, or empty for EASEL_TRIAL_DAYS \
                 ({trial_default} days)."
            ))
        })?;
    }
    one_plan_per_price(&plan, plans)?;
    Ok(plan)
}

fn price_rule(interval: &str) -> String {
    format!("The {interval} price is in dollars, like 9.99, or empty for none.")
}

/// Empty, or a Stripe price id: "price_" then letters, digits, underscores.
fn price_id(raw: &str, interval: &str) -> AppResult<String> {
    let plain = raw.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if raw.is_empty() || (raw.starts_with("price_") && raw.len() > 6 && raw.len() <= 100 && plain) {
        return Ok(raw.to_owned());
    }
    Err(refused(&format!(
        "The {interval} Stripe price id starts with \"price_\" followed by letters, digits or underscores, at most \
         100 characters in all (Stripe shows it on the product's page), or is empty when the plan is not sold {interval}."
    )))
}

/// A price id sells one plan at one interval: the webhook finds the plan
/// from the price, so two plans with one price would be a guess.
fn one_plan_per_price(plan: &Plan, plans: &[Plan]) -> AppResult<()> {
    let (monthly, yearly) = (&plan.stripe_price_monthly, &plan.stripe_price_yearly);
    if !monthly.is_empty() && monthly == yearly {
        return Err(refused("The monthly and the yearly Stripe price must be two different prices."));
    }
    for id in [monthly, yearly].into_iter().filter(|id| !id.is_empty()) {
        let taken = plans
            .iter()
            .filter(|p| p.key != plan.key)
            .find(|p| &p.stripe_price_monthly == id || &p.stripe_price_yearly == id);
        if let Some(other) = taken {
            return Err(refused(&format!(
                "The Stripe price {id} already sells the {} plan; one price can sell only one plan.",
                other.name
            )));
        }
    }
    Ok(())
}

/// "9.99", "$9.99", "10" or "10.5" in cents; empty is 0.
fn cents(raw: &str) -> Option<i64> {
    let raw = raw.strip_prefix('$').unwrap_or(raw).trim();
    if raw.is_empty() {
        return Some(0);
    }
    let (whole, fraction) = raw.split_once('.').unwrap_or((raw, ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    // "9." is a typo, not nine dollars.
    let shape = !whole.is_empty() && whole.len() <= 9 && fraction.len() <= 2 && !raw.ends_with('.');
    if !shape || !digits(whole) || !digits(fraction) {
        return None;
    }
    let fraction = format!("{fraction:0<2}").parse::<i64>().ok()?;
    let total = whole.parse::<i64>().ok()?.checked_mul(100)?.checked_add(fraction)?;
    (total <= MOST_CENTS).then_some(total)
}

/// Empty is `None` (EASEL_TRIAL_DAYS); else 0 to 730 days.
fn trial_days(raw: &str) -> Option<Option<i64>> {
    if raw.is_empty() {
        return Some(None);
    }
    raw.parse::<i64>().ok().filter(|d| (0..=MOST_TRIAL_DAYS).contains(d)).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_are_read_in_dollars() {
        assert_eq!(cents("9.99"), Some(999));
        assert_eq!(cents("$19.99"), Some(1999));
        assert_eq!(cents("10"), Some(1000));
        assert_eq!(cents("10.5"), Some(1050));
        assert_eq!(cents(""), Some(0));
        for bad in ["9.999", "-1", "nine", "9.", ".99", "1,000", "9.9x", "99999999999"] {
            assert_eq!(cents(bad), None, "{bad}");
        }
        assert_eq!(dollars_field(999), "9.99");
        assert_eq!(dollars_field(1000), "10.00");
        assert_eq!(dollars_field(0), "");
    }

    #[test]
    fn price_ids_and_trials_are_checked() {
        assert!(price_id("price_1AbC_2", "monthly").is_ok());
        assert!(price_id("", "monthly").is_ok());
        for bad in ["prod_1", "price_", "price_1 2", "price_1/x", &format!("price_{}", "a".repeat(95))] {
            assert!(price_id(bad, "monthly").is_err(), "{bad}");
        }
        assert_eq!(trial_days(""), Some(None));
        assert_eq!(trial_days("14"), Some(Some(14)));
        assert_eq!(trial_days("731"), None);
        assert_eq!(trial_days("-1"), None);
    }

    #[test]
    fn a_price_sells_one_plan() {
        let basic = Plan {
            key: "basic".into(),
            name: "Basic".into(),
            stripe_price_monthly: "price_a".into(),
            ..Plan::default()
        };
        let pro =
            Plan { key: "pro".into(), name: "Pro".into(), stripe_price_yearly: "price_a".into(), ..Plan::default() };
        assert!(one_plan_per_price(&pro, &[basic.clone(), pro.clone()]).is_err());
        let pro = Plan { stripe_price_yearly: "price_b".into(), ..pro };
        assert!(one_plan_per_price(&pro, &[basic.clone(), pro.clone()]).is_ok());
        let both = Plan { stripe_price_yearly: "price_a".into(), ..basic.clone() };
        assert!(one_plan_per_price(&both, std::slice::from_ref(&both)).is_err());
    }
}

//! The owner's buttons: "Choose <plan>" (a Stripe Checkout Session) and
//! "Manage billing" / "Fix payment" (a Customer Portal session).

use std::time::Duration;

use axum::{
    Form,
    extract::State,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use tower_sessions::Session;

use super::{
    checkout::{self, Next},
    queries,
    stripe::{NewCheckout, StripeApi, StripeError},
};
use crate::{
    config::billing::Stripe as Settings,
    error::{AppError, AppResult},
    plans::queries::Plan,
    state::AppState,
    tenancy::{Permission, Workspace, address::base_url_of},
    web::flash,
};

const PLAN_PAGE: &str = "/settings/plan";

/// Billing's routes answer 404 until Stripe is configured.
pub fn settings(state: &AppState) -> AppResult<&Settings> {
    state.config.billing.stripe.as_ref().ok_or(AppError::NotFound)
}

#[derive(Deserialize)]
pub struct ChooseForm {
    #[serde(default)]
    plan: String,
    #[serde(default)]
    interval: String,
}

/// The plan chosen and the Stripe price that sells it.
async fn chosen(state: &AppState, form: &ChooseForm) -> AppResult<(Plan, &'static str, String)> {
    let interval = match form.interval.as_str() {
        "" | "month" => "month",
        "year" => "year",
        _ => return Err(AppError::Unprocessable("Choose monthly or yearly billing. Nothing was changed.".into())),
    };
    let plans = crate::plans::queries::plans(&state.db).await?;
    let Some(plan) = plans.into_iter().find(|p| p.key == form.plan) else {
        return Err(AppError::Unprocessable("Choose one of the plans shown. Nothing was changed.".into()));
    };
    let price = if interval == "year" { &plan.stripe_price_yearly } else { &plan.stripe_price_monthly };
    if price.is_empty() {
        let how = if interval == "year" { "yearly" } else { "monthly" };
        return Err(AppError::Unprocessable(format!("The {} plan is not sold {how}. Nothing was changed.", plan.name)));
    }
    let price = price.clone();
    Ok((plan, interval, price))
}

/// Back to the plan page with a sentence saying what went wrong.
async fn back_with(session: &Session, message: String) -> AppResult<Response> {
    flash::error(session, message).await?;
    Ok(Redirect::to(PLAN_PAGE).into_response())
}

pub async fn choose(
    State(state): State<AppState>,
    ws: Workspace,
    session: Session,
    Form(form): Form<ChooseForm>,
) -> AppResult<Response> {
    ws.require(Permission::ManageBilling)?;
    let settings = settings(&state)?;
    let (plan, interval, price) = chosen(&state, &form).await?;
    let mut tx = ws.write_billing().await?;
    let current = queries::of(tx.global().await?, ws.id()).await?.unwrap_or_default();
    tx.commit().await?;
    if current.is_live() {
        // A second subscription would charge twice: changes go through the portal.
        return portal_for(&state, &ws, &session, &current.customer_id).await;
    }
    let api = StripeApi { http: &state.http, settings };
    let customer = match customer(&api, &ws, &current.customer_id).await {
        Ok(customer) => customer,
        Err(e) => return back_with(&session, e.message()).await,
    };
    let base = base_url_of(&state, ws.id()).await?;
    let trial_days = plan.trial_days.unwrap_or(state.config.billing.trial_days);
    // Bounded: another click's Stripe call lasts at most 20 s.
    for _ in 0..125 {
        let mut tx = ws.write_billing().await?;
        let next = checkout::claim(tx.global().await?, ws.id(), &plan.key, interval).await?;
        tx.commit().await?;
        let claim = match next {
            Next::Reuse(url) => return Ok(Redirect::to(&url).into_response()),
            Next::Wait => {
                tokio::time::sleep(Duration::from_millis(200)).await;
                continue;
            }
            Next::Create(claim) => claim,
        };
        let new = NewCheckout {
            customer: &customer,
            price: &price,
            workspace: ws.id(),
            trial_days,
            success_url: &format!("{base}{PLAN_PAGE}?checkout=done&session={{CHECKOUT_SESSION_ID}}"),
            cancel_url: &format!("{base}{PLAN_PAGE}?checkout=cancelled"),
            idempotency_key: &format!("checkout-{claim}"),
        };
        let made = api.create_checkout(&new).await;
        let mut tx = ws.write_billing().await?;
        return match made {
            Ok(session_made) => {
                let global = tx.global().await?;
                checkout::fill(global, ws.id(), claim, &session_made.id, &session_made.url, session_made.expires_at)
                    .await?;
                tx.commit().await?;
                Ok(Redirect::to(&session_made.url).into_response())
            }
            Err(e) => {
                tracing::warn!(error = %e, workspace = %ws.id(), "checkout session not created");
                checkout::release(tx.global().await?, ws.id(), claim).await?;
                tx.commit().await?;
                back_with(&session, e.message()).await
            }
        };
    }
    back_with(&session, "A checkout is still being prepared. Nothing was charged; please try again in a minute.".into())
        .await
}

/// The workspace's Stripe customer, made (with the owner's email) the first
/// time; the idempotency key makes a double click find the same one.
async fn customer(api: &StripeApi<'_>, ws: &Workspace, known: &str) -> Result<String, StripeError> {
    if !known.is_empty() {
        return Ok(known.to_owned());
    }
    let made = api.create_customer(&ws.user().email, ws.name(), ws.id()).await?;
    let linked = async {
        let mut tx = ws.write_billing().await?;
        queries::link_customer(tx.global().await?, ws.id(), &made.id).await?;
        tx.commit().await?;
        Ok::<_, AppError>(())
    };
    let Err(e) = linked.await else { return Ok(made.id) };
    // A simultaneous click got the same customer (same idempotency key) and
    // linked it first: on PostgreSQL the second insert then trips the unique
    // customer index, which `ON CONFLICT (workspace_id)` does not cover.
    if linked_customer(ws).await.as_deref() == Some(made.id.as_str()) {
        return Ok(made.id);
    }
    tracing::warn!(error = %e, workspace = %ws.id(), "could not link the Stripe customer");
    Err(StripeError::Unavailable(e.to_string()))
}

async fn linked_customer(ws: &Workspace) -> Option<String> {
    let mut tx = ws.write_billing().await.ok()?;
    let current = queries::of(tx.global().await.ok()?, ws.id()).await.ok()??;
    tx.commit().await.ok()?;
    Some(current.customer_id)
}

pub async fn portal(State(state): State<AppState>, ws: Workspace, session: Session) -> AppResult<Response> {
    ws.require(Permission::ManageBilling)?;
    settings(&state)?;
    let mut tx = ws.write_billing().await?;
    let current = queries::of(tx.global().await?, ws.id()).await?.unwrap_or_default();
    tx.commit().await?;
    portal_for(&state, &ws, &session, &current.customer_id).await
}

async fn portal_for(state: &AppState, ws: &Workspace, session: &Session, customer: &str) -> AppResult<Response> {
    if customer.is_empty() {
        return back_with(session, "This workspace has no billing account yet: choose a plan first.".into()).await;
    }
    let api = StripeApi { http: &state.http, settings: settings(state)? };
    let back = format!("{}{PLAN_PAGE}", base_url_of(state, ws.id()).await?);
    match api.create_portal(customer, &back).await {
        Ok(portal) => Ok(Redirect::to(&portal.url).into_response()),
        Err(e) => back_with(session, e.message()).await,
    }
}

//! `POST /stripe/webhook`: Stripe's events, authenticated by their
//! signature (no session, so the CSRF guard lets this one path through).
//! Each event is taken once, by id, in the same transaction as its effects:
//! a replay finds it taken and changes nothing, and a failure leaves it
//! untaken so Stripe's retry applies it.

use axum::{
    body::Bytes,
    extract::{ConnectInfo, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

use super::{
    apply::{self, Outcome},
    queries, signature,
    stripe::{self, StripeApi},
};
use crate::{
    db::AdminTx,
    error::{AppError, AppResult},
    state::AppState,
};

/// The largest event accepted; Stripe's are a few kilobytes.
pub const BODY_LIMIT: usize = 256 * 1024;

#[derive(Deserialize)]
struct Event {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    created: i64,
    data: EventData,
}

#[derive(Deserialize)]
struct EventData {
    object: Value,
}

pub async fn receive(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<Response> {
    let Some(settings) = &state.config.billing.stripe else { return Err(AppError::NotFound) };
    let header = headers.get("stripe-signature").and_then(|v| v.to_str().ok());
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    if let Err(refusal) = signature::verify(header, &body, &settings.webhook_secret, now) {
        return refuse(&state, refusal.reason(), peer).await;
    }
    let Ok(event) = serde_json::from_slice::<Event>(&body) else {
        return refuse(&state, "signed, but not a Stripe event", peer).await;
    };
    let fetched = fetch_for(&state, &event).await?;
    let mut tx = AdminTx::begin(&state.db).await?;
    if !queries::take_event(&mut tx, &event.id, &event.kind, event.created).await? {
        tx.commit().await?;
        return Ok((StatusCode::OK, "already processed").into_response());
    }
    let outcome = dispatch(&mut tx, &event, fetched).await?;
    queries::settle_event(&mut tx, &event.id, outcome.workspace, outcome.result, &outcome.detail).await?;
    apply::commit(&state.databases, tx, &outcome).await?;
    if let (Some(ws), "applied") = (outcome.workspace, outcome.result) {
        // Posts held while the payment had lapsed go to Publer now.
        crate::publer::sender::wake(&state, ws);
    }
    tracing::info!(event = %event.id, kind = %event.kind, outcome = outcome.result, "stripe event");
    Ok((StatusCode::OK, outcome.result).into_response())
}

/// A refused call: 400, counted for the operator, nothing else changes.
async fn refuse(state: &AppState, reason: &str, peer: std::net::SocketAddr) -> AppResult<Response> {
    tracing::warn!(%reason, %peer, "stripe webhook refused");
    if let Err(e) = queries::tally_refusal(&state.db, reason, &peer.ip().to_string()).await {
        tracing::error!(error = %e, "could not record a refused stripe webhook");
    }
    Ok((StatusCode::BAD_REQUEST, format!("refused: {reason}")).into_response())
}

/// A completed checkout names its subscription only by id: fetched before
/// the transaction opens, so no lock waits on Stripe. Unreachable → 503,
/// and Stripe retries the event.
async fn fetch_for(state: &AppState, event: &Event) -> AppResult<Option<stripe::Subscription>> {
    let Some(settings) = &state.config.billing.stripe else { return Ok(None) };
    if event.kind != "checkout.session.completed" {
        return Ok(None);
    }
    let id = id_field(&event.data.object, "subscription");
    if id.is_empty() {
        return Ok(None);
    }
    let api = StripeApi { http: &state.http, settings };
    match api.subscription(&id).await {
        Ok(sub) => Ok(Some(sub)),
        Err(e) => Err(AppError::Unavailable(e.to_string())),
    }
}

/// An id field that may come as a string or an expanded object.
fn id_field(object: &Value, field: &str) -> String {
    match object.get(field) {
        Some(Value::String(id)) => id.clone(),
        Some(Value::Object(o)) => o.get("id").and_then(Value::as_str).unwrap_or_default().to_owned(),
        _ => String::new(),
    }
}

async fn dispatch(tx: &mut AdminTx, event: &Event, fetched: Option<stripe::Subscription>) -> AppResult<Outcome> {
    let object = &event.data.object;
    Ok(match event.kind.as_str() {
        "checkout.session.completed" => checkout_completed(tx, event, fetched).await?,
        "customer.subscription.created" | "customer.subscription.updated" | "customer.subscription.deleted" => {
            match serde_json::from_value::<stripe::Subscription>(object.clone()) {
                Ok(sub) => apply::subscription(tx, None, &sub, event.created, &event.id).await?,
                Err(e) => Outcome::of("ignored", format!("unreadable subscription: {e}")),
            }
        }
        "invoice.paid" | "invoice.payment_failed" => {
            let (sub, customer) = (id_field(object, "subscription"), id_field(object, "customer"));
            let failed = event.kind == "invoice.payment_failed";
            apply::payment(tx, &sub, &customer, failed, event.created, &event.id).await?
        }
        other => Outcome::of("ignored", format!("{other} is not an event Easel uses")),
    })
}

async fn checkout_completed(
    tx: &mut AdminTx,
    event: &Event,
    fetched: Option<stripe::Subscription>,
) -> AppResult<Outcome> {
    let object = &event.data.object;
    let customer = id_field(object, "customer");
    let named = object.get("client_reference_id").and_then(Value::as_str).and_then(|id| Uuid::parse_str(id).ok());
    let workspace = match named {
        Some(id) if queries::workspace_exists(tx, id).await? => Some(id),
        _ => queries::workspace_of(tx, "", &customer).await?,
    };
    let Some(ws) = workspace.filter(|_| !customer.is_empty()) else {
        return Ok(apply::unknown(tx, &customer, &event.id).await?);
    };
    queries::link_customer(tx, ws, &customer).await?;
    let session = object.get("id").and_then(Value::as_str).unwrap_or_default();
    super::checkout::complete(tx, ws, session).await?;
    match fetched {
        // Stamped with the event's time, on Stripe's clock like every other
        // state: an update Stripe made after it still counts as newer, and
        // any state it missed comes with that update's own event.
        Some(sub) => Ok(apply::subscription(tx, Some(ws), &sub, event.created, &event.id).await?),
        None => Ok(Outcome { workspace: Some(ws), ..Outcome::of("applied", "checkout without a subscription") }),
    }
}

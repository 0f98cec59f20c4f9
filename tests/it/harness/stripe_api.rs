//! The stand-in Stripe's routes: the API calls (checked, recorded,
//! answered like Stripe), the Checkout page and the portal page.

use axum::{
    Json, Router,
    body::Bytes,
    extract::{Path, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{Html, IntoResponse, Redirect, Response},
    routing::{get, post},
};
use serde_json::{Value, json};

use super::{Call, Inner, Session, Stripe, Sub, now};

pub(super) fn router(stripe: Stripe) -> Router {
    Router::new()
        .route("/v1/customers", post(customers))
        .route("/v1/checkout/sessions", post(checkout))
        .route("/v1/billing_portal/sessions", post(portal))
        .route("/v1/subscriptions/{id}", get(subscription))
        .route("/checkout/{id}", get(checkout_page))
        .route("/checkout/{id}/pay", post(pay))
        .route("/portal/{customer}", get(portal_page))
        // One call, one connection: so `refuse_connections` fails whole calls.
        .layer(axum::middleware::map_response(|mut r: Response| async move {
            r.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
            r
        }))
        .with_state(stripe)
}

pub(super) fn error(status: u16, message: &str) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    (code, Json(json!({ "error": { "message": message, "type": "invalid_request_error" } }))).into_response()
}

pub(super) fn sub_json(inner: &Inner, s: &Sub) -> Value {
    let (amount, interval) = inner.prices.get(&s.price).cloned().unwrap_or((0, "month".into()));
    json!({
        "id": s.id, "object": "subscription", "customer": s.customer, "status": s.status,
        "items": { "object": "list", "data": [{
            "id": format!("si_{}", s.id), "object": "subscription_item", "quantity": 1,
            "price": { "id": s.price, "object": "price", "unit_amount": amount, "currency": "usd",
                       "recurring": { "interval": interval, "interval_count": 1 } },
        }] },
        "current_period_start": s.period_start, "current_period_end": s.period_end,
        "cancel_at_period_end": s.cancel_at_period_end, "canceled_at": s.canceled_at, "trial_end": s.trial_end,
        "metadata": { "workspace_id": s.workspace },
    })
}

pub(super) fn invoice_json(inner: &mut Inner, s: &Sub, paid: bool) -> Value {
    let amount = inner.prices.get(&s.price).map_or(0, |p| p.0);
    let id = inner.next("in");
    json!({ "id": id, "object": "invoice", "customer": s.customer, "subscription": s.id,
            "status": if paid { "paid" } else { "open" }, "amount_due": amount,
            "amount_paid": if paid { amount } else { 0 }, "currency": "usd" })
}

async fn customers(State(s): State<Stripe>, headers: HeaderMap, body: Bytes) -> Response {
    let call = match s.admit("POST", "/v1/customers", &headers, &body) {
        Ok(call) => call,
        Err(refused) => return *refused,
    };
    s.idempotent(&call, |inner| {
        let id = inner.next("cus");
        inner.customers.push(id.clone());
        Ok(json!({ "id": id, "object": "customer", "email": call.field("email"),
                   "metadata": { "workspace_id": call.field("metadata[workspace_id]") } }))
    })
}

/// A required, non-empty field, or its name.
fn need<'a>(call: &'a Call, name: &'static str) -> Result<&'a str, &'static str> {
    call.field(name).filter(|v| !v.is_empty()).ok_or(name)
}

/// Checks a Checkout Session's fields as Stripe would (the first bad one is named).
fn new_session(inner: &Inner, call: &Call) -> Result<Session, &'static str> {
    if need(call, "mode")? != "subscription" {
        return Err("mode");
    }
    let customer = need(call, "customer")?;
    if !inner.customers.iter().any(|c| c == customer) {
        return Err("customer");
    }
    need(call, "client_reference_id")?;
    let price = need(call, "line_items[0][price]")?;
    if !inner.prices.contains_key(price) {
        return Err("line_items[0][price]");
    }
    if need(call, "line_items[0][quantity]")? != "1" {
        return Err("line_items[0][quantity]");
    }
    for url in ["success_url", "cancel_url"] {
        if !need(call, url)?.starts_with("http") {
            return Err(url);
        }
    }
    let trial_days = match call.field("subscription_data[trial_period_days]") {
        None => None,
        Some(d) => Some(d.parse::<i64>().ok().filter(|d| (1..=730).contains(d)).ok_or("trial_period_days")?),
    };
    Ok(Session {
        customer: customer.to_owned(),
        price: price.to_owned(),
        trial_days,
        workspace: call.field("subscription_data[metadata][workspace_id]").unwrap_or("").to_owned(),
        success_url: need(call, "success_url")?.to_owned(),
        subscription: None,
    })
}

async fn checkout(State(s): State<Stripe>, headers: HeaderMap, body: Bytes) -> Response {
    let call = match s.admit("POST", "/v1/checkout/sessions", &headers, &body) {
        Ok(call) => call,
        Err(refused) => return *refused,
    };
    let base = s.base.clone();
    s.idempotent(&call, |inner| {
        let session = new_session(inner, &call)
            .map_err(|field| Box::new(error(400, &format!("stand-in: missing or invalid param: {field}"))))?;
        let id = inner.next("cs");
        let reply = json!({ "id": id, "object": "checkout.session", "url": format!("{base}/checkout/{id}"),
                            "expires_at": now() + 86_400, "mode": "subscription", "status": "open",
                            "customer": session.customer, "client_reference_id": call.field("client_reference_id") });
        inner.sessions.insert(id, session);
        Ok(reply)
    })
}

async fn portal(State(s): State<Stripe>, headers: HeaderMap, body: Bytes) -> Response {
    let call = match s.admit("POST", "/v1/billing_portal/sessions", &headers, &body) {
        Ok(call) => call,
        Err(refused) => return *refused,
    };
    let inner = s.lock();
    let customer = call.field("customer").unwrap_or("");
    if !inner.customers.iter().any(|c| c == customer) {
        return error(400, &format!("No such customer: '{customer}'"));
    }
    if !call.field("return_url").is_some_and(|u| u.starts_with("http")) {
        return error(400, "stand-in: missing or invalid param: return_url");
    }
    let url = format!("{}/portal/{customer}", s.base);
    Json(json!({ "id": "bps_test", "object": "billing_portal.session", "customer": customer, "url": url }))
        .into_response()
}

async fn subscription(State(s): State<Stripe>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Err(refused) = s.admit("GET", &format!("/v1/subscriptions/{id}"), &headers, b"") {
        return *refused;
    }
    let inner = s.lock();
    match inner.subs.get(&id) {
        Some(sub) => Json(sub_json(&inner, sub)).into_response(),
        None => error(404, &format!("No such subscription: '{id}'")),
    }
}

async fn checkout_page(State(s): State<Stripe>, Path(id): Path<String>) -> Response {
    let inner = s.lock();
    let Some(session) = inner.sessions.get(&id).filter(|s| s.subscription.is_none()) else {
        return (StatusCode::NOT_FOUND, Html("<h1>This checkout is over</h1>".to_owned())).into_response();
    };
    let (amount, interval) = inner.prices.get(&session.price).cloned().unwrap_or_default();
    Html(format!(
        "<!doctype html><html><head><title>Stand-in Checkout</title></head><body><h1>Checkout</h1>\
         <p id=\"price\">{} at ${}.{:02} / {interval}</p>\
         <form method=\"post\" action=\"/checkout/{id}/pay\"><button type=\"submit\" id=\"pay\">Pay</button></form>\
         </body></html>",
        session.price,
        amount / 100,
        amount % 100
    ))
    .into_response()
}

/// "Pay": the subscription starts, Easel hears of it as from Stripe, and
/// the browser goes back to the success URL.
async fn pay(State(s): State<Stripe>, Path(id): Path<String>) -> Response {
    let (events, back) = {
        let mut inner = s.lock();
        let Some(session) = inner.sessions.get(&id).filter(|s| s.subscription.is_none()).cloned() else {
            return (StatusCode::NOT_FOUND, Html("<h1>This checkout is over</h1>".to_owned())).into_response();
        };
        let t = now();
        let sub = Sub {
            id: inner.next("sub"),
            customer: session.customer.clone(),
            status: if session.trial_days.is_some() { "trialing" } else { "active" }.into(),
            price: session.price.clone(),
            period_start: t,
            period_end: t + 30 * 86_400,
            cancel_at_period_end: false,
            canceled_at: None,
            trial_end: session.trial_days.map(|d| t + d * 86_400),
            workspace: session.workspace.clone(),
        };
        inner.subs.insert(sub.id.clone(), sub.clone());
        if let Some(open) = inner.sessions.get_mut(&id) {
            open.subscription = Some(sub.id.clone());
        }
        let completed = json!({ "id": id, "object": "checkout.session", "status": "complete",
            "payment_status": "paid", "mode": "subscription", "customer": sub.customer, "subscription": sub.id,
            "client_reference_id": sub.workspace, "metadata": { "workspace_id": sub.workspace } });
        let created = sub_json(&inner, &sub);
        let invoice = invoice_json(&mut inner, &sub, true);
        let objects = [
            ("checkout.session.completed", completed),
            ("customer.subscription.created", created),
            ("invoice.paid", invoice),
        ];
        (objects, session.success_url.replace("{CHECKOUT_SESSION_ID}", &id))
    };
    for (kind, object) in events {
        s.send_event(&s.event(kind, object, now())).await;
    }
    Redirect::to(&back).into_response()
}

async fn portal_page(Path(customer): Path<String>) -> Html<String> {
    Html(format!("<!doctype html><html><body><h1>Customer portal</h1><p id=\"customer\">{customer}</p></body></html>"))
}

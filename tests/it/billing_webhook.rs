//! The Stripe webhook's defences: signatures (forged, old, missing, rolled
//! secrets), replays, events out of order, unknown events and customers,
//! a complimentary plan that billing leaves alone; a cancellation's paid
//! period; a workspace in the second database paying yearly, and choices
//! refused; and with billing off, no webhook (nor any billing route) at all.

use serde_json::{Value, json};

use crate::{
    billing::{Billed, billed, pay, plan_of, subscribe, subscription},
    harness::{
        Backend, TestApp,
        stripe::{self, Stripe, WEBHOOK_SECRET, now, signature},
    },
    on_both_backends,
};

on_both_backends!(
    bad_signatures_are_refused_tallied_and_change_nothing,
    a_replayed_event_changes_nothing,
    an_older_event_never_undoes_a_newer_state,
    unknown_events_and_customers_are_acknowledged,
    a_complimentary_plan_is_kept,
    with_billing_off_there_are_no_prices_and_no_billing_routes,
    a_canceled_subscription_keeps_the_paid_period_unless_past_due,
    a_second_workspace_pays_yearly_and_bad_choices_are_refused,
    events_at_once_still_leave_the_newest_state,
);

/// `customer.subscription.updated` for `sub` moved to `price`, made at `created`.
fn updated(b: &Billed, sub: &str, price: &str, created: i64) -> Value {
    let mut object = b.stripe.subscription_json(sub);
    object["items"]["data"][0]["price"]["id"] = json!(price);
    b.stripe.event("customer.subscription.updated", object, created)
}

async fn outcome(app: &TestApp, event: &Value) -> String {
    let id = event["id"].as_str().expect("an event id");
    app.strings(&format!("SELECT outcome FROM stripe_events WHERE id = '{id}'")).await.join(",")
}

async fn refusals(app: &TestApp) -> i64 {
    app.count("SELECT CAST(COALESCE(SUM(count), 0) AS BIGINT) FROM stripe_refusals").await
}

async fn bad_signatures_are_refused_tallied_and_change_nothing(backend: Backend) {
    let b = billed(backend, |_| {}).await;
    let (app, stripe) = (&b.app, &b.stripe);
    let sub = subscribe(&b, "standard").await;
    let events = app.count("SELECT COUNT(*) FROM stripe_events").await;
    let event = updated(&b, &sub, "price_pro_m", now() + 1);
    let body = event.to_string();
    let t = now();
    let tampered = body.replace("price_pro_m", "price_basic_m");
    let refused = [
        ("forged", body.clone(), Some(signature("whsec_forged", &body, t))),
        ("old", body.clone(), Some(signature(WEBHOOK_SECRET, &body, t - 301))),
        ("missing", body.clone(), None),
        ("tampered body", tampered, Some(signature(WEBHOOK_SECRET, &body, t))),
        ("garbage header", body.clone(), Some("v1=zz".to_owned())),
    ];
    for (what, body, header) in &refused {
        let (status, _) = stripe.send_raw(body, header.as_deref()).await;
        assert_eq!(status, 400, "{what}");
    }
    assert_eq!(refusals(app).await, 5, "each refusal tallied");
    assert!(app.count("SELECT COUNT(*) FROM stripe_refusals").await >= 2, "by reason");
    assert_eq!(app.count("SELECT COUNT(*) FROM stripe_events").await, events, "no event taken");
    assert_eq!(plan_of(app, &b.ws).await, "standard");
    assert_eq!(subscription(app).await, "active|standard|price_standard_m");

    // While a secret is rolled, Stripe signs with both: one match is enough,
    // first or second.
    let v1 = |secret: &str, body: &str| signature(secret, body, t).split_once(",v1=").expect("v1").1.to_owned();
    let header = format!("t={t},v1={},v1={}", v1(WEBHOOK_SECRET, &body), v1("whsec_old", &body));
    let (status, answer) = stripe.send_raw(&body, Some(&header)).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(plan_of(app, &b.ws).await, "pro");
    let body = updated(&b, &sub, "price_basic_m", now() + 2).to_string();
    let header = format!("t={t},v1={},v1={}", v1("whsec_old", &body), v1(WEBHOOK_SECRET, &body));
    let (status, answer) = stripe.send_raw(&body, Some(&header)).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(plan_of(app, &b.ws).await, "basic");
    assert_eq!(refusals(app).await, 5);
}

async fn a_replayed_event_changes_nothing(backend: Backend) {
    let b = billed(backend, |_| {}).await;
    let (app, stripe) = (&b.app, &b.stripe);
    let sub = subscribe(&b, "standard").await;
    let older = updated(&b, &sub, "price_basic_m", now() + 5);
    let newer = updated(&b, &sub, "price_pro_m", now() + 10);
    assert_eq!(stripe.send_event(&older).await, 200);
    assert_eq!(plan_of(app, &b.ws).await, "basic");
    assert_eq!(stripe.send_event(&newer).await, 200);
    assert_eq!(plan_of(app, &b.ws).await, "pro");
    let events = app.count("SELECT COUNT(*) FROM stripe_events").await;
    let audit = app.count("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'billing.%'").await;

    // Stripe retries: the same ids again, freshly signed.
    for replay in [&older, &newer, &older] {
        assert_eq!(stripe.send_event(replay).await, 200, "a replay is acknowledged");
    }
    assert_eq!(plan_of(app, &b.ws).await, "pro", "still the newer state");
    assert_eq!(subscription(app).await, "active|pro|price_pro_m");
    assert_eq!(app.count("SELECT COUNT(*) FROM stripe_events").await, events, "stored once by id");
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'billing.%'").await, audit);

    // A replayed failure does not restart a grace that a payment ended.
    let failed = stripe.event(
        "invoice.payment_failed",
        json!({ "id": "in_replayed", "object": "invoice",
        "customer": stripe.customers().pop(), "subscription": sub, "status": "open" }),
        now() + 11,
    );
    assert_eq!(stripe.send_event(&failed).await, 200);
    assert_eq!(stripe.send_invoice("paid", &sub, now() + 12).await, 200);
    assert_eq!(stripe.send_event(&failed).await, 200);
    assert_eq!(app.count("SELECT COUNT(*) FROM workspaces WHERE billing_past_due_since IS NOT NULL").await, 0);
    for action in ["billing.payment_failed", "billing.payment_recovered"] {
        let sql = format!("SELECT COUNT(*) FROM platform_audit WHERE action = '{action}'");
        assert_eq!(app.count(&sql).await, 1, "{action} once");
    }
}

async fn an_older_event_never_undoes_a_newer_state(backend: Backend) {
    let b = billed(backend, |_| {}).await;
    let (app, stripe) = (&b.app, &b.stripe);
    let sub = subscribe(&b, "standard").await;
    let t = now() + 5;
    let newer = updated(&b, &sub, "price_pro_m", t + 10);
    let older = updated(&b, &sub, "price_basic_m", t);
    assert_eq!(stripe.send_event(&newer).await, 200);
    assert_eq!(stripe.send_event(&older).await, 200, "acknowledged, so Stripe stops sending it");
    assert_eq!(plan_of(app, &b.ws).await, "pro");
    assert_eq!(subscription(app).await, "active|pro|price_pro_m");
    assert_eq!(outcome(app, &older).await, "stale");
    // An older cancellation does not end a newer subscription state either.
    let mut object = stripe.subscription_json(&sub);
    object["status"] = json!("canceled");
    object["current_period_end"] = json!(now() - 60);
    let deleted = stripe.event("customer.subscription.deleted", object, t + 1);
    assert_eq!(stripe.send_event(&deleted).await, 200);
    assert_eq!(plan_of(app, &b.ws).await, "pro");
    assert_eq!(outcome(app, &deleted).await, "stale");
}

async fn unknown_events_and_customers_are_acknowledged(backend: Backend) {
    let b = billed(backend, |_| {}).await;
    let (app, stripe) = (&b.app, &b.stripe);
    let sub = subscribe(&b, "standard").await;
    let before = subscription(app).await;
    let unknown = stripe.event("customer.tax_id.created", json!({ "id": "txi_1", "object": "tax_id" }), now());
    assert_eq!(stripe.send_event(&unknown).await, 200);
    assert_eq!(outcome(app, &unknown).await, "ignored");
    assert_eq!(subscription(app).await, before);

    // A customer and workspace Easel does not know.
    let mut object = stripe.subscription_json(&sub);
    object["id"] = json!("sub_nobody");
    object["customer"] = json!("cus_nobody");
    object["metadata"]["workspace_id"] = json!(uuid::Uuid::now_v7().to_string());
    let stranger = stripe.event("customer.subscription.updated", object, now() + 1);
    assert_eq!(stripe.send_event(&stranger).await, 200, "so Stripe stops retrying");
    assert_eq!(outcome(app, &stranger).await, "unknown_customer");
    let recorded = app.count("SELECT COUNT(*) FROM platform_audit WHERE action = 'billing.unknown_customer'").await;
    assert_eq!(recorded, 1, "recorded for the operator");
    let failed = stripe.event(
        "invoice.payment_failed",
        json!({ "id": "in_nobody", "object": "invoice",
        "customer": "cus_nobody", "subscription": "sub_nobody" }),
        now() + 1,
    );
    assert_eq!(stripe.send_event(&failed).await, 200);
    assert_eq!(outcome(app, &failed).await, "unknown_customer");
    assert_eq!(subscription(app).await, before);
    assert_eq!(app.count("SELECT COUNT(*) FROM workspaces WHERE billing_past_due_since IS NOT NULL").await, 0);

    // A price no plan sells: the plan stays, and the operator hears of it.
    assert_eq!(stripe.send_event(&updated(&b, &sub, "price_nobody_sells", now() + 2)).await, 200);
    assert_eq!(plan_of(app, &b.ws).await, "standard");
    let sql = "SELECT COUNT(*) FROM platform_audit WHERE action = 'billing.unknown_price'";
    assert_eq!(app.count(sql).await, 1);
}

async fn a_complimentary_plan_is_kept(backend: Backend) {
    let b = billed(backend, |_| {}).await;
    let (app, stripe) = (&b.app, &b.stripe);
    let sub = subscribe(&b, "standard").await;
    let by_hand = format!(
        "UPDATE workspaces SET plan = 'unlimited', complimentary_plan = TRUE WHERE id = {}",
        app.uuid_literal(&b.ws)
    );
    assert_eq!(app.try_execute(&by_hand).await.expect("complimentary"), 1);
    assert_eq!(stripe.send_event(&updated(&b, &sub, "price_pro_m", now() + 1)).await, 200);
    assert_eq!(plan_of(app, &b.ws).await, "unlimited", "billing does not override it");
    assert_eq!(b.ada.get("/settings/plan").await.text("#plan-name"), "Unlimited");
    assert_eq!(stripe.send_invoice("payment_failed", &sub, now() + 2).await, 200);
    stripe.edit(&sub, |s| {
        s.status = "canceled".into();
        s.period_end = now() - 60;
    });
    assert_eq!(stripe.send_subscription("deleted", &sub, now() + 3).await, 200);
    assert_eq!(plan_of(app, &b.ws).await, "unlimited", "not even a cancellation");
}

async fn with_billing_off_there_are_no_prices_and_no_billing_routes(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.default_plan = "free".into()).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let page = ada.get("/settings/plan").await;
    page.assert_status(200);
    assert_eq!(page.text("#plan-name"), "Free");
    assert!(page.texts(".plan-price").is_empty(), "{}", page.body);
    assert!(page.attrs("form[action^='/settings/plan/']", "action").is_empty());
    for path in ["/settings/plan/checkout", "/settings/plan/portal"] {
        assert_eq!(ada.post(path, &[("plan", "standard"), ("interval", "month")]).await.status, 404, "{path}");
    }
    let stranger = app.client();
    let webhook = stranger.post_exactly("/stripe/webhook", &[("id", "evt_1")], &[("Stripe-Signature", "t=1,v1=00")]);
    assert_eq!(webhook.await.status, 404);
}

/// The stand-in refuses what Stripe refuses: Easel's calls passing it
/// then mean something.
#[tokio::test]
async fn the_stand_in_checks_calls_as_stripe_does() {
    let stripe = Stripe::start().await;
    stripe.add_price("price_x", 100, "month");
    let http = reqwest::Client::new();
    let send = |path: &str, key: &str, version: &str, form: &[(&str, &str)]| {
        let mut request = http.post(format!("{}{path}", stripe.base)).bearer_auth(key).form(form);
        if !version.is_empty() {
            request = request.header("Stripe-Version", version).header("Idempotency-Key", "k1");
        }
        request.send()
    };
    let v = stripe::API_VERSION;
    let status = |r: reqwest::Result<reqwest::Response>| r.map(|r| r.status().as_u16()).unwrap_or(0);
    assert_eq!(status(send("/v1/customers", "sk_wrong", v, &[]).await), 401);
    assert_eq!(status(send("/v1/customers", stripe::SECRET_KEY, "", &[]).await), 400);
    let customer = |r: reqwest::Response| async { r.json::<Value>().await.expect("json")["id"].clone() };
    let first = customer(send("/v1/customers", stripe::SECRET_KEY, v, &[]).await.expect("answer")).await;
    let again = customer(send("/v1/customers", stripe::SECRET_KEY, v, &[]).await.expect("answer")).await;
    assert_eq!(first, again, "the same Idempotency-Key, the same customer");
    let cus = first.as_str().expect("an id");
    let mut form = vec![("mode", "subscription"), ("customer", cus), ("client_reference_id", "w")];
    form.extend([("line_items[0][price]", "price_x"), ("line_items[0][quantity]", "1")]);
    form.push(("success_url", "http://127.0.0.1/done"));
    let refused = send("/v1/checkout/sessions", stripe::SECRET_KEY, v, &form).await.expect("answer");
    assert_eq!(refused.status(), 400);
    assert!(refused.text().await.expect("text").contains("cancel_url"));
    stripe.answer_500("/v1/customers", 1);
    assert_eq!(status(send("/v1/customers", stripe::SECRET_KEY, v, &[]).await), 500);
    stripe.refuse_connections(1);
    assert_eq!(status(send("/v1/customers", stripe::SECRET_KEY, v, &[]).await), 0, "no answer at all");
    assert_eq!(status(send("/v1/customers", stripe::SECRET_KEY, v, &[]).await), 200);
}

async fn a_canceled_subscription_keeps_the_paid_period_unless_past_due(backend: Backend) {
    let mut b = billed(backend, |_| {}).await;
    let sub = subscribe(&b, "standard").await;
    // Canceled at once in the portal, with a paid period still running.
    b.stripe.edit(&sub, |s| {
        (s.status, s.canceled_at, s.period_end) = ("canceled".into(), Some(now()), now() + 10 * 86_400);
    });
    assert_eq!(b.stripe.send_subscription("deleted", &sub, now() + 1).await, 200);
    assert_eq!(plan_of(&b.app, &b.ws).await, "standard", "paid until the period ends");
    assert_eq!(b.app.count("SELECT COUNT(*) FROM subscriptions WHERE downgrade_at IS NOT NULL").await, 1);

    // The period is over: the sweep (at start, then every minute) moves it to Free.
    let past = match backend {
        // As the app writes times on SQLite (RFC 3339): its claim compares them.
        Backend::Sqlite => "'2000-01-01T00:00:00Z'",
        Backend::Postgres => "now() - interval '1 hour'",
    };
    b.app.try_execute(&format!("UPDATE subscriptions SET downgrade_at = {past}")).await.expect("period over");
    let (secret_key, webhook_secret) = (stripe::SECRET_KEY.into(), stripe::WEBHOOK_SECRET.into());
    let settings = easel::config::billing::Stripe { secret_key, webhook_secret, base_url: b.stripe.base.clone() };
    b.app.restart_with(|c| (c.default_plan, c.billing.stripe) = ("free".into(), Some(settings))).await;
    for _ in 0..200 {
        if plan_of(&b.app, &b.ws).await == "free" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(plan_of(&b.app, &b.ws).await, "free");
    let changes = b.app.strings("SELECT detail FROM audit_log WHERE action = 'billing.plan_changed'").await;
    assert!(changes.last().is_some_and(|d| d.contains("standard → free")), "{changes:?}");

    // Subscribed again (the same customer), behind on payment, canceled: Free at once.
    b.stripe.set_webhook_url(&b.app.url("/stripe/webhook"));
    b.ada = b.ada.at(b.app.url(""));
    let sub = subscribe(&b, "pro").await;
    assert_eq!(plan_of(&b.app, &b.ws).await, "pro");
    assert_eq!(b.stripe.customers().len(), 1, "the customer is reused");
    assert_eq!(b.stripe.send_invoice("payment_failed", &sub, now() + 2).await, 200);
    b.stripe.edit(&sub, |s| (s.status, s.period_end) = ("canceled".into(), now() + 10 * 86_400));
    assert_eq!(b.stripe.send_subscription("deleted", &sub, now() + 3).await, 200);
    assert_eq!(plan_of(&b.app, &b.ws).await, "free", "no paid period left to keep");
    assert_eq!(b.app.count("SELECT COUNT(*) FROM workspaces WHERE billing_past_due_since IS NOT NULL").await, 0);
}

/// Bob's workspace, the test's second, lives in the second database on
/// PostgreSQL: the webhook reaches it there too.
async fn a_second_workspace_pays_yearly_and_bad_choices_are_refused(backend: Backend) {
    let b = billed(backend, |_| {}).await;
    let (app, stripe) = (&b.app, &b.stripe);
    let bob = app.signed_up("Bob", "bob@example.com").await;
    let bob_ws = bob.guards().page_workspace;
    bob.get("/settings/plan").await;
    for (plan, interval) in [("free", "month"), ("platinum", "month"), ("pro", "year")] {
        let refused = bob.post("/settings/plan/checkout", &[("plan", plan), ("interval", interval)]).await;
        assert_eq!(refused.status, 422, "{plan} {interval}: {}", refused.body);
    }
    assert!(stripe.calls("/v1/").is_empty(), "nothing sent to Stripe");
    assert_eq!(app.count("SELECT COUNT(*) FROM billing_checkouts").await, 0);

    let chosen = bob.post("/settings/plan/checkout", &[("plan", "standard"), ("interval", "year")]).await;
    let to = chosen.location().expect("to Checkout").to_owned();
    let call = stripe.calls("/v1/checkout/sessions").pop().expect("a session");
    assert_eq!(call.field("line_items[0][price]"), Some("price_standard_y"));
    assert_eq!(bob.get("/settings/plan?checkout=cancelled").await.texts("#billing-cancelled").len(), 1);
    let page = pay(&b, &bob, &to).await;
    assert_eq!(page.text("#plan-name"), "Standard");
    assert_eq!((plan_of(app, &bob_ws).await, plan_of(app, &b.ws).await), ("standard".into(), "free".into()));
    let mrr = format!("SELECT mrr_cents FROM subscriptions WHERE workspace_id = {}", app.uuid_literal(&bob_ws));
    assert_eq!(app.count(&mrr).await, 9990 / 12, "a twelfth of the yearly price");
    let audit = app.strings("SELECT detail FROM audit_log WHERE action = 'billing.plan_changed'").await;
    assert_eq!(audit.len(), 1, "in Bob's workspace: {audit:?}");
}

/// Stripe sends events at once and out of order; what it could not deliver
/// it sends again. Whatever interleaving, the newest state stays.
async fn events_at_once_still_leave_the_newest_state(backend: Backend) {
    let b = billed(backend, |_| {}).await;
    let (app, stripe) = (&b.app, &b.stripe);
    let sub = subscribe(&b, "standard").await;
    for round in 0..20 {
        let t = now() + 100 + round * 20;
        let (new, old) = if round % 2 == 0 { ("pro", "basic") } else { ("basic", "pro") };
        let newer = updated(&b, &sub, &format!("price_{new}_m"), t + 10);
        let older = updated(&b, &sub, &format!("price_{old}_m"), t);
        let (z, a) = tokio::join!(stripe.send_event(&newer), stripe.send_event(&older));
        // Stripe retries what was not acknowledged (bounded here).
        for (event, mut status) in [(&older, a), (&newer, z)] {
            for _ in 0..5 {
                if status == 200 {
                    break;
                }
                status = stripe.send_event(event).await;
            }
            assert_eq!(status, 200, "round {round}");
        }
        assert_eq!(plan_of(app, &b.ws).await, new, "round {round}: the newer event's plan");
    }
}

//! Billing with Stripe (issue 19) against the stand-in Stripe: an owner
//! subscribes through Checkout; trials, upgrades, downgrades, failed
//! payments and cancellations reach the workspace through the webhook;
//! only owners see prices and pay; with billing off nothing of it exists.

use easel::config::Config;

use crate::{
    collections::upload,
    harness::{
        Backend, Client, Page, TestApp, art,
        stripe::{self, Stripe, now},
    },
    on_both_backends,
};

on_both_backends!(
    an_owner_subscribes_through_checkout,
    a_trial_becomes_active,
    upgrades_and_a_downgrade_below_usage_delete_nothing,
    a_failed_payment_gives_grace_then_read_only_until_paid,
    a_cancellation_at_the_period_end_returns_to_free,
    stripe_unreachable_on_choose_changes_nothing_and_a_retry_works,
    only_owners_see_prices_and_pay,
);

/// An app with billing on against a stand-in Stripe, new workspaces on
/// Free, and Ada, an owner.
pub struct Billed {
    pub app: TestApp,
    pub stripe: Stripe,
    pub ada: Client,
    pub ws: String,
}

pub async fn billed(backend: Backend, tweak: impl FnOnce(&mut Config)) -> Billed {
    let stripe = Stripe::start().await;
    stripe.add_price("price_basic_m", 499, "month");
    stripe.add_price("price_standard_m", 999, "month");
    stripe.add_price("price_standard_y", 9990, "year");
    stripe.add_price("price_pro_m", 1999, "month");
    let (secret_key, webhook_secret) = (stripe::SECRET_KEY.into(), stripe::WEBHOOK_SECRET.into());
    let settings = easel::config::billing::Stripe { secret_key, webhook_secret, base_url: stripe.base.clone() };
    let app = TestApp::spawn_with(backend, move |c| {
        (c.default_plan, c.billing.stripe) = ("free".into(), Some(settings));
        tweak(c);
    })
    .await;
    // What an operator enters on /admin/plans.
    for (plan, monthly, yearly) in [
        ("basic", "price_basic_m", ""),
        ("standard", "price_standard_m", "price_standard_y"),
        ("pro", "price_pro_m", ""),
    ] {
        let set = format!("stripe_price_monthly = '{monthly}', stripe_price_yearly = '{yearly}'");
        app.try_execute(&format!("UPDATE plans SET {set} WHERE key = '{plan}'")).await.expect("plan prices");
    }
    app.try_execute("UPDATE plans SET price_yearly_cents = 9990 WHERE key = 'standard'").await.expect("yearly");
    stripe.set_webhook_url(&app.url("/stripe/webhook"));
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let ws = ada.guards().page_workspace;
    Billed { app, stripe, ada, ws }
}

/// "Choose <plan>" (monthly) on the plan page.
pub async fn choose(client: &Client, plan: &str) -> Page {
    client.get("/settings/plan").await;
    client.post("/settings/plan/checkout", &[("plan", plan), ("interval", "month")]).await
}

/// Pays on the stand-in's Checkout page as a browser without scripts
/// would (its form, then the redirect back), and shows where it lands.
pub async fn pay(b: &Billed, who: &Client, checkout_url: &str) -> Page {
    let shop = Client::new(b.stripe.base.clone());
    let page = shop.get(checkout_url.trim_start_matches(&b.stripe.base)).await;
    page.assert_status(200);
    let action = page.attrs("form[method=post]", "action").pop().expect("the Pay form");
    let back = shop.post_exactly(&action, &[], &[]).await;
    let to = back.location().expect("back to Easel").to_owned();
    let path = to.strip_prefix(&b.app.url("")).unwrap_or_else(|| panic!("back to Easel, not {to}"));
    who.get(path).await
}

/// Ada subscribes to `plan`; the stand-in's subscription id.
pub async fn subscribe(b: &Billed, plan: &str) -> String {
    let to = choose(&b.ada, plan).await.location().expect("to Checkout").to_owned();
    pay(b, &b.ada, &to).await.assert_status(200);
    b.stripe.subscriptions().pop().expect("a subscription").id
}

pub async fn plan_of(app: &TestApp, ws: &str) -> String {
    let sql = format!("SELECT plan FROM workspaces WHERE id = {}", app.uuid_literal(ws));
    app.strings(&sql).await.pop().expect("a workspace")
}

/// The subscription row as `status|plan|price`.
pub async fn subscription(app: &TestApp) -> String {
    app.strings("SELECT status || '|' || plan || '|' || price_id FROM subscriptions").await.join(",")
}

/// `#billing-status`, in lower case (empty when there is none).
fn status_of(page: &Page) -> String {
    page.texts("#billing-status").join(" ").to_lowercase()
}

async fn audited(app: &TestApp, table: &str, action: &str) -> Vec<String> {
    app.strings(&format!("SELECT detail FROM {table} WHERE action = '{action}' ORDER BY created_at")).await
}

async fn an_owner_subscribes_through_checkout(backend: Backend) {
    let b = billed(backend, |_| {}).await;
    let (app, stripe, ada, ws) = (&b.app, &b.stripe, &b.ada, b.ws.as_str());
    let page = ada.get("/settings/plan").await;
    assert_eq!(page.text("#plan-name"), "Free");
    let price = page.text("article.plan-card[data-plan='standard'] .plan-price");
    assert!(price.starts_with("$9.99 / month"), "{price}");
    let form = "article.plan-card[data-plan='standard'] form[action='/settings/plan/checkout']";
    assert!(page.attrs(&format!("{form} input[name=interval]"), "value").contains(&"month".to_owned()));
    assert!(page.attrs(&format!("{form} input[name=plan]"), "value").iter().all(|p| p == "standard"));
    assert!(page.texts(&format!("{form} button")).contains(&"Choose Standard".to_owned()), "{}", page.body);

    // A double click (both at once, then a third): one Checkout Session, every answer goes to it.
    let fields = [("plan", "standard"), ("interval", "month")];
    let checkout = || ada.post("/settings/plan/checkout", &fields);
    let (first, second) = tokio::join!(checkout(), checkout());
    assert_eq!(checkout().await.location(), second.location());
    let url = first.location().unwrap_or_else(|| panic!("to Checkout: {} {}", first.status, first.body)).to_owned();
    assert!(url.starts_with(&format!("{}/checkout/cs_", stripe.base)), "{url}");
    assert_eq!(second.location(), Some(url.as_str()), "the second click goes to the same session");
    assert_eq!(stripe.calls("/v1/checkout/sessions").len(), 1, "one session made");
    let customers = stripe.calls("/v1/customers");
    assert_eq!(stripe.customers().len(), 1, "one customer made");
    assert_eq!(customers[0].method, "POST");
    assert_eq!(customers[0].field("email"), Some("ada@example.com"));
    assert_eq!(customers[0].field("metadata[workspace_id]"), Some(ws));
    let call = &stripe.calls("/v1/checkout/sessions")[0];
    assert_eq!(call.header("authorization"), format!("Bearer {}", stripe::SECRET_KEY));
    assert_eq!(call.header("stripe-version"), stripe::API_VERSION);
    let base = app.url("");
    let customer = stripe.customers().pop().expect("a customer");
    let expected = [
        ("mode", "subscription"),
        ("customer", &customer),
        ("client_reference_id", ws),
        ("line_items[0][price]", "price_standard_m"),
        ("line_items[0][quantity]", "1"),
        ("success_url", &format!("{base}/settings/plan?checkout=done&session={{CHECKOUT_SESSION_ID}}")),
        ("cancel_url", &format!("{base}/settings/plan?checkout=cancelled")),
        ("metadata[workspace_id]", ws),
        ("subscription_data[metadata][workspace_id]", ws),
    ];
    for (field, value) in expected {
        assert_eq!(call.field(field), Some(value), "{field} in {:?}", call.form);
    }
    assert_eq!(call.field("subscription_data[trial_period_days]"), None, "no trial unless configured");

    // Back from Checkout before the webhook: the payment is being confirmed.
    let session = url.rsplit('/').next().expect("session id");
    let pending = ada.get(&format!("/settings/plan?checkout=done&session={session}")).await;
    assert!(pending.text("#billing-pending").contains("being confirmed"), "{}", pending.body);
    assert_eq!(pending.text("#plan-name"), "Free");

    let back = pay(&b, ada, &url).await;
    let kinds: Vec<_> = stripe.deliveries().iter().map(|d| (d.kind.clone(), d.status)).collect();
    let order = ["checkout.session.completed", "customer.subscription.created", "invoice.paid"];
    assert_eq!(kinds, order.map(|k| (k.to_owned(), 200)), "each webhook taken");
    assert!(stripe.deliveries()[0].body.contains(session), "the completed session");
    assert!(back.texts("#billing-pending").is_empty(), "{}", back.body);
    assert_eq!(back.text("#plan-name"), "Standard");
    assert_eq!(back.text("[data-meter='Images'] [data-limit]"), "5000");
    assert_eq!(plan_of(app, ws).await, "standard");
    assert_eq!(subscription(app).await, "active|standard|price_standard_m");
    assert_eq!(app.count("SELECT mrr_cents FROM subscriptions").await, 999);
    assert_eq!(app.count("SELECT COUNT(*) FROM billing_checkouts WHERE completed_at IS NOT NULL").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM stripe_events").await, 3);
    // A subscriber changes plans in the portal.
    assert!(back.attrs("form[action='/settings/plan/checkout']", "action").is_empty(), "{}", back.body);
    assert!(back.texts("form[action='/settings/plan/portal'] button").contains(&"Manage billing".to_owned()));
    let portal = ada.post("/settings/plan/portal", &[]).await;
    assert_eq!(portal.location(), Some(format!("{}/portal/{customer}", stripe.base).as_str()));
    let call = stripe.calls("/v1/billing_portal/sessions").pop().expect("a portal session");
    assert_eq!(call.field("customer"), Some(customer.as_str()));
    assert_eq!(call.field("return_url"), Some(format!("{base}/settings/plan").as_str()));

    for table in ["audit_log", "platform_audit"] {
        let changes = audited(app, table, "billing.plan_changed").await;
        assert_eq!(changes.len(), 1, "{table}: {changes:?}");
        assert!(changes[0].contains("free") && changes[0].contains("standard"), "{table}: {changes:?}");
    }
}

async fn a_trial_becomes_active(backend: Backend) {
    let b = billed(backend, |c| c.billing.trial_days = 14).await;
    let (app, stripe, ada) = (&b.app, &b.stripe, &b.ada);
    // A plan's own trial beats EASEL_TRIAL_DAYS.
    app.try_execute("UPDATE plans SET trial_days = 30 WHERE key = 'pro'").await.expect("pro's trial");
    choose(ada, "pro").await.location().expect("to Checkout");
    let trial = |i: usize| {
        stripe.calls("/v1/checkout/sessions")[i].field("subscription_data[trial_period_days]").map(str::to_owned)
    };
    assert_eq!(trial(0).as_deref(), Some("30"));
    let to = choose(ada, "standard").await.location().expect("to Checkout").to_owned();
    assert_eq!(trial(1).as_deref(), Some("14"));

    let page = pay(&b, ada, &to).await;
    assert_eq!(page.text("#plan-name"), "Standard", "a trial gives the plan");
    assert!(status_of(&page).contains("trial of standard until"), "{}", page.body);
    assert_eq!(subscription(app).await, "trialing|standard|price_standard_m");
    assert_eq!(app.count("SELECT mrr_cents FROM subscriptions").await, 0, "no revenue from a trial");

    let sub = stripe.subscriptions().pop().expect("a subscription").id;
    stripe.edit(&sub, |s| {
        s.status = "active".into();
        s.trial_end = Some(now());
    });
    assert_eq!(stripe.send_subscription("updated", &sub, now() + 1).await, 200);
    let page = ada.get("/settings/plan").await;
    assert_eq!(page.text("#plan-name"), "Standard");
    assert!(!status_of(&page).contains("trial"), "{}", page.body);
    assert_eq!(subscription(app).await, "active|standard|price_standard_m");
    assert_eq!(app.count("SELECT mrr_cents FROM subscriptions").await, 999);
}

async fn upgrades_and_a_downgrade_below_usage_delete_nothing(backend: Backend) {
    let b = billed(backend, |_| {}).await;
    let (app, stripe, ada) = (&b.app, &b.stripe, &b.ada);
    let sub = subscribe(&b, "standard").await;
    for seed in 1..=3 {
        upload(ada, &format!("{seed}.png"), seed).await;
    }
    stripe.edit(&sub, |s| s.price = "price_pro_m".into());
    assert_eq!(stripe.send_subscription("updated", &sub, now() + 1).await, 200);
    let page = ada.get("/settings/plan").await;
    assert_eq!(page.text("#plan-name"), "Pro");
    assert_eq!(page.text("[data-meter='Images'] [data-limit]"), "20000");
    assert_eq!(app.count("SELECT mrr_cents FROM subscriptions").await, 1999);

    // Basic allows two images; the workspace has three.
    app.try_execute("UPDATE plans SET max_images = 2 WHERE key = 'basic'").await.expect("basic's limit");
    stripe.edit(&sub, |s| s.price = "price_basic_m".into());
    assert_eq!(stripe.send_subscription("updated", &sub, now() + 2).await, 200);
    let page = ada.get("/settings/plan").await;
    assert_eq!(page.text("#plan-name"), "Basic");
    let exceeded = page.texts("#limits-exceeded li");
    assert!(exceeded.iter().any(|l| l.contains("Images")), "{exceeded:?}\n{}", page.body);
    assert_eq!(exceeded.len(), 1, "only images: {exceeded:?}");
    assert_eq!(app.count("SELECT COUNT(*) FROM images").await, 3, "nothing deleted");
    ada.get("/images").await;
    let refused = ada.upload("/images", &[("four.png", art::png(4))]).await;
    refused.assert_status(422);
    assert!(refused.text("p.lead").contains("limit of 2 images on the Basic plan"), "{}", refused.body);
    assert_eq!(audited(app, "audit_log", "billing.plan_changed").await.len(), 3);
    assert_eq!(audited(app, "platform_audit", "billing.plan_changed").await.len(), 3);
}

/// Moves the start of the failed payment `days` back.
async fn past_due_for(app: &TestApp, ws: &str, backend: Backend, days: i64) {
    let t = time::OffsetDateTime::now_utc() - time::Duration::days(days);
    let text = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    let since = match backend {
        Backend::Sqlite => format!("'{}'", t.format(text).expect("a time")),
        Backend::Postgres => format!("now() - interval '{days} days'"),
    };
    let sql = format!("UPDATE workspaces SET billing_past_due_since = {since} WHERE id = {}", app.uuid_literal(ws));
    assert_eq!(app.try_execute(&sql).await.expect("past due"), 1);
}

async fn a_failed_payment_gives_grace_then_read_only_until_paid(backend: Backend) {
    let b = billed(backend, |_| {}).await;
    let (app, stripe, ada) = (&b.app, &b.stripe, &b.ada);
    let sub = subscribe(&b, "standard").await;
    let past_due = "SELECT COUNT(*) FROM workspaces WHERE billing_past_due_since IS NOT NULL";

    assert_eq!(stripe.send_invoice("payment_failed", &sub, now() + 1).await, 200);
    let page = ada.get("/settings/plan").await;
    assert!(status_of(&page).contains("payment failed"), "{}", page.body);
    assert_eq!(page.text("#plan-name"), "Standard");
    assert_eq!(subscription(app).await, "past_due|standard|price_standard_m");
    assert_eq!(app.count(past_due).await, 1, "the grace starts");
    assert_eq!(audited(app, "platform_audit", "billing.payment_failed").await.len(), 1);
    let notice = ada.get("/collections").await.text("#billing-grace-notice");
    assert!(notice.contains("Fix payment"), "a banner for the owner: {notice}");
    ada.post("/collections", &[("name", "In grace"), ("description", "")]).await.assert_status(303);

    // The grace is over: read-only, but paying is still possible.
    past_due_for(app, &b.ws, backend, 8).await;
    assert_eq!(ada.get("/collections").await.assert_status(200).texts("#billing-locked-notice").len(), 1);
    let refused = ada.post("/collections", &[("name", "Locked"), ("description", "")]).await;
    refused.assert_status(403);
    assert!(refused.body.contains("grace period is over"), "{}", refused.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM collections").await, 1);
    ada.get("/settings/plan").await.assert_status(200);
    let portal = ada.post("/settings/plan/portal", &[]).await;
    assert!(portal.location().is_some_and(|l| l.starts_with(&format!("{}/portal/", stripe.base))), "{}", portal.body);

    assert_eq!(stripe.send_invoice("paid", &sub, now() + 2).await, 200);
    assert_eq!(app.count(past_due).await, 0);
    assert_eq!(subscription(app).await, "active|standard|price_standard_m");
    assert!(ada.get("/collections").await.texts(".billing-notice").is_empty());
    ada.post("/collections", &[("name", "Paid"), ("description", "")]).await.assert_status(303);
}

async fn a_cancellation_at_the_period_end_returns_to_free(backend: Backend) {
    let b = billed(backend, |_| {}).await;
    let (app, stripe, ada) = (&b.app, &b.stripe, &b.ada);
    let sub = subscribe(&b, "standard").await;
    stripe.edit(&sub, |s| s.cancel_at_period_end = true);
    assert_eq!(stripe.send_subscription("updated", &sub, now() + 1).await, 200);
    let page = ada.get("/settings/plan").await;
    assert!(status_of(&page).contains("cancels on"), "{}", page.body);
    assert_eq!(page.text("#plan-name"), "Standard", "paid until the period ends");

    stripe.edit(&sub, |s| {
        s.status = "canceled".into();
        (s.period_start, s.period_end) = (now() - 30 * 86_400, now() - 60);
        s.canceled_at = Some(now());
    });
    assert_eq!(stripe.send_subscription("deleted", &sub, now() + 2).await, 200);
    let page = ada.get("/settings/plan").await;
    assert_eq!(page.text("#plan-name"), "Free");
    assert_eq!(plan_of(app, &b.ws).await, "free");
    assert!(subscription(app).await.starts_with("canceled|"), "{}", subscription(app).await);
    assert_eq!(app.count("SELECT mrr_cents FROM subscriptions").await, 0);
    assert_eq!(audited(app, "platform_audit", "billing.canceled").await.len(), 1);
    assert!(!page.attrs("form[action='/settings/plan/checkout']", "action").is_empty(), "may subscribe again");
}

async fn stripe_unreachable_on_choose_changes_nothing_and_a_retry_works(backend: Backend) {
    let b = billed(backend, |_| {}).await;
    let (app, stripe, ada) = (&b.app, &b.stripe, &b.ada);
    let failures: [(&str, &dyn Fn()); 3] = [
        ("a 500 on the customer", &|| stripe.answer_500("/v1/customers", 1)),
        ("a 500 on the session", &|| stripe.answer_500("/v1/checkout/sessions", 1)),
        ("a refused connection", &|| stripe.refuse_connections(1)),
    ];
    for (what, fail) in failures {
        fail();
        choose(ada, "standard").await.assert_redirect("/settings/plan");
        let page = ada.get("/settings/plan").await;
        assert!(page.text(".flash-error").contains("Stripe could not be reached just now"), "{what}: {}", page.body);
        assert_eq!(app.count("SELECT COUNT(*) FROM billing_checkouts").await, 0, "{what}");
    }
    let retry = choose(ada, "standard").await;
    assert!(retry.location().is_some_and(|l| l.starts_with(&format!("{}/checkout/", stripe.base))), "{}", retry.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM billing_checkouts").await, 1);
    assert_eq!(plan_of(app, &b.ws).await, "free");
}

async fn only_owners_see_prices_and_pay(backend: Backend) {
    use easel::tenancy::{Access, Permission::ManageBilling, ROUTES};
    for (method, path, access) in [
        ("POST", "/settings/plan/checkout", Access::Needs(ManageBilling)),
        ("POST", "/settings/plan/portal", Access::Needs(ManageBilling)),
        ("POST", "/stripe/webhook", Access::Public),
    ] {
        assert!(ROUTES.contains(&(method, path, access)), "{method} {path} in the route table");
    }
    let b = billed(backend, |_| {}).await;
    let (app, stripe, ws) = (&b.app, &b.stripe, b.ws.as_str());
    for (name, role) in [("Al", "admin"), ("Mo", "member"), ("Vi", "viewer")] {
        let email = format!("{}@example.com", name.to_lowercase());
        let client = app.signed_up(name, &email).await;
        app.add_member(ws, &email, role).await;
        client.post("/workspaces/switch", &[("workspace_id", ws), ("back", "/")]).await;
        let page = client.get("/settings/plan").await;
        if role == "admin" {
            page.assert_status(200);
            assert_eq!(page.text("#plan-name"), "Free");
            assert!(!page.texts("article.plan-card").is_empty(), "admins see the plans");
            assert!(page.texts(".plan-price").is_empty(), "no prices for an admin");
            assert!(page.attrs("form[action^='/settings/plan/']", "action").is_empty(), "no payment forms");
        } else {
            page.assert_status(403);
        }
        for path in ["/settings/plan/checkout", "/settings/plan/portal"] {
            let answer = client.post(path, &[("plan", "standard"), ("interval", "month")]).await;
            assert!(matches!(answer.status, 403 | 404), "{role}: {path} answered {}", answer.status);
        }
    }
    assert!(stripe.calls("/v1/").is_empty(), "nothing sent to Stripe");

    // Another workspace's owner acts on their own workspace only.
    subscribe(&b, "standard").await;
    let bob = app.signed_up("Bob", "bob@example.com").await;
    bob.get("/settings/plan").await;
    bob.post("/settings/plan/portal", &[]).await.assert_redirect("/settings/plan");
    assert!(bob.get("/settings/plan").await.texts(".flash-error").len() == 1, "no customer yet");
    assert_eq!(stripe.calls("/v1/billing_portal/sessions").len(), 0, "never Ada's portal");
    let guards = bob.guards();
    let forged =
        [("csrf_token", guards.csrf_token.as_str()), ("page_workspace", ws), ("plan", "pro"), ("interval", "month")];
    let answer = bob.post_exactly("/settings/plan/checkout", &forged, &[]).await;
    assert_eq!(answer.status, 409, "a page of another workspace: {}", answer.body);
    choose(&bob, "pro").await.location().expect("Bob's own checkout");
    let call = stripe.calls("/v1/checkout/sessions").pop().expect("Bob's session");
    assert_ne!(call.field("client_reference_id"), Some(ws));
    assert_eq!(call.field("client_reference_id"), Some(guards.page_workspace.as_str()));
    assert_eq!(stripe.calls("/v1/customers").pop().expect("Bob's customer").field("email"), Some("bob@example.com"));
    assert_eq!(plan_of(app, ws).await, "standard");
}

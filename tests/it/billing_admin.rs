//! Billing from the operator's side (issue 19): each plan's Stripe prices
//! on `/admin/plans`, the dashboard's Billing panel computed from the stored
//! rows, a workspace's subscription, and a complimentary plan set by hand.
//! The rows are written behind the app's back, as the webhook would leave
//! them: the webhook itself is tested with the owner's side.

use time::{OffsetDateTime, format_description::well_known::Rfc3339};

use crate::{
    harness::{Backend, Client, TestApp},
    on_both_backends,
};

on_both_backends!(
    the_plans_form_saves_prices_and_refuses_bad_or_shared_ones,
    the_billing_panel_adds_up_subscriptions_failures_and_churn,
    a_workspace_page_shows_its_subscription_with_links_to_stripe,
    a_complimentary_plan_is_saved_shown_and_audited,
    only_platform_admins_see_or_change_billing,
);

async fn operator(app: &TestApp) -> Client {
    let oz = app.signed_up("Oz", "oz@example.com").await;
    assert!(easel::admin::set_platform_admin(&app.db, "oz@example.com", true, "test").await.expect("grant"));
    oz
}

/// An app with billing on; nothing here calls Stripe.
async fn billing_app(backend: Backend) -> TestApp {
    TestApp::spawn_with(backend, |c| {
        c.billing.stripe = Some(easel::config::billing::Stripe {
            secret_key: "sk_test_x".into(),
            webhook_secret: "whsec_x".into(),
            base_url: "http://127.0.0.1:9".into(),
        });
        c.billing.grace = std::time::Duration::from_secs(7 * 86_400);
    })
    .await
}

/// A moment `days` ago (ahead when negative), as an SQL literal both
/// backends read as the app writes it.
fn ago(days: i64) -> String {
    let at = OffsetDateTime::now_utc() - time::Duration::days(days);
    format!("'{}'", at.format(&Rfc3339).expect("format"))
}

async fn exec(app: &TestApp, sql: &str) {
    app.try_execute(sql).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// Every plan's billing columns and its image limit, in order.
async fn plan_rows(app: &TestApp) -> Vec<String> {
    app.strings(
        "SELECT key || '|' || stripe_price_monthly || '|' || stripe_price_yearly || '|' || \
           CAST(price_monthly_cents AS TEXT) || '|' || CAST(price_yearly_cents AS TEXT) || '|' || \
           COALESCE(CAST(trial_days AS TEXT), '-') || '|' || COALESCE(CAST(max_images AS TEXT), '-') \
         FROM plans ORDER BY position",
    )
    .await
}

async fn the_plans_form_saves_prices_and_refuses_bad_or_shared_ones(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let oz = operator(&app).await;
    let page = oz.get("/admin/plans").await;
    assert_eq!(page.attrs("#basic-price-monthly", "value"), ["4.99"], "the seeded display price");
    assert_eq!(page.text("label[for='basic-stripe-monthly']"), "Stripe price, monthly");
    assert!(!page.texts("#billing-off").is_empty(), "billing is off in this app");
    let basic = [
        ("images", "1000"),
        ("stripe_price_monthly", "price_basic_m"),
        ("stripe_price_yearly", "price_basic_y"),
        ("price_monthly", "4.99"),
        ("price_yearly", "$49.90"),
        ("trial_days", "14"),
    ];
    oz.post("/admin/plans/basic", &basic).await.assert_redirect("/admin/plans");
    assert!(plan_rows(&app).await.contains(&"basic|price_basic_m|price_basic_y|499|4990|14|1000".to_owned()));
    let page = oz.get("/admin/plans").await;
    assert_eq!(page.attrs("#basic-stripe-yearly", "value"), ["price_basic_y"]);
    assert_eq!(page.attrs("#basic-price-yearly", "value"), ["49.90"]);
    assert_eq!(page.attrs("#basic-trial", "value"), ["14"]);

    // Refused with a 422 and nothing changed: a price of another plan, a
    // price used twice, ids and amounts that are not ones, a trial too long.
    let before = plan_rows(&app).await;
    let refusals: [(&str, &str, &str); 7] = [
        ("stripe_price_monthly", "price_basic_y", "already sells the Basic plan"),
        ("stripe_price_yearly", "price_basic_m", "already sells the Basic plan"),
        ("stripe_price_monthly", "prod_standard", "starts with \"price_\""),
        ("stripe_price_yearly", "price_a b", "starts with \"price_\""),
        ("price_monthly", "9.999", "in dollars, like 9.99"),
        ("price_yearly", "-5", "in dollars, like 9.99"),
        ("trial_days", "731", "from 0 to 730"),
    ];
    for (field, value, says) in refusals {
        oz.get("/admin/plans").await;
        let page = oz.post("/admin/plans/standard", &[("images", "5"), (field, value)]).await;
        assert_eq!(page.status, 422, "{field}={value}");
        let said = page.text(".error-card .lead");
        assert!(said.contains(says) && said.ends_with("Nothing was changed."), "{field}: {said}");
        assert_eq!(plan_rows(&app).await, before, "{field}={value} changed nothing");
    }
    oz.get("/admin/plans").await;
    let same = [("stripe_price_monthly", "price_std"), ("stripe_price_yearly", "price_std")];
    oz.post("/admin/plans/standard", &same).await.assert_status(422);
    assert_eq!(plan_rows(&app).await, before);

    // A form from before billing (limits only) keeps the prices; empty
    // fields clear them, and an empty trial is EASEL_TRIAL_DAYS again.
    oz.get("/admin/plans").await;
    oz.post("/admin/plans/basic", &[("images", "1500")]).await.assert_redirect("/admin/plans");
    assert!(plan_rows(&app).await.contains(&"basic|price_basic_m|price_basic_y|499|4990|14|1500".to_owned()));
    let cleared = [("stripe_price_yearly", ""), ("price_yearly", ""), ("trial_days", ""), ("images", "1500")];
    oz.get("/admin/plans").await;
    oz.post("/admin/plans/basic", &cleared).await.assert_redirect("/admin/plans");
    assert!(plan_rows(&app).await.contains(&"basic|price_basic_m||499|0|-|1500".to_owned()));
    // The price freed by Basic may now sell Standard.
    oz.get("/admin/plans").await;
    let standard = [("stripe_price_yearly", "price_basic_y"), ("price_yearly", "99")];
    oz.post("/admin/plans/standard", &standard).await.assert_redirect("/admin/plans");
    assert!(plan_rows(&app).await.iter().any(|r| r.starts_with("standard||price_basic_y|999|9900|-|")));

    let dashboard = oz.get("/admin").await;
    assert!(dashboard.texts("#billing-panel").is_empty(), "no panel while billing is off");
    assert!(dashboard.text("#billing-off").contains("EASEL_STRIPE_SECRET_KEY"));
}

/// A subscription row as the webhook would store it.
async fn subscribe(app: &TestApp, workspace: &str, who: &str, plan: &str, status: &str, cents: (i64, i64)) {
    let (amount, mrr) = cents;
    let interval = if amount > mrr && mrr > 0 { "year" } else { "month" };
    exec(
        app,
        &format!(
            "INSERT INTO subscriptions (workspace_id, customer_id, subscription_id, price_id, plan, status, \
               billing_interval, amount_cents, mrr_cents, currency, current_period_start, current_period_end, \
               cancel_at_period_end, updated_at) \
             VALUES ({}, 'cus_{who}', 'sub_{who}', 'price_{plan}', '{plan}', '{status}', '{interval}', {amount}, \
               {mrr}, 'usd', {}, {}, FALSE, {})",
            app.uuid_literal(workspace),
            ago(3),
            ago(-27),
            ago(0)
        ),
    )
    .await;
}

async fn audit(app: &TestApp, action: &str, detail: &str, days_ago: i64) {
    let id = app.uuid_literal(&uuid::Uuid::now_v7().to_string());
    exec(
        app,
        &format!(
            "INSERT INTO platform_audit (id, actor_id, actor_email, action, workspace_id, workspace_name, detail, \
               created_at) VALUES ({id}, NULL, 'stripe', '{action}', NULL, '', '{detail}', {})",
            ago(days_ago)
        ),
    )
    .await;
}

async fn event(app: &TestApp, id: &str, kind: &str, days_ago: i64) {
    let sql = format!(
        "INSERT INTO stripe_events (id, kind, created, workspace_id, outcome, detail, received_at) \
         VALUES ('{id}', '{kind}', 0, NULL, 'applied', '', {})",
        ago(days_ago)
    );
    exec(app, &sql).await;
}

async fn the_billing_panel_adds_up_subscriptions_failures_and_churn(backend: Backend) {
    let app = billing_app(backend).await;
    let mut ws = Vec::new();
    for (name, email) in [("Ada", "ada@example.com"), ("Bea", "bea@example.com"), ("Cy", "cy@example.com")] {
        ws.push(app.signed_up(name, email).await.guards().page_workspace);
    }
    let dan = app.signed_up("Dan", "dan@example.com").await.guards().page_workspace;
    let eve = app.signed_up("Eve", "eve@example.com").await.guards().page_workspace;
    let oz = operator(&app).await;
    let empty = oz.get("/admin").await;
    assert_eq!(empty.text("#billing-mrr"), "$0.00");
    assert_eq!(empty.text("#billing-churn"), "0 of 0 (0.0%)");
    assert!(empty.texts("#billing-off").is_empty());

    subscribe(&app, &ws[0], "ada", "standard", "active", (999, 999)).await;
    subscribe(&app, &ws[1], "bea", "pro", "active", (1999, 1999)).await;
    assert_eq!(oz.get("/admin").await.text("#billing-mrr"), "$29.98");

    // A yearly price counts a twelfth (the webhook stores it so); a trial
    // pays nothing yet, whatever its row says; a failing payment still counts.
    subscribe(&app, &ws[2], "cy", "basic", "trialing", (499, 499)).await;
    subscribe(&app, &dan, "dan", "basic", "past_due", (4990, 416)).await;
    subscribe(&app, &eve, "eve", "pro", "canceled", (1999, 0)).await;
    for (id, kind, days) in [
        ("evt_1", "invoice.payment_failed", 1),
        ("evt_2", "invoice.payment_failed", 29),
        ("evt_3", "invoice.payment_failed", 31),
        ("evt_4", "invoice.paid", 1),
    ] {
        event(&app, id, kind, days).await;
    }
    audit(&app, "billing.canceled", "pro → free (canceled)", 5).await;
    audit(&app, "billing.canceled", "basic → free (canceled)", 45).await;
    audit(&app, "billing.unknown_customer", "customer cus_ghost (evt_9)", 2).await;
    let past_due = |id: &str, days| {
        format!("UPDATE workspaces SET billing_past_due_since = {} WHERE id = {}", ago(days), app.uuid_literal(id))
    };
    exec(&app, &past_due(&dan, 2)).await;
    exec(&app, &past_due(&eve, 10)).await;
    exec(&app, &format!("INSERT INTO stripe_refusals (reason, count, last_at, last_ip) VALUES ('bad signature', 3, {}, '127.0.0.1')", ago(0))).await;

    let page = oz.get("/admin").await;
    assert_eq!(page.text("#billing-mrr"), "$34.14", "999 + 1999 + 416");
    assert_eq!(
        page.text("#billing-failed"),
        "2",
        "two failures in 30 days; the older one and a paid invoice do not count"
    );
    assert_eq!(page.text("#billing-churn"), "1 of 4 (25.0%)", "one ended of three subscribers now plus it");
    let cell =
        |plan: &str, col: &str| page.text(&format!("table#billing-plans tr[data-plan='{plan}'] td[data-col='{col}']"));
    assert_eq!((cell("standard", "active"), cell("standard", "trialing")), ("1".into(), "0".into()));
    assert_eq!(
        (cell("pro", "active"), cell("basic", "trialing"), cell("basic", "active")),
        ("1".into(), "1".into(), "0".into())
    );
    assert_eq!(page.texts("table#billing-plans tbody tr").len(), 3, "past due and canceled are not subscribers here");
    let lapsed = page.texts("#billing-grace li");
    assert_eq!(lapsed.len(), 2, "{lapsed:?}");
    assert!(lapsed[0].starts_with("Eve's studio") && lapsed[0].contains("read-only"), "{lapsed:?}");
    assert!(lapsed[1].starts_with("Dan's studio") && lapsed[1].contains("in grace until"), "{lapsed:?}");
    assert_eq!(
        page.attrs("#billing-grace li a", "href"),
        [format!("/admin/workspaces/{eve}"), format!("/admin/workspaces/{dan}")]
    );
    assert_eq!(page.texts("#billing-refusals tbody td")[..2], ["bad signature", "3"]);
    assert!(page.text("#billing-unknown").contains("customer cus_ghost (evt_9)"));
}

async fn a_workspace_page_shows_its_subscription_with_links_to_stripe(backend: Backend) {
    let app = billing_app(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await.guards().page_workspace;
    let bea = app.signed_up("Bea", "bea@example.com").await.guards().page_workspace;
    let oz = operator(&app).await;
    let page = oz.get(&format!("/admin/workspaces/{ada}")).await;
    assert_eq!(page.text("#subscription #no-subscription"), "No subscription.");

    subscribe(&app, &ada, "ada", "standard", "active", (999, 999)).await;
    subscribe(&app, &bea, "bea", "pro", "past_due", (23988, 1999)).await;
    exec(
        &app,
        &format!(
            "UPDATE subscriptions SET cancel_at_period_end = TRUE, trial_end = {} WHERE customer_id = 'cus_bea'",
            ago(20)
        ),
    )
    .await;
    exec(
        &app,
        &format!("UPDATE workspaces SET billing_past_due_since = {} WHERE id = {}", ago(1), app.uuid_literal(&bea)),
    )
    .await;

    let page = oz.get(&format!("/admin/workspaces/{ada}")).await;
    let field = |page: &crate::harness::Page, f: &str| page.text(&format!("#subscription [data-field='{f}']"));
    assert_eq!(field(&page, "status"), "active");
    assert_eq!(field(&page, "plan"), "Standard");
    assert_eq!(field(&page, "price"), "$9.99 / month");
    assert_eq!(field(&page, "mrr"), "$9.99");
    assert_eq!(field(&page, "cancels"), "no");
    assert!(field(&page, "period").contains(" – "));
    assert_eq!(
        page.attrs("#subscription a#stripe-customer", "href"),
        ["https://dashboard.stripe.com/customers/cus_ada"]
    );
    assert_eq!(
        page.attrs("#subscription a#stripe-subscription", "href"),
        ["https://dashboard.stripe.com/subscriptions/sub_ada"]
    );
    assert_eq!(
        page.attrs("#subscription a[href^='https://dashboard.stripe.com']", "rel"),
        ["noreferrer", "noreferrer"]
    );
    assert!(page.texts("#billing-lapsed").is_empty());

    let page = oz.get(&format!("/admin/workspaces/{bea}")).await;
    assert_eq!(field(&page, "price"), "$239.88 / year");
    assert_eq!(field(&page, "mrr"), "$19.99");
    assert!(field(&page, "cancels").starts_with("yes, on "), "with the period's end");
    assert!(!field(&page, "trial-end").is_empty());
    assert!(page.text("#billing-lapsed").contains("grace ends"));
}

async fn a_complimentary_plan_is_saved_shown_and_audited(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await.guards().page_workspace;
    let oz = operator(&app).await;
    let base = format!("/admin/workspaces/{ada}");
    let was = app.strings(&format!("SELECT plan FROM workspaces WHERE id = {}", app.uuid_literal(&ada))).await;
    let page = oz.get(&base).await;
    assert_eq!(page.text("label[for='complimentary-check']"), "Complimentary: billing does not change this plan");
    assert!(page.attrs("#complimentary-check", "checked").is_empty());
    let is_complimentary = format!(
        "SELECT COUNT(*) FROM workspaces WHERE complimentary_plan AND plan = 'pro' AND id = {}",
        app.uuid_literal(&ada)
    );

    oz.post(&format!("{base}/plan"), &[("plan", "pro"), ("complimentary", "1")]).await.assert_redirect(&base);
    assert_eq!(app.count(&is_complimentary).await, 1);
    let page = oz.get(&base).await;
    assert_eq!(page.text("#complimentary"), "Complimentary");
    assert_eq!(page.attrs("#complimentary-check", "checked").len(), 1);
    let list = oz.get("/admin").await;
    assert_eq!(list.texts(&format!("tr[data-workspace='{ada}'] [data-complimentary]")), ["Complimentary"]);

    // Unticked, billing may change the plan again.
    oz.post(&format!("{base}/plan"), &[("plan", "pro")]).await.assert_redirect(&base);
    assert_eq!(app.count(&is_complimentary).await, 0);
    assert!(oz.get(&base).await.texts("#complimentary").is_empty());
    let audit = app
        .strings("SELECT detail FROM platform_audit WHERE action = 'workspace.plan_changed' ORDER BY created_at")
        .await;
    assert_eq!(audit, [format!("{} → pro (complimentary)", was[0]), "pro → pro (no longer complimentary)".into()]);
}

async fn only_platform_admins_see_or_change_billing(backend: Backend) {
    let app = billing_app(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let workspace = ada.guards().page_workspace;
    let stranger = app.client();
    let before = (plan_rows(&app).await, app.strings("SELECT plan FROM workspaces").await);
    let plan = format!("/admin/workspaces/{workspace}/plan");
    for (who, client) in [("the owner", &ada), ("a stranger", &stranger)] {
        for path in ["/admin".to_owned(), "/admin/plans".to_owned(), format!("/admin/workspaces/{workspace}")] {
            assert_eq!(client.get(&path).await.status, 404, "{who}: GET {path}");
        }
        client.get("/login").await;
        let page =
            client.post("/admin/plans/basic", &[("stripe_price_monthly", "price_mine"), ("price_monthly", "0")]).await;
        assert_eq!(page.status, 404, "{who}: the plans form");
        let page = client.post(&plan, &[("plan", "unlimited"), ("complimentary", "1")]).await;
        assert_eq!(page.status, 404, "{who}: a complimentary plan");
    }
    assert_eq!((plan_rows(&app).await, app.strings("SELECT plan FROM workspaces").await), before);
    assert_eq!(app.count("SELECT COUNT(*) FROM workspaces WHERE complimentary_plan").await, 0);
}

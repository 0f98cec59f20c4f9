//! Agency operations: platform admins, the dashboard, plans and limits,
//! suspension, branding and workspace templates.

use std::process::Command;

use easel::tenancy::{Access, Permission, ROUTES};

use crate::{
    calendars::new_calendar,
    captions::described_post,
    collections::upload,
    harness::{Backend, Client, TestApp, art, services::Services},
    isolation::snapshot,
    on_both_backends,
    roles::fixture,
};

on_both_backends!(
    only_platform_admins_reach_admin_and_their_actions_are_audited,
    the_dashboard_figures_match_the_data,
    a_suspended_workspace_reads_but_never_writes,
    each_limit_is_enforced_with_its_message_and_custom_limits_win,
);

// Logos and templates store files: on disk and on S3.
crate::on_every_store!(branding_stays_in_its_workspace, a_template_copies_exactly_what_it_should);

/// Makes `email` a platform admin with `easel admin grant`, as an operator would.
fn grant(app: &TestApp, email: &str) {
    let out = Command::new(env!("CARGO_BIN_EXE_easel"))
        .args(["admin", "grant", email])
        .env("DATABASE_URL", &app.database_url)
        .env("EASEL_DATA_DIR", app.dir.path().join("data"))
        .env("EASEL_UPLOADS_DIR", app.dir.path().join("uploads"))
        .output()
        .expect("run easel");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && said.contains("is now a platform admin"), "{said} {out:?}");
}

pub async fn admin(app: &TestApp) -> Client {
    let oz = app.signed_up("Oz", "oz@example.com").await;
    grant(app, "oz@example.com");
    oz
}

async fn only_platform_admins_reach_admin_and_their_actions_are_audited(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let workspace = ada.guards().page_workspace;
    let stranger = app.client();
    let before = snapshot(&app, &[&workspace]).await;
    let plan_before = app.strings("SELECT plan FROM workspaces").await;
    let admin_routes: Vec<_> = ROUTES.iter().filter(|(_, _, a)| *a == Access::PlatformAdmin).collect();
    assert!(admin_routes.len() >= 10);
    for (method, template, _) in &admin_routes {
        let path = template.replace("{id}", &workspace).replace("{key}", "free");
        for (who, client) in [("the owner", &ada), ("a stranger", &stranger)] {
            client.get("/login").await;
            let page = match *method {
                "GET" => client.get(&path).await,
                _ => client.post(&path, &[("plan", "free"), ("confirm_name", "Ada's studio"), ("images", "1")]).await,
            };
            assert_eq!(page.status, 404, "{who}: {method} {path}");
        }
    }
    assert_eq!(snapshot(&app, &[&workspace]).await, before);
    assert_eq!(app.strings("SELECT plan FROM workspaces").await, plan_before);
    assert!(!ada.get("/").await.body.contains("href=\"/admin\""), "no admin link for others");

    let oz = admin(&app).await;
    assert!(oz.get("/").await.body.contains("href=\"/admin\""));
    oz.get("/admin").await.assert_status(200);
    let base = format!("/admin/workspaces/{workspace}");
    oz.get(&base).await.assert_status(200);
    oz.post(&format!("{base}/plan"), &[("plan", "pro")]).await.assert_redirect(&base);
    oz.post(&format!("{base}/plan"), &[("plan", "platinum")]).await.assert_status(400);
    oz.post(&format!("{base}/limits"), &[("images", "lots")]).await.assert_status(400);
    oz.post(&format!("{base}/limits"), &[("images", "7"), ("members", "unlimited")]).await.assert_redirect(&base);
    oz.post(&format!("{base}/suspend"), &[]).await.assert_redirect(&base);
    oz.post(&format!("{base}/unsuspend"), &[]).await.assert_redirect(&base);
    oz.get("/admin/plans").await;
    oz.post("/admin/plans/basic", &[("images", "1500"), ("storage_mb", "")]).await.assert_redirect("/admin/plans");
    oz.post(&format!("{base}/delete"), &[("confirm_name", "wrong")]).await.assert_status(400);
    oz.post(&format!("{base}/delete"), &[("confirm_name", "Ada's studio")]).await.assert_redirect(&base);
    oz.post(&format!("{base}/restore"), &[]).await.assert_redirect(&base);
    oz.post(&format!("{base}/delete"), &[("confirm_name", "Ada's studio")]).await.assert_redirect(&base);
    oz.post(&format!("{base}/purge"), &[("confirm_name", "Ada's studio")]).await.assert_redirect("/admin");
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM workspaces WHERE id = {}", app.uuid_literal(&workspace))).await,
        0
    );

    let audit = app.strings("SELECT action || '|' || actor_email || '|' || workspace_name FROM platform_audit").await;
    // Tested elsewhere: revoking below, a claimed account in sign_in_with, backups in backups,
    // imports in exports, billing's in billing and billing_webhook;
    // "workspace.deleted" is how deletions were logged before they could be undone.
    let elsewhere = ["admin.revoked", "account.claimed", "workspace.deleted", "backup.started", "workspace.imported"];
    let elsewhere: Vec<&str> = elsewhere
        .into_iter()
        .chain(easel::admin::ACTIONS.iter().map(|(a, _)| *a).filter(|a| a.starts_with("billing.")))
        .collect();
    for action in easel::admin::ACTIONS.iter().map(|(a, _)| *a).filter(|a| !elsewhere.contains(a)) {
        assert!(audit.iter().any(|a| a.starts_with(&format!("{action}|"))), "{action} missing from {audit:?}");
    }
    assert!(audit.iter().any(|a| a == "workspace.purged|oz@example.com|Ada's studio"));
    assert!(audit.iter().any(|a| a == "admin.granted|command line|"));
    let page = oz.get("/admin/audit").await;
    assert!(page.texts("#platform-audit tr[data-action]").len() >= 7);

    // Revoking works from the command line too, and the 404 comes back.
    let out = Command::new(env!("CARGO_BIN_EXE_easel"))
        .args(["admin", "revoke", "oz@example.com"])
        .env("DATABASE_URL", &app.database_url)
        .env("EASEL_DATA_DIR", app.dir.path().join("data"))
        .output()
        .expect("run easel");
    assert!(out.status.success());
    oz.get("/admin").await.assert_status(404);
}

async fn the_dashboard_figures_match_the_data(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let ada_ws = ada.guards().page_workspace;
    upload(&ada, "one.png", 1).await;
    upload(&ada, "two.png", 2).await;
    let calendar = new_calendar(&ada, "Main").await;
    for date in ["2030-01-01", "2030-01-02", "2030-01-03"] {
        ada.get(&format!("/calendars/{calendar}/posts/new")).await;
        ada.post(
            &format!("/calendars/{calendar}/posts"),
            &[("date", date), ("time", "09:00"), ("platform", "instagram"), ("status", "draft")],
        )
        .await;
    }
    ada.get(&format!("/calendars/{calendar}/posts/new")).await;
    ada.post(
        &format!("/calendars/{calendar}/posts"),
        &[("date", "2001-01-01"), ("time", "09:00"), ("platform", "instagram"), ("status", "draft")],
    )
    .await;
    let bea = app.signed_up("Bea", "bea@example.com").await;
    let bea_ws = bea.guards().page_workspace;
    upload(&bea, "three.png", 3).await;
    let oz = admin(&app).await;

    let page = oz.get("/admin").await;
    let cell = |ws: &str, col: &str| page.text(&format!("tr[data-workspace='{ws}'] td[data-col='{col}']"));
    assert_eq!(cell(&ada_ws, "images"), "2");
    assert_eq!(cell(&ada_ws, "ahead"), "3", "the post in 2001 is not ahead");
    assert_eq!(cell(&ada_ws, "members"), "1");
    assert_eq!(cell(&bea_ws, "images"), "1");
    let stored = app.count("SELECT CAST(SUM(storage_bytes) AS BIGINT) FROM workspace_usage").await;
    assert!(stored > 0);
    assert_eq!(page.text("[data-total='images']"), "3");
    assert_eq!(page.text("[data-total='workspaces']"), "3", "Ada's, Bea's and Oz's studios");
    assert_eq!(page.text("[data-total='ahead']"), "3");

    let found = oz.get("/admin?q=BEA").await;
    assert_eq!(found.attrs("tr[data-workspace]", "data-workspace"), vec![bea_ws.clone()]);
    let sorted = oz.get("/admin?sort=images&dir=desc").await;
    assert_eq!(sorted.attrs("tr[data-workspace]", "data-workspace").first(), Some(&ada_ws));
    let detail = oz.get(&format!("/admin/workspaces/{ada_ws}")).await;
    assert_eq!(detail.texts("[data-chart]").len(), 6);
    assert_eq!(detail.text("[data-chart='Images'] [data-latest]"), "2");
    assert!(detail.text("#members-table").contains("ada@example.com"));
    // Snapshots are recorded (at start-up, then hourly) for every workspace.
    assert_eq!(easel::admin::snapshots::take(&app.databases).await.expect("snapshots"), 3);
    let today = easel::admin::snapshots::today();
    let sql = format!("SELECT COUNT(*) FROM usage_snapshots WHERE day = '{today}' AND images = 2");
    assert_eq!(app.count(&sql).await, 1);
    oz.get(&format!("/admin/workspaces/{}", uuid::Uuid::nil())).await.assert_status(404);
    oz.get("/admin/workspaces/not-an-id").await.assert_status(404);
}

async fn a_suspended_workspace_reads_but_never_writes(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let workspace = ada.guards().page_workspace;
    let fixture = fixture(&app, &ada).await;
    let oz = admin(&app).await;
    oz.get("/admin").await;
    oz.post(&format!("/admin/workspaces/{workspace}/suspend"), &[]).await.assert_status(303);
    let home = ada.get("/").await;
    assert!(home.text("#suspended-notice").contains("suspended"));
    let before = snapshot(&app, &[&workspace]).await;
    let mut writes = 0;
    for (method, template, access) in ROUTES {
        let path = fixture.path(template);
        match (access, *method) {
            (Access::Needs(_) | Access::Hidden(_), "GET") => {
                assert_eq!(ada.get(&path).await.status, 200, "GET {path} still reads");
            }
            (Access::Needs(p), _) if *p != Permission::ViewContent => {
                ada.get("/").await;
                let page = match *template {
                    "/images" => ada.upload(&path, &[("x.png", art::png(9))]).await,
                    "/settings/branding/logo" => ada.upload_as(&path, "logo", &[("x.png", art::png(9))]).await,
                    _ => ada.post(&path, &[("name", "Changed"), ("confirm_name", "Ada's studio")]).await,
                };
                assert_eq!(page.status, 403, "POST {path} must be refused: {}", page.body);
                writes += 1;
            }
            (Access::Member, "POST") => {
                ada.get("/").await;
                assert_eq!(ada.post(&path, &[]).await.status, 403, "POST {path}");
            }
            _ => {}
        }
    }
    assert!(writes >= 40, "checked {writes} writes");
    assert_eq!(snapshot(&app, &[&workspace]).await, before, "nothing changed");
    oz.post(&format!("/admin/workspaces/{workspace}/unsuspend"), &[]).await.assert_status(303);
    ada.get("/collections").await;
    ada.post("/collections", &[("name", "After"), ("description", "")]).await.assert_status(303);
    assert!(ada.get("/").await.texts("#suspended-notice").is_empty());
}

/// Sets a workspace's plan and custom limits as an admin.
async fn set_limits(oz: &Client, workspace: &str, plan: &str, custom: &[(&str, &str)]) {
    oz.get("/admin").await;
    let base = format!("/admin/workspaces/{workspace}");
    oz.post(&format!("{base}/plan"), &[("plan", plan)]).await.assert_redirect(&base);
    oz.post(&format!("{base}/limits"), custom).await.assert_redirect(&base);
}

async fn each_limit_is_enforced_with_its_message_and_custom_limits_win(backend: Backend) {
    let services = Services::start().await;
    let publer_url = services.publer_url();
    let app = TestApp::spawn_with(backend, move |c| c.publer.base_url = publer_url).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let ws = ada.guards().page_workspace;
    let oz = admin(&app).await;
    oz.get("/admin/plans").await;
    oz.post(
        "/admin/plans/free",
        &[("images", "2"), ("storage_mb", "500"), ("members", "2"), ("ai", "1"), ("publer", "1")],
    )
    .await
    .assert_redirect("/admin/plans");
    set_limits(&oz, &ws, "free", &[]).await;

    // Images: the plan allows two.
    let post = described_post(&ada, 1).await;
    upload(&ada, "two.png", 2).await;
    // A full plan is refused before the upload's body is read.
    let refused = ada.upload("/images", &[("three.png", art::png(3))]).await;
    refused.assert_status(422);
    assert!(refused.text("p.lead").contains("limit of 2 images on the Free plan"), "{}", refused.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM images").await, 2);
    // A custom limit beats the plan's.
    set_limits(&oz, &ws, "free", &[("images", "3")]).await;
    ada.get("/images").await;
    assert_eq!(ada.upload("/images", &[("three.png", art::png(3))]).await.texts(".upload-added").len(), 1);
    // Storage: a custom limit of 0 MB refuses the next file, naming storage.
    set_limits(&oz, &ws, "free", &[("images", "unlimited"), ("storage_mb", "0")]).await;
    ada.get("/images").await;
    let refused = ada.upload("/images", &[("four.png", art::png(4))]).await;
    refused.assert_status(422);
    assert!(refused.text("p.lead").contains("of storage"), "{}", refused.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM images").await, 3, "nothing already there is lost");

    // Members: two seats, Ada and one invitation.
    ada.get("/team").await;
    ada.post("/team/invites", &[("email", "one@example.com"), ("role", "member")]).await.assert_status(303);
    let refused = ada.post("/team/invites", &[("email", "two@example.com"), ("role", "member")]).await;
    refused.assert_status(422);
    assert!(refused.body.contains("limit of 2 members"), "{}", refused.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM invitations").await, 1);

    // AI captions: one a month.
    ada.get("/settings/integrations").await;
    let openai = services.openai_url();
    ada.post("/settings/integrations", &[("openai_base_url", &openai), ("publer_workspace_id", "pw")]).await;
    ada.post("/settings/integrations/keys/openai_api_key", &[("value", "sk-limit-test-1234")]).await;
    let fields = [("date", "2030-05-01"), ("time", "09:00"), ("platform", "instagram"), ("caption", "x")];
    ada.get(&format!("/events/{post}")).await;
    assert!(ada.post(&format!("/events/{post}/caption"), &fields).await.texts("#caption-error-message").is_empty());
    let second = ada.post(&format!("/events/{post}/caption"), &fields).await;
    assert!(second.text("#caption-error-message").contains("limit of 1 AI captions this month"));
    assert_eq!(services.seen("/chat/completions").len(), 1);

    // Publer: one post a month.
    services.set(|s| {
        s.publer_keys.insert("publer-limit-key".into(), "pw".into());
    });
    ada.post("/settings/integrations/keys/publer_api_key", &[("value", "publer-limit-key")]).await;
    ada.get("/settings/publer").await;
    ada.post("/settings/publer/connect", &[]).await.assert_status(303);
    let calendar =
        ada.get("/settings/publer").await.attrs("fieldset[data-calendar]", "data-calendar").pop().expect("cal");
    ada.post("/settings/publer/routes", &[(format!("route:{calendar}:").as_str(), "ig-pw")]).await;
    ada.get(&format!("/events/{post}")).await;
    ada.post(&format!("/events/{post}/publer"), &[]).await.assert_status(303);
    ada.get(&format!("/calendars/{calendar}/posts/new")).await;
    let other = ada
        .post(
            &format!("/calendars/{calendar}/posts"),
            &[
                ("date", "2030-06-01"),
                ("time", "09:00"),
                ("platform", "instagram"),
                ("status", "ready"),
                ("caption", "b"),
            ],
        )
        .await
        .location()
        .expect("post")
        .trim_start_matches("/events/")
        .to_owned();
    ada.post(&format!("/events/{other}/publer"), &[]).await.assert_status(303);
    let flashes = ada.get(&format!("/events/{other}")).await.texts(".flash").join(" ");
    assert!(flashes.contains("limit of 1 posts sent to Publer this month"), "{flashes}");
    assert_eq!(app.count("SELECT COUNT(*) FROM publer_sends").await, 1);

    // The sender counts the post when Publer has it, in the background:
    // wait (bounded, generously: a loaded machine is slow) for that before
    // reading the meters.
    for _ in 0..600 {
        if app.count("SELECT CAST(COALESCE(SUM(publer_posts), 0) AS BIGINT) FROM monthly_usage").await >= 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    // The plan page shows it all.
    let plan = ada.get("/settings/plan").await;
    assert_eq!(plan.text("#plan-name"), "Free");
    assert_eq!(plan.text("[data-meter='Images'] [data-used]"), "3");
    assert_eq!(plan.text("[data-meter='Images'] [data-limit]"), "no limit");
    assert_eq!(plan.text("[data-meter='AI captions this month'] [data-limit]"), "1");
    assert_eq!(plan.texts(".meter-row.is-full").len(), 4, "storage, members, AI and Publer are full");
}

async fn branding_stays_in_its_workspace(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let ada_ws = ada.guards().page_workspace;
    let bea = app.signed_up("Bea", "bea@example.com").await;
    let oz = admin(&app).await;
    set_limits(&oz, &ada_ws, "free", &[]).await;

    ada.get("/settings/branding").await;
    ada.post("/settings/branding", &[("brand_colour", "red")]).await.assert_status(422);
    let refused = ada.post("/settings/branding", &[("brand_colour", "#BE123C"), ("hide_powered_by", "1")]).await;
    refused.assert_status(422);
    assert!(refused.text("#branding-error").contains("Free plan shows"));
    ada.post("/settings/branding", &[("brand_colour", "#BE123C")]).await.assert_redirect("/settings/branding");
    let bad = ada.upload_as("/settings/branding/logo", "logo", &[("logo.svg", b"<svg></svg>".to_vec())]).await;
    bad.assert_status(422);
    ada.upload_as("/settings/branding/logo", "logo", &[("logo.png", art::png(5))])
        .await
        .assert_redirect("/settings/branding");

    let page = ada.get("/").await;
    assert_eq!(page.attrs("link[href^='/brand.css']", "href"), vec!["/brand.css?c=be123c"]);
    assert_eq!(page.attrs("img.brand-logo", "alt").len(), 1);
    assert_eq!(page.texts("#powered-by").len(), 1);
    let css = ada.get("/brand.css?c=be123c").await;
    assert!(css.body.contains("--accent: #be123c"));
    app.client().get("/brand.css?c=be123c;}body{").await.assert_status(404);
    let logo = ada.get("/brand/logo").await;
    logo.assert_status(200);
    assert_eq!(logo.header("content-type"), "image/png");

    // Bea sees none of it, and has no logo to fetch.
    let theirs = bea.get("/").await;
    assert!(theirs.attrs("link[href^='/brand.css']", "href").is_empty());
    assert!(theirs.attrs("img.brand-logo", "alt").is_empty());
    bea.get("/brand/logo").await.assert_status(404);

    // The invitation page wears Ada's branding, even for someone signed in elsewhere.
    ada.get("/team").await;
    ada.post("/team/invites", &[("email", "bea@example.com"), ("role", "member")]).await;
    let flash = ada.get("/team").await.texts(".flash").join(" ");
    let at = flash.find("/invites/").expect("the link is shown without mail");
    let token = &flash[at + 9..at + 9 + 43];
    let invitation = bea.get(&format!("/invites/{token}")).await;
    assert_eq!(invitation.attrs("link[href^='/brand.css']", "href"), vec!["/brand.css?c=be123c"]);
    assert!(invitation.attrs("[data-invitation-logo]", "src")[0].starts_with("data:image/png;base64,"));
    assert!(invitation.attrs("img.brand-logo", "alt").is_empty(), "not Bea's own logo either");

    // A plan that allows it hides the footer, in Ada's workspace only.
    set_limits(&oz, &ada_ws, "standard", &[]).await;
    ada.get("/settings/branding").await;
    ada.post("/settings/branding", &[("brand_colour", "#be123c"), ("hide_powered_by", "1")]).await.assert_status(303);
    assert!(ada.get("/").await.texts("#powered-by").is_empty());
    assert_eq!(bea.get("/").await.texts("#powered-by").len(), 1);
    // The display name is the workspace's name in the navbar.
    ada.get("/settings").await;
    let mut fields = crate::harness::settings("Lind Ceramics", "UTC");
    fields.push(("branded_hashtag", ""));
    ada.post("/settings", &fields).await.assert_redirect("/settings");
    assert!(ada.get("/").await.text(".switcher-name").contains("Lind Ceramics"));
    ada.post("/settings/branding/logo/remove", &[]).await.assert_redirect("/settings/branding");
    assert!(ada.get("/").await.attrs("img.brand-logo", "alt").is_empty());
}

async fn a_template_copies_exactly_what_it_should(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let source = ada.guards().page_workspace;
    ada.get("/settings").await;
    let mut fields = crate::harness::settings("Ada's studio", "Europe/Oslo");
    fields.extend([
        ("content_tone", "dry and warm"),
        ("branded_hashtag", "adapaints"),
        ("shop_url", "https://ada.example/"),
    ]);
    ada.post("/settings", &fields).await.assert_redirect("/settings");
    ada.post("/settings/hashtags", &[("name", "Birds"), ("hashtags", "#birds #herons")]).await;
    ada.get("/settings/branding").await;
    ada.post("/settings/branding", &[("brand_colour", "#0e7490")]).await;
    let post = described_post(&ada, 1).await;
    let _ = post;
    ada.get("/settings/integrations").await;
    ada.post("/settings/integrations/keys/openai_api_key", &[("value", "sk-template-key-1")]).await;
    app.signed_up("Mel", "mel@example.com").await;
    app.add_member(&source, "mel@example.com", "member").await;
    let bea = app.signed_up("Bea", "bea@example.com").await;
    let beas = bea.guards().page_workspace;

    ada.get("/workspaces").await;
    ada.post("/workspaces", &[("name", "Client B"), ("template", &beas)]).await.assert_status(404);
    ada.post("/workspaces", &[("name", "Client B"), ("template", &source)]).await.assert_redirect("/");
    ada.get("/").await;
    let copy = ada.guards().page_workspace;
    assert_ne!(copy, source);
    let lit = app.uuid_literal(&copy);
    let one = |sql: &str| format!("{sql} WHERE workspace_id = {lit}");
    assert_eq!(
        app.strings(&one(
            "SELECT display_name || '|' || time_zone || '|' || content_tone || '|' || shop_url FROM workspace_settings"
        ))
        .await,
        vec!["Client B|Europe/Oslo|dry and warm|https://ada.example/"]
    );
    assert_eq!(
        app.strings(&one("SELECT name || '|' || hashtags FROM hashtag_sets")).await,
        vec!["Birds|#birds #herons"]
    );
    assert_eq!(app.strings(&one("SELECT name FROM calendars")).await, vec!["Main"]);
    for table in ["events", "images", "collections", "workspace_secrets", "audit_log"] {
        assert_eq!(app.count(&one(&format!("SELECT COUNT(*) FROM {table}"))).await, 0, "{table} is not copied");
    }
    assert_eq!(app.count(&one("SELECT COUNT(*) FROM memberships")).await, 1, "only Ada");
    assert_eq!(app.strings(&format!("SELECT brand_colour FROM workspaces WHERE id = {lit}")).await, vec!["#0e7490"]);
    // The source is untouched.
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM events WHERE workspace_id = {}", app.uuid_literal(&source))).await,
        1
    );
}

//! Each workspace at its own address (`{slug}.EASEL_BASE_DOMAIN`): the slug
//! setting, routing by the `Host` header (driven over 127.0.0.1 with
//! clients that resolve the names to the app), the branded sign-in page and
//! 404, sessions kept to their address, and `base_url_of`.

use easel::archive::{self, ImportOptions, Progress};

use crate::{
    harness::{Backend, Client, TestApp, art},
    on_both_backends,
};

on_both_backends!(
    slugs_are_checked_unique_audited_and_can_be_cleared,
    without_a_base_domain_the_settings_page_explains_dns,
    an_unknown_or_deleted_slug_is_a_branded_404,
    a_workspace_address_shows_its_own_branded_sign_in_page,
    signing_in_at_an_address_opens_that_workspace_for_members_only,
    links_and_switching_use_each_workspace_s_address,
    a_session_from_one_address_is_not_accepted_at_another,
    other_hosts_keep_today_s_behaviour,
    an_import_as_new_leaves_the_address_behind,
);

const DOMAIN: &str = "plan.test";
const PASSWORD: &str = "correct horse battery";

async fn spawn(backend: Backend) -> TestApp {
    TestApp::spawn_with(backend, |c| c.base_domain = Some(DOMAIN.into())).await
}

/// Saves a slug from the settings page, as an owner would.
async fn set_slug(client: &Client, slug: &str) -> crate::harness::Page {
    client.get("/settings").await;
    client.post("/settings/address", &[("slug", slug)]).await
}

fn host(slug: &str) -> String {
    format!("{slug}.{DOMAIN}")
}

/// Signs in from a workspace's address, as a visitor there would.
async fn sign_in_at(app: &TestApp, slug: &str, email: &str) -> (Client, crate::harness::Page) {
    let client = app.client_at(&host(slug));
    client.get("/login").await.assert_status(200);
    let done = client.post("/login", &[("email", email), ("password", PASSWORD)]).await;
    (client, done)
}

async fn slugs_are_checked_unique_audited_and_can_be_cleared(backend: Backend) {
    let app = spawn(backend).await;
    let port = app.addr.port();
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let studio = ada.guards().page_workspace;
    for (bad, why) in [
        ("www", "reserved"),
        ("review", "reserved"),
        ("Ma ra!", "letters a-z"),
        ("mara_lind", "letters a-z"),
        ("ab", "3 to 40"),
        (&"a".repeat(41), "3 to 40"),
        ("-mara", "hyphen"),
    ] {
        let page = set_slug(&ada, bad).await;
        page.assert_status(422);
        assert!(page.text("#slug-error").contains(why), "{bad}: {}", page.text("#slug-error"));
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM workspaces WHERE slug IS NOT NULL").await, 0, "nothing saved");

    set_slug(&ada, " Mara-Lind ").await.assert_redirect("/settings#address");
    let settings = ada.get("/settings").await;
    assert_eq!(settings.attrs("#address-link", "href"), vec![format!("http://mara-lind.{DOMAIN}:{port}/")]);
    assert_eq!(settings.attrs("#slug", "value"), vec!["mara-lind".to_owned()]);
    assert!(settings.texts("#address-dns-note").is_empty());

    // Taken: the unique index says so, and it becomes the form's message.
    let bea = app.signed_up("Bea", "bea@example.com").await;
    let taken = set_slug(&bea, "mara-lind").await;
    taken.assert_status(422);
    assert!(taken.text("#slug-error").contains("already uses"), "{}", taken.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM workspaces WHERE slug = 'mara-lind'").await, 1);

    // Only owners and admins may change it.
    app.add_member(&studio, "bea@example.com", "member").await;
    bea.post("/workspaces/switch", &[("workspace_id", &studio), ("back", "/")]).await;
    bea.get("/settings").await;
    assert!(bea.get("/settings").await.texts("form[action='/settings/address']").is_empty());
    bea.post("/settings/address", &[("slug", "bea-took-it")]).await.assert_status(403);

    set_slug(&ada, "").await.assert_redirect("/settings#address");
    assert_eq!(app.count("SELECT COUNT(*) FROM workspaces WHERE slug IS NOT NULL").await, 0, "cleared");
    assert!(ada.get("/settings").await.attrs("#address-link", "href").is_empty());
    let audited = app.strings("SELECT detail FROM audit_log WHERE action = 'workspace.address_changed'").await;
    assert_eq!(audited, vec!["mara-lind".to_owned(), "cleared".to_owned()]);
}

async fn without_a_base_domain_the_settings_page_explains_dns(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let settings = ada.get("/settings").await;
    assert!(settings.text("#address-dns-note").contains("EASEL_BASE_DOMAIN"));
    set_slug(&ada, "mara").await.assert_redirect("/settings#address");
    assert!(ada.get("/settings").await.attrs("#address-link", "href").is_empty());
    // Without the domain no host names a workspace: everything as today.
    let visitor = app.client_at(&host("mara"));
    let login = visitor.get("/").await;
    login.assert_redirect("/login");
    assert!(visitor.get("/login").await.texts("#site-header").is_empty());
}

async fn an_unknown_or_deleted_slug_is_a_branded_404(backend: Backend) {
    let app = spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    set_slug(&ada, "mara").await.assert_redirect("/settings#address");
    for path in ["/", "/login", "/settings", "/address/logo"] {
        let page = app.client_at(&host("nobody")).get(path).await;
        page.assert_status(404);
        assert_eq!(page.text("h1"), "No workspace here");
        assert!(!page.body.contains("Ada"), "nothing about other workspaces");
        assert_eq!(page.texts("#powered-by").len(), 1, "the instance's own branding");
    }
    let page = app.client_at(&host("nobody")).get("/").await;
    let styles = page.attrs("link[rel=stylesheet]", "href");
    app.client_at(&host("nobody")).get(&styles[0]).await.assert_status(200);
    app.client_at(&host("mara")).get("/").await.assert_status(200);
    let scheduled = "UPDATE workspaces SET delete_after = '2099-01-01T00:00:00Z' WHERE slug = 'mara'";
    assert_eq!(app.try_execute(scheduled).await.expect("schedule the deletion"), 1);
    let gone = app.client_at(&host("mara")).get("/").await;
    gone.assert_status(404);
    assert!(!gone.body.contains("Ada"));
}

async fn a_workspace_address_shows_its_own_branded_sign_in_page(backend: Backend) {
    let app = spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    ada.get("/settings/branding").await;
    ada.post("/settings/branding", &[("brand_colour", "#be123c"), ("hide_powered_by", "1")]).await.assert_status(303);
    ada.upload_as("/settings/branding/logo", "logo", &[("logo.png", art::png(5))])
        .await
        .assert_redirect("/settings/branding");
    set_slug(&ada, "lind").await.assert_redirect("/settings#address");

    let visitor = app.client_at(&host("lind"));
    for path in ["/", "/login"] {
        let page = visitor.get(path).await;
        page.assert_status(200);
        assert_eq!(page.text("#site-header h1"), "Sign in to Ada's studio", "{path}");
        assert_eq!(page.attrs("link[href^='/brand.css']", "href"), vec!["/brand.css?c=be123c"]);
        assert!(page.texts("#powered-by").is_empty(), "hidden, and the plan allows it");
        let logo = page.attrs("#site-header img", "src");
        assert!(logo[0].starts_with("/address/logo?v="), "{logo:?}");
        assert_eq!(page.attrs("img.brand-logo", "src"), logo, "the topbar wears it too");
        let cookie = page.header("set-cookie").to_ascii_lowercase();
        assert!(!cookie.contains("domain="), "the visitor's cookie is host-only: {cookie}");
    }
    let logo = visitor.get(&visitor.get("/").await.attrs("#site-header img", "src")[0]).await;
    logo.assert_status(200);
    assert_eq!(logo.header("content-type"), "image/png");
    assert!(logo.header("cache-control").starts_with("public"));

    // The instance's own sign-in page is unchanged, and has no site logo.
    let plain = app.client().get("/login").await;
    assert!(plain.texts("#site-header").is_empty());
    assert_eq!(plain.texts("#powered-by").len(), 1);
    app.client().get("/address/logo").await.assert_status(404);
    // Without a hidden footer, "Powered by Easel" shows there.
    ada.get("/settings/branding").await;
    ada.post("/settings/branding", &[("brand_colour", "#be123c")]).await.assert_status(303);
    assert_eq!(visitor.get("/").await.texts("#powered-by").len(), 1);
}

async fn signing_in_at_an_address_opens_that_workspace_for_members_only(backend: Backend) {
    let app = spawn(backend).await;
    let bob = app.signed_up("Bob", "bob@example.com").await;
    let bobs = bob.guards().page_workspace;
    set_slug(&bob, "bobs").await.assert_redirect("/settings#address");
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let adas = ada.guards().page_workspace;
    app.add_member(&bobs, "ada@example.com", "member").await;

    let (at_bobs, done) = sign_in_at(&app, "bobs", "ada@example.com").await;
    done.assert_redirect("/");
    let home = at_bobs.get("/").await;
    home.assert_status(200);
    assert_eq!(at_bobs.guards().page_workspace, bobs, "a member works in the address's workspace");
    assert!(home.text(".switcher-name").contains("Bob's studio"));
    // What she makes there lands in Bob's studio.
    at_bobs.get("/collections").await;
    at_bobs.post("/collections", &[("name", "Spring"), ("description", "")]).await.assert_status(303);
    let in_bobs = format!("SELECT COUNT(*) FROM collections WHERE workspace_id = {}", app.uuid_literal(&bobs));
    assert_eq!(app.count(&in_bobs).await, 1);
    // Her session at the instance's own address is untouched.
    ada.get("/").await;
    assert_eq!(ada.guards().page_workspace, adas);

    app.signed_up("Cy", "cy@example.com").await;
    let (cy, done) = sign_in_at(&app, "bobs", "cy@example.com").await;
    done.assert_redirect("/workspaces");
    let list = cy.get("/workspaces").await;
    assert!(
        list.texts(".flash").join(" ").contains("You are not a member of Bob's studio; here are your workspaces."),
        "{}",
        list.body
    );
    cy.get("/").await.assert_status(200);
    assert_ne!(cy.guards().page_workspace, bobs);
    cy.get("/collections").await;
    assert!(!cy.get("/collections").await.body.contains("Spring"), "nothing of Bob's studio");

    // A wrong password there is the usual answer, on the branded page.
    let stranger = app.client_at(&host("bobs"));
    stranger.get("/login").await;
    let wrong = stranger.post("/login", &[("email", "ada@example.com"), ("password", "wrong password!")]).await;
    wrong.assert_status(422);
    assert_eq!(wrong.text("#site-header h1"), "Sign in to Bob's studio");
}

async fn links_and_switching_use_each_workspace_s_address(backend: Backend) {
    let app = spawn(backend).await;
    let port = app.addr.port();
    let bob = app.signed_up("Bob", "bob@example.com").await;
    let bobs = bob.guards().page_workspace;
    set_slug(&bob, "bobs").await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let adas = ada.guards().page_workspace;
    app.add_member(&bobs, "ada@example.com", "admin").await;

    let (at_bobs, _) = sign_in_at(&app, "bobs", "ada@example.com").await;
    at_bobs.get("/").await;
    // Her studio has no address of its own: the instance's (EASEL_BASE_URL).
    let to_studio = at_bobs.post("/workspaces/switch", &[("workspace_id", &adas), ("back", "/")]).await;
    to_studio.assert_redirect(&format!("http://127.0.0.1:{port}/"));
    ada.get("/").await;
    set_slug(&ada, "ada-studio").await.assert_redirect("/settings#address");
    at_bobs.get("/").await;
    let to_studio = at_bobs.post("/workspaces/switch", &[("workspace_id", &adas), ("back", "/")]).await;
    to_studio.assert_redirect(&format!("http://ada-studio.{DOMAIN}:{port}/"));
    // At the instance's address switching is as it always was.
    ada.post("/workspaces/switch", &[("workspace_id", &bobs), ("back", "/")]).await.assert_redirect("/");
    ada.get("/").await;
    assert_eq!(ada.guards().page_workspace, bobs);
}

async fn a_session_from_one_address_is_not_accepted_at_another(backend: Backend) {
    let app = spawn(backend).await;
    let port = app.addr.port();
    let bob = app.signed_up("Bob", "bob@example.com").await;
    let bobs = bob.guards().page_workspace;
    set_slug(&bob, "bobs").await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    set_slug(&ada, "ada-studio").await;
    app.add_member(&bobs, "ada@example.com", "member").await;

    let (at_bobs, done) = sign_in_at(&app, "bobs", "ada@example.com").await;
    let set_cookie =
        done.headers.get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).find(|c| c.starts_with("easel="));
    let set_cookie = set_cookie.expect("a session cookie").to_owned();
    assert!(!set_cookie.to_ascii_lowercase().contains("domain="), "host-only: {set_cookie}");
    let cookie = set_cookie.split(';').next().expect("name=value").to_owned();
    assert!(at_bobs.get("/").await.texts(".usermenu-name").contains(&"Ada".to_owned()));

    // The same cookie, carried by hand to another address: not signed in there.
    let raw = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .resolve(&host("ada-studio"), app.addr)
        .build()
        .expect("client");
    let elsewhere = raw
        .get(format!("http://{}:{port}/account", host("ada-studio")))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("request");
    assert_eq!(elsewhere.status().as_u16(), 303);
    let location = elsewhere.headers().get("location").and_then(|l| l.to_str().ok()).unwrap_or_default();
    assert!(location.starts_with("/login"), "{location}");
    // Nor at the instance's own address.
    let raw_base = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let base = raw_base.get(app.url("/account")).header("cookie", &cookie).send().await.expect("request");
    assert_eq!(base.status().as_u16(), 303);
    // A session shown at the wrong address is ended, so it is no use at its own either.
    let home = at_bobs.get("/account").await;
    home.assert_status(303);
}

async fn other_hosts_keep_today_s_behaviour(backend: Backend) {
    let app = spawn(backend).await;
    let bob = app.signed_up("Bob", "bob@example.com").await;
    set_slug(&bob, "bobs").await.assert_redirect("/settings#address");
    assert_eq!(bob.get("/").await.status, 200, "the instance's address works as before");
    for name in [DOMAIN.to_owned(), format!("www.{DOMAIN}"), format!("deep.bobs.{DOMAIN}"), "localhost".to_owned()] {
        let visitor = app.client_at(&name);
        visitor.get("/").await.assert_redirect("/login");
        let login = visitor.get("/login").await;
        login.assert_status(200);
        assert!(login.texts("#site-header").is_empty(), "{name}");
        assert_eq!(login.text("h1"), "Welcome back");
        visitor.get("/address/logo").await.assert_status(404);
    }
    // Case and port do not matter for a workspace's address.
    let shouting = app.client_at("BOBS.Plan.Test");
    assert_eq!(shouting.get("/").await.text("#site-header h1"), "Sign in to Bob's studio");
}

async fn an_import_as_new_leaves_the_address_behind(backend: Backend) {
    let app = spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let ws = ada.guards().page_workspace;
    set_slug(&ada, "mara").await.assert_redirect("/settings#address");
    let file = crate::archives::export(&app, &ws, "ws.zip").await;
    let options = ImportOptions { as_new: true, invite: false };
    let imported =
        archive::import_workspace(&app.db, &app.storage, &file, &options, &Progress::default()).await.expect("as new");
    assert_ne!(imported.workspace_id.to_string(), ws);
    assert_eq!(app.count("SELECT COUNT(*) FROM workspaces").await, 2);
    assert_eq!(app.count("SELECT COUNT(*) FROM workspaces WHERE slug = 'mara'").await, 1, "only the original");
    app.client_at(&host("mara")).get("/").await.assert_status(200);
}

#[test]
fn a_bad_base_domain_stops_start_up_naming_the_variable() {
    let lookup = |domain: &'static str| {
        easel::config::Config::from_lookup(move |k| (k == "EASEL_BASE_DOMAIN").then(|| domain.to_owned()))
    };
    for bad in ["localhost", "Plan.Test", "https://plan.test", "plan.test:443", "127.0.0.1"] {
        let err = lookup(bad).expect_err(bad);
        assert_eq!(err.var, "EASEL_BASE_DOMAIN");
    }
    assert_eq!(lookup("plan.test").expect("good").base_domain.as_deref(), Some("plan.test"));
    assert_eq!(easel::config::Config::from_lookup(|_| None).expect("unset").base_domain, None);
}

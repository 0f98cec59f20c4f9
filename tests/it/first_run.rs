//! Issue 16 §6: the first-run checklist, the switcher for agencies, the
//! `/workspaces` overview, time zones at sign-up and creation, the admin
//! header, error pages for a signed-in person, and counts in words.

use crate::{
    calendars::{new_calendar, new_post},
    collections::{new_collection, upload},
    harness::{Backend, Client, TestApp},
    on_both_backends,
    operations::admin,
};

on_both_backends!(
    the_checklist_advances_as_the_workspace_fills,
    the_switcher_lists_recent_workspaces_first_and_sign_in_opens_the_last,
    a_long_switcher_lists_ten_and_fetches_the_rest_when_opened,
    home_lists_the_next_fourteen_days_of_the_workspaces_own_time_zone,
    the_overview_counts_each_of_the_persons_workspaces_and_no_other,
    a_time_zone_is_asked_at_sign_up_and_checked,
    a_time_zone_is_asked_for_a_new_workspace_and_checked,
    admin_pages_wear_their_own_header,
    an_error_page_shows_a_signed_in_person_their_header,
    counts_are_written_in_words,
);

fn done_steps(home: &crate::harness::Page) -> Vec<String> {
    home.attrs("#checklist .checklist-step.done", "data-step")
}

async fn the_checklist_advances_as_the_workspace_fills(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let home = ada.get("/").await;
    assert_eq!(home.text("#checklist-progress-text"), "0 of 5 done");
    assert_eq!(home.text("#main-action"), "Upload artwork");
    assert_eq!(home.text("#drafts p.muted"), "No drafts right now.");
    assert!(!home.body.contains("Every draft has a caption"));

    upload(&ada, "heron.png", 1).await;
    let home = ada.get("/").await;
    assert_eq!(done_steps(&home), ["upload"]);
    assert_eq!(home.text("#main-action"), "Plan posts");
    new_collection(&ada, "Birds").await;
    let calendar = new_calendar(&ada, "Main").await;
    assert_eq!(done_steps(&ada.get("/").await), ["upload", "collection", "calendar"]);
    new_post(&ada, &calendar, "2035-01-01", "12:00").await;
    let home = ada.get("/").await;
    assert_eq!(done_steps(&home), ["upload", "collection", "calendar", "fill"]);
    assert_eq!(home.text("#checklist-progress-text"), "4 of 5 done");
    assert_eq!(home.attrs("#checklist .checklist-step.next", "data-step"), ["publish"]);

    // A downloaded archive of the workspace counts as "export".
    let ws = app.uuid_literal(&ada.guards().page_workspace);
    let export = app.uuid_literal(&uuid::Uuid::now_v7().to_string());
    app.try_execute(&format!(
        "INSERT INTO workspace_exports (workspace_id, id, state, created_at) VALUES ({ws}, {export}, 'ready', \
         '2026-01-01T00:00:00Z')"
    ))
    .await
    .expect("an export row");
    let home = ada.get("/").await;
    home.assert_status(200);
    assert!(home.texts("#checklist").is_empty(), "every step done: no checklist");
}

async fn switch(client: &Client, id: &str) {
    client.get("/workspaces").await;
    client.post("/workspaces/switch", &[("workspace_id", id), ("back", "/")]).await.assert_redirect("/");
}

async fn the_switcher_lists_recent_workspaces_first_and_sign_in_opens_the_last(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let studio = ada.guards().page_workspace;
    let mut ids = Vec::new();
    for n in 1..=7 {
        ada.get("/workspaces").await;
        ada.post("/workspaces", &[("name", &format!("Client {n}"))]).await.assert_redirect("/");
        ada.get("/").await;
        ids.push(ada.guards().page_workspace);
    }
    // Never opened since they were made: Client 1 and 3 fall to the by-name part.
    switch(&ada, &studio).await;
    switch(&ada, &ids[1]).await;
    let home = ada.get("/").await;
    assert_eq!(home.text(".switcher-name"), "Client 2");
    let listed: Vec<String> = home.attrs(".switcher [data-switcher-item]", "data-switcher-item");
    assert_eq!(
        listed,
        ["ada's studio", "client 7", "client 6", "client 5", "client 4", "client 1", "client 3"],
        "five recently used, then the rest by name"
    );
    assert_eq!(home.texts(".switcher [data-switcher-group]"), ["Recently used", "All workspaces"]);
    assert_eq!(home.attrs(".switcher [data-switcher-find] input", "type"), ["search"]);

    // Signing in again opens the workspace used last, not the first joined.
    ada.post("/logout", &[]).await;
    ada.get("/login").await;
    ada.post("/login", &[("email", "ada@example.com"), ("password", "correct horse battery")]).await;
    assert_eq!(ada.get("/").await.text(".switcher-name"), "Client 2");
    switch(&ada, &ids[4]).await;
    ada.post("/logout", &[]).await;
    ada.get("/login").await;
    ada.post("/login", &[("email", "ada@example.com"), ("password", "correct horse battery")]).await;
    assert_eq!(ada.get("/").await.text(".switcher-name"), "Client 5");
}

async fn a_long_switcher_lists_ten_and_fetches_the_rest_when_opened(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let bea = app.signed_up("Bea", "bea@example.com").await;
    bea.get("/workspaces").await;
    bea.post("/workspaces", &[("name", "Bea's other client")]).await.assert_redirect("/");
    let ada = app.signed_up("Ada", "ada@example.com").await;
    for n in 1..=13 {
        ada.get("/workspaces").await;
        ada.post("/workspaces", &[("name", &format!("Client {n:02}"))]).await.assert_redirect("/");
    }
    let home = ada.get("/images?q=bird&tag=ink").await;
    let listed = home.attrs(".switcher [data-switcher-item]", "data-switcher-item");
    assert_eq!(listed.len(), 10, "ten of Ada's 13 other workspaces on the page: {listed:?}");
    let recent = home.attrs(".switcher > .menu > [data-switcher-item]", "data-switcher-item");
    let menu = home.attrs(".switcher", "hx-get").pop().expect("the menu fetches the rest");
    assert_eq!(menu, "/workspaces/menu?back=/images%3Fq%3Dbird%26tag%3Dink");
    assert_eq!(home.attrs(".switcher [data-switcher-find] input", "type"), ["search"]);

    // Opened, the menu lists every other one by name after the recent ones.
    let rest = ada.get(&menu).await;
    rest.assert_status(200);
    let mut expected: Vec<String> = (1..=13).map(|n| format!("client {n:02}")).chain(["ada's studio".into()]).collect();
    expected.retain(|name| !recent.contains(name) && name != "client 13");
    expected.sort();
    assert_eq!(rest.attrs("[data-switcher-item]", "data-switcher-item"), expected);
    assert!(!rest.body.contains("Bea"), "only Ada's own workspaces");
    assert_eq!(rest.attrs("input[name=back]", "value").first().map(String::as_str), Some("/images?q=bird&tag=ink"));
    let token = rest.attrs("input[name=csrf_token]", "value");
    assert!(!token.is_empty() && token.iter().all(|t| *t == home.attrs("input[name=csrf_token]", "value")[0]));
    // Not a way off the site: a foreign page to come back to becomes home.
    let off_site = ada.get("/workspaces/menu?back=https%3A%2F%2Fevil.example%2F").await;
    assert_eq!(off_site.attrs("input[name=back]", "value").first().map(String::as_str), Some("/"));

    // Bea, in two workspaces, has everything on the page and nothing to fetch.
    let bea_home = bea.get("/").await;
    assert_eq!(bea_home.attrs(".switcher [data-switcher-item]", "data-switcher-item"), ["bea's studio"]);
    assert!(bea_home.attrs(".switcher", "hx-get").is_empty());
}

async fn home_lists_the_next_fourteen_days_of_the_workspaces_own_time_zone(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    ada.get("/workspaces").await;
    // UTC+14 all year: its days start 14 hours before UTC's.
    let made = ada.post("/workspaces", &[("name", "Line Islands"), ("time_zone", "Pacific/Kiritimati")]).await;
    made.assert_redirect("/");
    let calendar = new_calendar(&ada, "Main").await;
    let today = (time::OffsetDateTime::now_utc() + time::Duration::hours(14)).date();
    let day = |n: i64| (today + time::Duration::days(n)).to_string();
    let last_day = new_post(&ada, &calendar, &day(13), "23:30").await;
    new_post(&ada, &calendar, &day(14), "00:30").await;
    let home = ada.get("/").await;
    assert_eq!(home.attrs("#upcoming .home-post a", "href"), vec![format!("/events/{last_day}")]);
    assert_eq!(home.text("#count-scheduled"), "2");
}

async fn the_overview_counts_each_of_the_persons_workspaces_and_no_other(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let bea = app.signed_up("Bea", "bea@example.com").await;
    let beas = bea.guards().page_workspace;
    let bea_calendar = new_calendar(&bea, "Hers").await;
    new_post(&bea, &bea_calendar, "2035-01-01", "12:00").await;

    let ada = app.signed_up("Ada", "ada@example.com").await;
    let studio = ada.guards().page_workspace;
    let calendar = new_calendar(&ada, "Main").await;
    let soon = (time::OffsetDateTime::now_utc() + time::Duration::days(2)).date().to_string();
    new_post(&ada, &calendar, &soon, "12:00").await;
    let failed = new_post(&ada, &calendar, "2035-01-01", "12:00").await;
    app.try_execute(&format!("UPDATE events SET status = 'failed' WHERE id = {}", app.uuid_literal(&failed)))
        .await
        .expect("mark failed");
    ada.get("/workspaces").await;
    ada.post("/workspaces", &[("name", "Quiet client")]).await.assert_redirect("/");
    ada.get("/").await;
    let quiet = ada.guards().page_workspace;

    let page = ada.get("/workspaces?sort=drafts").await;
    page.assert_status(200);
    assert_eq!(page.attrs("#overview tbody tr", "data-workspace"), [studio.clone(), quiet]);
    let figure = |name: &str| page.texts(&format!("#overview tr[data-workspace='{studio}'] [data-figure='{name}']"));
    assert_eq!(figure("next-week"), ["1"]);
    assert_eq!(figure("drafts"), ["1"], "the failed post is no longer a draft");
    assert_eq!(figure("failed"), ["1"]);
    assert_ne!(figure("activity"), ["No changes yet"]);
    assert!(!page.body.contains(&beas), "another person's workspace never appears");
    assert!(!page.body.contains("Bea's studio"));
    let by_name = ada.get("/workspaces?sort=name").await;
    assert_eq!(by_name.texts("#overview tbody tr td:nth-child(1)"), ["A Ada's studio", "Q Quiet client"]);
    ada.get("/workspaces?sort=nonsense").await.assert_status(200);
}

async fn a_time_zone_is_asked_at_sign_up_and_checked(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let visitor = app.client();
    let form = visitor.get("/signup").await;
    assert_eq!(form.texts("#time-zone option[selected]"), ["UTC"], "UTC without script");
    let fields = |zone: &'static str| {
        [("name", "Ada"), ("email", "ada@example.com"), ("password", "correct horse battery"), ("time_zone", zone)]
    };
    let refused = visitor.post("/signup", &fields("Mars/Olympus_Mons")).await;
    refused.assert_status(422);
    assert!(refused.text("#time-zone-error").contains("Choose a time zone"));
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM workspaces").await, 0);

    visitor.post("/signup", &fields("Europe/Paris")).await.assert_status(303);
    let settings = visitor.get("/settings").await;
    assert_eq!(settings.attrs("#time_zone option[selected]", "value"), ["Europe/Paris"]);
}

async fn a_time_zone_is_asked_for_a_new_workspace_and_checked(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let page = ada.get("/workspaces").await;
    assert_eq!(page.texts("#time-zone option[selected]"), ["UTC"]);
    let refused = ada.post("/workspaces", &[("name", "Client B"), ("time_zone", "Nowhere/At_All")]).await;
    refused.assert_status(422);
    assert!(refused.text("#time-zone-error").contains("Choose a time zone"));
    assert_eq!(refused.attrs("#workspace-name", "value"), ["Client B"], "what was typed stays");
    assert_eq!(app.count("SELECT COUNT(*) FROM workspaces").await, 1);

    ada.post("/workspaces", &[("name", "Client B"), ("time_zone", "America/New_York")]).await.assert_redirect("/");
    let settings = ada.get("/settings").await;
    assert_eq!(settings.text(".switcher-name"), "Client B");
    assert_eq!(settings.attrs("#time_zone option[selected]", "value"), ["America/New_York"]);
}

async fn admin_pages_wear_their_own_header(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let workspace = ada.guards().page_workspace;
    let oz = admin(&app).await;
    for path in ["/admin".to_owned(), "/admin/plans".to_owned(), format!("/admin/workspaces/{workspace}")] {
        let page = oz.get(&path).await;
        page.assert_status(200);
        assert_eq!(page.text("#admin-header"), "Platform admin", "{path}");
        assert!(page.texts(".switcher").is_empty(), "{path}: no workspace switcher");
        assert!(page.texts(".tabbar").is_empty(), "{path}: no workspace tab bar");
    }
    let plans = oz.get("/admin/plans").await;
    assert!(plans.attrs("input[name='images']", "type").iter().all(|t| t == "number"));
    let detail = oz.get(&format!("/admin/workspaces/{workspace}")).await;
    assert!(detail.attrs("input[name='storage_mb']", "type").iter().all(|t| t == "number"));
    assert!(!detail.body.contains("day(s)"));
    // Back in a workspace, its own header again.
    assert!(!oz.get("/").await.texts(".switcher-name").is_empty());
}

async fn an_error_page_shows_a_signed_in_person_their_header(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let missing = ada.get(&format!("/images/{}", uuid::Uuid::now_v7())).await;
    missing.assert_status(404);
    assert_eq!(missing.text(".switcher-name"), "Ada's studio");
    assert_eq!(missing.texts(".usermenu-name"), ["Ada"]);
    assert_eq!(ada.get("/no/such/page").await.text(".switcher-name"), "Ada's studio");

    let stranger = app.client();
    let page = stranger.get("/no/such/page").await;
    page.assert_status(404);
    assert!(page.texts(".usermenu").is_empty());
}

async fn counts_are_written_in_words(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let one = upload(&ada, "heron.png", 1).await;
    let two = upload(&ada, "crane.png", 2).await;
    ada.get("/images").await;
    ada.post("/images/bulk", &[("ids", &one), ("action", "tag"), ("tags", "birds")]).await;
    assert_eq!(ada.get("/images").await.text(".flash-success"), "Tagged 1 image.");
    ada.post("/images/bulk", &[("ids", &one), ("ids", &two), ("action", "tag"), ("tags", "water")]).await;
    assert_eq!(ada.get("/images").await.text(".flash-success"), "Tagged 2 images.");
}

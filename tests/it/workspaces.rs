//! Workspaces: listing, creating, switching, fallbacks and the stale-tab guard.

use crate::{
    harness::{Backend, TestApp, settings},
    on_both_backends,
};

on_both_backends!(
    the_list_shows_each_workspace_with_role_and_member_count,
    creating_a_workspace_makes_it_active,
    a_workspace_needs_a_name,
    the_navbar_offers_the_other_workspaces,
    the_navbar_lists_a_few_of_many_workspaces,
    the_switcher_lists_the_recently_used_first_then_the_rest_by_name,
    switching_comes_back_to_the_same_page_or_home,
    switching_to_someone_elses_workspace_is_404_and_changes_nothing,
    a_deleted_membership_takes_effect_on_the_next_request,
    a_person_without_workspaces_is_asked_to_create_one,
    a_write_from_a_stale_tab_is_refused,
    settings_are_validated_and_belong_to_one_workspace,
    a_viewer_cannot_change_settings,
);

async fn the_list_shows_each_workspace_with_role_and_member_count(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let studio = ada.guards().page_workspace;
    app.signed_up("Bea", "bea@example.com").await;
    app.add_member(&studio, "bea@example.com", "viewer").await;

    let list = ada.get("/workspaces").await;
    list.assert_status(200);
    assert_eq!(list.texts("tbody tr td:nth-child(1)"), vec!["A Ada's studio"]);
    assert_eq!(list.texts("tbody tr td:nth-child(3)"), vec!["2"]);
}

async fn creating_a_workspace_makes_it_active(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    ada.get("/workspaces").await;
    ada.post("/workspaces", &[("name", "  Mara Lind Ceramics ")]).await.assert_redirect("/");
    let home = ada.get("/").await;
    assert_eq!(home.text(".switcher-name"), "Mara Lind Ceramics");
    assert!(home.text(".flash-success").contains("Created Mara Lind Ceramics"));
    let list = ada.get("/workspaces").await;
    assert_eq!(list.texts("tbody tr td:nth-child(2)"), vec!["Owner", "Owner"]);
}

async fn a_workspace_needs_a_name(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    ada.get("/workspaces").await;
    for bad in ["   ", &"x".repeat(101)] {
        let page = ada.post("/workspaces", &[("name", bad)]).await;
        page.assert_status(422);
        assert!(!page.text("#workspace-name-error").is_empty());
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM workspaces").await, 1);
}

async fn the_navbar_offers_the_other_workspaces(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    ada.get("/workspaces").await;
    ada.post("/workspaces", &[("name", "Client B")]).await;
    let home = ada.get("/").await;
    assert_eq!(home.text(".switcher-name"), "Client B");
    let offered = home.texts(".switcher form.menu-form button");
    assert_eq!(offered.len(), 1);
    assert!(offered[0].contains("Ada's studio"));
}

async fn the_navbar_lists_a_few_of_many_workspaces(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    for n in 0..14 {
        ada.get("/workspaces").await;
        ada.post("/workspaces", &[("name", &format!("Client {n:02}"))]).await.assert_redirect("/");
    }
    let home = ada.get("/").await;
    // Ten come with the page; opening the menu fetches the others by name
    // (the search box then filters all of them).
    assert_eq!(home.texts(".switcher form.menu-form").len(), 10);
    let recent = home.texts(".switcher > .menu > form.menu-form").len();
    let menu = home.attrs(".switcher", "hx-get").pop().expect("the menu fetches the rest");
    assert_eq!(recent + ada.get(&menu).await.texts("form.menu-form").len(), 14);
    assert!(home.text(".switcher a.menu-item").contains("All workspaces"));
    assert_eq!(ada.get("/workspaces").await.texts("tbody tr").len(), 15);
}

async fn the_switcher_lists_the_recently_used_first_then_the_rest_by_name(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let mut ids = std::collections::HashMap::new();
    for name in ["Fig", "Apple", "Kiwi", "Date", "Banana", "Lime", "Cherry"] {
        ada.get("/workspaces").await;
        ada.post("/workspaces", &[("name", name)]).await.assert_redirect("/");
        ada.get("/").await;
        ids.insert(name, ada.guards().page_workspace);
    }
    for name in ["Apple", "Banana", "Cherry", "Date", "Fig", "Kiwi", "Lime"] {
        ada.get("/settings").await;
        ada.post("/workspaces/switch", &[("workspace_id", &ids[name]), ("back", "/")]).await.assert_redirect("/");
    }
    let home = ada.get("/").await;
    assert_eq!(home.text(".switcher-name"), "Lime");
    assert!(home.text(".switcher").contains("Recently used"));
    let offered = home.texts(".switcher form.menu-form button");
    // Five used last, latest first; then the others by name, each once.
    let expected = ["Kiwi", "Fig", "Date", "Cherry", "Banana", "Ada's studio", "Apple"];
    assert_eq!(offered.len(), expected.len(), "{offered:?}");
    for (item, name) in offered.iter().zip(expected) {
        assert!(item.contains(name), "{offered:?}");
    }
}

async fn switching_comes_back_to_the_same_page_or_home(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let studio = ada.guards().page_workspace;
    ada.get("/workspaces").await;
    ada.post("/workspaces", &[("name", "Client B")]).await;
    ada.get("/settings").await;

    ada.post("/workspaces/switch", &[("workspace_id", &studio), ("back", "/settings")])
        .await
        .assert_redirect("/settings");
    assert_eq!(ada.get("/settings").await.text(".switcher-name"), "Ada's studio");

    // A page about one object of the old workspace cannot exist in the new one.
    let object_page = format!("/images/{}", uuid::Uuid::now_v7());
    ada.post("/workspaces/switch", &[("workspace_id", &studio), ("back", &object_page)]).await.assert_redirect("/");
    ada.post("/workspaces/switch", &[("workspace_id", &studio), ("back", "//evil.example")]).await.assert_redirect("/");
}

async fn switching_to_someone_elses_workspace_is_404_and_changes_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let bea = app.signed_up("Bea", "bea@example.com").await;
    let beas_studio = bea.guards().page_workspace;

    ada.get("/").await;
    let page = ada.post("/workspaces/switch", &[("workspace_id", &beas_studio), ("back", "/")]).await;
    page.assert_status(404);
    assert!(page.body.contains("Not found"));
    ada.post("/workspaces/switch", &[("workspace_id", "not-a-uuid"), ("back", "/")]).await.assert_status(404);
    let home = ada.get("/").await;
    assert_eq!(home.text(".switcher-name"), "Ada's studio");
    assert!(!home.body.contains("Bea's studio"));
}

async fn a_deleted_membership_takes_effect_on_the_next_request(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let bea = app.signed_up("Bea", "bea@example.com").await;
    let beas_studio = bea.guards().page_workspace;
    app.add_member(&beas_studio, "ada@example.com", "member").await;
    ada.get("/").await;
    ada.post("/workspaces/switch", &[("workspace_id", &beas_studio), ("back", "/")]).await;
    assert_eq!(ada.get("/").await.text(".switcher-name"), "Bea's studio");

    app.remove_member(&beas_studio, "ada@example.com").await;
    let home = ada.get("/").await;
    assert_eq!(home.text(".switcher-name"), "Ada's studio", "falls back to her first workspace");
    assert!(!home.body.contains("Bea's studio"));
}

async fn a_person_without_workspaces_is_asked_to_create_one(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let studio = ada.guards().page_workspace;
    app.remove_member(&studio, "ada@example.com").await;
    ada.get("/").await.assert_redirect("/workspaces");
    let page = ada.get("/workspaces").await;
    page.assert_status(200);
    assert!(page.body.contains("You are not in any workspace yet"));
}

async fn a_write_from_a_stale_tab_is_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    ada.get("/workspaces").await;
    ada.post("/workspaces", &[("name", "Client B")]).await;
    // The "old tab": the settings page of Client B.
    ada.get("/settings").await;
    let old_tab = ada.guards();
    let studio = app.count("SELECT COUNT(*) FROM workspaces").await;
    assert_eq!(studio, 2);

    // Another tab switches back to the studio.
    let list = ada.get("/workspaces").await;
    let other_id = list.attrs("tbody input[name=workspace_id]", "value").remove(0);
    ada.post("/workspaces/switch", &[("workspace_id", &other_id), ("back", "/")]).await.assert_redirect("/");

    let page = ada
        .post_exactly(
            "/settings",
            &[
                vec![("csrf_token", old_tab.csrf_token.as_str()), ("page_workspace", old_tab.page_workspace.as_str())],
                settings("Written into the wrong client", "UTC"),
            ]
            .concat(),
            &[],
        )
        .await;
    page.assert_status(409);
    assert!(page.text("h1").contains("switched workspace in another tab"));
    assert_eq!(app.count("SELECT COUNT(*) FROM workspace_settings WHERE display_name LIKE 'Written%'").await, 0);

    // Without any page marker at all the write is refused the same way.
    let page = ada
        .post_exactly(
            "/settings",
            &[vec![("csrf_token", old_tab.csrf_token.as_str())], settings("No marker", "UTC")].concat(),
            &[],
        )
        .await;
    page.assert_status(409);
    assert_eq!(app.count("SELECT COUNT(*) FROM workspace_settings WHERE display_name = 'No marker'").await, 0);
}

async fn settings_are_validated_and_belong_to_one_workspace(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let bea = app.signed_up("Bea", "bea@example.com").await;
    ada.get("/settings").await;
    let page = ada.post("/settings", &settings("Ada Paints", "Mars/Olympus")).await;
    page.assert_status(422);
    assert!(!page.text("#time_zone-error").is_empty());
    assert_eq!(app.count("SELECT COUNT(*) FROM workspace_settings WHERE display_name = 'Ada Paints'").await, 0);

    ada.post("/settings", &settings("Ada Paints", "Europe/Paris")).await.assert_redirect("/settings");
    let saved = ada.get("/settings").await;
    assert_eq!(saved.attrs("#display_name", "value"), vec!["Ada Paints"]);
    assert_eq!(saved.attrs("#time_zone option[selected]", "value"), vec!["Europe/Paris"]);
    let beas = bea.get("/settings").await;
    assert_eq!(beas.attrs("#display_name", "value"), vec!["Bea's studio"]);
    assert_eq!(beas.attrs("#time_zone option[selected]", "value"), vec!["UTC"]);
}

async fn a_viewer_cannot_change_settings(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let studio = ada.guards().page_workspace;
    let bea = app.signed_up("Bea", "bea@example.com").await;
    app.add_member(&studio, "bea@example.com", "viewer").await;
    bea.get("/").await;
    bea.post("/workspaces/switch", &[("workspace_id", &studio), ("back", "/settings")]).await;
    let form = bea.get("/settings").await;
    form.assert_status(200);
    assert!(form.texts("button[type=submit]").iter().all(|b| b != "Save settings"));
    let page = bea.post("/settings", &settings("Hijacked", "UTC")).await;
    page.assert_status(403);
    assert_eq!(app.count("SELECT COUNT(*) FROM workspace_settings WHERE display_name = 'Hijacked'").await, 0);
}

//! Gallery search through the search indexes (migration 0029): the same
//! answers as reading every title and tag, whatever the backend, kept in
//! step with renames, tags and deletions, walled off per workspace, and
//! rebuilt by an import and a restore.

use easel::archive::{self, ImportOptions, Progress};

use crate::{
    archives::{export, storage},
    calendars::{new_calendar, new_post},
    collections::{new_collection, upload},
    harness::{Backend, Client, TestApp},
    on_both_backends,
};

on_both_backends!(
    a_search_finds_substrings_of_titles_and_tags_case_aside,
    percent_underscore_and_quotes_are_letters,
    short_and_long_searches_still_work,
    renames_tag_changes_and_deletions_change_the_answers,
    a_search_combines_with_the_other_filters_and_pages,
    another_workspaces_images_are_never_found,
    an_imported_or_restored_workspace_is_searchable,
);

/// Gives an image a title and tags through its details form.
async fn describe(client: &Client, id: &str, title: &str, tags: &str) {
    client.get(&format!("/images/{id}")).await;
    client
        .post(&format!("/images/{id}"), &[("title", title), ("availability", "available"), ("tags", tags)])
        .await
        .assert_redirect(&format!("/images/{id}"));
}

/// The ids the gallery shows for a search (newest first).
async fn found(client: &Client, query: &str) -> Vec<String> {
    let q: String = url::form_urlencoded::byte_serialize(query.as_bytes()).collect();
    found_at(client, &format!("/images?q={q}")).await
}

async fn found_at(client: &Client, path: &str) -> Vec<String> {
    let page = client.get(path).await;
    page.assert_status(200);
    page.attrs(".art-card input[name=ids]", "value")
}

/// A new image with a title and tags.
async fn piece(client: &Client, seed: u8, title: &str, tags: &str) -> String {
    let id = upload(client, &format!("{seed}.png"), seed).await;
    describe(client, &id, title, tags).await;
    id
}

/// Rows in the backend's search index.
async fn indexed(app: &TestApp, backend: Backend) -> i64 {
    match backend {
        Backend::Sqlite => app.count("SELECT COUNT(*) FROM image_search").await,
        Backend::Postgres => app.count("SELECT COUNT(DISTINCT image_id) FROM image_search_suffixes").await,
    }
}

async fn a_search_finds_substrings_of_titles_and_tags_case_aside(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let p0142 = piece(&ada, 1, "Piece 0142", "").await;
    let p0015 = piece(&ada, 2, "Piece 0015", "").await;
    let fox = piece(&ada, 3, "Red fox", "Autumn, Woodland").await;
    let both = piece(&ada, 4, "Woodland path", "woodland").await;

    assert_eq!(found(&ada, "piece 01").await, vec![p0142.clone()]);
    assert_eq!(found(&ada, "PIECE 01").await, vec![p0142.clone()], "case aside");
    assert_eq!(found(&ada, "iece 0").await, vec![p0015.clone(), p0142.clone()], "newest first");
    assert_eq!(found(&ada, "oodla").await, vec![both.clone(), fox.clone()], "a title or a tag, each image once");
    assert_eq!(found(&ada, "tumn").await, vec![fox.clone()], "by a tag alone");
    assert!(found(&ada, "land\nautumn").await.is_empty(), "a search never spans two tags");
    assert!(found(&ada, "fox path").await.is_empty());
}

async fn percent_underscore_and_quotes_are_letters(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let sale = piece(&ada, 1, "50% off_sale", "").await;
    let quoted = piece(&ada, 2, "Say \"hi\" (study)", "").await;
    piece(&ada, 3, "500 offsale", "").await;

    assert_eq!(found(&ada, "0% o").await, vec![sale.clone()]);
    assert_eq!(found(&ada, "f_s").await, vec![sale.clone()]);
    assert_eq!(found(&ada, "%").await, vec![sale.clone()]);
    assert_eq!(found(&ada, "_").await, vec![sale.clone()]);
    assert!(found(&ada, "0%_").await.is_empty());
    assert_eq!(found(&ada, "\"hi\"").await, vec![quoted.clone()]);
    assert_eq!(found(&ada, "(study)").await, vec![quoted.clone()]);
    assert!(found(&ada, "hi\" OR \"sale").await.is_empty(), "the search is one phrase, never a query language");
}

async fn short_and_long_searches_still_work(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let long_title = "An uncommonly long title for a small watercolour of herons";
    let long = piece(&ada, 1, long_title, "").await;
    let p0142 = piece(&ada, 2, "Piece 0142", "x").await;

    assert_eq!(found(&ada, "01").await, vec![p0142.clone()], "two characters");
    assert_eq!(found(&ada, "x").await, vec![p0142.clone()], "one character, a tag");
    assert_eq!(found(&ada, "w").await, vec![long.clone()]);
    assert_eq!(found(&ada, &long_title.to_uppercase()).await, vec![long.clone()], "longer than any index keeps");
    assert_eq!(found(&ada, "small watercolour of herons").await, vec![long.clone()]);
    assert!(found(&ada, &format!("{long_title}!")).await.is_empty());
}

async fn renames_tag_changes_and_deletions_change_the_answers(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let id = piece(&ada, 1, "Grey heron", "river, dawn").await;
    let other = piece(&ada, 2, "Kingfisher", "").await;
    assert_eq!(found(&ada, "heron").await, vec![id.clone()]);

    describe(&ada, &id, "Blue egret", "lake").await;
    assert!(found(&ada, "heron").await.is_empty(), "the old title is gone");
    assert!(found(&ada, "river").await.is_empty(), "the old tags are gone");
    assert_eq!(found(&ada, "e egr").await, vec![id.clone()]);
    assert_eq!(found(&ada, "lake").await, vec![id.clone()]);

    ada.post("/images/bulk", &[("action", "tag"), ("tags", "Marshland"), ("ids", &id), ("ids", &other)])
        .await
        .assert_redirect("/images");
    assert_eq!(found(&ada, "shla").await, vec![other.clone(), id.clone()], "tags added in bulk");

    ada.get(&format!("/images/{id}")).await;
    ada.post(&format!("/images/{id}/delete"), &[]).await;
    assert_eq!(found(&ada, "shla").await, vec![other.clone()], "a deleted image is not found");
    assert!(found(&ada, "egret").await.is_empty());
    assert_eq!(indexed(&app, backend).await, 1, "the index holds only the image left");
}

async fn a_search_combines_with_the_other_filters_and_pages(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let files: Vec<(String, Vec<u8>)> =
        (10..62u8).map(|i| (format!("study {i}.png"), crate::harness::art::png(i))).collect();
    let refs: Vec<(&str, Vec<u8>)> = files.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
    ada.upload("/images", &refs).await.assert_status(200);
    let other = piece(&ada, 1, "Landscape", "").await;

    // Paging: 52 studies make a page of 48 and a page of 4, the search kept.
    let first = ada.get("/images?q=Study").await;
    assert_eq!(first.attrs(".art-card", "class").len(), 48);
    let next = first.attrs("#more a", "href").pop().expect("a next page");
    assert!(next.contains("q=Study"), "{next}");
    let second = found_at(&ada, &next).await;
    assert_eq!(second.len(), 4);
    assert!(!second.contains(&other));

    let studies = found(&ada, "study").await;
    let (a, b, c) = (studies[0].clone(), studies[1].clone(), studies[2].clone());
    ada.post("/images/bulk", &[("action", "tag"), ("tags", "sketch"), ("ids", &a), ("ids", &b), ("ids", &other)])
        .await
        .assert_redirect("/images");
    assert_eq!(found_at(&ada, "/images?q=study&tag=sketch").await, vec![a.clone(), b.clone()]);

    let collection = new_collection(&ada, "Series").await;
    ada.post("/images/bulk", &[("action", "collect"), ("collection_id", &collection), ("ids", &b), ("ids", &c)])
        .await
        .assert_redirect("/images");
    assert_eq!(found_at(&ada, &format!("/images?q=study&collection={collection}")).await, vec![b.clone(), c.clone()]);
    assert_eq!(found_at(&ada, &format!("/images?q=study&tag=sketch&collection={collection}")).await, vec![b.clone()]);

    let calendar = new_calendar(&ada, "Main").await;
    let post = new_post(&ada, &calendar, "2030-05-01", "10:00").await;
    ada.post(&format!("/events/{post}/images"), &[("ids", &a)]).await.assert_redirect(&format!("/events/{post}"));
    let unscheduled = found_at(&ada, "/images?q=study&tag=sketch&unscheduled=1").await;
    assert_eq!(unscheduled, vec![b.clone()]);
}

async fn another_workspaces_images_are_never_found(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let bob = app.signed_up("Bob", "bob@example.com").await;
    let adas = piece(&ada, 1, "Grey heron", "heronry").await;
    let bobs = piece(&bob, 2, "Grey heron", "heronry").await;
    assert_eq!(found(&ada, "grey heron").await, vec![adas.clone()]);
    assert_eq!(found(&bob, "grey heron").await, vec![bobs.clone()]);
    assert_eq!(found(&bob, "heronry").await, vec![bobs.clone()]);
    assert_eq!(found(&bob, "he").await, vec![bobs.clone()], "the scan too");
}

async fn an_imported_or_restored_workspace_is_searchable(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let ws = ada.guards().page_workspace;
    piece(&ada, 1, "Piece 0142", "woodland").await;
    let file = export(&app, &ws, "ws.zip").await;
    let backup = app.dir.path().join("backup.zip");
    archive::backup(&app.databases, &storage(&app), &backup, &Progress::default()).await.expect("backup");

    // Imported as a new workspace beside the original.
    let options = ImportOptions { as_new: true, invite: false };
    let copy = archive::import_workspace(&app.db, &storage(&app), &file, &options, &Progress::default())
        .await
        .expect("import")
        .workspace_id
        .to_string();
    ada.post("/workspaces/switch", &[("workspace_id", &copy), ("back", "/")]).await;
    let copied = found(&ada, "piece 01").await;
    assert_eq!(copied.len(), 1);
    assert_eq!(found(&ada, "oodla").await, copied, "its tags too");
    assert_eq!(indexed(&app, backend).await, 2);

    // Restored into an empty instance on the other backend.
    let other = match backend {
        Backend::Sqlite => Backend::Postgres,
        Backend::Postgres => Backend::Sqlite,
    };
    let fresh = TestApp::spawn(other).await;
    std::fs::remove_dir_all(fresh.uploads()).ok();
    archive::restore(&fresh.db, &storage(&fresh), &backup, &Progress::default()).await.expect("restore");
    let client = fresh.client();
    client.get("/login").await;
    client
        .post("/login", &[("email", "ada@example.com"), ("password", "correct horse battery")])
        .await
        .assert_status(303);
    client.post("/workspaces/switch", &[("workspace_id", &ws), ("back", "/")]).await;
    assert_eq!(found(&client, "piece 01").await.len(), 1);
    assert_eq!(found(&client, "oodla").await.len(), 1);
}

//! Collections: create, rename, add, order, cover, remove, delete.

use crate::{
    harness::{Backend, Client, Page, TestApp, art},
    on_both_backends,
};

on_both_backends!(
    a_collection_is_built_and_ordered,
    collections_are_validated,
    deleting_a_collection_keeps_its_images,
    the_database_refuses_to_mix_workspaces_in_a_collection,
);

pub async fn upload(client: &Client, name: &str, seed: u8) -> String {
    let page = client.upload("/images", &[(name, art::png(seed))]).await;
    page.attrs(".upload-added a", "href").pop().expect("added").trim_start_matches("/images/").to_owned()
}

pub async fn new_collection(client: &Client, name: &str) -> String {
    client.get("/collections").await;
    let page = client.post("/collections", &[("name", name), ("description", "A series")]).await;
    page.location().expect("redirect").trim_start_matches("/collections/").to_owned()
}

fn order(page: &Page) -> Vec<String> {
    page.attrs("ol.art-grid li", "data-id")
}

async fn a_collection_is_built_and_ordered(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let (a, b, c) = (upload(&ada, "a.png", 1).await, upload(&ada, "b.png", 2).await, upload(&ada, "c.png", 3).await);
    let id = new_collection(&ada, "Herons").await;
    let path = format!("/collections/{id}");

    let picker = ada.get(&format!("{path}/add?q=b")).await;
    assert_eq!(picker.attrs("input[name=ids]", "value"), vec![b.clone()]);
    ada.post(&format!("{path}/images"), &[("ids", &a), ("ids", &b), ("ids", &c)]).await.assert_redirect(&path);
    assert_eq!(order(&ada.get(&path).await), vec![a.clone(), b.clone(), c.clone()]);
    // Adding again changes nothing.
    ada.post(&format!("{path}/images"), &[("ids", &a)]).await.assert_redirect(&path);
    assert_eq!(app.count("SELECT COUNT(*) FROM collection_images").await, 3);

    ada.post(&format!("{path}/images/{c}/move"), &[("direction", "up")]).await;
    assert_eq!(order(&ada.get(&path).await), vec![a.clone(), c.clone(), b.clone()]);
    ada.post(&format!("{path}/order"), &[("ids", &b), ("ids", &a), ("ids", &c)]).await.assert_redirect(&path);
    assert_eq!(order(&ada.get(&path).await), vec![b.clone(), a.clone(), c.clone()]);
    // An order that leaves an image out is refused.
    ada.post(&format!("{path}/order"), &[("ids", &b), ("ids", &a)]).await.assert_status(400);

    ada.post(&format!("{path}/cover"), &[("image_id", &c)]).await.assert_redirect(&path);
    let list = ada.get("/collections").await;
    assert_eq!(list.attrs(".collection-cover img", "src"), vec![format!("/media/{c}/thumb")]);
    assert!(list.text(".collection-card").contains("3 images"));

    ada.post(&format!("{path}/images/{a}/remove"), &[]).await.assert_redirect(&path);
    assert_eq!(order(&ada.get(&path).await), vec![b.clone(), c.clone()]);
    let detail = ada.get(&format!("/images/{b}")).await;
    assert_eq!(detail.texts(".chips a"), vec!["Herons"]);

    ada.post(&path, &[("name", "Grey herons"), ("description", "Spring 2025")]).await.assert_redirect(&path);
    assert_eq!(ada.get(&path).await.text("h1"), "Grey herons");
}

async fn collections_are_validated(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    ada.get("/collections").await;
    let page = ada.post("/collections", &[("name", " "), ("description", "")]).await;
    page.assert_status(422);
    assert!(!page.text("#collection-name-error").is_empty());
    let id = new_collection(&ada, "Herons").await;
    let long = "x".repeat(2001);
    let page = ada.post(&format!("/collections/{id}"), &[("name", "Herons"), ("description", &long)]).await;
    page.assert_status(422);
    assert!(!page.text("#collection-description-error").is_empty());
    assert_eq!(app.count("SELECT COUNT(*) FROM collections WHERE description = 'A series'").await, 1);
}

async fn deleting_a_collection_keeps_its_images(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let a = upload(&ada, "a.png", 1).await;
    let id = new_collection(&ada, "Herons").await;
    ada.post(&format!("/collections/{id}/images"), &[("ids", &a)]).await;
    ada.post(&format!("/collections/{id}/delete"), &[]).await.assert_redirect("/collections");
    assert_eq!(app.count("SELECT COUNT(*) FROM collections").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM collection_images").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM images").await, 1);
}

async fn the_database_refuses_to_mix_workspaces_in_a_collection(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let bea = app.signed_up("Bea", "bea@example.com").await;
    let beas_image = upload(&bea, "b.png", 2).await;
    let adas_collection = new_collection(&ada, "Herons").await;
    // Even a query that skipped the workspace check cannot link them: the
    // composite foreign key refuses.
    let sql = format!(
        "INSERT INTO collection_images (workspace_id, collection_id, image_id, position, is_cover, added_at) \
         SELECT c.workspace_id, c.id, i.id, 0, FALSE, c.created_at FROM collections c, images i \
         WHERE c.id = {} AND i.id = {}",
        app.uuid_literal(&adas_collection),
        app.uuid_literal(&beas_image)
    );
    // (On PostgreSQL the test's second workspace lives in a database of its
    // own, where no statement can even name the first one's rows.)
    let linked = app.try_execute(&sql).await;
    assert!(linked.is_err() || backend == Backend::Postgres && linked.is_ok_and(|n| n == 0), "must refuse");
    assert_eq!(app.count("SELECT COUNT(*) FROM collection_images").await, 0);
}

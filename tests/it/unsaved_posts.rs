//! The post editor: artwork chosen before the first save, and previous /
//! next links in date order.

use crate::{
    calendars::{new_calendar, new_post},
    collections::upload,
    harness::{Backend, TestApp},
    on_both_backends,
};

on_both_backends!(artwork_is_chosen_before_the_first_save, previous_and_next_follow_the_calendars_date_order);

async fn artwork_is_chosen_before_the_first_save(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let (a, b) = (upload(&ada, "a.png", 1).await, upload(&ada, "b.png", 2).await);
    let calendar = new_calendar(&ada, "Main").await;
    let new = ada.get(&format!("/calendars/{calendar}/posts/new?date=2030-05-01")).await;
    assert_eq!(
        new.attrs("#artwork button[formaction]", "formaction"),
        vec![format!("/calendars/{calendar}/posts/new/images")]
    );
    let typed = [
        ("date", "2030-05-01"),
        ("time", "10:00"),
        ("platform", "instagram"),
        ("status", "draft"),
        ("caption", "Blue & gold"),
    ];
    let picker = ada.post(&format!("/calendars/{calendar}/posts/new/images"), &typed).await;
    picker.assert_status(200);
    assert_eq!(picker.attrs("#unsaved-pick input[name=caption]", "value"), vec!["Blue & gold"]);
    assert_eq!(picker.attrs("#unsaved-pick input[name=images]", "value"), vec![b.clone(), a.clone()]);
    assert_eq!(app.count("SELECT COUNT(*) FROM events").await, 0, "choosing saves nothing");

    let back = ada
        .get(&format!(
            "/calendars/{calendar}/posts/new?date=2030-05-01&time=10:00&platform=instagram&status=draft&caption=Blue+%26+gold&images={a}&images={b}"
        ))
        .await;
    assert_eq!(back.text("#caption"), "Blue & gold");
    assert_eq!(back.attrs("[data-chosen-artwork] input[name=images]", "value"), vec![a.clone(), b.clone()]);

    // A refused form keeps the choice; a forged piece is a 404; both create nothing.
    let mut bad = typed.to_vec();
    bad[0] = ("date", "2030-02-30");
    bad.extend([("images", a.as_str()), ("images", b.as_str())]);
    let refused = ada.post(&format!("/calendars/{calendar}/posts"), &bad).await;
    refused.assert_status(422);
    assert_eq!(refused.attrs("[data-chosen-artwork] input[name=images]", "value"), vec![a.clone(), b.clone()]);
    let bea = app.signed_up("Bea", "bea@example.com").await;
    let hers = upload(&bea, "hers.png", 3).await;
    ada.get(&format!("/calendars/{calendar}/posts/new")).await;
    let mut forged = typed.to_vec();
    forged.extend([("images", a.as_str()), ("images", hers.as_str())]);
    ada.post(&format!("/calendars/{calendar}/posts"), &forged).await.assert_status(404);
    ada.post(&format!("/calendars/{calendar}/posts/new/images"), &forged).await.assert_status(404);
    assert_eq!(app.count("SELECT COUNT(*) FROM events").await, 0);

    let mut good = typed.to_vec();
    good.extend([("images", b.as_str()), ("images", a.as_str())]);
    ada.get(&format!("/calendars/{calendar}/posts/new")).await;
    let created = ada.post(&format!("/calendars/{calendar}/posts"), &good).await;
    created.assert_status(303);
    let post = created.location().expect("post").to_owned();
    let editor = ada.get(&post).await;
    assert_eq!(editor.attrs(".carousel-list li", "data-id"), vec![b.clone(), a.clone()]);
    assert_eq!(app.count("SELECT COUNT(*) FROM event_images").await, 2);
}

async fn previous_and_next_follow_the_calendars_date_order(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let calendar = new_calendar(&ada, "Main").await;
    let other = new_calendar(&ada, "Other").await;
    let third = new_post(&ada, &calendar, "2030-05-03", "09:00").await;
    let first = new_post(&ada, &calendar, "2030-05-01", "09:00").await;
    let _elsewhere = new_post(&ada, &other, "2030-05-02", "09:00").await;
    let second = new_post(&ada, &calendar, "2030-05-02", "18:00").await;
    let links = |page: &crate::harness::Page, rel: &str| page.attrs(&format!(".post-steps a[rel={rel}]"), "href");
    let middle = ada.get(&format!("/events/{second}")).await;
    assert_eq!(links(&middle, "prev"), vec![format!("/events/{first}")]);
    assert_eq!(links(&middle, "next"), vec![format!("/events/{third}")]);
    let start = ada.get(&format!("/events/{first}")).await;
    assert!(links(&start, "prev").is_empty());
    assert_eq!(links(&start, "next"), vec![format!("/events/{second}")]);
    assert!(links(&ada.get(&format!("/events/{third}")).await, "next").is_empty());
}

//! The grid planner: the feed as it will look, reordering by swapping two
//! upcoming posts' times, and the palette warning between neighbours.

use crate::{
    calendars::{new_calendar, new_post},
    collections::upload,
    harness::{Backend, Client, TestApp},
    on_both_backends,
};

on_both_backends!(
    the_grid_shows_upcoming_then_published_posts_in_feed_order,
    reordering_swaps_two_posts_dates_and_keeps_each_dates_time,
    neighbours_with_nearly_the_same_palette_are_flagged,
);

async fn planned(client: &Client, calendar: &str, image: &str, date: &str, time: &str) -> String {
    client.get(&format!("/calendars/{calendar}")).await;
    let page = client
        .post("/calendars/plan", &[("calendar", calendar), ("image", image), ("date", date), ("time", time)])
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    page.location().expect("post").trim_start_matches("/events/").to_owned()
}

async fn set_status(client: &Client, post: &str, date: &str, time: &str, status: &str) {
    client.get(&format!("/events/{post}")).await;
    let fields = [("date", date), ("time", time), ("platform", "instagram"), ("status", status), ("caption", "Out")];
    client.post(&format!("/events/{post}"), &fields).await.assert_status(303);
}

/// "Post on Wed 1 May 2030 at 09:00", as the editor's heading says.
async fn when(client: &Client, post: &str) -> String {
    client.get(&format!("/events/{post}")).await.text("h1")
}

fn tiles(page: &crate::harness::Page) -> Vec<String> {
    page.attrs("[data-tile]", "data-tile")
}

async fn the_grid_shows_upcoming_then_published_posts_in_feed_order(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let calendar = new_calendar(&ada, "Main").await;
    let image = upload(&ada, "heron.png", 1).await;
    let first = planned(&ada, &calendar, &image, "2030-05-01", "09:00").await;
    let second = planned(&ada, &calendar, &image, "2030-05-02", "09:00").await;
    let third = new_post(&ada, &calendar, "2030-05-03", "09:00").await;
    let published = new_post(&ada, &calendar, "2020-01-01", "09:00").await;
    set_status(&ada, &published, "2020-01-01", "09:00", "published").await;
    let _past_draft = new_post(&ada, &calendar, "2020-02-01", "09:00").await;

    let month = ada.get(&format!("/calendars/{calendar}")).await;
    assert_eq!(month.attrs(&format!("a[href='/calendars/{calendar}/grid']"), "href").len(), 1);
    let grid = ada.get(&format!("/calendars/{calendar}/grid")).await;
    grid.assert_status(200);
    assert_eq!(tiles(&grid), vec![third.clone(), second.clone(), first.clone(), published.clone()]);
    let src = grid.attrs(&format!("[data-tile=\"{first}\"] img"), "src");
    assert_eq!(src, vec![format!("/media/{image}/crop/grid/thumb")]);
    assert!(grid.attrs(&format!("[data-tile=\"{third}\"] img"), "src").is_empty(), "no artwork yet");
    assert!(grid.attrs(&format!("[data-tile=\"{published}\"] form"), "action").is_empty(), "out: no buttons");
    let name = grid.attrs(&format!("[data-tile=\"{first}\"] a"), "aria-label").pop().expect("name");
    assert!(name.contains("Wed 1 May") && name.contains("09:00"), "{name}");
}

async fn reordering_swaps_two_posts_dates_and_keeps_each_dates_time(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let calendar = new_calendar(&ada, "Main").await;
    let image = upload(&ada, "heron.png", 1).await;
    let a = planned(&ada, &calendar, &image, "2030-05-01", "09:00").await;
    let b = planned(&ada, &calendar, &image, "2030-05-02", "18:30").await;
    let c = new_post(&ada, &calendar, "2030-05-03", "12:00").await;
    set_status(&ada, &c, "2030-05-03", "12:00", "published").await;
    let path = format!("/calendars/{calendar}/grid");

    ada.get(&path).await;
    let moved = ada.post(&format!("{path}/move"), &[("post", &a), ("direction", "later")]).await;
    moved.assert_redirect(&path);
    assert_eq!(when(&ada, &a).await, "Post on Thu 2 May 2030 at 18:30");
    assert_eq!(when(&ada, &b).await, "Post on Wed 1 May 2030 at 09:00");
    assert_eq!(tiles(&ada.get(&path).await), vec![c.clone(), a.clone(), b.clone()]);
    ada.post(&format!("{path}/swap"), &[("post", &a), ("with", &b)]).await.assert_redirect(&path);
    assert_eq!(when(&ada, &a).await, "Post on Wed 1 May 2030 at 09:00");
    assert_eq!(when(&ada, &b).await, "Post on Thu 2 May 2030 at 18:30");

    // A published post stays put; so does the first post asked to go earlier.
    let before = app.strings("SELECT CAST(starts_at AS TEXT) FROM events ORDER BY starts_at").await;
    ada.get(&path).await;
    ada.post(&format!("{path}/swap"), &[("post", &b), ("with", &c)]).await.assert_status(422);
    ada.post(&format!("{path}/move"), &[("post", &b), ("direction", "later")]).await.assert_status(422);
    ada.post(&format!("{path}/move"), &[("post", &a), ("direction", "earlier")]).await.assert_status(422);
    ada.post(&format!("{path}/move"), &[("post", &a), ("direction", "sideways")]).await.assert_status(400);
    let past = new_post(&ada, &calendar, "2020-01-01", "09:00").await;
    ada.get(&path).await;
    ada.post(&format!("{path}/swap"), &[("post", &past), ("with", &a)]).await.assert_status(422);
    let other = new_calendar(&ada, "Other").await;
    let elsewhere = new_post(&ada, &other, "2030-05-05", "09:00").await;
    ada.get(&path).await;
    ada.post(&format!("{path}/swap"), &[("post", &a), ("with", &elsewhere)]).await.assert_status(404);
    let after = app
        .strings("SELECT CAST(starts_at AS TEXT) FROM events WHERE starts_at > '2021-01-01' ORDER BY starts_at")
        .await;
    assert_eq!(&after[..3], &before[..], "refused swaps change nothing");

    let ws = ada.guards().page_workspace;
    let vic = app.signed_up("Vic", "vic@example.com").await;
    app.add_member(&ws, "vic@example.com", "viewer").await;
    vic.get("/").await;
    vic.post("/workspaces/switch", &[("workspace_id", &ws), ("back", "/")]).await;
    let seen = vic.get(&path).await;
    seen.assert_status(200);
    assert!(seen.attrs("[data-tile] form", "action").is_empty(), "a viewer gets no buttons");
    vic.post(&format!("{path}/swap"), &[("post", &a), ("with", &b)]).await.assert_status(403);
    assert_eq!(when(&ada, &a).await, "Post on Wed 1 May 2030 at 09:00");
}

async fn neighbours_with_nearly_the_same_palette_are_flagged(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let calendar = new_calendar(&ada, "Main").await;
    let (x, y, z) = (upload(&ada, "x.png", 1).await, upload(&ada, "y.png", 2).await, upload(&ada, "z.png", 3).await);
    let on_z = planned(&ada, &calendar, &z, "2030-05-01", "09:00").await;
    let on_y = planned(&ada, &calendar, &y, "2030-05-02", "09:00").await;
    let on_x = planned(&ada, &calendar, &x, "2030-05-03", "09:00").await;
    let mut set = Vec::new();
    for (image, palette) in
        [(&x, "#1f3a93 #2c4fb8 #e8e4dc"), (&y, "#203b95 #2a4db5 #e6e2da"), (&z, "#c2410c #f59e0b #fef3c7")]
    {
        let sql = format!("UPDATE images SET palette = '{palette}' WHERE id = {}", app.uuid_literal(image));
        set.push(app.try_execute(&sql).await.is_ok());
    }
    let grid = ada.get(&format!("/calendars/{calendar}/grid")).await;
    assert_eq!(tiles(&grid), vec![on_x.clone(), on_y.clone(), on_z.clone()]);
    let warned = |tile: &str| grid.attrs(&format!("[data-tile=\"{tile}\"] [data-warning]"), "data-warning");
    if set.iter().all(|ok| *ok) {
        assert_eq!(warned(&on_x), vec!["right"], "x and y look alike");
        assert!(warned(&on_y).is_empty() && warned(&on_z).is_empty(), "z differs");
    } else {
        // images.palette arrives with the crops migration (0021): until then no palette, no warning.
        assert!(set.iter().all(|ok| !*ok));
        assert!(warned(&on_x).is_empty() && warned(&on_y).is_empty());
    }
}

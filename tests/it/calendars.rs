//! Content calendars: brand settings, calendars, posts, auto-scheduling,
//! exports and the home dashboard.

use crate::{
    collections::{new_collection, upload},
    harness::{Backend, Client, Page, TestApp, art},
    on_both_backends,
};

on_both_backends!(
    brand_settings_are_validated_and_saved,
    hashtag_sets_are_saved_and_added_to_a_post,
    calendars_are_created_changed_and_deleted,
    a_post_is_created_edited_moved_duplicated_and_deleted,
    impossible_post_input_changes_nothing,
    artwork_is_assigned_ordered_and_removed,
    the_views_place_posts_on_their_local_day,
    auto_schedule_creates_exactly_the_preview,
    auto_schedule_refuses_bad_input_and_changed_plans,
    auto_schedule_keeps_local_times_across_daylight_saving,
    the_csv_export_lists_every_post,
    the_feed_answers_only_to_its_token,
    home_shows_whats_next_and_what_needs_work,
    a_month_with_500_posts_renders,
);

/// Full brand settings with these values for time zone and posting times.
fn brand<'a>(time_zone: &'a str, times: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("display_name", "Mara Lind Ceramics"),
        ("company_name", "Lind Studio AB"),
        ("branded_hashtag", "MaraLind"),
        ("content_tone", "warm, quiet"),
        ("shop_url", "https://shop.example.com/"),
        ("instagram_hashtag_count", "20"),
        ("pinterest_hashtag_count", "5"),
        ("time_zone", time_zone),
        ("posting_times", times),
    ]
}

async fn set_time_zone(client: &Client, zone: &str) {
    client.get("/settings").await;
    client.post("/settings", &brand(zone, "09:00, 18:30")).await.assert_redirect("/settings");
}

pub async fn new_calendar(client: &Client, name: &str) -> String {
    client.get("/calendars").await;
    let page =
        client.post("/calendars", &[("name", name), ("colour", "#be123c"), ("default_platform", "instagram")]).await;
    page.location().expect("redirect").trim_start_matches("/calendars/").to_owned()
}

/// Creates a post and returns its id.
pub async fn new_post(client: &Client, calendar: &str, date: &str, time: &str) -> String {
    client.get(&format!("/calendars/{calendar}/posts/new?date={date}")).await;
    let page = client
        .post(
            &format!("/calendars/{calendar}/posts"),
            &[("date", date), ("time", time), ("platform", "instagram"), ("status", "draft"), ("caption", "Hello")],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    page.location().expect("redirect").trim_start_matches("/events/").to_owned()
}

fn post_ids(page: &Page) -> Vec<String> {
    page.attrs("[data-post]", "data-post")
}

async fn brand_settings_are_validated_and_saved(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    ada.get("/settings").await;
    for (field, value, error) in [
        ("shop_url", "javascript:alert(1)", "#shop_url-error"),
        ("instagram_hashtag_count", "31", "#instagram_hashtag_count-error"),
        ("pinterest_hashtag_count", "many", "#pinterest_hashtag_count-error"),
        ("posting_times", "noon", "#posting_times-error"),
        ("time_zone", "Atlantis/Central", "#time_zone-error"),
        ("branded_hashtag", "two words", "#branded_hashtag-error"),
    ] {
        let mut form: Vec<(&str, &str)> = brand("UTC", "09:00").into_iter().filter(|(k, _)| *k != field).collect();
        form.push((field, value));
        let page = ada.post("/settings", &form).await;
        page.assert_status(422);
        assert!(!page.text(error).is_empty(), "{field}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM workspace_settings WHERE company_name <> ''").await, 0);
    ada.post("/settings", &brand("Europe/Paris", "18:30, 9:00")).await.assert_redirect("/settings");
    let saved = ada.get("/settings").await;
    assert_eq!(saved.attrs("#branded_hashtag", "value"), vec!["#MaraLind"]);
    assert_eq!(saved.attrs("#posting_times", "value"), vec!["09:00, 18:30"]);
    assert_eq!(saved.attrs("#shop_url", "value"), vec!["https://shop.example.com/"]);
}

async fn hashtag_sets_are_saved_and_added_to_a_post(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    ada.get("/settings").await;
    ada.post("/settings/hashtags", &[("name", "Ceramics"), ("hashtags", "ceramics, #pottery handmade")])
        .await
        .assert_redirect("/settings#hashtag-sets");
    ada.post("/settings/hashtags", &[("name", ""), ("hashtags", "#x")]).await.assert_status(400);
    let settings = ada.get("/settings").await;
    assert!(settings.text(".set-list").contains("#ceramics #pottery #handmade"));

    let calendar = new_calendar(&ada, "Main").await;
    let post = new_post(&ada, &calendar, "2030-05-01", "10:00").await;
    let editor = ada.get(&format!("/events/{post}")).await;
    let set = editor.attrs("#add_hashtag_set option[data-tags]", "value").pop().expect("a set to pick");
    ada.post(
        &format!("/events/{post}"),
        &[
            ("date", "2030-05-01"),
            ("time", "10:00"),
            ("platform", "instagram"),
            ("status", "ready"),
            ("caption", "New glazes"),
            ("hashtags", "#spring"),
            ("add_hashtag_set", &set),
        ],
    )
    .await
    .assert_redirect(&format!("/events/{post}"));
    let saved = ada.get(&format!("/events/{post}")).await;
    assert_eq!(saved.text("#hashtags"), "#spring #ceramics #pottery #handmade");
    assert!(saved.text("#caption-meter").contains("4 / 30 hashtags"));

    let delete = settings.attrs(".set-list form", "action").pop().expect("delete form");
    ada.get("/settings").await;
    ada.post(&delete, &[]).await.assert_redirect("/settings#hashtag-sets");
    assert_eq!(app.count("SELECT COUNT(*) FROM hashtag_sets").await, 0);
}

async fn calendars_are_created_changed_and_deleted(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    ada.get("/calendars").await;
    for bad in [
        vec![("name", " "), ("colour", "#be123c"), ("default_platform", "instagram")],
        vec![("name", "Main"), ("colour", "red"), ("default_platform", "instagram")],
        vec![("name", "Main"), ("colour", "#be123c"), ("default_platform", "myspace")],
    ] {
        ada.post("/calendars", &bad).await.assert_status(422);
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM calendars").await, 0);
    let calendar = new_calendar(&ada, "Main").await;
    new_post(&ada, &calendar, "2030-05-01", "10:00").await;
    ada.post(
        &format!("/calendars/{calendar}"),
        &[("name", "Pinterest"), ("colour", "#0e7490"), ("default_platform", "pinterest")],
    )
    .await
    .assert_redirect(&format!("/calendars/{calendar}"));
    let list = ada.get("/calendars").await;
    assert_eq!(list.texts(".calendar-name"), vec!["Pinterest"]);
    assert!(list.text(".calendar-row").contains("1 upcoming"));
    ada.post(&format!("/calendars/{calendar}/delete"), &[]).await.assert_redirect("/calendars");
    assert_eq!(app.count("SELECT COUNT(*) FROM calendars").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM events").await, 0);
}

async fn a_post_is_created_edited_moved_duplicated_and_deleted(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    set_time_zone(&ada, "America/New_York").await;
    let image = upload(&ada, "heron.png", 1).await;
    let calendar = new_calendar(&ada, "Main").await;
    let form = ada.get(&format!("/calendars/{calendar}/posts/new?date=2030-05-01")).await;
    assert_eq!(form.attrs("#time", "value"), vec!["09:00"], "the first default posting time");
    let post = new_post(&ada, &calendar, "2030-05-01", "18:45").await;
    ada.post(&format!("/events/{post}/images"), &[("ids", &image)]).await;

    // Moving to another day keeps the local time of day.
    ada.post(&format!("/events/{post}/move"), &[("date", "2030-05-09")]).await;
    let moved = ada.get(&format!("/events/{post}")).await;
    assert_eq!(moved.attrs("#date", "value"), vec!["2030-05-09"]);
    assert_eq!(moved.attrs("#time", "value"), vec!["18:45"]);
    let refused = ada.post(&format!("/events/{post}/move"), &[("date", "2030-02-31")]).await;
    refused.assert_status(422);
    assert!(!refused.text("#move-error").is_empty());

    let copy = ada.post(&format!("/events/{post}/duplicate"), &[]).await;
    let copy_id = copy.location().expect("redirect").trim_start_matches("/events/").to_owned();
    assert_ne!(copy_id, post);
    let copied = ada.get(&format!("/events/{copy_id}")).await;
    assert_eq!(copied.attrs(".carousel-list li", "data-id"), vec![image.clone()]);
    assert_eq!(copied.attrs("#status option[selected]", "value"), vec!["draft"]);
    assert_eq!(copied.attrs("#time", "value"), vec!["18:45"]);

    ada.post(&format!("/events/{copy_id}/delete"), &[]).await.assert_redirect(&format!("/calendars/{calendar}"));
    ada.get(&format!("/events/{copy_id}")).await.assert_status(404);
    assert_eq!(app.count("SELECT COUNT(*) FROM events").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM images").await, 1, "deleting a post keeps its artwork");
}

async fn impossible_post_input_changes_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let calendar = new_calendar(&ada, "Main").await;
    let post = new_post(&ada, &calendar, "2030-05-01", "10:00").await;
    ada.get(&format!("/events/{post}")).await;
    for (field, value, error) in [
        ("date", "2030-02-30", "#date-error"),
        ("time", "25:61", "#time-error"),
        ("platform", "myspace", "#platform-error"),
        ("status", "viral", "#status-error"),
    ] {
        let mut form = vec![
            ("date", "2030-06-01"),
            ("time", "11:00"),
            ("platform", "x"),
            ("status", "ready"),
            ("caption", "Changed"),
        ];
        form.retain(|(k, _)| *k != field);
        form.push((field, value));
        let page = ada.post(&format!("/events/{post}"), &form).await;
        page.assert_status(422);
        assert!(!page.text(error).is_empty(), "{field}");
    }
    let unchanged = ada.get(&format!("/events/{post}")).await;
    assert_eq!(unchanged.text("#caption"), "Hello");
    assert_eq!(unchanged.attrs("#date", "value"), vec!["2030-05-01"]);
}

async fn artwork_is_assigned_ordered_and_removed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let (a, b, c) = (upload(&ada, "a.png", 1).await, upload(&ada, "b.png", 2).await, upload(&ada, "c.png", 3).await);
    let calendar = new_calendar(&ada, "Main").await;
    let post = new_post(&ada, &calendar, "2030-05-01", "10:00").await;
    let path = format!("/events/{post}");
    ada.post(&format!("{path}/images"), &[("ids", &a), ("ids", &b), ("ids", &c)]).await.assert_redirect(&path);
    let order = |p: &Page| p.attrs(".carousel-list li", "data-id");
    assert_eq!(order(&ada.get(&path).await), vec![a.clone(), b.clone(), c.clone()]);
    ada.post(&format!("{path}/images/{c}/move"), &[("direction", "up")]).await;
    assert_eq!(order(&ada.get(&path).await), vec![a.clone(), c.clone(), b.clone()]);
    ada.post(&format!("{path}/order"), &[("ids", &b), ("ids", &a), ("ids", &c)]).await;
    assert_eq!(order(&ada.get(&path).await), vec![b.clone(), a.clone(), c.clone()]);
    ada.post(&format!("{path}/images/{a}/remove"), &[]).await;
    assert_eq!(order(&ada.get(&path).await), vec![b.clone(), c.clone()]);

    let picker = ada.get(&format!("{path}/images/add")).await;
    assert_eq!(picker.texts(".badge").iter().filter(|t| *t == "In this post").count(), 2);
    // A deleted image cannot be assigned: it names nothing.
    ada.get(&format!("/images/{a}")).await;
    ada.post(&format!("/images/{a}/delete"), &[]).await;
    ada.post(&format!("{path}/images"), &[("ids", &a)]).await.assert_status(404);
    // The library's "not yet scheduled" filter knows what is in a post.
    let unscheduled = ada.get("/images?unscheduled=1").await;
    assert!(unscheduled.attrs("input[name=ids]", "value").is_empty());
}

async fn the_views_place_posts_on_their_local_day(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    set_time_zone(&ada, "Pacific/Auckland").await;
    let calendar = new_calendar(&ada, "Main").await;
    // 07:30 on 2 May in Auckland is still 1 May in UTC.
    let early = new_post(&ada, &calendar, "2030-05-02", "07:30").await;
    let late = new_post(&ada, &calendar, "2030-05-31", "23:00").await;
    let month = ada.get(&format!("/calendars/{calendar}?date=2030-05-15")).await;
    assert_eq!(month.text("h2.cal-title"), "May 2030");
    let day = |page: &Page, date: &str| page.attrs(&format!("[data-date=\"{date}\"] [data-post]"), "data-post");
    assert_eq!(day(&month, "2030-05-02"), vec![early.clone()]);
    assert_eq!(day(&month, "2030-05-31"), vec![late.clone()]);
    assert!(month.text(&format!("[data-post=\"{early}\"]")).contains("07:30"));
    let week = ada.get(&format!("/calendars/{calendar}?view=week&date=2030-05-01")).await;
    assert_eq!(post_ids(&week), vec![early.clone()]);
    let list = ada.get(&format!("/calendars/{calendar}?view=list&date=2030-05-01")).await;
    assert_eq!(post_ids(&list), vec![early.clone(), late.clone()]);
    let june = ada.get(&format!("/calendars/{calendar}?date=2030-06-10")).await;
    assert_eq!(post_ids(&june), vec![late.clone()], "June's grid starts on Monday 27 May");
    let next = month.attrs(".cal-nav a[aria-label=Next]", "href").pop().expect("next");
    assert!(next.ends_with("date=2030-06-01"), "{next}");
}

/// A collection of `count` fresh images, and its id.
pub async fn collection_of(client: &Client, count: u8) -> (String, Vec<String>) {
    let mut images = Vec::new();
    for i in 0..count {
        images.push(upload(client, &format!("piece {i}.png"), 100 + i).await);
    }
    let collection = new_collection(client, "Series").await;
    let fields: Vec<(&str, &str)> = images.iter().map(|i| ("ids", i.as_str())).collect();
    client.post(&format!("/collections/{collection}/images"), &fields).await;
    (collection, images)
}

pub fn plan_form<'a>(
    collection: &'a str,
    start: &'a str,
    end: &'a str,
    days: &[&'a str],
    times: &'a str,
) -> Vec<(&'a str, &'a str)> {
    let mut form = vec![
        ("action", "preview"),
        ("collection_id", collection),
        ("start", start),
        ("end", end),
        ("times", times),
        ("platform", "instagram"),
    ];
    form.extend(days.iter().map(|d| ("weekdays", *d)));
    form
}

async fn auto_schedule_creates_exactly_the_preview(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let (collection, images) = collection_of(&ada, 5).await;
    let calendar = new_calendar(&ada, "Main").await;
    // The first image is already scheduled here, so it is skipped.
    let manual = new_post(&ada, &calendar, "2030-04-30", "09:00").await;
    ada.post(&format!("/events/{manual}/images"), &[("ids", &images[0])]).await;

    let path = format!("/calendars/{calendar}/autoschedule");
    ada.get(&path).await.assert_status(200);
    // Mondays and Wednesdays of 1–14 May 2030: 6, 8, 13 May; two times each.
    let preview =
        ada.post(&path, &plan_form(&collection, "2030-05-01", "2030-05-14", &["1", "3"], "18:00, 09:00")).await;
    preview.assert_status(200);
    let planned: Vec<String> = preview.texts("#plan li");
    assert_eq!(planned.len(), 4, "4 free images for 8 slots: {planned:?}");
    assert!(planned[0].contains("2030-05-01") && planned[0].contains("09:00"), "{planned:?}");
    assert!(planned[1].contains("2030-05-01") && planned[1].contains("18:00"), "{planned:?}");
    assert!(preview.text("#main").contains("already scheduled"));
    // Confirm with exactly what the preview's form carries (the harness adds the guards).
    let confirm = preview.hidden_fields("form:has(input[name=fingerprint])");
    let confirm: Vec<(&str, &str)> = confirm.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    ada.post(&path, &confirm).await.assert_redirect(&format!("/calendars/{calendar}?date=2030-05-01"));
    assert_eq!(app.count("SELECT COUNT(*) FROM events").await, 5);
    let list = ada.get(&format!("/calendars/{calendar}?view=list&date=2030-05-01")).await;
    assert_eq!(post_ids(&list).len(), 4);
    let texts = list.texts(".post-chip");
    assert!(texts[0].contains("09:00") && texts[1].contains("18:00"), "{texts:?}");
    // Every image of the collection is now scheduled: a second fill finds nothing.
    let again = ada.post(&path, &plan_form(&collection, "2030-05-01", "2030-05-14", &["1", "3"], "09:00")).await;
    assert!(again.text("#main").contains("Nothing to create"));
}

async fn auto_schedule_refuses_bad_input_and_changed_plans(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let (collection, images) = collection_of(&ada, 2).await;
    let calendar = new_calendar(&ada, "Main").await;
    let path = format!("/calendars/{calendar}/autoschedule");
    ada.get(&path).await;
    for form in [
        plan_form(&collection, "2030-05-10", "2030-05-01", &["1"], "09:00"),
        plan_form(&collection, "2030-05-01", "2030-05-10", &[], "09:00"),
        plan_form(&collection, "2030-05-01", "2030-05-10", &["1"], ""),
        plan_form(&collection, "2030-02-30", "2030-05-10", &["1"], "09:00"),
        plan_form("", "2030-05-01", "2030-05-10", &["1"], "09:00"),
    ] {
        let page = ada.post(&path, &form).await;
        page.assert_status(422);
        assert!(!page.text("#plan-errors").is_empty());
    }
    // A plan that changed between preview and confirmation creates nothing.
    let preview = ada
        .post(&path, &plan_form(&collection, "2030-05-01", "2030-05-31", &["1", "2", "3", "4", "5", "6", "7"], "09:00"))
        .await;
    let fingerprint = preview.attrs("input[name=fingerprint]", "value").pop().expect("fingerprint");
    ada.get(&format!("/images/{}", images[1])).await;
    ada.post(&format!("/images/{}/delete", images[1]), &[]).await;
    ada.get(&path).await;
    let mut confirm = plan_form(&collection, "2030-05-01", "2030-05-31", &["1", "2", "3", "4", "5", "6", "7"], "09:00");
    confirm.retain(|(k, _)| *k != "action");
    confirm.extend([("action", "create"), ("fingerprint", fingerprint.as_str())]);
    let page = ada.post(&path, &confirm).await;
    page.assert_status(409);
    assert!(page.text("#plan-errors").contains("changed since the preview"));
    assert_eq!(app.count("SELECT COUNT(*) FROM events").await, 0);
}

async fn auto_schedule_keeps_local_times_across_daylight_saving(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    set_time_zone(&ada, "Europe/Paris").await;
    let (collection, _) = collection_of(&ada, 4).await;
    let calendar = new_calendar(&ada, "Main").await;
    let path = format!("/calendars/{calendar}/autoschedule");
    ada.get(&path).await;
    // Summer time starts in Paris on Sunday 28 March 2027.
    let mut form = plan_form(&collection, "2027-03-26", "2027-03-29", &["1", "2", "3", "4", "5", "6", "7"], "09:00");
    let preview = ada.post(&path, &form).await;
    let fingerprint = preview.attrs("input[name=fingerprint]", "value").pop().expect("fingerprint");
    form.retain(|(k, _)| *k != "action");
    form.extend([("action", "create"), ("fingerprint", fingerprint.as_str())]);
    ada.post(&path, &form).await.assert_status(303);
    let list = ada.get(&format!("/calendars/{calendar}?view=list&date=2027-03-01")).await;
    let chips = list.texts(".post-chip");
    assert_eq!(chips.len(), 4);
    assert!(chips.iter().all(|c| c.contains("09:00")), "{chips:?}");
    let utc_hours = app.strings("SELECT CAST(starts_at AS TEXT) FROM events ORDER BY starts_at").await;
    assert!(utc_hours[0].contains("08:00:00") && utc_hours[3].contains("07:00:00"), "{utc_hours:?}");
}

async fn the_csv_export_lists_every_post(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let image = upload(&ada, "heron.png", 1).await;
    let calendar = new_calendar(&ada, "Main").await;
    let post = new_post(&ada, &calendar, "2030-05-01", "10:00").await;
    ada.get(&format!("/events/{post}")).await;
    ada.post(
        &format!("/events/{post}"),
        &[
            ("date", "2030-05-01"),
            ("time", "10:00"),
            ("platform", "instagram"),
            ("status", "ready"),
            ("caption", "=cmd|' /C calc'!A0, \"quoted\""),
        ],
    )
    .await;
    ada.post(&format!("/events/{post}/images"), &[("ids", &image)]).await;
    let csv = ada.get(&format!("/calendars/{calendar}/export.csv")).await;
    csv.assert_status(200);
    assert!(csv.header("content-type").starts_with("text/csv"));
    assert!(csv.header("content-disposition").contains("attachment"));
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[1].starts_with("\"2030-05-01\",\"10:00\",\"UTC\",\"Instagram\",\"ready\""), "{}", lines[1]);
    assert!(lines[1].contains("\"'=cmd"), "a formula must be defused: {}", lines[1]);
    assert!(lines[1].contains("\"\"quoted\"\""));
    assert!(lines[1].contains("Heron"));
}

async fn the_feed_answers_only_to_its_token(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let calendar = new_calendar(&ada, "Main").await;
    new_post(&ada, &calendar, "2030-05-01", "10:00").await;
    new_post(&ada, &calendar, "2030-05-02", "11:00").await;
    ada.get(&format!("/calendars/{calendar}")).await;
    let made = ada.post(&format!("/calendars/{calendar}/feed"), &[]).await;
    made.assert_status(200);
    let url = made.text(".feed-url");
    let path = url.trim_start_matches(&app.url("")).to_owned();
    let stranger = app.client();
    let feed = stranger.get(&path).await;
    feed.assert_status(200);
    assert!(feed.header("content-type").starts_with("text/calendar"));
    assert!(feed.body.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
    assert!(feed.body.trim_end().ends_with("END:VCALENDAR"));
    assert_eq!(feed.body.matches("BEGIN:VEVENT").count(), 2);
    assert!(feed.body.contains("DTSTART:20300501T100000Z"));
    assert!(feed.body.lines().all(|l| l.len() <= 75));
    stranger.get("/feeds/not-the-token.ics").await.assert_status(404);

    // A new address kills the old one; turning it off kills the new one.
    let again = ada.post(&format!("/calendars/{calendar}/feed"), &[]).await;
    let new_path = again.text(".feed-url").trim_start_matches(&app.url("")).to_owned();
    stranger.get(&path).await.assert_status(404);
    stranger.get(&new_path).await.assert_status(200);
    ada.get(&format!("/calendars/{calendar}")).await;
    ada.post(&format!("/calendars/{calendar}/feed/revoke"), &[]).await;
    stranger.get(&new_path).await.assert_status(404);
    assert_eq!(app.count("SELECT COUNT(*) FROM calendar_feeds").await, 0);
}

async fn home_shows_whats_next_and_what_needs_work(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let image = upload(&ada, "heron.png", 1).await;
    let calendar = new_calendar(&ada, "Main").await;
    let tomorrow = (time::OffsetDateTime::now_utc() + time::Duration::days(2)).date().to_string();
    let soon = new_post(&ada, &calendar, &tomorrow, "12:00").await;
    let later = new_post(&ada, &calendar, "2035-01-01", "12:00").await;
    let home = ada.get("/").await;
    assert_eq!(home.attrs("#upcoming .home-post a", "href"), vec![format!("/events/{soon}")]);
    let drafts = home.attrs("#drafts .home-post a", "href");
    assert_eq!(drafts, vec![format!("/events/{soon}"), format!("/events/{later}")], "both lack artwork");
    assert_eq!(home.attrs("#recent .art-link", "href"), vec![format!("/images/{image}")]);
    assert_eq!(home.text("#count-images"), "1");
    assert_eq!(home.text("#count-scheduled"), "2");
    ada.post(&format!("/events/{soon}/images"), &[("ids", &image)]).await;
    let home = ada.get("/").await;
    assert_eq!(home.attrs("#drafts .home-post a", "href"), vec![format!("/events/{later}")]);
}

async fn a_month_with_500_posts_renders(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    // 500 images in five uploads, one collection, one fill: 17 times a day for 30 days.
    let mut images = Vec::new();
    for batch in 0..5u32 {
        let files: Vec<(String, Vec<u8>)> = (0..100u32)
            .map(|i| (format!("p{batch}-{i}.png"), art::encode(&art::unique(batch * 100 + i), image::ImageFormat::Png)))
            .collect();
        let refs: Vec<(&str, Vec<u8>)> = files.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
        let page = ada.upload("/images", &refs).await;
        images.extend(
            page.attrs(".upload-added a", "href").into_iter().map(|h| h.trim_start_matches("/images/").to_owned()),
        );
    }
    assert_eq!(images.len(), 500);
    let collection = new_collection(&ada, "Everything").await;
    let fields: Vec<(&str, &str)> = images.iter().map(|i| ("ids", i.as_str())).collect();
    ada.post(&format!("/collections/{collection}/images"), &fields).await.assert_status(303);
    let calendar = new_calendar(&ada, "Busy").await;
    let path = format!("/calendars/{calendar}/autoschedule");
    ada.get(&path).await;
    let times = "06:00 07:00 08:00 09:00 10:00 11:00 12:00 13:00 14:00 15:00 16:00 17:00 18:00 19:00 20:00 21:00 22:00";
    let mut form = plan_form(&collection, "2030-06-01", "2030-06-30", &["1", "2", "3", "4", "5", "6", "7"], times);
    let preview = ada.post(&path, &form).await;
    assert_eq!(preview.texts("#plan li").len(), 500);
    let fingerprint = preview.attrs("input[name=fingerprint]", "value").pop().expect("fingerprint");
    form.retain(|(k, _)| *k != "action");
    form.extend([("action", "create"), ("fingerprint", fingerprint.as_str())]);
    ada.post(&path, &form).await.assert_status(303);
    let month = ada.get(&format!("/calendars/{calendar}?date=2030-06-15")).await;
    month.assert_status(200);
    // A month cell shows three posts and then "+N more"; the list shows them all.
    assert_eq!(post_ids(&month).len(), 30 * 3);
    assert_eq!(month.attrs("[data-date=\"2030-06-30\"] [data-post]", "data-post").len(), 3);
    assert_eq!(month.text("[data-date=\"2030-06-30\"] .more-link"), format!("+{} more", 500 - 29 * 17 - 3));
    let list = ada.get(&format!("/calendars/{calendar}?view=list&date=2030-06-15")).await;
    assert_eq!(post_ids(&list).len(), 500);
}

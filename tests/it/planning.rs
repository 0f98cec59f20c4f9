//! Planning that shows the art: month chips with artwork, "+N more", the All
//! calendars view, the library tray and planning a post from a piece.

use crate::{
    calendars::{new_calendar, new_post},
    collections::upload,
    harness::{Backend, Client, TestApp, settings},
    on_both_backends,
};

on_both_backends!(
    month_chips_show_the_artwork_and_more_opens_the_day,
    the_all_view_mixes_calendars_and_filters_them,
    the_all_month_counts_only_what_its_filters_keep,
    dropping_a_piece_on_a_day_plans_a_draft_at_the_next_posting_time,
    planning_is_refused_to_viewers_and_with_other_workspaces_ids,
    the_tray_lists_and_searches_the_library,
    a_carousel_chip_shows_its_first_piece_its_count_and_a_sold_piece,
    a_long_caption_shows_its_first_line_and_200_characters_on_the_chip,
);

async fn paris_with_two_times(client: &Client) {
    client.get("/settings").await;
    let mut form = settings("Studio", "Europe/Paris");
    form.retain(|(k, _)| *k != "posting_times");
    form.push(("posting_times", "09:00, 18:30"));
    client.post("/settings", &form).await.assert_redirect("/settings");
}

/// A second calendar, "Pins", whose posts go to Pinterest; its id.
async fn new_pins_calendar(client: &Client) -> String {
    client.get("/calendars").await;
    let created =
        client.post("/calendars", &[("name", "Pins"), ("colour", "#0e7490"), ("default_platform", "pinterest")]).await;
    created.location().expect("calendar").trim_start_matches("/calendars/").to_owned()
}

/// Plans a post from `image` on `date` (blank time: the next posting time) and returns its id.
async fn plan(client: &Client, calendar: &str, image: &str, date: &str, time: &str) -> String {
    client.get(&format!("/calendars/{calendar}")).await;
    let page = client
        .post("/calendars/plan", &[("calendar", calendar), ("image", image), ("date", date), ("time", time)])
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    page.location().expect("redirect").trim_start_matches("/events/").to_owned()
}

async fn title_of(client: &Client, image: &str) -> String {
    client.get(&format!("/images/{image}")).await.text("h1")
}

async fn month_chips_show_the_artwork_and_more_opens_the_day(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let image = upload(&ada, "heron.png", 1).await;
    let title = title_of(&ada, &image).await;
    let calendar = new_calendar(&ada, "Main").await;
    let first = plan(&ada, &calendar, &image, "2030-05-10", "08:00").await;
    let mut others = Vec::new();
    for time in ["10:00", "11:00", "12:00", "13:00"] {
        others.push(new_post(&ada, &calendar, "2030-05-10", time).await);
    }
    let month = ada.get(&format!("/calendars/{calendar}?date=2030-05-01")).await;
    let day = "[data-date=\"2030-05-10\"]";
    assert_eq!(
        month.attrs(&format!("{day} [data-post]"), "data-post"),
        vec![first.clone(), others[0].clone(), others[1].clone()]
    );
    let chip = format!("[data-post=\"{first}\"]");
    assert_eq!(
        month.attrs(&format!("{chip} img.chip-thumb"), "src"),
        vec![format!("/media/{image}/crop/portrait/thumb")]
    );
    let name = month.text(&format!("{chip} a [data-chip-name]"));
    assert!(name.contains("Fri 10 May") && name.contains("08:00") && name.contains(&title), "{name}");
    assert!(month.text(&chip).contains(&title), "no caption: the chip shows the title");
    assert!(month.text(&format!("[data-post=\"{}\"]", others[0])).contains("Hello"), "the caption's start");
    let boxes = month.attrs(&format!("{chip} input[type=checkbox][name=post][form=bulk-posts]"), "value");
    assert_eq!(boxes, vec![first.clone()]);
    assert_eq!(month.text(&format!("{day} .more-link")), "+2 more");
    let more = month.attrs(&format!("{day} .more-link"), "href").pop().expect("a link");
    assert_eq!(more, format!("/calendars/{calendar}?view=day&date=2030-05-10"));
    assert_eq!(month.attrs(&format!("{day} .more-link"), "hx-get"), vec![more.clone()]);
    let whole_day = ada.get(&more).await;
    assert_eq!(whole_day.attrs("#day-posts [data-post]", "data-post").len(), 5);
    assert!(month.texts("[data-date=\"2030-05-11\"] .more-link").is_empty());
}

async fn the_all_view_mixes_calendars_and_filters_them(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let main = new_calendar(&ada, "Main").await;
    let pins = new_pins_calendar(&ada).await;
    let on_main = new_post(&ada, &main, "2030-05-03", "09:00").await;
    let image = upload(&ada, "pin.png", 2).await;
    let on_pins = plan(&ada, &pins, &image, "2030-05-04", "10:00").await;
    let bea = app.signed_up("Bea", "bea@example.com").await;
    let hers = new_calendar(&bea, "Bea's secret").await;
    let her_post = new_post(&bea, &hers, "2030-05-03", "09:00").await;

    assert!(ada.get("/calendars").await.attrs("a[href='/calendars/all']", "href").len() == 1);
    assert!(!ada.get(&format!("/calendars/{main}")).await.attrs("a[href^='/calendars/all']", "href").is_empty());
    let all = ada.get("/calendars/all?date=2030-05-01").await;
    all.assert_status(200);
    assert_eq!(all.attrs("[data-post]", "data-post"), vec![on_main.clone(), on_pins.clone()]);
    assert_eq!(
        all.attrs(&format!("[data-post=\"{on_main}\"]"), "class").pop().map(|c| c.contains("colour-rose")),
        Some(true)
    );
    assert_eq!(
        all.attrs(&format!("[data-post=\"{on_pins}\"]"), "class").pop().map(|c| c.contains("colour-teal")),
        Some(true)
    );
    assert!(!all.body.contains("secret") && !all.body.contains(&her_post));
    let only_pins = ada.get(&format!("/calendars/all?view=list&date=2030-05-01&calendar={pins}")).await;
    assert_eq!(only_pins.attrs("[data-post]", "data-post"), vec![on_pins.clone()]);
    assert_eq!(only_pins.attrs(&format!("input[name=calendar][value=\"{pins}\"]"), "checked").len(), 1);
    let next = only_pins.attrs(".cal-nav a[aria-label=Next]", "href").pop().expect("next");
    assert!(next.contains(&format!("calendar={pins}")), "links keep the filters: {next}");
    let instagram = ada.get("/calendars/all?view=list&date=2030-05-01&platform=instagram").await;
    assert_eq!(instagram.attrs("[data-post]", "data-post"), vec![on_main.clone()]);
    let ready = ada.get("/calendars/all?view=week&date=2030-05-01&status=ready").await;
    assert!(ready.attrs("[data-post]", "data-post").is_empty());
    // Another workspace's calendar id as a filter shows nothing of it.
    let forged = bea.get(&format!("/calendars/all?view=list&date=2030-05-01&calendar={main}")).await;
    assert!(forged.attrs("[data-post]", "data-post").is_empty());
    assert_eq!(
        bea.get("/calendars/all?view=list&date=2030-05-01").await.attrs("[data-post]", "data-post"),
        vec![her_post]
    );
}

/// The month reads its chips and counts the rest in the database: the
/// filters must keep there what the list keeps.
async fn the_all_month_counts_only_what_its_filters_keep(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let main = new_calendar(&ada, "Main").await;
    let pins = new_pins_calendar(&ada).await;
    let mut on_main = Vec::new();
    for time in ["08:00", "09:00", "10:00", "11:00"] {
        on_main.push(new_post(&ada, &main, "2030-05-10", time).await);
    }
    ada.get(&format!("/calendars/{pins}/posts/new?date=2030-05-10")).await;
    let form = [("date", "2030-05-10"), ("time", "08:30"), ("platform", "pinterest"), ("status", "ready")];
    let created = ada.post(&format!("/calendars/{pins}/posts"), &form).await;
    let on_pins = created.location().expect("post").trim_start_matches("/events/").to_owned();
    let bea = app.signed_up("Bea", "bea@example.com").await;
    let hers = new_calendar(&bea, "Bea's").await;
    new_post(&bea, &hers, "2030-05-10", "07:00").await;
    let day = "[data-date=\"2030-05-10\"]";
    let month = |query: &str| {
        let ada = &ada;
        let url = format!("/calendars/all?date=2030-05-01{query}");
        async move { ada.get(&url).await }
    };
    let all = month("").await;
    let expected = vec![on_main[0].clone(), on_pins.clone(), on_main[1].clone()];
    assert_eq!(all.attrs(&format!("{day} [data-post]"), "data-post"), expected);
    assert_eq!(all.text(&format!("{day} .more-link")), "+2 more");
    let only_main = month(&format!("&calendar={main}")).await;
    assert_eq!(only_main.attrs(&format!("{day} [data-post]"), "data-post"), on_main[..3].to_vec());
    assert_eq!(only_main.text(&format!("{day} .more-link")), "+1 more");
    let both = month(&format!("&calendar={main}&calendar={pins}")).await;
    assert_eq!(both.text(&format!("{day} .more-link")), "+2 more");
    let pinterest = month("&platform=pinterest").await;
    assert_eq!(pinterest.attrs(&format!("{day} [data-post]"), "data-post"), vec![on_pins.clone()]);
    assert!(pinterest.texts(&format!("{day} .more-link")).is_empty());
    let ready = month("&status=ready").await;
    assert_eq!(ready.attrs("[data-post]", "data-post"), vec![on_pins.clone()]);
    assert!(ready.texts(".more-link").is_empty(), "the others are not counted either");
    let drafts = month(&format!("&status=draft&platform=instagram&calendar={pins}")).await;
    assert!(drafts.attrs("[data-post]", "data-post").is_empty() && drafts.texts(".more-link").is_empty());
    let forged = bea.get(&format!("/calendars/all?date=2030-05-01&calendar={main}")).await;
    assert!(forged.attrs("[data-post]", "data-post").is_empty() && forged.texts(".more-link").is_empty());
}

async fn dropping_a_piece_on_a_day_plans_a_draft_at_the_next_posting_time(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    paris_with_two_times(&ada).await;
    let image = upload(&ada, "heron.png", 1).await;
    let title = title_of(&ada, &image).await;
    let calendar = new_calendar(&ada, "Main").await;
    let first = plan(&ada, &calendar, &image, "2030-05-10", "").await;
    let second = plan(&ada, &calendar, &image, "2030-05-10", "").await;
    let chosen = plan(&ada, &calendar, &image, "2030-05-11", "12:15").await;
    // Paris is UTC+2 in May: 09:00 and then 18:30, the day's free posting times.
    let times = app
        .strings("SELECT CAST(starts_at AS TEXT) || '|' || status || '|' || platform FROM events ORDER BY starts_at")
        .await;
    assert_eq!(times.len(), 3);
    assert!(
        times[0].contains("2030-05-10") && times[0].contains("07:00:00") && times[0].ends_with("|draft|instagram"),
        "{times:?}"
    );
    assert!(times[1].contains("16:30:00"), "{times:?}");
    assert!(times[2].contains("2030-05-11") && times[2].contains("10:15:00"), "{times:?}");
    for post in [&first, &second, &chosen] {
        let editor = ada.get(&format!("/events/{post}")).await;
        assert_eq!(editor.attrs(".carousel-list li", "data-id"), vec![image.clone()]);
    }
    let editor = ada.get(&format!("/events/{first}")).await;
    assert!(editor.text("#main").contains(&title));
    // Dropped on a post: the piece joins its carousel.
    let another = upload(&ada, "fox.png", 2).await;
    ada.get(&format!("/calendars/{calendar}")).await;
    ada.post(&format!("/events/{first}/images"), &[("ids", &another)]).await.assert_status(303);
    let editor = ada.get(&format!("/events/{first}")).await;
    assert_eq!(editor.attrs(".carousel-list li", "data-id"), vec![image.clone(), another.clone()]);
    let month = ada.get(&format!("/calendars/{calendar}?date=2030-05-01")).await;
    assert!(month.text(&format!("[data-post=\"{first}\"]")).contains("2 images"));
    // Bad input: a clear message, nothing made.
    for (date, time) in [("2030-02-30", ""), ("soon", ""), ("2030-05-12", "25:00")] {
        ada.get(&format!("/calendars/plan?image={image}")).await;
        let page = ada
            .post("/calendars/plan", &[("calendar", &calendar), ("image", &image), ("date", date), ("time", time)])
            .await;
        page.assert_status(422);
        assert!(!page.text("#plan-error").is_empty(), "{date} {time}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM events").await, 3);
}

async fn planning_is_refused_to_viewers_and_with_other_workspaces_ids(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let ada_ws = ada.guards().page_workspace;
    let image = upload(&ada, "heron.png", 1).await;
    let calendar = new_calendar(&ada, "Main").await;
    let page = ada.get(&format!("/images/{image}")).await;
    assert_eq!(page.attrs("#plan-this-slot a", "href"), vec![format!("/calendars/plan?image={image}")]);
    let form = ada.get(&format!("/calendars/plan?image={image}")).await;
    assert_eq!(form.attrs("#plan-calendar option", "value"), vec![calendar.clone()]);

    let tom = app.signed_up("Tom", "tom@example.com").await;
    app.add_member(&ada_ws, "tom@example.com", "viewer").await;
    tom.get("/").await;
    tom.post("/workspaces/switch", &[("workspace_id", &ada_ws), ("back", "/")]).await;
    tom.get(&format!("/calendars/{calendar}")).await.assert_status(200);
    assert!(tom.get(&format!("/calendars/{calendar}")).await.attrs("[data-tray]", "data-calendar").is_empty());
    tom.get(&format!("/calendars/plan?image={image}")).await.assert_status(403);
    let refused =
        tom.post("/calendars/plan", &[("calendar", &calendar), ("image", &image), ("date", "2030-05-10")]).await;
    refused.assert_status(403);

    let bea = app.signed_up("Bea", "bea@example.com").await;
    let hers = new_calendar(&bea, "Mine").await;
    let her_image = upload(&bea, "own.png", 3).await;
    bea.get("/calendars").await;
    for (cal, img) in [(&calendar, &her_image), (&hers, &image), (&calendar, &image)] {
        let page = bea.post("/calendars/plan", &[("calendar", cal), ("image", img), ("date", "2030-05-10")]).await;
        page.assert_status(404);
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM events").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM event_images").await, 0);
}

async fn the_tray_lists_and_searches_the_library(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let heron = upload(&ada, "heron.png", 1).await;
    let fox = upload(&ada, "fox.png", 2).await;
    let calendar = new_calendar(&ada, "Main").await;
    let page = ada.get(&format!("/calendars/{calendar}")).await;
    assert_eq!(page.attrs("[data-tray]", "data-calendar"), vec![calendar.clone()]);
    assert_eq!(page.attrs(".tray-item", "data-image"), vec![fox.clone(), heron.clone()]);
    assert_eq!(page.attrs(".tray-item form", "action"), vec!["/calendars/plan".to_owned(); 2]);
    let found = ada.get(&format!("/calendars/{calendar}?q=HERON")).await;
    assert_eq!(found.attrs(".tray-item", "data-image"), vec![heron.clone()]);
    let bea = app.signed_up("Bea", "bea@example.com").await;
    let hers = new_calendar(&bea, "Mine").await;
    assert!(bea.get(&format!("/calendars/{hers}")).await.attrs(".tray-item", "data-image").is_empty());
}

/// A chip reads the whole carousel: the first piece in carousel order (not
/// the first added), how many there are, and a sold piece anywhere in it;
/// a published post is not flagged.
async fn a_carousel_chip_shows_its_first_piece_its_count_and_a_sold_piece(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let (a, b, c) = (upload(&ada, "a.png", 1).await, upload(&ada, "b.png", 2).await, upload(&ada, "c.png", 3).await);
    let calendar = new_calendar(&ada, "Main").await;
    let post = new_post(&ada, &calendar, "2030-05-10", "10:00").await;
    let bare = new_post(&ada, &calendar, "2030-05-10", "11:00").await;
    let path = format!("/events/{post}");
    ada.post(&format!("{path}/images"), &[("ids", &a), ("ids", &b), ("ids", &c)]).await.assert_redirect(&path);
    ada.post(&format!("{path}/order"), &[("ids", &b), ("ids", &a), ("ids", &c)]).await;
    ada.get(&format!("/images/{c}")).await;
    ada.post(&format!("/images/{c}"), &[("title", "Grey Heron"), ("availability", "sold")]).await.assert_status(303);

    let month_path = format!("/calendars/{calendar}?date=2030-05-01");
    let month = ada.get(&month_path).await;
    let chip = format!("[data-post=\"{post}\"]");
    assert_eq!(month.attrs(&format!("{chip} img.chip-thumb"), "src"), vec![format!("/media/{b}/crop/portrait/thumb")]);
    assert_eq!(month.text(&format!("{chip} .chip-count")), "· 3 images");
    assert_eq!(month.texts(&format!("{chip} [data-sold]")).len(), 1, "the third piece has sold");
    let other = format!("[data-post=\"{bare}\"]");
    assert!(month.texts(&format!("{other} img.chip-thumb")).is_empty());
    assert!(month.texts(&format!("{other} .chip-count, {other} [data-sold]")).is_empty());
    assert!(month.text(&format!("{other} [data-chip-name]")).contains("no artwork yet"));

    ada.get(&path).await;
    let published = [("date", "2030-05-10"), ("time", "10:00"), ("platform", "instagram"), ("status", "published")];
    ada.post(&path, &published).await.assert_status(303);
    let month = ada.get(&month_path).await;
    assert!(month.texts(&format!("{chip} [data-sold]")).is_empty(), "published: nothing to update");
    assert_eq!(month.text(&format!("{chip} .chip-count")), "· 3 images");
}

/// A chip shows a long caption's first line and, on hover, its first 200
/// characters, counted as characters, not bytes.
async fn a_long_caption_shows_its_first_line_and_200_characters_on_the_chip(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let calendar = new_calendar(&ada, "Main").await;
    let caption = format!("Étude in blue\n{}", "é".repeat(1_500));
    ada.get(&format!("/calendars/{calendar}/posts/new?date=2030-05-10")).await;
    let fields = [("date", "2030-05-10"), ("time", "09:00"), ("platform", "instagram"), ("status", "draft")];
    let saved = ada
        .post(&format!("/calendars/{calendar}/posts"), &[&fields[..], &[("caption", caption.as_str())]].concat())
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let post = saved.location().expect("redirect").trim_start_matches("/events/").to_owned();
    let month = ada.get(&format!("/calendars/{calendar}?date=2030-05-01")).await;
    let chip = format!("[data-post=\"{post}\"]");
    assert_eq!(month.text(&format!("{chip} .chip-snippet")), "Étude in blue");
    let shown: String = caption.chars().take(200).collect();
    assert_eq!(month.attrs(&format!("{chip} a"), "title"), vec![shown]);
    let editor = ada.get(&format!("/events/{post}")).await;
    assert!(editor.body.contains(&"é".repeat(1_500)), "the post keeps its whole caption");
}

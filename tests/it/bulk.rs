//! Bulk actions on selected posts: each action, what was skipped and why,
//! roles, another workspace's posts, and moves across daylight saving.

use crate::{
    calendars::{collection_of, new_calendar, plan_form},
    collections::upload,
    harness::{Backend, Client, TestApp, services::Services},
    on_both_backends,
    publer::{ADA_PUBLER, connect, fast, post_on},
};

on_both_backends!(
    posts_are_marked_ready_and_draft_saying_what_was_skipped,
    a_hashtag_set_is_chosen_then_added_to_every_selected_post,
    posts_move_by_days_keeping_their_local_time_across_daylight_saving,
    deleting_asks_first_then_deletes_every_selected_post,
    another_workspaces_post_refuses_the_whole_action,
    viewers_cannot_use_bulk_actions,
    selected_posts_go_to_publer_with_a_report,
    fill_makes_posts_ready_and_leaves_sold_pieces_out_unless_asked,
    a_sold_piece_flags_its_posts_on_the_calendar_and_in_the_editor,
);

/// A post at `date` `time` (local), with a caption; with artwork when `image` is given.
async fn post_at(client: &Client, calendar: &str, date: &str, time: &str, image: Option<&str>) -> String {
    client.get(&format!("/calendars/{calendar}/posts/new")).await;
    let page = client
        .post(
            &format!("/calendars/{calendar}/posts"),
            &[("date", date), ("time", time), ("platform", "instagram"), ("status", "draft"), ("caption", date)],
        )
        .await;
    let post = page.location().expect("post").trim_start_matches("/events/").to_owned();
    if let Some(image) = image {
        client.post(&format!("/events/{post}/images"), &[("ids", image)]).await.assert_status(303);
    }
    post
}

/// Posts the toolbar's form for these posts and returns the flash shown on
/// the page it goes back to.
async fn bulk(client: &Client, back: &str, action: &[(&str, &str)], posts: &[&str]) -> String {
    client.get(back).await;
    let mut fields = vec![("back", back)];
    fields.extend_from_slice(action);
    fields.extend(posts.iter().map(|p| ("post", *p)));
    client.post("/posts/bulk", &fields).await.assert_redirect(back);
    client.get(back).await.texts(".flash").join(" ")
}

async fn status_of(app: &TestApp, post: &str) -> String {
    let sql = format!("SELECT status FROM events WHERE id = {}", app.uuid_literal(post));
    app.strings(&sql).await.pop().expect("post")
}

async fn posts_are_marked_ready_and_draft_saying_what_was_skipped(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let image = upload(&ada, "heron.png", 1).await;
    let calendar = new_calendar(&ada, "Main").await;
    let back = format!("/calendars/{calendar}");
    let first = post_at(&ada, &calendar, "2030-05-01", "09:00", Some(&image)).await;
    let second = post_at(&ada, &calendar, "2030-05-02", "09:00", Some(&image)).await;
    let bare = post_at(&ada, &calendar, "2030-05-03", "09:00", None).await;

    let said = bulk(&ada, &back, &[("action", "ready")], &[&first, &second, &bare]).await;
    assert!(said.contains("2 posts marked ready; 1 skipped: 1 without artwork"), "{said}");
    assert_eq!(status_of(&app, &first).await, "ready");
    assert_eq!(status_of(&app, &second).await, "ready");
    assert_eq!(status_of(&app, &bare).await, "draft");

    let said = bulk(&ada, &back, &[("action", "draft")], &[&first, &second]).await;
    assert!(said.contains("2 posts marked draft."), "{said}");
    assert_eq!(app.count("SELECT COUNT(*) FROM events WHERE status = 'draft'").await, 3);

    // Nothing selected: a message, nothing changed.
    let said = bulk(&ada, &back, &[("action", "ready")], &[]).await;
    assert!(said.contains("Select one or more posts"), "{said}");
    ada.get(&back).await;
    ada.post("/posts/bulk", &[("action", "explode"), ("post", &first)]).await.assert_status(400);
    assert_eq!(app.count("SELECT COUNT(*) FROM events WHERE status = 'draft'").await, 3);
}

async fn a_hashtag_set_is_chosen_then_added_to_every_selected_post(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    ada.get("/settings").await;
    ada.post("/settings/hashtags", &[("name", "Birds"), ("hashtags", "#heron #birds")]).await;
    let calendar = new_calendar(&ada, "Main").await;
    let back = format!("/calendars/{calendar}");
    let first = post_at(&ada, &calendar, "2030-05-01", "09:00", None).await;
    let second = post_at(&ada, &calendar, "2030-05-02", "09:00", None).await;
    ada.post(
        &format!("/events/{first}"),
        &[
            ("date", "2030-05-01"),
            ("time", "09:00"),
            ("platform", "instagram"),
            ("status", "draft"),
            ("hashtags", "#heron #oil"),
        ],
    )
    .await
    .assert_status(303);

    // Without a set chosen: a page asking which, nothing changed yet.
    ada.get(&back).await;
    let ask =
        ada.post("/posts/bulk", &[("back", &back), ("action", "hashtags"), ("post", &first), ("post", &second)]).await;
    ask.assert_status(200);
    assert_eq!(ask.attrs("#bulk-selection tr[data-post]", "data-post"), vec![first.clone(), second.clone()]);
    let set = ask.attrs("#hashtag_set option", "value").pop().expect("a set to choose");
    assert_eq!(app.count("SELECT COUNT(*) FROM events WHERE hashtags LIKE '%#birds%'").await, 0);

    let said = bulk(&ada, &back, &[("action", "hashtags"), ("hashtag_set", &set)], &[&first, &second]).await;
    assert!(said.contains("2 posts given the hashtags of Birds."), "{said}");
    let tags = app.strings("SELECT hashtags FROM events ORDER BY caption").await;
    assert_eq!(tags, vec!["#heron #oil #birds", "#heron #birds"]);
}

async fn posts_move_by_days_keeping_their_local_time_across_daylight_saving(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    ada.get("/settings").await;
    ada.post("/settings", &crate::harness::settings("Ada's studio", "Europe/Paris")).await.assert_status(303);
    let calendar = new_calendar(&ada, "Main").await;
    let back = format!("/calendars/{calendar}");
    // Summer time starts in Paris on Sunday 31 March 2030.
    let morning = post_at(&ada, &calendar, "2030-03-29", "09:00", None).await;
    let evening = post_at(&ada, &calendar, "2030-03-30", "18:30", None).await;

    for bad in ["0", "", "two", "400"] {
        ada.get(&back).await;
        let page = ada.post("/posts/bulk", &[("action", "move"), ("days", bad), ("post", &morning)]).await;
        page.assert_status(422);
    }
    let said = bulk(&ada, &back, &[("action", "move"), ("days", "3")], &[&morning, &evening]).await;
    assert!(said.contains("2 posts moved 3 days later."), "{said}");
    for (post, date, time) in [(&morning, "2030-04-01", "09:00"), (&evening, "2030-04-02", "18:30")] {
        let editor = ada.get(&format!("/events/{post}")).await;
        assert_eq!(editor.attrs("#date", "value"), vec![date]);
        assert_eq!(editor.attrs("#time", "value"), vec![time], "the local time is kept");
    }
    let said = bulk(&ada, &back, &[("action", "move"), ("days", "-3")], &[&morning]).await;
    assert!(said.contains("1 post moved 3 days earlier."), "{said}");
    let editor = ada.get(&format!("/events/{morning}")).await;
    assert_eq!(editor.attrs("#date", "value"), vec!["2030-03-29"]);
    assert_eq!(editor.attrs("#time", "value"), vec!["09:00"]);
}

async fn deleting_asks_first_then_deletes_every_selected_post(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let image = upload(&ada, "heron.png", 1).await;
    let calendar = new_calendar(&ada, "Main").await;
    let back = format!("/calendars/{calendar}");
    let first = post_at(&ada, &calendar, "2030-05-01", "09:00", Some(&image)).await;
    let second = post_at(&ada, &calendar, "2030-05-02", "09:00", None).await;
    let kept = post_at(&ada, &calendar, "2030-05-03", "09:00", None).await;

    ada.get(&back).await;
    let ask =
        ada.post("/posts/bulk", &[("back", &back), ("action", "delete"), ("post", &first), ("post", &second)]).await;
    ask.assert_status(200);
    assert_eq!(ask.attrs("#bulk-selection tr[data-post]", "data-post"), vec![first.clone(), second.clone()]);
    assert!(ask.text("h1").contains("Delete 2 posts?"));
    assert_eq!(app.count("SELECT COUNT(*) FROM events").await, 3, "asking deletes nothing");

    let confirm: Vec<(String, String)> = ask.hidden_fields("#bulk-confirm");
    let fields: Vec<(&str, &str)> = confirm
        .iter()
        .filter(|(k, _)| k != "csrf_token" && k != "page_workspace")
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    ada.post("/posts/bulk", &fields).await.assert_redirect(&back);
    assert!(ada.get(&back).await.texts(".flash").join(" ").contains("2 posts deleted."));
    assert_eq!(app.strings("SELECT caption FROM events").await, vec!["2030-05-03"]);
    assert_eq!(app.count("SELECT COUNT(*) FROM images").await, 1, "the artwork stays");
    ada.get(&format!("/events/{kept}")).await.assert_status(200);
}

async fn another_workspaces_post_refuses_the_whole_action(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let image = upload(&ada, "heron.png", 1).await;
    let calendar = new_calendar(&ada, "Main").await;
    let ada_post = post_at(&ada, &calendar, "2030-05-01", "09:00", Some(&image)).await;
    let bea = app.signed_up("Bea", "bea@example.com").await;
    let bea_image = upload(&bea, "fox.png", 2).await;
    let bea_calendar = new_calendar(&bea, "Mine").await;
    let bea_post = post_at(&bea, &bea_calendar, "2030-05-01", "09:00", Some(&bea_image)).await;
    let before = crate::isolation::snapshot(&app, &[]).await;

    let unknown = uuid::Uuid::now_v7().to_string();
    for (action, stranger) in [
        (vec![("action", "ready")], ada_post.as_str()),
        (vec![("action", "move"), ("days", "2")], ada_post.as_str()),
        (vec![("action", "delete"), ("confirmed", "yes")], ada_post.as_str()),
        (vec![("action", "draft")], unknown.as_str()),
        (vec![("action", "ready")], "not-an-id"),
    ] {
        bea.get("/calendars").await;
        let mut fields = action.clone();
        fields.push(("post", &bea_post));
        fields.push(("post", stranger));
        let page = bea.post("/posts/bulk", &fields).await;
        assert_eq!(page.status, 404, "{action:?} with {stranger}");
    }
    assert_eq!(crate::isolation::snapshot(&app, &[]).await, before, "nothing changed, not even Bea's own post");
}

async fn viewers_cannot_use_bulk_actions(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let workspace = ada.guards().page_workspace;
    let image = upload(&ada, "heron.png", 1).await;
    let calendar = new_calendar(&ada, "Main").await;
    let post = post_at(&ada, &calendar, "2030-05-01", "09:00", Some(&image)).await;
    let tom = app.signed_up("Tom", "tom@example.com").await;
    app.add_member(&workspace, "tom@example.com", "viewer").await;
    tom.get("/workspaces").await;
    tom.post("/workspaces/switch", &[("workspace_id", &workspace)]).await;
    tom.get(&format!("/calendars/{calendar}")).await.assert_status(200);
    for action in ["ready", "delete", "publer"] {
        let page = tom.post("/posts/bulk", &[("action", action), ("confirmed", "yes"), ("post", &post)]).await;
        page.assert_status(403);
    }
    assert_eq!(status_of(&app, &post).await, "draft");
    assert_eq!(app.count("SELECT COUNT(*) FROM events").await, 1);
}

async fn selected_posts_go_to_publer_with_a_report(backend: Backend) {
    let services = Services::start().await;
    let app = TestApp::spawn_with(backend, fast(&services)).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let calendar = new_calendar(&ada, "Main").await;
    let back = format!("/calendars/{calendar}");
    let ready = post_on(&ada, &calendar, "2030-05-01", "ready").await;
    let also_ready = post_on(&ada, &calendar, "2030-05-02", "ready").await;
    let draft = post_on(&ada, &calendar, "2030-05-03", "draft").await;

    let said = bulk(&ada, &back, &[("action", "publer")], &[&ready, &draft]).await;
    assert!(said.contains("Nothing was sent") && said.contains("Publer API key"), "{said}");
    assert_eq!(app.count("SELECT COUNT(*) FROM publer_sends").await, 0);

    connect(&ada, &services, ADA_PUBLER, "pw-ada").await;
    let said = bulk(&ada, &back, &[("action", "publer")], &[&ready, &also_ready, &draft]).await;
    assert!(said.contains("2 posts sent to Publer; 1 skipped: 1 still drafts."), "{said}");
    assert_eq!(app.count("SELECT COUNT(*) FROM publer_sends").await, 2);
    crate::publer::settled(&app, &ready).await;
    crate::publer::settled(&app, &also_ready).await;

    // Sent once only; the sent posts are no longer changed by bulk edits.
    let said = bulk(&ada, &back, &[("action", "publer")], &[&ready]).await;
    assert!(said.contains("0 posts sent to Publer; 1 skipped: 1 already with Publer or published."), "{said}");
    let said = bulk(&ada, &back, &[("action", "draft")], &[&ready, &draft]).await;
    assert!(said.contains("1 post marked draft; 1 skipped: 1 already with Publer or published."), "{said}");
    assert_eq!(app.count("SELECT COUNT(*) FROM publer_sends").await, 2);
}

async fn fill_makes_posts_ready_and_leaves_sold_pieces_out_unless_asked(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let (collection, images) = collection_of(&ada, 3).await;
    ada.get(&format!("/images/{}", images[1])).await;
    ada.post(&format!("/images/{}", images[1]), &[("title", "Sold one"), ("availability", "sold")])
        .await
        .assert_status(303);
    let calendar = new_calendar(&ada, "Main").await;
    let path = format!("/calendars/{calendar}/autoschedule");
    ada.get(&path).await;
    let mut form = plan_form(&collection, "2030-05-01", "2030-05-31", &["1", "2", "3", "4", "5", "6", "7"], "09:00");
    form.push(("make_ready", "1"));
    let preview = ada.post(&path, &form).await;
    preview.assert_status(200);
    assert_eq!(preview.texts("#plan li").len(), 2, "the sold piece is left out");
    assert!(preview.text("#sold-skipped").contains("1 sold piece is left out"));
    assert!(preview.text("#main").contains("will be created ready to send"));
    let confirm = preview.hidden_fields("form:has(input[name=fingerprint])");
    let confirm: Vec<(&str, &str)> = confirm.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    ada.post(&path, &confirm).await.assert_status(303);
    assert_eq!(app.count("SELECT COUNT(*) FROM events WHERE status = 'ready'").await, 2);
    assert_eq!(app.count("SELECT COUNT(*) FROM events").await, 2);

    // Asked to include sold pieces (and not to make them ready): the sold one, as a draft.
    let mut form = plan_form(&collection, "2030-06-01", "2030-06-30", &["1", "2", "3", "4", "5", "6", "7"], "09:00");
    form.push(("include_sold", "1"));
    let preview = ada.post(&path, &form).await;
    assert_eq!(preview.texts("#plan li").len(), 1);
    assert!(preview.texts("#sold-skipped").is_empty());
    let confirm = preview.hidden_fields("form:has(input[name=fingerprint])");
    let confirm: Vec<(&str, &str)> = confirm.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    ada.post(&path, &confirm).await.assert_status(303);
    assert_eq!(app.count("SELECT COUNT(*) FROM events WHERE status = 'draft'").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM event_images").await, 3);
}

async fn a_sold_piece_flags_its_posts_on_the_calendar_and_in_the_editor(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let image = upload(&ada, "heron.png", 1).await;
    let calendar = new_calendar(&ada, "Main").await;
    let post = post_at(&ada, &calendar, "2030-05-01", "09:00", Some(&image)).await;
    let other = post_at(&ada, &calendar, "2030-05-02", "09:00", None).await;
    let month = format!("/calendars/{calendar}?date=2030-05-01");
    assert!(ada.get(&month).await.texts("[data-sold]").is_empty());
    assert!(ada.get(&format!("/events/{post}")).await.texts("#sold-note").is_empty());

    ada.post(&format!("/images/{image}"), &[("title", "Grey Heron"), ("availability", "sold")])
        .await
        .assert_status(303);
    let page = ada.get(&month).await;
    let flagged: Vec<String> = page
        .attrs(".post-chip", "data-post")
        .into_iter()
        .zip(page.texts(".post-chip"))
        .filter(|(_, text)| text.contains("Sold:"))
        .map(|(id, _)| id)
        .collect();
    assert_eq!(flagged, vec![post.clone()], "only the post with the sold piece");
    assert!(page.text("[data-sold]").contains("Sold: update the caption or swap the artwork"));
    let editor = ada.get(&format!("/events/{post}")).await;
    assert!(editor.text("#sold-note").contains("Grey Heron has sold"));
    assert!(ada.get(&format!("/events/{other}")).await.texts("#sold-note").is_empty());
}

//! Isolation: every route that takes an id, tried by a member of another
//! workspace with the first workspace's ids, answers 404 and changes nothing.

use crate::{
    calendars::new_calendar,
    collections::{new_collection, upload},
    harness::{Backend, TestApp},
    on_both_backends,
};

on_both_backends!(another_workspaces_ids_are_404_everywhere_and_change_nothing);

/// Everything of every workspace that a route could change.
pub async fn snapshot(app: &TestApp, workspaces: &[&str]) -> Vec<String> {
    let mut all = Vec::new();
    for sql in [
        "SELECT title || '|' || availability || '|' || alt_text FROM images ORDER BY title",
        "SELECT tag FROM image_tags ORDER BY tag",
        "SELECT name || '|' || description FROM collections ORDER BY name",
        "SELECT CAST(position AS TEXT) || '|' || CAST(is_cover AS TEXT) FROM collection_images ORDER BY position",
        "SELECT CAST(image_count AS TEXT) FROM workspace_usage ORDER BY image_count",
        "SELECT name || '|' || colour || '|' || default_platform FROM calendars ORDER BY name",
        "SELECT caption || '|' || status || '|' || CAST(starts_at AS TEXT) FROM events ORDER BY caption",
        "SELECT CAST(position AS TEXT) FROM event_images ORDER BY position",
        "SELECT name FROM hashtag_sets ORDER BY name",
        "SELECT token_hash FROM calendar_feeds ORDER BY token_hash",
        "SELECT email || '|' || role || '|' || token_hash FROM invitations ORDER BY email",
        "SELECT role FROM memberships ORDER BY role",
        "SELECT name FROM workspaces ORDER BY name",
        "SELECT state || '|' || step FROM publer_sends ORDER BY state",
        "SELECT platform || '|' || account_id FROM publer_routes ORDER BY account_id",
        "SELECT month || '|' || CAST(ai_generations AS TEXT) FROM monthly_usage ORDER BY month",
        "SELECT state FROM workspace_exports ORDER BY state",
        "SELECT preset || '|' || mode || '|' || CAST(x AS TEXT) FROM image_crops ORDER BY preset",
        "SELECT review || '|' || approved_version FROM events ORDER BY review, approved_version",
        "SELECT kind || '|' || to_state FROM post_history ORDER BY kind, to_state",
        "SELECT visibility || '|' || body FROM post_comments ORDER BY body",
        "SELECT approval FROM workspaces ORDER BY approval",
        "SELECT reviewer_email || '|' || CAST(revoked_at IS NULL AS TEXT) FROM review_links ORDER BY reviewer_email",
        "SELECT body || '|' || visibility FROM post_comments ORDER BY body",
        "SELECT text || '|' || COALESCE(CAST(read_at AS TEXT), 'unread') FROM notifications ORDER BY text",
    ] {
        all.extend(app.strings(sql).await);
    }
    for ws in workspaces {
        all.extend(app.files_of(ws));
    }
    all
}

async fn another_workspaces_ids_are_404_everywhere_and_change_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let ada_ws = ada.guards().page_workspace;
    let image = upload(&ada, "heron.png", 1).await;
    let second = upload(&ada, "fox.png", 2).await;
    let collection = new_collection(&ada, "Herons").await;
    ada.post(&format!("/collections/{collection}/images"), &[("ids", &image), ("ids", &second)]).await;

    let calendar = new_calendar(&ada, "Main").await;
    ada.get(&format!("/calendars/{calendar}/posts/new")).await;
    let post = ada
        .post(
            &format!("/calendars/{calendar}/posts"),
            &[
                ("date", "2030-05-01"),
                ("time", "09:00"),
                ("platform", "instagram"),
                ("status", "draft"),
                ("caption", "heron"),
            ],
        )
        .await
        .location()
        .expect("post")
        .trim_start_matches("/events/")
        .to_owned();
    ada.post(&format!("/events/{post}/images"), &[("ids", &image), ("ids", &second)]).await;
    ada.post(&format!("/images/{image}/crops/square"), &[("x", "0"), ("y", "0"), ("width", "40")]).await;
    ada.post("/settings/hashtags", &[("name", "heron set"), ("hashtags", "#heron")]).await;
    let hashtag_set = ada.get("/settings").await.attrs(".set-list form", "action").pop().expect("set");

    ada.get("/team").await;
    ada.post("/team/invites", &[("email", "guest@example.com"), ("role", "viewer")]).await;
    let invitation = ada.get("/team").await.attrs("form[action$='/revoke']", "action").pop().expect("invitation");
    let invitation = invitation.trim_start_matches("/team/invites/").trim_end_matches("/revoke").to_owned();
    let ada_id = ada.get("/team").await.attrs("#members tr[data-member]", "data-member").pop().expect("ada");

    let bea = app.signed_up("Bea", "bea@example.com").await;
    let bea_ws = bea.guards().page_workspace;
    bea.get("/calendars").await;
    let own_calendar = bea
        .post("/calendars", &[("name", "Mine"), ("colour", "#0e7490"), ("default_platform", "x")])
        .await
        .location()
        .expect("calendar")
        .trim_start_matches("/calendars/")
        .to_owned();
    let own_image = upload(&bea, "own.png", 3).await;
    let own_collection = new_collection(&bea, "Mine").await;
    bea.post(&format!("/collections/{own_collection}/images"), &[("ids", &own_image)]).await;
    bea.get("/").await;

    // A comment of Ada's that mentions her own member Bea would never see.
    ada.get(&format!("/events/{post}")).await;
    ada.post(&format!("/events/{post}/comments"), &[("body", "heron note"), ("visibility", "internal")]).await;
    let comment =
        ada.get(&format!("/events/{post}")).await.attrs("[data-comment]", "data-comment").pop().expect("comment");
    let caption_job = crate::bulk_captions::caption_job(&ada, &[&post], "template", "unsaved").await;
    crate::bulk_captions::finished(&ada, &caption_job).await;
    // A review link of Ada's, and a post with artwork of Bea's waiting for her client.
    let fields = crate::review_links::range_fields(&calendar, "cleo@example.com");
    let review_token = crate::review_links::make(&ada, &fields).await;
    let review_link =
        ada.get("/review-links").await.attrs("#review-links tr[data-link]", "data-link").pop().expect("the link");
    let own_post = crate::review_links::post(&bea, &own_calendar, "2030-05-02", "09:00", "Bea's fox").await;
    bea.post(&format!("/events/{own_post}/images"), &[("ids", &own_image)]).await;
    for ws in [&ada_ws, &bea_ws] {
        crate::review_links::set_approval(&app, ws, "client").await;
    }
    crate::review_links::set_review(&app, &own_post, "client").await;
    bea.get("/").await;
    let publer_route = format!("route:{calendar}:");
    let before = snapshot(&app, &[&ada_ws, &bea_ws]).await;
    let reads = [
        format!("/images/{image}"),
        format!("/media/{image}/original"),
        format!("/media/{image}/large"),
        format!("/media/{image}/thumb"),
        format!("/media/{image}/crop/portrait"),
        format!("/media/{image}/crop/square/thumb"),
        format!("/collections/{collection}"),
        format!("/collections/{collection}/add"),
        format!("/calendars/{calendar}"),
        format!("/calendars/{calendar}?view=list"),
        format!("/calendars/{calendar}/autoschedule"),
        format!("/calendars/{calendar}/export.csv"),
        format!("/calendars/{calendar}/posts/new"),
        format!("/events/{post}"),
        format!("/events/{post}/images/add"),
        format!("/calendars/{calendar}/publer"),
        format!("/calendars/{calendar}/publer?from=2030-05-01&to=2030-05-31"),
        format!("/caption-jobs/{caption_job}"),
        format!("/calendars/plan?image={image}"),
        format!("/calendars/{calendar}/grid"),
        format!("/calendars/{calendar}?view=day&date=2030-05-01"),
        format!("/workspaces/{ada_ws}/logo"),
    ];
    for path in &reads {
        let page = bea.get(path).await;
        assert_eq!(page.status, 404, "GET {path}");
        assert!(!page.body.to_lowercase().contains("heron"), "GET {path} leaked a title");
    }
    // Ada's review link never shows, serves or changes Bea's posts.
    let reviewer = app.client();
    let review_page = reviewer.get(&format!("/review/{review_token}")).await;
    review_page.assert_status(200);
    assert!(!review_page.body.contains(&own_post) && !review_page.body.contains("Bea's fox"));
    reviewer.get(&format!("/review/{review_token}/media/{own_image}/portrait")).await.assert_status(404);
    reviewer.get(&format!("/review/{review_token}/media/{own_image}/large")).await.assert_status(404);
    for action in ["approve", "changes", "comment"] {
        let page =
            reviewer.post(&format!("/review/{review_token}/posts/{own_post}/{action}"), &[("comment", "x")]).await;
        assert_eq!(page.status, 404, "{action} Bea's post through Ada's link");
    }
    bea.get("/").await;
    let c = &collection;
    let writes: Vec<(String, Vec<(&str, &str)>)> = vec![
        (format!("/images/{image}"), vec![("title", "Stolen"), ("availability", "sold")]),
        (format!("/images/{image}/delete"), vec![]),
        (format!("/images/{image}/crops/square"), vec![("x", "8"), ("y", "0"), ("width", "40"), ("mode", "crop")]),
        (format!("/images/{image}/crops/square/reset"), vec![]),
        ("/images/bulk".into(), vec![("action", "tag"), ("tags", "stolen"), ("ids", &image)]),
        ("/images/bulk".into(), vec![("action", "delete"), ("confirm", "yes"), ("ids", &image)]),
        ("/images/bulk".into(), vec![("action", "collect"), ("collection_id", c), ("ids", &own_image)]),
        (format!("/collections/{c}"), vec![("name", "Stolen")]),
        (format!("/collections/{c}/delete"), vec![]),
        (format!("/collections/{c}/images"), vec![("ids", &own_image)]),
        (format!("/collections/{c}/images/{image}/remove"), vec![]),
        (format!("/collections/{c}/images/{image}/move"), vec![("direction", "down")]),
        (format!("/collections/{c}/order"), vec![("ids", &second), ("ids", &image)]),
        (format!("/collections/{c}/cover"), vec![("image_id", &second)]),
        // The other workspace's image, fed to one's own collection.
        (format!("/collections/{own_collection}/images"), vec![("ids", &image)]),
        (format!("/collections/{own_collection}/cover"), vec![("image_id", &image)]),
        (format!("/collections/{own_collection}/images/{image}/remove"), vec![]),
        (format!("/calendars/{calendar}"), vec![("name", "Stolen"), ("colour", "#0e7490"), ("default_platform", "x")]),
        (format!("/calendars/{calendar}/delete"), vec![]),
        (format!("/calendars/{calendar}/feed"), vec![]),
        (format!("/calendars/{calendar}/feed/revoke"), vec![]),
        (
            format!("/calendars/{calendar}/posts"),
            vec![("date", "2030-05-02"), ("time", "09:00"), ("platform", "x"), ("status", "draft")],
        ),
        (
            format!("/calendars/{calendar}/autoschedule"),
            vec![
                ("collection_id", c),
                ("start", "2030-05-01"),
                ("end", "2030-05-02"),
                ("weekdays", "1"),
                ("times", "09:00"),
                ("platform", "x"),
            ],
        ),
        (
            format!("/events/{post}"),
            vec![
                ("date", "2030-05-02"),
                ("time", "09:00"),
                ("platform", "x"),
                ("status", "draft"),
                ("caption", "Stolen"),
            ],
        ),
        // Planning a post from a piece: the other workspace's calendar or image.
        ("/calendars/plan".into(), vec![("calendar", &calendar), ("image", &own_image), ("date", "2030-05-03")]),
        ("/calendars/plan".into(), vec![("calendar", &own_calendar), ("image", &image), ("date", "2030-05-03")]),
        (format!("/calendars/{calendar}/posts/new/images"), vec![("date", "2030-05-02")]),
        (format!("/calendars/{own_calendar}/posts/new/images"), vec![("images", &image)]),
        (
            format!("/calendars/{own_calendar}/posts"),
            vec![("date", "2030-05-02"), ("time", "09:00"), ("platform", "x"), ("status", "draft"), ("images", &image)],
        ),
        (format!("/calendars/{calendar}/grid/move"), vec![("post", &post), ("direction", "later")]),
        (format!("/calendars/{calendar}/grid/swap"), vec![("post", &post), ("with", &post)]),
        (format!("/calendars/{own_calendar}/grid/swap"), vec![("post", &post), ("with", &post)]),
        (format!("/events/{post}/duplicate"), vec![]),
        (format!("/events/{post}/comments"), vec![("body", "Stolen"), ("visibility", "client")]),
        (format!("/events/{post}/comments/{comment}/edit"), vec![("body", "Stolen")]),
        (format!("/events/{post}/comments/{comment}/delete"), vec![]),
        (format!("/notifications/{comment}/open"), vec![]),
        (format!("/events/{post}/delete"), vec![]),
        (format!("/events/{post}/move"), vec![("date", "2030-06-01")]),
        (format!("/events/{post}/images"), vec![("ids", &own_image)]),
        (format!("/events/{post}/images/{image}/remove"), vec![]),
        (format!("/events/{post}/images/{image}/move"), vec![("direction", "down")]),
        (format!("/events/{post}/order"), vec![("ids", &second), ("ids", &image)]),
        (
            format!("/events/{post}/caption"),
            vec![("date", "2030-05-02"), ("time", "09:00"), ("platform", "x"), ("caption", "Stolen")],
        ),
        (format!("/events/{post}/publer"), vec![]),
        (format!("/events/{post}/review/submit"), vec![]),
        (format!("/events/{post}/review/approve"), vec![]),
        (format!("/events/{post}/review/changes"), vec![("comment", "Stolen")]),
        ("/posts/bulk".into(), vec![("action", "ready"), ("post", &post)]),
        ("/posts/bulk".into(), vec![("action", "move"), ("days", "3"), ("post", &post)]),
        ("/posts/bulk".into(), vec![("action", "delete"), ("confirmed", "yes"), ("post", &post)]),
        ("/posts/bulk".into(), vec![("action", "delete"), ("post", &post)]),
        ("/posts/bulk".into(), vec![("action", "hashtags"), ("post", &post)]),
        ("/posts/bulk".into(), vec![("action", "publer"), ("post", &post)]),
        (
            "/posts/bulk".into(),
            vec![("action", "captions"), ("source", "template"), ("landing", "save"), ("post", &post)],
        ),
        (format!("/caption-jobs/{caption_job}/posts/{post}/use"), vec![]),
        (format!("/events/{post}/suggestion"), vec![("answer", "use")]),
        (format!("/images/{image}/alt-text"), vec![]),
        ("/images/bulk".into(), vec![("action", "alt_text"), ("ids", &image)]),
        (format!("/events/{post}/publer/resend"), vec![]),
        (format!("/calendars/{calendar}/publer"), vec![("from", "2030-05-01"), ("to", "2030-05-31")]),
        ("/settings/publer/routes".into(), vec![(publer_route.as_str(), "")]),
        (hashtag_set.clone(), vec![]),
        (format!("/team/invites/{invitation}/resend"), vec![]),
        (format!("/team/invites/{invitation}/revoke"), vec![]),
        (format!("/team/members/{ada_id}/role"), vec![("role", "viewer")]),
        (format!("/team/members/{ada_id}/remove"), vec![]),
        ("/team/transfer".into(), vec![("user_id", &ada_id)]),
        (format!("/workspaces/{ada_ws}/delete"), vec![("confirm_name", "Ada's studio")]),
        (format!("/review-links/{review_link}/revoke"), vec![]),
        ("/review-links/new".into(), vec![("post", &post)]),
        (
            "/review-links".into(),
            vec![
                ("reviewer_name", "Cleo"),
                ("reviewer_email", "cleo@example.com"),
                ("scope", "range"),
                ("calendar", &calendar),
                ("starts_on", "2030-05-01"),
                ("ends_on", "2030-05-31"),
                ("expires_days", "30"),
            ],
        ),
        (
            "/review-links".into(),
            vec![
                ("reviewer_name", "Cleo"),
                ("reviewer_email", "cleo@example.com"),
                ("scope", "posts"),
                ("post", &post),
                ("expires_days", "30"),
            ],
        ),
        // The other workspace's collection fed to one's own calendar.
        (
            format!("/calendars/{own_calendar}/autoschedule"),
            vec![
                ("collection_id", c),
                ("start", "2030-05-01"),
                ("end", "2030-05-02"),
                ("weekdays", "1"),
                ("times", "09:00"),
                ("platform", "x"),
            ],
        ),
    ];
    for (path, fields) in &writes {
        let page = bea.post(path, fields).await;
        assert_eq!(page.status, 404, "POST {path} {fields:?}: {}", page.body);
    }
    assert_eq!(snapshot(&app, &[&ada_ws, &bea_ws]).await, before, "nothing may change");
    // Ada still sees all of hers.
    ada.get(&format!("/images/{image}")).await.assert_status(200);
    ada.get(&format!("/collections/{collection}")).await.assert_status(200);
    ada.get(&format!("/events/{post}")).await.assert_status(200);
}

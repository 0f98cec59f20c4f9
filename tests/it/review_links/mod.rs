//! Review links (issue 17 §2): making them, the reviewer's page with its
//! branding and scope, and approving, asking for changes and approving all
//! from it. The guards (expiry, revocation, foreign ids, CSRF, rate limit,
//! "Powered by") are in `guards`.

mod guards;

use crate::{
    calendars::new_calendar,
    collections::upload,
    harness::{Backend, Client, TestApp, art},
    on_both_backends,
};

on_both_backends!(
    making_a_link_checks_the_form_mails_it_and_stores_only_its_hash,
    the_page_shows_exactly_the_scoped_posts_with_branding_and_crops,
    hand_picked_posts_come_from_the_calendars_selection,
    a_reviewer_approves_asks_for_changes_and_approves_the_rest,
    with_approval_off_a_link_is_for_looking_and_commenting,
);

/// Ada's studio: a calendar with two posts in May 2030 (the first and the
/// last day), one in June, and one on another calendar in May.
pub struct Studio {
    pub app: TestApp,
    pub ada: Client,
    pub workspace: String,
    pub calendar: String,
    pub may: Vec<String>,
    pub june: String,
    pub elsewhere: String,
    pub image: String,
}

pub async fn studio(backend: Backend) -> Studio {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let workspace = ada.guards().page_workspace;
    let image = upload(&ada, "heron.png", 1).await;
    let calendar = new_calendar(&ada, "Spring").await;
    let other = new_calendar(&ada, "Shop").await;
    let first = post(&ada, &calendar, "2030-05-01", "09:00", "Heron at dawn").await;
    let last = post(&ada, &calendar, "2030-05-31", "21:00", "Heron at dusk").await;
    let june = post(&ada, &calendar, "2030-06-01", "09:00", "Summer heron").await;
    let elsewhere = post(&ada, &other, "2030-05-10", "09:00", "Shop heron").await;
    ada.post(&format!("/events/{first}/images"), &[("ids", &image)]).await.assert_status(303);
    Studio { app, ada, workspace, calendar, may: vec![first, last], june, elsewhere, image }
}

pub async fn post(client: &Client, calendar: &str, date: &str, time: &str, caption: &str) -> String {
    client.get(&format!("/calendars/{calendar}/posts/new?date={date}")).await;
    let fields = [
        ("date", date),
        ("time", time),
        ("platform", "instagram"),
        ("status", "draft"),
        ("caption", caption),
        ("hashtags", "#heron"),
    ];
    let page = client.post(&format!("/calendars/{calendar}/posts"), &fields).await;
    assert_eq!(page.status, 303, "{}", page.body);
    page.location().expect("redirect").trim_start_matches("/events/").to_owned()
}

/// Makes a link over May 2030 of the calendar; returns its token.
pub async fn may_link(s: &Studio, email: &str) -> String {
    make(&s.ada, &range_fields(&s.calendar, email)).await
}

pub fn range_fields<'a>(calendar: &'a str, email: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("reviewer_name", "Cleo Client"),
        ("reviewer_email", email),
        ("scope", "range"),
        ("calendar", calendar),
        ("starts_on", "2030-05-01"),
        ("ends_on", "2030-05-31"),
        ("expires_days", "30"),
    ]
}

/// Submits the form; returns the token of the link shown once.
pub async fn make(ada: &Client, fields: &[(&str, &str)]) -> String {
    ada.get("/review-links").await.assert_status(200);
    let page = ada.post("/review-links", fields).await;
    page.assert_status(200);
    let url = page.attrs("#made-url", "value").pop().expect("the link is shown");
    url.rsplit_once("/review/").expect("a review link").1.to_owned()
}

pub async fn set_review(app: &TestApp, post: &str, review: &str) {
    let sql = format!("UPDATE events SET review = '{review}' WHERE id = {}", app.uuid_literal(post));
    assert_eq!(app.try_execute(&sql).await.expect("set review"), 1);
}

pub async fn set_approval(app: &TestApp, workspace: &str, mode: &str) {
    let sql = format!("UPDATE workspaces SET approval = '{mode}' WHERE id = {}", app.uuid_literal(workspace));
    assert_eq!(app.try_execute(&sql).await.expect("set approval"), 1);
}

pub async fn review_of(app: &TestApp, post: &str) -> String {
    let sql = format!("SELECT review FROM events WHERE id = {}", app.uuid_literal(post));
    app.strings(&sql).await.pop().expect("the post")
}

async fn making_a_link_checks_the_form_mails_it_and_stores_only_its_hash(backend: Backend) {
    let s = studio(backend).await;
    let (app, ada) = (&s.app, &s.ada);
    let form = ada.get("/review-links").await;
    form.assert_status(200);
    assert_eq!(form.attrs("#expires_days", "value"), vec!["30"]);
    assert_eq!(form.attrs("#scope-range[checked]", "value").len(), 1, "a date range by default");
    assert!(form.attrs("#starts_on", "value")[0].len() == 10, "the coming four weeks are filled in");

    let refused = ada
        .post(
            "/review-links",
            &[("reviewer_name", " "), ("reviewer_email", "not-an-address"), ("scope", "range"), ("expires_days", "91")],
        )
        .await;
    refused.assert_status(422);
    assert!(refused.text("#reviewer_name-error").contains("name"));
    assert!(refused.text("#reviewer_email-error").contains("email address"));
    assert!(refused.text("#expires_days-error").contains("90"));
    assert!(refused.text("#scope-error").contains("calendar"));
    let mut backwards = range_fields(&s.calendar, "cleo@example.com");
    backwards[5] = ("ends_on", "2030-04-01");
    assert!(ada.post("/review-links", &backwards).await.text("#scope-error").contains("before"));
    let no_posts = [("reviewer_name", "Cleo"), ("reviewer_email", "cleo@example.com"), ("scope", "posts")];
    assert!(ada.post("/review-links", &no_posts).await.text("#scope-error").contains("Pick at least one"));
    assert_eq!(app.count("SELECT COUNT(*) FROM review_links").await, 0, "nothing made");

    let token = may_link(&s, "Cleo@Example.com").await;
    let mailed = app.mailed_link("cleo@example.com", "/review/").await;
    assert_eq!(mailed, format!("/review/{token}"), "the link is mailed at once");
    let mail = app.mails_to("cleo@example.com").pop().expect("a mail");
    assert!(mail.contains("Ada asks you to review posts for Ada's studio"), "{mail}");
    let hashes = app.strings("SELECT token_hash FROM review_link_tokens").await;
    let digest = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(token.as_bytes()))
    };
    assert_eq!(hashes, vec![digest], "only the hash is stored");
    let stored = app.strings("SELECT reviewer_name || reviewer_email || starts_on || ends_on FROM review_links").await;
    assert!(stored.iter().all(|row| !row.contains(&token)));
    assert_eq!(app.strings("SELECT reviewer_email FROM review_links").await, vec!["cleo@example.com"]);
    assert_eq!(app.strings("SELECT action FROM audit_log WHERE action LIKE 'review_link.%'").await.len(), 1);

    let list = ada.get("/review-links").await;
    assert!(list.attrs("#made-url", "value").is_empty(), "the link is shown only once");
    assert_eq!(list.texts("#review-links [data-progress]"), vec!["0 of 2 approved"]);
    assert_eq!(list.texts("#review-links [data-state]"), vec!["Active"]);
    assert!(list.text("#review-links tbody tr").contains("Spring: Wed 1 May 2030 to Fri 31 May 2030"));
    assert!(list.text("#review-links tbody tr").contains("Not yet"), "never opened");
    assert!(list.texts("#approval-off").len() == 1, "approval is off here, and the page says so");
}

async fn the_page_shows_exactly_the_scoped_posts_with_branding_and_crops(backend: Backend) {
    let s = studio(backend).await;
    let (app, ada) = (&s.app, &s.ada);
    ada.get("/settings/branding").await;
    ada.post("/settings/branding", &[("brand_colour", "#be123c")]).await.assert_status(303);
    ada.upload_as("/settings/branding/logo", "logo", &[("logo.png", art::png(5))]).await.assert_status(303);
    ada.get("/settings").await;
    ada.post("/settings", &crate::harness::settings("Heron Studio", "UTC")).await.assert_status(303);
    let token = may_link(&s, "cleo@example.com").await;

    let reviewer = app.client();
    let page = reviewer.get(&format!("/review/{token}")).await;
    page.assert_status(200);
    assert_eq!(page.attrs("[data-post]", "data-post"), s.may, "May's posts of this calendar, and only those");
    assert_eq!(page.text("#review-name"), "Heron Studio");
    assert_eq!(page.attrs("link[href^='/brand.css']", "href"), vec!["/brand.css?c=be123c"]);
    assert!(page.texts(".topbar").is_empty() && page.attrs("a[href^='/']", "href").is_empty(), "no app links");
    assert_eq!(page.texts("#powered-by").len(), 1);
    assert!(page.text(&format!("#post-{} .review-when", s.may[0])).contains("Wed 1 May 2030 09:00"), "local time");
    assert!(page.text(&format!("#post-{} .review-caption", s.may[0])).contains("Heron at dawn #heron"));
    assert!(page.header("set-cookie").contains("Path=/review/"));
    assert!(page.header("set-cookie").contains("SameSite=Strict"));

    let logo = page.attrs("img.review-logo", "src").pop().expect("the logo");
    assert!(logo.starts_with(&format!("/review/{token}/logo")));
    assert_eq!(reviewer.get(&logo).await.header("content-type"), "image/png");
    let art = page.attrs(&format!("#post-{} img", s.may[0]), "src");
    assert_eq!(art, vec![format!("/review/{token}/media/{}/portrait", s.image)], "Instagram's 4:5 crop");
    let served = reviewer.get(&art[0]).await;
    served.assert_status(200);
    assert_eq!(served.header("content-type"), "image/jpeg");
    let decoded = image::load_from_memory(&served.bytes).expect("a JPEG");
    let (w, h) = (i64::from(decoded.width()), i64::from(decoded.height()));
    assert!((w * 5 - h * 4).abs() <= 5, "cut to 4:5: {w}×{h}");
    reviewer.get(&format!("/review/{token}/media/{}/nonsense", s.image)).await.assert_status(404);
    reviewer.get(&format!("/media/{}/crop/portrait", s.image)).await.assert_status(303);
    // The June post's artwork is not the link's to serve.
    ada.post(&format!("/events/{}/images", s.june), &[("ids", &s.image)]).await;
    let other = upload(ada, "fox.png", 2).await;
    ada.post(&format!("/events/{}/images", s.june), &[("ids", &other)]).await;
    reviewer.get(&format!("/review/{token}/media/{other}/portrait")).await.assert_status(404);

    let opened = app.count("SELECT COUNT(*) FROM review_links WHERE last_opened_at IS NOT NULL").await;
    assert_eq!(opened, 1, "opening the page is recorded");
    assert!(!ada.get("/review-links").await.text("#review-links tbody tr").contains("Not yet"));

    // Internal comments never show; client comments do.
    let (ws, post) = (app.uuid_literal(&s.workspace), app.uuid_literal(&s.may[1]));
    for (id, visibility, body) in [(1, "internal", "Crop is off, fix before she sees"), (2, "client", "Lovely light")] {
        let sql = format!(
            "INSERT INTO post_comments (workspace_id, id, event_id, visibility, author_name, body, created_at) \
             VALUES ({ws}, {}, {post}, '{visibility}', 'Someone', '{body}', '2030-01-01T00:00:00Z')",
            app.uuid_literal(&format!("00000000-0000-7000-8000-00000000000{id}"))
        );
        app.try_execute(&sql).await.expect("a comment");
    }
    let page = reviewer.get(&format!("/review/{token}")).await;
    assert_eq!(page.texts("[data-comment] .review-comment-body"), vec!["Lovely light"]);
    assert!(!page.body.contains("Crop is off"));
}

async fn hand_picked_posts_come_from_the_calendars_selection(backend: Backend) {
    let s = studio(backend).await;
    let (app, ada) = (&s.app, &s.ada);
    let calendar = ada.get(&format!("/calendars/{}", s.calendar)).await;
    assert_eq!(calendar.attrs("#bulk-review-link", "formaction"), vec!["/review-links/new"]);
    assert_eq!(calendar.attrs("#calendar-review-link", "href"), vec![format!("/review-links?calendar={}", s.calendar)]);
    let picked = ada.post("/review-links/new", &[("action", "ready"), ("post", &s.june), ("post", &s.elsewhere)]).await;
    picked.assert_status(200);
    assert_eq!(picked.attrs("#picked input[checked]", "value"), vec![s.june.clone(), s.elsewhere.clone()]);
    assert_eq!(picked.attrs("#scope-posts[checked]", "value").len(), 1);
    let token = make(
        ada,
        &[
            ("reviewer_name", "Cleo"),
            ("reviewer_email", "cleo@example.com"),
            ("scope", "posts"),
            ("post", &s.june),
            ("post", &s.elsewhere),
            ("expires_days", "7"),
        ],
    )
    .await;
    let page = app.client().get(&format!("/review/{token}")).await;
    assert_eq!(page.attrs("[data-post]", "data-post"), vec![s.elsewhere.clone(), s.june.clone()], "in date order");
    assert_eq!(ada.get("/review-links").await.texts("#review-links [data-progress]"), vec!["0 of 2 approved"]);
}

async fn a_reviewer_approves_asks_for_changes_and_approves_the_rest(backend: Backend) {
    let s = studio(backend).await;
    let app = &s.app;
    let third = post(&s.ada, &s.calendar, "2030-05-15", "12:00", "Heron at noon").await;
    let fourth = post(&s.ada, &s.calendar, "2030-05-20", "12:00", "Heron in rain").await;
    set_approval(app, &s.workspace, "client").await;
    let posts = [s.may[0].clone(), third.clone(), fourth.clone(), s.may[1].clone()];
    for post in &posts {
        set_review(app, post, "client").await;
    }
    let token = may_link(&s, "cleo@example.com").await;
    let reviewer = app.client();
    let page = reviewer.get(&format!("/review/{token}")).await;
    assert_eq!(page.texts(".review-answer").len(), 4);
    assert!(page.text("#approve-all").contains("4 posts are still waiting"));

    let approve = format!("/review/{token}/posts/{}/approve", posts[0]);
    reviewer.post(&approve, &[]).await.assert_redirect(&format!("/review/{token}?done=approved#post-{}", posts[0]));
    assert_eq!(review_of(app, &posts[0]).await, "approved");
    let history = app.strings("SELECT actor_name || '|' || via || '|' || kind FROM post_history").await;
    assert_eq!(history, vec!["Cleo Client|review_link|approved"]);
    assert!(
        app.strings("SELECT actor_name FROM audit_log WHERE action = 'post.approved'").await == vec!["Cleo Client"]
    );
    let again = reviewer.post(&approve, &[]).await;
    again.assert_status(409);
    assert!(again.text("#review-error").contains("not waiting for your approval"));

    let changes = format!("/review/{token}/posts/{third}/changes");
    let empty = reviewer.post(&changes, &[("comment", "  ")]).await;
    empty.assert_status(422);
    assert_eq!(review_of(app, &third).await, "client", "nothing changed");
    reviewer.post(&changes, &[("comment", "Warmer, please.\nAnd <b>no</b> watermark")]).await.assert_status(303);
    assert_eq!(review_of(app, &third).await, "changes_requested");
    let page = reviewer.get(&format!("/review/{token}?done=changes")).await;
    assert_eq!(page.text("#review-notice"), "Your request for changes was sent.");
    assert_eq!(page.texts(&format!("#post-{third} [data-comment] .review-comment-body")).len(), 1);
    assert!(!page.body.contains("<b>no</b>") && page.body.contains("Warmer, please.<br>\nAnd "), "escaped, lines kept");
    assert_eq!(page.text(&format!("#post-{third} .review-comment-body")), "Warmer, please. And <b>no</b> watermark");

    // HTMX swaps the card in place.
    let guards = reviewer.guards();
    let fragment = reviewer
        .post_exactly(
            &format!("/review/{token}/posts/{fourth}/approve"),
            &[("csrf_token", &guards.csrf_token)],
            &[("hx-request", "true")],
        )
        .await;
    fragment.assert_status(200);
    assert!(fragment.body.trim_start().starts_with("<li"), "only the card");
    assert_eq!(fragment.text("[data-review]"), "Approved");

    let all = reviewer.post(&format!("/review/{token}/approve-all"), &[]).await;
    all.assert_redirect(&format!("/review/{token}?done=all&n=1"));
    assert_eq!(review_of(app, &s.may[1]).await, "approved");
    assert_eq!(review_of(app, &third).await, "changes_requested", "only posts waiting for the client");
    let page = reviewer.get(&format!("/review/{token}?done=all&n=1")).await;
    assert_eq!(page.text("#review-notice"), "Approved 1 post.");
    assert!(page.texts("#approve-all").is_empty());
    let list = s.ada.get("/review-links").await;
    assert_eq!(list.texts("#review-links [data-progress]"), vec!["3 of 4 approved"]);
}

async fn with_approval_off_a_link_is_for_looking_and_commenting(backend: Backend) {
    let s = studio(backend).await;
    let app = &s.app;
    set_review(app, &s.may[0], "client").await;
    let token = may_link(&s, "cleo@example.com").await;
    let reviewer = app.client();
    let page = reviewer.get(&format!("/review/{token}")).await;
    assert_eq!(page.texts("#review-look-only").len(), 1);
    assert!(page.texts(".review-answer").is_empty() && page.texts("#approve-all").is_empty());
    let comment = format!("/review/{token}/posts/{}/comment", s.may[0]);
    reviewer.post(&comment, &[("comment", "Love it")]).await.assert_status(303);
    let rows = app.strings("SELECT visibility || '|' || author_name || '|' || body FROM post_comments").await;
    assert_eq!(rows, vec!["client|Cleo Client|Love it"]);
    let refused = reviewer.post(&format!("/review/{token}/posts/{}/approve", s.may[0]), &[]).await;
    refused.assert_status(409);
    assert_eq!(review_of(app, &s.may[0]).await, "client");
}

//! Comments on posts: internal ones for the team, client ones for review
//! links too, markdown-lite rendered safely, editing and deleting by the
//! author only, and the timeline in the editor.

use crate::{
    calendars::{new_calendar, new_post},
    harness::{Backend, Client, TestApp},
    on_both_backends,
};

/// A statement with binds in a workspace transaction, on either backend.
macro_rules! run {
    ($tx:expr, $sql:expr $(, $b:expr)*) => {
        match $tx.target() {
            easel::db::Target::Sqlite(c) => { sqlx::query($sql)$(.bind($b))*.execute(c).await.expect("statement"); }
            easel::db::Target::Postgres(c) => { sqlx::query($sql)$(.bind($b))*.execute(c).await.expect("statement"); }
            _ => unreachable!("a transaction"),
        }
    };
}

on_both_backends!(
    internal_comments_stay_with_the_team_and_client_comments_reach_the_review_link,
    only_the_author_edits_or_deletes_a_comment,
    comments_are_escaped_and_only_web_addresses_become_links,
);

/// Ada's workspace with a post on "Spring calendar", and a member (Mel) and a
/// viewer (Vic) in it, each looking at it.
pub struct Team {
    pub ada: Client,
    pub mel: Client,
    pub vic: Client,
    pub workspace: String,
    pub post: String,
}

pub async fn team(app: &TestApp) -> Team {
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let workspace = ada.guards().page_workspace;
    let calendar = new_calendar(&ada, "Spring calendar").await;
    let post = new_post(&ada, &calendar, "2030-05-01", "09:00").await;
    let mut joined = Vec::new();
    for (name, email, role) in [("Mel", "mel@example.com", "member"), ("Vic", "vic@example.com", "viewer")] {
        let client = app.signed_up(name, email).await;
        app.add_member(&workspace, email, role).await;
        client.post("/workspaces/switch", &[("workspace_id", &workspace), ("back", "/")]).await;
        client.get("/").await;
        joined.push(client);
    }
    let vic = joined.pop().expect("Vic");
    let mel = joined.pop().expect("Mel");
    Team { ada, mel, vic, workspace, post }
}

/// Writes a comment from the post's page and returns the page after it.
pub async fn comment(client: &Client, post: &str, body: &str, visibility: &str) -> crate::harness::Page {
    client.get(&format!("/events/{post}")).await;
    client.post(&format!("/events/{post}/comments"), &[("body", body), ("visibility", visibility)]).await
}

async fn internal_comments_stay_with_the_team_and_client_comments_reach_the_review_link(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let t = team(&app).await;
    comment(&t.ada, &t.post, "Team only: the crop is too tight", "internal")
        .await
        .assert_redirect(&format!("/events/{}#timeline", t.post));
    comment(&t.ada, &t.post, "For the client: here is the new crop", "client").await.assert_status(303);
    // A viewer is the client: asking for an internal comment gives a client one.
    comment(&t.vic, &t.post, "Looks lovely", "internal").await.assert_status(303);
    comment(&t.mel, &t.post, "", "").await.assert_status(422);

    let for_ada = t.ada.get(&format!("/events/{}", t.post)).await;
    let visibilities = for_ada.attrs("#timeline [data-comment]", "data-visibility");
    assert_eq!(visibilities, vec!["internal", "client", "client"], "{}", for_ada.text("#timeline"));
    assert!(for_ada.text("#timeline").contains("Team only"));
    let for_vic = t.vic.get(&format!("/events/{}", t.post)).await;
    let thread = for_vic.text("#timeline");
    assert!(!thread.contains("Team only"), "a viewer never sees an internal comment: {thread}");
    assert!(thread.contains("here is the new crop") && thread.contains("Looks lovely"), "{thread}");
    assert!(
        for_vic
            .html()
            .select(&scraper::Selector::parse("input[name=visibility][type=radio]").expect("css"))
            .next()
            .is_none()
    );

    // The review page reads a post's thread through `for_review_link`: with a
    // review link made for the post, it sees the client comments only.
    let ws = uuid::Uuid::parse_str(&t.workspace).expect("workspace");
    let post = uuid::Uuid::parse_str(&t.post).expect("post");
    let link = uuid::Uuid::now_v7();
    let mut tx = app.databases.workspace_tx(ws, true).await.expect("tx");
    let (now, later) = (time::OffsetDateTime::now_utc(), time::OffsetDateTime::now_utc() + time::Duration::days(30));
    run!(
        tx,
        "INSERT INTO review_links (workspace_id, id, reviewer_name, reviewer_email, created_at, expires_at) \
         VALUES ($1, $2, 'Carla', 'carla@example.com', $3, $4)",
        ws,
        link,
        now,
        later
    );
    run!(tx, "INSERT INTO review_link_posts (workspace_id, link_id, event_id) VALUES ($1, $2, $3)", ws, link, post);
    run!(
        tx,
        "INSERT INTO review_link_tokens (token_hash, workspace_id, link_id) VALUES ('test-hash', $1, $2)",
        ws,
        link
    );
    let seen = easel::comments::queries::for_review_link(&mut tx, post).await.expect("thread");
    tx.commit().await.expect("commit");
    let bodies: Vec<&str> = seen.iter().map(|c| c.body.as_str()).collect();
    assert_eq!(bodies, vec!["For the client: here is the new crop", "Looks lovely"]);
    assert!(seen.iter().all(|c| c.is_client()));
}

async fn only_the_author_edits_or_deletes_a_comment(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let t = team(&app).await;
    let page = comment(&t.mel, &t.post, "First thoughts", "internal").await;
    page.assert_status(303);
    let mine =
        t.mel.get(&format!("/events/{}", t.post)).await.attrs("[data-comment]", "data-comment").pop().expect("id");
    let edit = format!("/events/{}/comments/{mine}/edit", t.post);
    let delete = format!("/events/{}/comments/{mine}/delete", t.post);
    // Nobody else may touch it, not even the owner: 404, nothing changed.
    for other in [&t.ada, &t.vic] {
        other.get(&format!("/events/{}", t.post)).await;
        other.post(&edit, &[("body", "Hijacked")]).await.assert_status(404);
        other.post(&delete, &[]).await.assert_status(404);
    }
    assert_eq!(app.strings("SELECT body FROM post_comments").await, vec!["First thoughts"]);
    // Its author is refused an empty or over-long text, with a clear message.
    t.mel.post(&edit, &[("body", "   ")]).await.assert_status(422);
    let long = "a".repeat(5_001);
    let refused = t.mel.post(&edit, &[("body", &long)]).await;
    refused.assert_status(422);
    assert!(refused.text("#comment-error").contains("at most 5,000 characters"), "{}", refused.body);
    assert_eq!(app.strings("SELECT body FROM post_comments").await, vec!["First thoughts"]);
    // Edited in place with HTMX: the timeline comes back, marked "edited".
    let swapped = t
        .mel
        .post_exactly(
            &edit,
            &[
                ("csrf_token", &t.mel.guards().csrf_token),
                ("page_workspace", &t.workspace),
                ("body", "Second thoughts"),
            ],
            &[("hx-request", "true")],
        )
        .await;
    swapped.assert_status(200);
    assert!(swapped.body.contains("id=\"timeline\"") && swapped.body.contains("Second thoughts"), "{}", swapped.body);
    assert!(swapped.text(&format!("#comment-{mine} .comment-edited")).contains("edited"));
    let for_ada = t.ada.get(&format!("/events/{}", t.post)).await;
    assert!(for_ada.text(&format!("#comment-{mine}")).contains("(edited)"));
    assert!(for_ada.attrs(&format!("#comment-{mine} form"), "action").is_empty(), "no edit form for others");
    t.mel.get(&format!("/events/{}", t.post)).await;
    t.mel.post(&delete, &[]).await.assert_status(303);
    assert!(app.strings("SELECT body FROM post_comments").await.is_empty());
    t.mel.post(&delete, &[]).await.assert_status(404);
}

async fn comments_are_escaped_and_only_web_addresses_become_links(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let t = team(&app).await;
    let evil = "<script>alert(1)</script>\n<img src=x onerror=alert(2)> javascript:alert(3) \
                [x](javascript:alert(4)) https://example.com/a?b=1&c=2\" onmouseover=\"alert(5)";
    comment(&t.ada, &t.post, evil, "client").await.assert_status(303);
    let page = t.vic.get(&format!("/events/{}", t.post)).await;
    let body = &page.body;
    assert!(!body.contains("<script>alert(1)"), "raw script tag");
    assert!(!body.contains("<img src=x"), "raw img tag");
    assert!(body.contains("&lt;script&gt;alert(1)&lt;/script&gt;<br>"), "escaped, with its line break");
    let hrefs = page.attrs(".comment-body a", "href");
    assert_eq!(hrefs, vec!["https://example.com/a?b=1&c=2"], "only the web address is a link");
    assert_eq!(page.attrs(".comment-body a", "rel"), vec!["nofollow noopener noreferrer"]);
    assert!(page.attrs(".comment-body [onmouseover]", "onmouseover").is_empty());
    assert!(page.attrs(".comment-body [onerror]", "onerror").is_empty());
}

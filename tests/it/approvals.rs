//! Approval before sending (issue 17 §1): each mode's path through review
//! in the app, edits after approval going back to review with the change
//! shown, and sending only approved posts, at queue time and in the sender.

use crate::{
    calendars::new_calendar,
    collections::upload,
    harness::{
        Backend, Client, Page, TestApp,
        services::{JobEnd, Services},
    },
    on_both_backends,
    publer::{ADA_PUBLER, connect, fast, post_on, settled},
};

on_both_backends!(
    internal_approval_is_an_owners_or_admins_and_never_a_members,
    the_client_approves_as_a_viewer_after_the_team_and_asks_for_changes,
    edits_after_approval_go_back_to_review_with_the_change_shown,
    only_approved_posts_are_queued_and_handed_to_publer,
);

async fn set_approval(client: &Client, mode: &str) {
    client.get("/settings").await;
    client.post("/settings/approval", &[("approval", mode)]).await.assert_redirect("/settings#approval");
}

/// A review step on the post, from its editor as a person would.
async fn step(client: &Client, post: &str, what: &str, fields: &[(&str, &str)]) -> Page {
    client.get(&format!("/events/{post}")).await;
    client.post(&format!("/events/{post}/review/{what}"), fields).await
}

async fn review(app: &TestApp, post: &str) -> String {
    let sql = format!("SELECT review || '|' || status FROM events WHERE id = {}", app.uuid_literal(post));
    app.strings(&sql).await.pop().unwrap_or_default()
}

async fn history(app: &TestApp, post: &str) -> Vec<String> {
    let sql = format!(
        "SELECT kind || ':' || from_state || '>' || to_state FROM post_history WHERE event_id = {} \
         ORDER BY created_at, id",
        app.uuid_literal(post)
    );
    app.strings(&sql).await
}

/// Another person in Ada's workspace, with `role`, switched to it.
async fn colleague(app: &TestApp, ada: &Client, name: &str, role: &str) -> Client {
    let workspace = ada.guards().page_workspace;
    let email = format!("{}@example.com", name.to_lowercase());
    let client = app.signed_up(name, &email).await;
    app.add_member(&workspace, &email, role).await;
    client.post("/workspaces/switch", &[("workspace_id", &workspace), ("back", "/")]).await;
    client
}

/// Saves the post's editor form with this caption and date (the rest as `post_on` made it).
async fn save(client: &Client, post: &str, caption: &str, date: &str) -> Page {
    client.get(&format!("/events/{post}")).await;
    let fields = [
        ("date", date),
        ("time", "09:00"),
        ("platform", "instagram"),
        ("status", "ready"),
        ("caption", caption),
        ("hashtags", "#heron"),
        ("notes", ""),
    ];
    client.post(&format!("/events/{post}"), &fields).await
}

async fn internal_approval_is_an_owners_or_admins_and_never_a_members(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let mel = colleague(&app, &ada, "Mel", "member").await;
    let ann = colleague(&app, &ada, "Ann", "admin").await;
    let calendar = new_calendar(&ada, "Main").await;
    let post = post_on(&ada, &calendar, "2030-05-01", "draft").await;
    let owned = "SELECT COUNT(*) FROM events e JOIN users u ON u.id = e.created_by WHERE u.email = 'ada@example.com'";
    assert_eq!(app.count(owned).await, 1, "the post knows who made it");

    // Off: no panel, and no step may be taken.
    assert!(ada.get(&format!("/events/{post}")).await.html().select(&sel("#review")).next().is_none());
    step(&ada, &post, "submit", &[]).await.assert_status(409);
    ada.get("/settings").await;
    ada.post("/settings/approval", &[("approval", "sometimes")]).await.assert_status(422);
    mel.get("/settings").await;
    mel.post("/settings/approval", &[("approval", "internal")]).await.assert_status(403);
    set_approval(&ada, "internal").await;
    let audit = app.strings("SELECT detail FROM audit_log WHERE action = 'settings.changed'").await;
    assert!(audit.iter().any(|d| d == "Approval: none → internal"), "{audit:?}");
    let settings = ada.get("/settings").await;
    assert_eq!(settings.attrs("#approval input[checked]", "value"), vec!["internal"]);
    assert!(settings.text("#approval").contains("stay drafts until someone sends them for review"));

    let editor = mel.get(&format!("/events/{post}")).await;
    assert_eq!(editor.text("#review [data-review-state]"), "Draft");
    assert_eq!(editor.texts("#review [data-review-submit]").len(), 1);
    assert!(editor.text("#publer").contains("Not sent: waiting for approval"));
    step(&mel, &post, "submit", &[]).await.assert_redirect(&format!("/events/{post}#review"));
    assert_eq!(review(&app, &post).await, "internal|draft");
    step(&mel, &post, "submit", &[]).await.assert_status(409);
    let refused = step(&mel, &post, "approve", &[]).await;
    refused.assert_status(409);
    assert!(refused.body.contains("not waiting for your approval"));
    assert_eq!(review(&app, &post).await, "internal|draft", "a member cannot approve");
    let waiting = ann.get(&format!("/events/{post}")).await;
    assert_eq!(waiting.text("#review [data-review-state]"), "In review");
    assert_eq!(waiting.texts("#review [data-review-approve]").len(), 1);
    step(&ann, &post, "approve", &[]).await.assert_status(303);
    assert_eq!(review(&app, &post).await, "approved|ready");
    let version =
        app.strings(&format!("SELECT approved_version FROM events WHERE id = {}", app.uuid_literal(&post))).await;
    assert!(version[0].contains("\"caption\":\"A quiet morning\""), "{version:?}");
    assert_eq!(history(&app, &post).await, vec!["submitted:none>internal", "approved:internal>approved"]);
    let actions = app.strings("SELECT action FROM audit_log WHERE action LIKE 'post.%' ORDER BY created_at, id").await;
    assert_eq!(actions, vec!["post.submitted", "post.approved"]);
}

fn sel(css: &str) -> scraper::Selector {
    scraper::Selector::parse(css).expect("selector")
}

async fn the_client_approves_as_a_viewer_after_the_team_and_asks_for_changes(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let vic = colleague(&app, &ada, "Vic", "viewer").await;
    let calendar = new_calendar(&ada, "Main").await;
    let post = post_on(&ada, &calendar, "2030-05-01", "draft").await;
    set_approval(&ada, "internal_then_client").await;

    // The viewer writes nothing but review answers.
    let seen = vic.get(&format!("/events/{post}")).await;
    for write in [".editor [formaction]", ".editor form[action$='/publer']", "#artwork form"] {
        assert!(seen.html().select(&sel(write)).next().is_none(), "a viewer sees {write}");
    }
    // Their forms answer the review or comment; nothing else.
    let html = seen.html();
    let (forms, button) = (sel(".editor form[method=post]"), sel("button"));
    for form in html.select(&forms).filter(|f| f.select(&button).next().is_some()) {
        let action = form.value().attr("action").unwrap_or_default();
        let answers = action.ends_with("/review/approve") || action.ends_with("/review/changes");
        assert!(answers || action.ends_with("/comments"), "a viewer sees a form for {action}");
    }
    step(&vic, &post, "submit", &[]).await.assert_status(403);
    vic.post(&format!("/events/{post}"), &[("caption", "Mine now")]).await.assert_status(403);

    step(&ada, &post, "submit", &[]).await.assert_status(303);
    step(&vic, &post, "approve", &[]).await.assert_status(409);
    assert_eq!(review(&app, &post).await, "internal|draft", "the client waits for the team");
    step(&ada, &post, "approve", &[]).await.assert_status(303);
    assert_eq!(review(&app, &post).await, "client|draft");
    step(&ada, &post, "approve", &[]).await.assert_status(409);
    assert_eq!(review(&app, &post).await, "client|draft", "an owner cannot approve for the client");

    let panel = vic.get(&format!("/events/{post}")).await;
    assert_eq!(panel.texts("#review [data-review-approve]").len(), 1);
    assert!(panel.html().select(&sel("#publer form")).next().is_none());
    step(&vic, &post, "changes", &[("comment", "  ")]).await.assert_status(409);
    // In place with HTMX: the panel comes back, changed.
    let guards = vic.guards();
    let fields = [
        ("csrf_token", guards.csrf_token.as_str()),
        ("page_workspace", guards.page_workspace.as_str()),
        ("comment", "Warmer light, please"),
    ];
    let swapped = vic.post_exactly(&format!("/events/{post}/review/changes"), &fields, &[("hx-request", "true")]).await;
    swapped.assert_status(200);
    assert_eq!(swapped.text("#review [data-review-state]"), "Changes requested");
    assert!(swapped.text("[data-review-note]").contains("Changes requested"));
    assert_eq!(review(&app, &post).await, "changes_requested|draft");
    let comments = app.strings("SELECT visibility || '|' || author_name || '|' || body FROM post_comments").await;
    assert_eq!(comments, vec!["client|Vic|Warmer light, please"]);

    step(&ada, &post, "submit", &[]).await.assert_status(303);
    step(&ada, &post, "approve", &[]).await.assert_status(303);
    step(&vic, &post, "approve", &[]).await.assert_status(303);
    assert_eq!(review(&app, &post).await, "approved|ready");
    let by = app
        .strings("SELECT actor_name || '|' || via FROM post_history WHERE kind = 'approved' ORDER BY created_at, id")
        .await;
    assert_eq!(by, vec!["Ada|app", "Ada|app", "Vic|app"]);

    // The client mode goes straight to the client; the team's comment stays internal.
    set_approval(&ada, "client").await;
    let second = post_on(&ada, &calendar, "2030-05-02", "draft").await;
    step(&ada, &second, "submit", &[]).await.assert_status(303);
    assert_eq!(review(&app, &second).await, "client|draft");
    step(&ada, &second, "changes", &[("comment", "No")]).await.assert_status(409);
    step(&vic, &second, "approve", &[]).await.assert_status(303);
    set_approval(&ada, "internal").await;
    let third = post_on(&ada, &calendar, "2030-05-03", "draft").await;
    step(&ada, &third, "submit", &[]).await;
    step(&ada, &third, "changes", &[("comment", "Shorter caption")]).await.assert_status(303);
    let internal =
        app.count("SELECT COUNT(*) FROM post_comments WHERE visibility = 'internal' AND body = 'Shorter caption'");
    assert_eq!(internal.await, 1);
}

async fn edits_after_approval_go_back_to_review_with_the_change_shown(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let image = upload(&ada, "heron.png", 1).await;
    let other = upload(&ada, "fox.png", 2).await;
    let calendar = new_calendar(&ada, "Main").await;
    let post = post_on(&ada, &calendar, "2030-05-01", "ready").await;
    ada.post(&format!("/events/{post}/images"), &[("ids", &image)]).await;
    set_approval(&ada, "internal").await;
    step(&ada, &post, "submit", &[]).await.assert_status(303);
    step(&ada, &post, "approve", &[]).await.assert_status(303);

    // Saving what was approved changes nothing.
    save(&ada, &post, "A quiet morning", "2030-05-01").await.assert_status(303);
    assert_eq!(review(&app, &post).await, "approved|ready");
    assert!(!history(&app, &post).await.iter().any(|h| h.starts_with("reopened")));

    // The caption: back to review, the words marked.
    save(&ada, &post, "A bright morning", "2030-05-01").await.assert_status(303);
    assert_eq!(review(&app, &post).await, "internal|ready");
    let panel = ada.get(&format!("/events/{post}")).await;
    assert_eq!(panel.text("[data-caption-diff] del"), "quiet");
    assert_eq!(panel.text("[data-caption-diff] ins"), "bright");
    let detail = app.strings("SELECT detail FROM post_history WHERE kind = 'reopened'").await;
    assert!(
        detail[0].contains("\"before\"")
            && detail[0].contains("A quiet morning")
            && detail[0].contains("A bright morning")
    );
    assert!(app.strings("SELECT action FROM audit_log").await.contains(&"post.reopened".to_owned()));

    // The artwork: before and after shown.
    step(&ada, &post, "approve", &[]).await.assert_status(303);
    ada.get(&format!("/events/{post}")).await;
    ada.post(&format!("/events/{post}/images"), &[("ids", &other)]).await.assert_status(303);
    assert_eq!(review(&app, &post).await, "internal|ready");
    let panel = ada.get(&format!("/events/{post}")).await;
    assert_eq!(panel.attrs("[data-artwork-diff] [data-before] img", "src").len(), 1);
    assert_eq!(panel.attrs("[data-artwork-diff] [data-after] img", "src").len(), 2);
    assert!(panel.html().select(&sel("[data-caption-diff]")).next().is_none(), "the caption did not change");

    // The time, by moving the post.
    step(&ada, &post, "approve", &[]).await.assert_status(303);
    ada.get(&format!("/events/{post}")).await;
    ada.post(&format!("/events/{post}/move"), &[("date", "2030-05-04")]).await.assert_status(303);
    assert_eq!(review(&app, &post).await, "internal|ready");
    assert!(ada.get(&format!("/events/{post}")).await.text("[data-time-diff]").contains("4 May 2030"));

    // A crop for the post's platform reopens; one for another platform does not.
    step(&ada, &post, "approve", &[]).await.assert_status(303);
    ada.get(&format!("/images/{image}")).await;
    let frame = [("x", "0"), ("y", "0"), ("width", "20"), ("mode", "crop")];
    ada.post(&format!("/images/{image}/crops/square"), &frame).await.assert_status(303);
    assert_eq!(review(&app, &post).await, "approved|ready");
    ada.post(&format!("/images/{image}/crops/portrait"), &frame).await.assert_status(303);
    assert_eq!(review(&app, &post).await, "internal|ready");
    let reopened = history(&app, &post).await.iter().filter(|h| h.starts_with("reopened")).count();
    assert_eq!(reopened, 4);
}

async fn only_approved_posts_are_queued_and_handed_to_publer(backend: Backend) {
    let services = Services::start().await;
    let tweak = fast(&services);
    let app = TestApp::spawn_with(backend, |c| {
        tweak(c);
        // Publer's job for the first post runs until the test says it is done.
        c.publer.polls = 1_000_000;
    })
    .await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let calendar = new_calendar(&ada, "Main").await;
    let waiting = post_on(&ada, &calendar, "2030-06-02", "ready").await;
    let changes = post_on(&ada, &calendar, "2030-06-03", "ready").await;
    let approved = post_on(&ada, &calendar, "2030-06-04", "ready").await;
    let later = post_on(&ada, &calendar, "2030-06-05", "ready").await;
    connect(&ada, &services, ADA_PUBLER, "pw-ada").await;
    set_approval(&ada, "internal").await;
    step(&ada, &waiting, "submit", &[]).await;
    step(&ada, &changes, "submit", &[]).await;
    step(&ada, &changes, "changes", &[("comment", "Not this one")]).await.assert_status(303);
    for post in [&approved, &later] {
        step(&ada, post, "submit", &[]).await;
        step(&ada, post, "approve", &[]).await.assert_status(303);
    }

    // One post, and the bulk send: refused at queue time.
    ada.get(&format!("/events/{waiting}")).await;
    ada.post(&format!("/events/{waiting}/publer"), &[]).await.assert_status(303);
    assert!(ada.get(&format!("/events/{waiting}")).await.texts(".flash").join(" ").contains("waiting for approval"));
    ada.get(&format!("/calendars/{calendar}?view=list")).await;
    let bulk = [("action", "publer"), ("post", waiting.as_str()), ("post", changes.as_str())];
    ada.post("/posts/bulk", &bulk).await.assert_status(303);
    let said = ada.get(&format!("/calendars/{calendar}?view=list")).await.texts(".flash").join(" ");
    assert!(said.contains("1 waiting for approval") && said.contains("1 with changes requested"), "{said}");
    assert_eq!(app.count("SELECT COUNT(*) FROM publer_sends").await, 0);

    // The range: its preview says why, and only the approved go.
    services.set(|s| s.job_end = JobEnd::KeepsWorking);
    let preview = ada.get(&format!("/calendars/{calendar}/publer?from=2030-06-01&to=2030-06-04")).await;
    assert!(preview.text(&format!("tr[data-post='{waiting}']")).contains("Waiting for approval"));
    assert!(preview.text(&format!("tr[data-post='{changes}']")).contains("Changes requested"));
    assert_eq!(preview.attrs("tr[data-will-send='true']", "data-post"), vec![approved.clone()]);
    ada.post(&format!("/calendars/{calendar}/publer"), &[("from", "2030-06-01"), ("to", "2030-06-04")])
        .await
        .assert_status(303);
    assert_eq!(app.count("SELECT COUNT(*) FROM publer_sends").await, 1);

    // Queued while approved, changed before the sender reaches it: not sent.
    ada.get(&format!("/events/{later}")).await;
    ada.post(&format!("/events/{later}/publer"), &[]).await.assert_status(303);
    assert_eq!(app.count("SELECT COUNT(*) FROM publer_sends").await, 2);
    save(&ada, &later, "A different morning", "2030-06-05").await.assert_status(303);
    assert_eq!(review(&app, &later).await, "internal|ready");
    services.set(|s| s.job_end = JobEnd::Completes);
    assert_eq!(settled(&app, &approved).await.0, "scheduled");
    let (state, error) = settled(&app, &later).await;
    assert_eq!(state, "failed");
    assert!(error.starts_with("Not sent: waiting for approval"), "{error}");
    assert_eq!(services.seen("/publer/posts/schedule").len(), 1, "only the approved post reached Publer");
    let sent = history(&app, &later).await;
    assert!(sent.contains(&"sent_to_publer:>sending".to_owned()), "{sent:?}");
}

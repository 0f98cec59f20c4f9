//! Sending posts to Publer against a stand-in Publer: each workspace's own
//! key and Publer workspace, retries, failures, no double sends, resuming.

use std::time::Duration;

use easel::config::Config;
use serde_json::Value;

use crate::{
    calendars::new_calendar,
    captions::described_post,
    collections::upload,
    harness::{
        Backend, Client, TestApp, logs,
        services::{JobEnd, Services},
    },
    on_both_backends,
};

on_both_backends!(
    a_post_goes_to_publer_with_its_own_workspaces_key_once,
    publer_errors_are_retried_or_shown_and_a_failed_post_can_be_sent_again,
    a_date_range_sends_only_what_should_go,
    sends_in_flight_resume_after_a_restart_without_sending_twice,
);

pub const ADA_PUBLER: &str = "publer-ada-key-0123456789";
const BEA_PUBLER: &str = "publer-bea-key-9876543210";

pub fn fast(services: &Services) -> impl FnOnce(&mut Config) + use<> {
    let url = services.publer_url();
    move |c| {
        c.publer.base_url = url;
        c.publer.backoff = Duration::from_millis(5);
        c.publer.poll_every = Duration::from_millis(10);
        c.publer.attempts = 3;
    }
}

/// Stores the Publer key and workspace id, connects, and sends every post
/// of every calendar to the workspace's Instagram account.
pub async fn connect(client: &Client, services: &Services, key: &str, publer_workspace: &str) {
    services.set(|s| {
        s.publer_keys.insert(key.to_owned(), publer_workspace.to_owned());
    });
    client.get("/settings/integrations").await;
    client.post("/settings/integrations/keys/publer_api_key", &[("value", key)]).await.assert_status(303);
    client.post("/settings/integrations", &[("publer_workspace_id", publer_workspace)]).await.assert_status(303);
    client.get("/settings/publer").await.assert_status(200);
    client.post("/settings/publer/connect", &[]).await.assert_redirect("/settings/publer");
    let page = client.get("/settings/publer").await;
    assert!(page.text("#publer-accounts").contains(&format!("Instagram of {publer_workspace}")));
    let account = format!("ig-{publer_workspace}");
    let names: Vec<String> =
        page.attrs("fieldset[data-calendar]", "data-calendar").into_iter().map(|c| format!("route:{c}:")).collect();
    let fields: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), account.as_str())).collect();
    client.post("/settings/publer/routes", &fields).await.assert_redirect("/settings/publer");
}

/// A text-only post in `calendar`.
pub async fn post_on(client: &Client, calendar: &str, date: &str, status: &str) -> String {
    client.get(&format!("/calendars/{calendar}/posts/new")).await;
    let fields = [
        ("date", date),
        ("time", "09:00"),
        ("platform", "instagram"),
        ("status", status),
        ("caption", "A quiet morning"),
        ("hashtags", "#heron"),
    ];
    let page = client.post(&format!("/calendars/{calendar}/posts"), &fields).await;
    page.location().expect("post").trim_start_matches("/events/").to_owned()
}

pub async fn calendar_of(client: &Client, post: &str) -> String {
    let page = client.get(&format!("/events/{post}")).await;
    let link = page.attrs(".crumbs a", "href").into_iter().nth(1).expect("calendar link");
    link.trim_start_matches("/calendars/").split('?').next().unwrap_or_default().to_owned()
}

/// The post's send once it is no longer in flight (bounded wait).
pub async fn settled(app: &TestApp, post: &str) -> (String, String) {
    let sql = format!("SELECT state || '|' || error FROM publer_sends WHERE event_id = {}", app.uuid_literal(post));
    for _ in 0..800 {
        if let Some(row) = app.strings(&sql).await.pop() {
            let (state, error) = row.split_once('|').expect("state|error");
            if state != "sending" {
                return (state.to_owned(), error.to_owned());
            }
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the send of {post} never settled");
}

pub async fn step_of(app: &TestApp, post: &str) -> String {
    let sql = format!("SELECT step FROM publer_sends WHERE event_id = {}", app.uuid_literal(post));
    app.strings(&sql).await.pop().unwrap_or_default()
}

/// Every message waiting on the post's page.
async fn flashes(client: &Client, post: &str) -> String {
    client.get(&format!("/events/{post}")).await.texts(".flash").join(" ")
}

pub async fn send(client: &Client, post: &str) -> String {
    client.get(&format!("/events/{post}")).await;
    let page = client.post(&format!("/events/{post}/publer"), &[]).await;
    page.assert_redirect(&format!("/events/{post}#publer"));
    client.get(&format!("/events/{post}")).await.body
}

async fn a_post_goes_to_publer_with_its_own_workspaces_key_once(backend: Backend) {
    let services = Services::start().await;
    let app = TestApp::spawn_with(backend, fast(&services)).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let post = described_post(&ada, 1).await;
    let unconnected = ada.post(&format!("/events/{post}/publer"), &[]).await;
    unconnected.assert_status(303);
    assert!(flashes(&ada, &post).await.contains("Publer API key"));
    assert_eq!(app.count("SELECT COUNT(*) FROM publer_sends").await, 0);

    connect(&ada, &services, ADA_PUBLER, "pw-ada").await;
    send(&ada, &post).await;
    assert_eq!(settled(&app, &post).await.0, "scheduled");

    let media = services.seen("/publer/media");
    assert_eq!(media.len(), 1);
    assert!(media[0].body.contains("jpeg: true"), "the artwork itself is uploaded");
    let scheduled = services.seen("/publer/posts/schedule");
    assert_eq!(scheduled.len(), 1);
    let body: Value = serde_json::from_str(&scheduled[0].body).expect("json");
    let sent = &body["bulk"]["posts"][0];
    assert_eq!(body["bulk"]["state"], "scheduled");
    assert_eq!(sent["accounts"][0]["id"], "ig-pw-ada");
    assert_eq!(sent["accounts"][0]["scheduled_at"], "2030-05-01T09:00:00Z");
    assert_eq!(sent["networks"]["instagram"]["text"], "Saved caption");
    assert_eq!(sent["networks"]["instagram"]["type"], "photo");
    assert!(sent["networks"]["instagram"]["media"][0]["id"].as_str().is_some_and(|m| m.starts_with("media-")));
    assert!(!services.seen("/publer/job_status/").is_empty());
    let stored = app.strings("SELECT publer_post_ids || '|' || job_id FROM publer_sends").await;
    assert!(stored[0].starts_with("post-of-job") && stored[0].contains("|job"), "{stored:?}");
    assert_eq!(app.strings("SELECT status FROM events").await, vec!["scheduled"]);
    assert_eq!(app.count("SELECT CAST(COALESCE(SUM(publer_posts), 0) AS BIGINT) FROM monthly_usage").await, 1);

    let editor = ada.get(&format!("/events/{post}")).await;
    assert_eq!(editor.attrs("#publer [data-publer-state]", "data-publer-state"), vec!["scheduled"]);
    let calendar = calendar_of(&ada, &post).await;
    let month = ada.get(&format!("/calendars/{calendar}?date=2030-05-01")).await;
    assert_eq!(month.attrs("[data-publer-state]", "data-publer-state"), vec!["scheduled"]);

    // Never twice: neither a second send nor a "send again" of a post Publer has.
    ada.post(&format!("/events/{post}/publer"), &[]).await.assert_status(303);
    assert!(flashes(&ada, &post).await.contains("already sent"));
    ada.post(&format!("/events/{post}/publer/resend"), &[]).await.assert_status(303);
    assert_eq!(services.seen("/publer/posts/schedule").len(), 1);

    // Another workspace sends with its own key and Publer workspace.
    let bea = app.signed_up("Bea", "bea@example.com").await;
    let bea_post = described_post(&bea, 2).await;
    connect(&bea, &services, BEA_PUBLER, "pw-bea").await;
    bea.post(&format!("/events/{post}/publer"), &[]).await.assert_status(404);
    bea.get(&format!("/calendars/{calendar}/publer")).await.assert_status(404);
    send(&bea, &bea_post).await;
    assert_eq!(settled(&app, &bea_post).await.0, "scheduled");
    let seen = services.all_seen();
    assert!(seen.iter().any(|s| s.authorization == format!("Bearer-API {BEA_PUBLER}")));
    for s in seen.iter().filter(|s| s.path.starts_with("/publer")) {
        let pair = (s.authorization.as_str(), s.publer_workspace.as_str());
        let ada_pair = (format!("Bearer-API {ADA_PUBLER}"), "pw-ada");
        let bea_pair = (format!("Bearer-API {BEA_PUBLER}"), "pw-bea");
        assert!(pair == (ada_pair.0.as_str(), ada_pair.1) || pair == (bea_pair.0.as_str(), bea_pair.1), "{s:?}");
    }
    let bea_body: Value =
        serde_json::from_str(&services.seen("/publer/posts/schedule")[1].body).expect("Bea's schedule body");
    assert_eq!(bea_body["bulk"]["posts"][0]["accounts"][0]["id"], "ig-pw-bea");

    for page in [ada.get("/settings/integrations").await, ada.get("/settings/publer").await, editor] {
        assert!(!page.body.contains(ADA_PUBLER));
    }
    assert!(!logs().contains(ADA_PUBLER) && !logs().contains(BEA_PUBLER), "a key reached the logs");
}

async fn publer_errors_are_retried_or_shown_and_a_failed_post_can_be_sent_again(backend: Backend) {
    let services = Services::start().await;
    let app = TestApp::spawn_with(backend, fast(&services)).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let first = described_post(&ada, 3).await;
    let calendar = calendar_of(&ada, &first).await;

    // A key Publer does not know: 401, a plain message, nothing stored.
    ada.get("/settings/integrations").await;
    ada.post("/settings/integrations/keys/publer_api_key", &[("value", "wrong-key-123456")]).await;
    ada.post("/settings/integrations", &[("publer_workspace_id", "pw-ada")]).await;
    ada.get("/settings/publer").await;
    let refused = ada.post("/settings/publer/connect", &[]).await;
    refused.assert_status(422);
    assert!(refused.text("#publer-error").contains("refused this workspace's key"));
    assert!(!refused.body.contains("wrong-key-123456"));
    assert_eq!(app.count("SELECT COUNT(*) FROM publer_accounts").await, 0);
    connect(&ada, &services, ADA_PUBLER, "pw-ada").await;

    // 429, then success: retried, and scheduled once.
    services.set(|s| s.schedule_statuses.push_back(429));
    send(&ada, &first).await;
    assert_eq!(settled(&app, &first).await.0, "scheduled");
    assert_eq!(services.seen("/publer/posts/schedule").len(), 2);

    // 500 every time: failed after the retries, with the reason on the post.
    let second = post_on(&ada, &calendar, "2030-05-02", "ready").await;
    services.set(|s| s.schedule_statuses.extend([500, 500, 500]));
    send(&ada, &second).await;
    let (state, error) = settled(&app, &second).await;
    assert_eq!(state, "failed");
    assert!(error.contains("kept failing (HTTP 500)"), "{error}");
    let page = ada.get(&format!("/events/{second}")).await;
    assert!(page.text("[data-publer-error]").contains("HTTP 500"));
    assert_eq!(services.seen("/publer/posts/schedule").len(), 5);
    // Sending again is an explicit action, and it works once Publer does.
    ada.post(&format!("/events/{second}/publer/resend"), &[]).await.assert_status(303);
    assert_eq!(settled(&app, &second).await.0, "scheduled");
    assert_eq!(services.seen("/publer/posts/schedule").len(), 6);

    // A job Publer fails: the post says why.
    services.set(|s| s.job_end = JobEnd::Fails("The image is too small for Instagram".into()));
    let third = post_on(&ada, &calendar, "2030-05-03", "ready").await;
    send(&ada, &third).await;
    let (state, error) = settled(&app, &third).await;
    assert_eq!((state.as_str(), error.as_str()), ("failed", "The image is too small for Instagram"));
    let month = ada.get(&format!("/calendars/{calendar}?date=2030-05-01")).await;
    let mut states = month.attrs("[data-publer-state]", "data-publer-state");
    states.sort();
    assert_eq!(states, vec!["failed", "scheduled", "scheduled"]);

    // A post in the past is refused before anything is sent.
    let past = post_on(&ada, &calendar, "2020-01-01", "ready").await;
    ada.post(&format!("/events/{past}/publer"), &[]).await.assert_status(303);
    assert!(flashes(&ada, &past).await.contains("time has passed"));
    assert_eq!(app.count("SELECT COUNT(*) FROM publer_sends").await, 3);
    assert_eq!(app.count("SELECT CAST(COALESCE(SUM(publer_posts), 0) AS BIGINT) FROM monthly_usage").await, 2);
}

async fn a_date_range_sends_only_what_should_go(backend: Backend) {
    let services = Services::start().await;
    let app = TestApp::spawn_with(backend, fast(&services)).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let image = upload(&ada, "fox.png", 9).await;
    let calendar = new_calendar(&ada, "Main").await;
    let ready = post_on(&ada, &calendar, "2030-06-02", "ready").await;
    ada.post(&format!("/events/{ready}/images"), &[("ids", &image)]).await;
    let also = post_on(&ada, &calendar, "2030-06-20", "scheduled").await;
    let draft = post_on(&ada, &calendar, "2030-06-10", "draft").await;
    let outside = post_on(&ada, &calendar, "2030-07-02", "ready").await;
    connect(&ada, &services, ADA_PUBLER, "pw-ada").await;

    let preview = ada.get(&format!("/calendars/{calendar}/publer?from=2030-06-01&to=2030-06-30")).await;
    preview.assert_status(200);
    assert_eq!(preview.attrs("tr[data-will-send='true']", "data-post").len(), 2);
    assert!(preview.text(&format!("tr[data-post='{draft}']")).contains("Draft"));
    ada.get(&format!("/calendars/{calendar}/publer?from=2030-06-30&to=2030-06-01")).await.assert_status(422);
    ada.post(&format!("/calendars/{calendar}/publer"), &[("from", "2030-06-01"), ("to", "2030-06-30")])
        .await
        .assert_status(303);
    assert_eq!(settled(&app, &ready).await.0, "scheduled");
    assert_eq!(settled(&app, &also).await.0, "scheduled");
    let sent = app.count("SELECT COUNT(*) FROM publer_sends").await;
    assert_eq!(sent, 2, "the draft and the post outside the range stay home");
    let untouched = format!(
        "SELECT COUNT(*) FROM publer_sends WHERE event_id IN ({}, {})",
        app.uuid_literal(&draft),
        app.uuid_literal(&outside)
    );
    assert_eq!(app.count(&untouched).await, 0);
    // Sending the range again sends nothing twice.
    ada.get(&format!("/calendars/{calendar}/publer?from=2030-06-01&to=2030-06-30")).await;
    ada.post(&format!("/calendars/{calendar}/publer"), &[("from", "2030-06-01"), ("to", "2030-06-30")]).await;
    assert_eq!(services.seen("/publer/posts/schedule").len(), 2);
}

async fn sends_in_flight_resume_after_a_restart_without_sending_twice(backend: Backend) {
    let services = Services::start().await;
    services.set(|s| s.job_end = JobEnd::KeepsWorking);
    let mut app = TestApp::spawn_with(backend, fast(&services)).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let first = described_post(&ada, 5).await;
    let calendar = calendar_of(&ada, &first).await;
    let second = post_on(&ada, &calendar, "2030-05-09", "ready").await;
    connect(&ada, &services, ADA_PUBLER, "pw-ada").await;
    send(&ada, &first).await;
    for _ in 0..800 {
        if step_of(&app, &first).await == "polling" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(step_of(&app, &first).await, "polling");
    // The second waits its turn; pretend Easel died while handing it over.
    send(&ada, &second).await;
    let stuck = format!("UPDATE publer_sends SET step = 'scheduling' WHERE event_id = {}", app.uuid_literal(&second));
    assert_eq!(app.try_execute(&stuck).await.expect("simulate a crash"), 1);

    app.restart_with(fast(&services)).await;
    services.set(|s| s.job_end = JobEnd::Completes);
    assert_eq!(settled(&app, &first).await.0, "scheduled");
    let (state, error) = settled(&app, &second).await;
    assert_eq!(state, "failed");
    assert!(error.contains("Check Publer's calendar before sending it again"), "{error}");
    assert_eq!(services.seen("/publer/posts/schedule").len(), 1, "nothing was scheduled twice");
    let ada = app.client();
    ada.get("/login").await.assert_status(200);
}

//! Captions for selected posts as a background job: each landing (saved,
//! suggested, unsaved), the AI with a failure on one post, and a job whose
//! worker stopped being taken over.

use std::time::Duration;

use crate::{
    captions::{ADA_OPENAI, described_post, set_openai},
    collections::upload,
    harness::{Backend, Client, TestApp, services::Services},
    on_both_backends,
};

on_both_backends!(
    template_captions_land_saved_as_suggestions_or_unsaved,
    the_ai_writes_each_caption_and_a_failure_on_one_post_is_recorded,
    a_job_whose_worker_stopped_is_taken_over_after_a_restart,
    alt_text_is_written_by_the_vision_model_or_asks_for_one,
);

/// Starts a caption job for `posts`; returns its id.
pub async fn caption_job(client: &Client, posts: &[&str], source: &str, landing: &str) -> String {
    client.get("/calendars").await;
    let mut fields = vec![("action", "captions"), ("source", source), ("landing", landing)];
    fields.extend(posts.iter().map(|p| ("post", *p)));
    let page = client.post("/posts/bulk", &fields).await;
    assert_eq!(page.status, 303, "{}", page.body);
    page.location().expect("job page").trim_start_matches("/caption-jobs/").to_owned()
}

/// The job's page once the job is done (bounded wait).
pub async fn finished(client: &Client, job: &str) -> crate::harness::Page {
    for _ in 0..800 {
        let page = client.get(&format!("/caption-jobs/{job}")).await;
        page.assert_status(200);
        if page.attrs("#caption-job", "data-job-state") == vec!["done"] {
            return page;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the caption job {job} never finished");
}

async fn caption_of(app: &TestApp, post: &str) -> String {
    let sql = format!("SELECT caption FROM events WHERE id = {}", app.uuid_literal(post));
    app.strings(&sql).await.pop().expect("post")
}

/// Two posts with described artwork in one workspace.
async fn two_posts(client: &Client) -> (String, String) {
    let first = described_post(client, 1).await;
    let second = described_post(client, 2).await;
    (first, second)
}

async fn template_captions_land_saved_as_suggestions_or_unsaved(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let (first, second) = two_posts(&ada).await;

    // Asking first: the choices, nothing started.
    ada.get("/calendars").await;
    let ask = ada.post("/posts/bulk", &[("action", "captions"), ("post", &first)]).await;
    ask.assert_status(200);
    assert_eq!(ask.attrs("input[name=source][value=ai]", "disabled"), vec![""], "no key: no AI");
    assert_eq!(app.count("SELECT COUNT(*) FROM caption_jobs").await, 0);

    // Unsaved: shown on the job's page only, until "Use this".
    let job = caption_job(&ada, &[&first, &second], "template", "unsaved").await;
    let page = finished(&ada, &job).await;
    assert_eq!(page.text("#job-summary [data-done]"), "2");
    assert!(page.text("#job-results").contains("Grey heron at dawn: oil on linen."));
    assert_eq!(caption_of(&app, &first).await, "Saved caption", "nothing written to the posts");
    let use_this = page.attrs(&format!("#post-{first} form"), "action").pop().expect("Use this");
    ada.post(&use_this, &[]).await.assert_status(303);
    assert!(caption_of(&app, &first).await.contains("Grey heron at dawn: oil on linen."));
    assert_eq!(caption_of(&app, &second).await, "Saved caption");

    // A suggestion: the caption untouched, the editor offers it.
    let job = caption_job(&ada, &[&second], "template", "suggest").await;
    finished(&ada, &job).await;
    assert_eq!(caption_of(&app, &second).await, "Saved caption");
    let editor = ada.get(&format!("/events/{second}")).await;
    assert!(editor.text("#suggested-caption").contains("Grey heron at dawn"));
    ada.post(&format!("/events/{second}/suggestion"), &[("answer", "discard")]).await.assert_status(303);
    assert_eq!(caption_of(&app, &second).await, "Saved caption");
    assert!(ada.get(&format!("/events/{second}")).await.texts("#suggested-caption").is_empty());
    let job = caption_job(&ada, &[&second], "template", "suggest").await;
    finished(&ada, &job).await;
    ada.get(&format!("/events/{second}")).await;
    ada.post(&format!("/events/{second}/suggestion"), &[("answer", "use")]).await.assert_status(303);
    assert!(caption_of(&app, &second).await.contains("Grey heron at dawn"));
    ada.post(&format!("/events/{second}/suggestion"), &[("answer", "use")]).await.assert_status(400);

    // Saved: straight into the posts.
    ada.post(
        &format!("/events/{first}"),
        &[
            ("date", "2030-05-01"),
            ("time", "09:00"),
            ("platform", "instagram"),
            ("status", "ready"),
            ("caption", "Mine"),
        ],
    )
    .await
    .assert_status(303);
    let job = caption_job(&ada, &[&first], "template", "save").await;
    finished(&ada, &job).await;
    assert!(caption_of(&app, &first).await.contains("Grey heron at dawn: oil on linen."));

    // The AI without a key: refused before any job.
    ada.get("/calendars").await;
    let refused = ada
        .post("/posts/bulk", &[("action", "captions"), ("source", "ai"), ("landing", "save"), ("post", &first)])
        .await;
    refused.assert_status(422);
    assert_eq!(app.count("SELECT COUNT(*) FROM caption_jobs").await, 4);
}

async fn the_ai_writes_each_caption_and_a_failure_on_one_post_is_recorded(backend: Backend) {
    let services = Services::start().await;
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let (first, second) = two_posts(&ada).await;
    set_openai(&ada, &services, ADA_OPENAI).await;
    services.set(|s| s.chat_statuses.push_back(401));

    let job = caption_job(&ada, &[&first, &second], "ai", "save").await;
    let page = finished(&ada, &job).await;
    assert_eq!(page.text("#job-summary [data-done]"), "1");
    assert_eq!(page.text("#job-summary [data-failed]"), "1");
    assert_eq!(page.attrs(&format!("#post-{first}"), "data-state"), vec!["failed"]);
    assert!(!page.text(&format!("#post-{first} .alert")).is_empty(), "the failure is told");
    assert_eq!(caption_of(&app, &first).await, "Saved caption", "the failed post keeps its caption");
    assert_eq!(caption_of(&app, &second).await, "Morning light on the river.");
    let tags = format!("SELECT hashtags FROM events WHERE id = {}", app.uuid_literal(&second));
    assert_eq!(app.strings(&tags).await, vec!["#heron #oilpainting"]);
    assert_eq!(
        app.count("SELECT CAST(SUM(ai_generations) AS BIGINT) FROM monthly_usage").await,
        2,
        "both requests count"
    );
}

async fn a_job_whose_worker_stopped_is_taken_over_after_a_restart(backend: Backend) {
    let mut app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let (first, second) = two_posts(&ada).await;
    let job = caption_job(&ada, &[&first, &second], "template", "save").await;
    finished(&ada, &job).await;
    // As if the worker had died after the first post, holding a lease that has run out.
    for sql in [
        format!("UPDATE events SET caption = 'Saved caption' WHERE id = {}", app.uuid_literal(&second)),
        format!(
            "UPDATE caption_job_posts SET state = 'waiting', caption = '' WHERE event_id = {}",
            app.uuid_literal(&second)
        ),
        "UPDATE caption_jobs SET state = 'running', done = 1, lease_owner = 'gone', \
         lease_until = '2000-01-01 00:00:00.0+00:00', finished_at = NULL"
            .to_owned(),
    ] {
        app.try_execute(&sql).await.expect("set up a stopped job");
    }
    app.restart_with(|_| {}).await;
    let ada = ada.at(app.url(""));
    let page = finished(&ada, &job).await;
    assert_eq!(page.text("#job-summary [data-done]"), "2", "each post once");
    assert!(caption_of(&app, &second).await.contains("Grey heron at dawn"));
    assert_eq!(app.count("SELECT COUNT(*) FROM caption_job_posts WHERE state = 'written'").await, 2);
}

async fn alt_text_is_written_by_the_vision_model_or_asks_for_one(backend: Backend) {
    let services = Services::start().await;
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let image = upload(&ada, "heron.png", 1).await;
    let second = upload(&ada, "fox.png", 2).await;
    ada.get(&format!("/images/{image}")).await;
    let back = format!("/images/{image}#alt_text");
    ada.post(&format!("/images/{image}/alt-text"), &[]).await.assert_redirect(&back);
    let page = ada.get(&format!("/images/{image}")).await;
    assert!(page.texts(".flash").join(" ").contains("needs a vision model"), "{}", page.texts(".flash").join(" "));
    assert_eq!(page.text("#alt_text"), "");
    assert!(services.all_seen().is_empty());

    set_openai(&ada, &services, ADA_OPENAI).await;
    services.set(|s| s.chat_reply = "\"A grey heron stands in pale reeds\n at dawn.\"".into());
    ada.get(&format!("/images/{image}")).await;
    ada.post(&format!("/images/{image}/alt-text"), &[]).await.assert_redirect(&back);
    let page = ada.get(&format!("/images/{image}")).await;
    assert_eq!(page.text("#alt_text"), "A grey heron stands in pale reeds at dawn.");
    let calls = services.seen("/chat/completions");
    assert_eq!(calls.len(), 1);
    assert!(calls[0].body.contains("data:image/jpeg;base64,"), "the model is shown the picture");
    assert!(calls[0].body.contains("Heron"), "and told the title");

    // From the library, for several pieces.
    ada.get("/images").await;
    ada.post("/images/bulk", &[("action", "alt_text"), ("ids", &image), ("ids", &second)])
        .await
        .assert_redirect("/images");
    let said = ada.get("/images").await.texts(".flash").join(" ");
    assert!(said.contains("Alt text written for 2 of 2 pieces."), "{said}");
    let sql = "SELECT COUNT(*) FROM images WHERE alt_text = 'A grey heron stands in pale reeds at dawn.'";
    assert_eq!(app.count(sql).await, 2);
    assert_eq!(app.count("SELECT CAST(SUM(ai_generations) AS BIGINT) FROM monthly_usage").await, 3);
}

//! "Write caption": the workspace's own model and key, the offline template,
//! and provider errors as plain messages.

use std::time::Duration;

use crate::{
    calendars::new_calendar,
    collections::upload,
    harness::{
        Backend, Client, TestApp, logs,
        services::{Script, Services},
    },
    on_both_backends,
};

on_both_backends!(
    captions_use_the_workspaces_own_key_settings_and_artwork,
    without_a_key_a_template_caption_is_offered,
    provider_errors_become_plain_messages,
);

pub const ADA_OPENAI: &str = "sk-ada-openai-0123456789abcdef";
pub const BEA_OPENAI: &str = "sk-bea-openai-fedcba9876543210";

/// Brand settings for the caption tests.
fn brand() -> Vec<(&'static str, &'static str)> {
    vec![
        ("display_name", "Mara Lind Ceramics"),
        ("company_name", "Lind Studio AB"),
        ("branded_hashtag", "MaraLind"),
        ("content_tone", "warm, quiet"),
        ("shop_url", "https://shop.example.com/"),
        ("instagram_hashtag_count", "12"),
        ("pinterest_hashtag_count", "5"),
        ("time_zone", "Europe/Stockholm"),
        ("posting_times", "09:00"),
    ]
}

/// A post in 2030 with one described artwork; returns the post id.
pub async fn described_post(client: &Client, seed: u8) -> String {
    let image = upload(client, &format!("heron{seed}.png"), seed).await;
    client
        .post(
            &format!("/images/{image}"),
            &[
                ("title", "Grey heron at dawn"),
                ("medium", "Oil on linen"),
                ("description", "Painted on the river bank in March."),
                ("alt_text", "A grey heron standing in pale reeds"),
                ("availability", "available"),
            ],
        )
        .await
        .assert_status(303);
    let calendar = new_calendar(client, "Main").await;
    let post = client
        .post(
            &format!("/calendars/{calendar}/posts"),
            &[
                ("date", "2030-05-01"),
                ("time", "09:00"),
                ("platform", "instagram"),
                ("status", "ready"),
                ("caption", "Saved caption"),
            ],
        )
        .await
        .location()
        .expect("post")
        .trim_start_matches("/events/")
        .to_owned();
    client.post(&format!("/events/{post}/images"), &[("ids", &image)]).await.assert_status(303);
    post
}

pub async fn set_openai(client: &Client, services: &Services, key: &str) {
    client.get("/settings/integrations").await;
    let base = services.openai_url();
    client
        .post(
            "/settings/integrations",
            &[("openai_base_url", &base), ("openai_model", "test-vision-model"), ("openai_vision", "1")],
        )
        .await
        .assert_status(303);
    // After the base URL: a key is bound to the server it was entered for.
    client.post("/settings/integrations/keys/openai_api_key", &[("value", key)]).await.assert_status(303);
}

fn editor_fields() -> Vec<(&'static str, &'static str)> {
    vec![
        ("date", "2030-05-01"),
        ("time", "09:00"),
        ("platform", "instagram"),
        ("status", "ready"),
        ("caption", "Unsaved edit"),
        ("hashtags", ""),
        ("notes", "keep this note"),
    ]
}

async fn captions_use_the_workspaces_own_key_settings_and_artwork(backend: Backend) {
    let services = Services::start().await;
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    ada.get("/settings").await;
    ada.post("/settings", &brand()).await.assert_status(303);
    let post = described_post(&ada, 1).await;
    set_openai(&ada, &services, ADA_OPENAI).await;
    let editor = ada.get(&format!("/events/{post}")).await;
    assert_eq!(editor.text("[data-write-caption]"), "Write caption");

    let page = ada.post(&format!("/events/{post}/caption"), &editor_fields()).await;
    page.assert_status(200);
    assert_eq!(page.text("#caption"), "Morning light on the river.");
    assert_eq!(page.text("#hashtags"), "#heron #oilpainting");
    assert!(page.text("#caption-note").contains("Written by AI"));
    assert_eq!(page.attrs("#notes", "value"), vec!["keep this note"], "the other unsaved fields stay");
    assert!(!page.body.contains(ADA_OPENAI));

    let calls = services.seen("/chat/completions");
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].authorization, format!("Bearer {ADA_OPENAI}"));
    let body: serde_json::Value = serde_json::from_str(&calls[0].body).expect("json body");
    assert_eq!(body["model"], "test-vision-model");
    let prompt = body.to_string();
    for expected in [
        "warm, quiet",
        "MaraLind",
        "https://shop.example.com/",
        "exactly 12 hashtags",
        "2200 characters",
        "Lind Studio AB",
        "Grey heron at dawn",
        "Oil on linen",
        "Painted on the river bank in March.",
        "A grey heron standing in pale reeds",
        "data:image/jpeg;base64,",
    ] {
        assert!(prompt.contains(expected), "the prompt lacks {expected}");
    }
    let saved = app.strings("SELECT caption FROM events").await;
    assert_eq!(saved, vec!["Saved caption"], "nothing is saved without the person");
    assert_eq!(app.count("SELECT CAST(COALESCE(SUM(ai_generations), 0) AS BIGINT) FROM monthly_usage").await, 1);
    assert_eq!(app.count("SELECT CAST(COALESCE(SUM(ai_tokens), 0) AS BIGINT) FROM monthly_usage").await, 42);

    // HTMX asks for the same thing and swaps only the caption block.
    let guards = ada.guards();
    let mut fields =
        vec![("csrf_token", guards.csrf_token.as_str()), ("page_workspace", guards.page_workspace.as_str())];
    fields.extend(editor_fields());
    let page = ada.post_exactly(&format!("/events/{post}/caption"), &fields, &[("HX-Request", "true")]).await;
    page.assert_status(200);
    assert!(page.body.contains("id=\"caption-block\""));

    // Another workspace's caption uses its own key, never Ada's.
    let bea = app.signed_up("Bea", "bea@example.com").await;
    let bea_post = described_post(&bea, 2).await;
    set_openai(&bea, &services, BEA_OPENAI).await;
    bea.post(&format!("/events/{bea_post}/caption"), &editor_fields()).await.assert_status(200);
    let calls = services.seen("/chat/completions");
    assert_eq!(calls.last().map(|c| c.authorization.clone()), Some(format!("Bearer {BEA_OPENAI}")));
    assert_eq!(calls.iter().filter(|c| c.authorization.contains(ADA_OPENAI)).count(), 2);
    // Nor can Bea reach Ada's post to spend Ada's key.
    bea.post(&format!("/events/{post}/caption"), &editor_fields()).await.assert_status(404);
    assert_eq!(services.seen("/chat/completions").len(), 3);

    let logged = logs();
    assert!(!logged.contains(ADA_OPENAI) && !logged.contains(BEA_OPENAI), "a key reached the logs");
}

async fn without_a_key_a_template_caption_is_offered(backend: Backend) {
    let services = Services::start().await;
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    ada.get("/settings").await;
    ada.post("/settings", &brand()).await.assert_status(303);
    let post = described_post(&ada, 3).await;
    let editor = ada.get(&format!("/events/{post}")).await;
    assert_eq!(editor.text("[data-write-caption]"), "Write a template caption");
    let page = ada.post(&format!("/events/{post}/caption"), &editor_fields()).await;
    page.assert_status(200);
    assert!(page.text("#caption-note").starts_with("Template caption"));
    let caption = page.text("#caption");
    // The brand's tone opens it, then everything known of the piece.
    assert!(caption.starts_with("Something I have been quietly working on:"), "{caption}");
    assert!(caption.contains("Grey heron at dawn: oil on linen."), "{caption}");
    assert!(caption.contains("Painted on the river bank in March."), "{caption}");
    assert!(caption.contains("Available now. https://shop.example.com/"), "{caption}");
    assert!(page.text("#hashtags").starts_with("#MaraLind"));
    assert!(services.all_seen().is_empty(), "the template needs no network");
    assert_eq!(app.count("SELECT COUNT(*) FROM monthly_usage").await, 0);
}

/// Sets the stand-in up for one failure.
type Arrange = fn(&mut Script);

async fn provider_errors_become_plain_messages(backend: Backend) {
    let services = Services::start().await;
    let app = TestApp::spawn_with(backend, |c| c.ai_timeout = Duration::from_secs(1)).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let post = described_post(&ada, 4).await;
    set_openai(&ada, &services, ADA_OPENAI).await;
    let cases: [(Arrange, &str); 5] = [
        (|x| x.chat_statuses.push_back(401), "refused this workspace's key"),
        (|x| x.chat_statuses.push_back(429), "rate limit or quota"),
        (|x| x.chat_statuses.push_back(500), "had a problem"),
        (|x| x.chat_garbage = true, "could not be read"),
        (
            |x| {
                x.chat_garbage = false;
                x.chat_delay = Duration::from_secs(3);
            },
            "did not answer within 1 seconds",
        ),
    ];
    for (arrange, message) in cases {
        services.set(arrange);
        let page = ada.post(&format!("/events/{post}/caption"), &editor_fields()).await;
        page.assert_status(200);
        let shown = page.text("#caption-error-message");
        assert!(shown.contains(message), "expected '{message}', saw '{shown}'");
        assert_eq!(page.text("#caption"), "Unsaved edit", "the person's text stays");
        assert!(!page.body.contains(ADA_OPENAI));
    }
    assert_eq!(app.strings("SELECT caption FROM events").await, vec!["Saved caption"]);
    let counted = "SELECT CAST(COALESCE(SUM(ai_generations), 0) AS BIGINT) FROM monthly_usage";
    assert_eq!(app.count(counted).await, 5, "failed calls count against the allowance");

    // A key that no longer opens is named, not used.
    let moved = app.try_execute("UPDATE workspace_secrets SET sealed = 'v1:k1:AAAA'").await.expect("tamper");
    assert_eq!(moved, 1);
    services.set(|x| x.chat_delay = Duration::ZERO);
    let page = ada.post(&format!("/events/{post}/caption"), &editor_fields()).await;
    assert!(page.text("#caption-error-message").contains("must be entered again"));
    assert!(!logs().contains(ADA_OPENAI));
}

//! Calls to addresses a workspace chooses: inside addresses are refused when
//! saved and when called, unless the operator allows them; replies are read
//! up to 1 MiB; the OpenAI key stays with its server; and every call counts
//! against the allowance, which parallel requests cannot overspend.

use std::{
    convert::Infallible,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
};

use axum::{Router, body::Body, routing::post};
use easel::{config::Config, outbound::AllowList};

use crate::{
    captions::described_post,
    harness::{Backend, Client, TestApp, logs, services::Services},
    on_both_backends,
};

on_both_backends!(
    an_inside_base_url_is_refused_when_saved,
    a_name_that_resolves_inside_is_refused_when_called,
    an_address_the_operator_allows_is_called,
    a_reply_over_a_mebibyte_is_not_read,
    the_key_stays_with_the_server_it_was_entered_for,
    failed_calls_count_and_parallel_calls_cannot_overspend,
);

const KEY: &str = "sk-outbound-0123456789abcdef";
const OTHER_KEY: &str = "sk-outbound-fedcba9876543210";

/// The SSRF tests run as an instance with no `EASEL_OUTBOUND_ALLOW`.
fn no_allowance(config: &mut Config) {
    config.outbound_allow = AllowList::default();
}

fn port_of(base: &str) -> u16 {
    base.rsplit(':').next().and_then(|p| p.parse().ok()).expect("a port")
}

const EDITOR: [(&str, &str); 5] =
    [("date", "2030-05-01"), ("time", "09:00"), ("platform", "instagram"), ("status", "ready"), ("caption", "Mine")];

async fn write_caption(client: &Client, post: &str) -> crate::harness::Page {
    let page = client.post(&format!("/events/{post}/caption"), &EDITOR).await;
    page.assert_status(200);
    page
}

async fn save_base_url(client: &Client, base: &str) -> crate::harness::Page {
    client.get("/settings/integrations").await;
    client.post("/settings/integrations", &[("openai_base_url", base), ("openai_model", "m")]).await
}

async fn set_key(client: &Client, key: &str) {
    client.get("/settings/integrations").await;
    client.post("/settings/integrations/keys/openai_api_key", &[("value", key)]).await.assert_status(303);
}

const GENERATIONS: &str = "SELECT CAST(COALESCE(SUM(ai_generations), 0) AS BIGINT) FROM monthly_usage";

async fn an_inside_base_url_is_refused_when_saved(backend: Backend) {
    let services = Services::start().await;
    let port = port_of(&services.base);
    let app = TestApp::spawn_with(backend, no_allowance).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    set_key(&ada, KEY).await;
    for (base, why) in [
        (services.openai_url(), "loopback"),
        (format!("http://localhost:{port}/v1"), "loopback"),
        (format!("http://[::ffff:127.0.0.1]:{port}/v1"), "loopback"),
        (format!("http://2130706433:{port}/v1"), "loopback"),
        ("http://169.254.169.254/latest/meta-data".into(), "link-local"),
        ("http://10.0.0.1/v1".into(), "private"),
        ("http://100.64.0.1/v1".into(), "carrier-grade NAT"),
        ("http://[fd00::1]/v1".into(), "private"),
        ("http://0.0.0.0:8080/v1".into(), "unspecified"),
    ] {
        let page = save_base_url(&ada, &base).await;
        page.assert_status(422);
        let said = page.text("#integrations-error");
        assert!(said.contains(why) && said.contains("EASEL_OUTBOUND_ALLOW"), "{base}: {said}");
        assert_eq!(page.attrs("#openai_base_url", "value"), vec![base.clone()], "what was typed stays");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM workspace_integrations").await, 0, "nothing saved");
    assert_eq!(app.count("SELECT COUNT(*) FROM workspace_secrets").await, 1, "the key stays");
    assert!(services.all_seen().is_empty(), "the stand-in heard nothing");
}

async fn a_name_that_resolves_inside_is_refused_when_called(backend: Backend) {
    let services = Services::start().await;
    let port = port_of(&services.base);
    let app = TestApp::spawn_with(backend, no_allowance).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let post = described_post(&ada, 1).await;
    let workspace = ada.guards().page_workspace;
    // As if the name pointed outside when it was saved, and its DNS answer
    // changed since: written behind the form's back, with the key bound to it.
    let base = format!("http://localhost:{port}/v1");
    let insert = format!(
        "INSERT INTO workspace_integrations (workspace_id, openai_base_url, openai_model, publer_workspace_id) \
         VALUES ({}, '{base}', 'm', '')",
        app.uuid_literal(&workspace)
    );
    app.try_execute(&insert).await.expect("a base URL");
    set_key(&ada, KEY).await;
    assert_eq!(app.strings("SELECT origin FROM workspace_secrets").await, vec![format!("http://localhost:{port}")]);

    ada.get(&format!("/events/{post}")).await;
    let page = write_caption(&ada, &post).await;
    let said = page.text("#caption-error-message");
    assert!(said.contains("loopback") && said.contains("Settings → Integrations"), "{said}");
    assert_eq!(page.text("#caption"), "Mine", "the person's text stays");
    assert!(services.all_seen().is_empty(), "the stand-in heard nothing");
    assert_eq!(app.count(GENERATIONS).await, 1, "a refused call still counts");
    assert!(!logs().contains(KEY));
}

async fn an_address_the_operator_allows_is_called(backend: Backend) {
    let services = Services::start().await;
    let allowed = services.base.trim_start_matches("http://").to_owned();
    let app = TestApp::spawn_with(backend, move |c| {
        c.outbound_allow = AllowList::parse(&allowed).expect("host:port");
    })
    .await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let post = described_post(&ada, 1).await;
    // Only that port: another one on the same host is still refused.
    if port_of(&services.base) != 9 {
        save_base_url(&ada, "http://127.0.0.1:9/v1").await.assert_status(422);
    }
    save_base_url(&ada, &services.openai_url()).await.assert_redirect("/settings/integrations");
    set_key(&ada, KEY).await;
    ada.get(&format!("/events/{post}")).await;
    let page = write_caption(&ada, &post).await;
    assert_eq!(page.text("#caption"), "Morning light on the river.");
    let calls = services.seen("/chat/completions");
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].authorization, format!("Bearer {KEY}"));
}

/// A stand-in whose every answer is 5 MiB, sent at once (`/whole`) or as a
/// stream with no length (`/stream`); counts its calls.
async fn flood() -> (String, Arc<AtomicUsize>) {
    const PIECE: usize = 64 * 1024;
    fn body(streamed: bool) -> Body {
        let mut first = br#"{"choices":[{"message":{"content":"FLOOD-MARKER "#.to_vec();
        first.resize(PIECE, b'x');
        let pieces = (0..80).map(move |n| if n == 0 { first.clone() } else { vec![b'x'; PIECE] });
        if streamed {
            Body::from_stream(futures_util::stream::iter(pieces.map(Ok::<_, Infallible>)))
        } else {
            Body::from(pieces.flatten().collect::<Vec<u8>>())
        }
    }
    let calls = Arc::new(AtomicUsize::new(0));
    let (whole, stream) = (calls.clone(), calls.clone());
    let app = Router::new()
        .route(
            "/whole/v1/chat/completions",
            post(move || async move {
                whole.fetch_add(1, Ordering::SeqCst);
                body(false)
            }),
        )
        .route(
            "/stream/v1/chat/completions",
            post(move || async move {
                stream.fetch_add(1, Ordering::SeqCst);
                body(true)
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (base, calls)
}

async fn a_reply_over_a_mebibyte_is_not_read(backend: Backend) {
    let (base, calls) = flood().await;
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let post = described_post(&ada, 1).await;
    for (n, path) in ["whole", "stream"].into_iter().enumerate() {
        save_base_url(&ada, &format!("{base}/{path}/v1")).await.assert_redirect("/settings/integrations");
        set_key(&ada, KEY).await;
        ada.get(&format!("/events/{post}")).await;
        let page = write_caption(&ada, &post).await;
        let said = page.text("#caption-error-message");
        assert!(said.contains("larger than 1 MiB"), "{path}: {said}");
        assert!(!page.body.contains("FLOOD-MARKER"), "the reply is never shown");
        assert_eq!(calls.load(Ordering::SeqCst), n + 1);
    }
    assert!(!logs().contains("FLOOD-MARKER"), "the reply is never logged");
}

async fn the_key_stays_with_the_server_it_was_entered_for(backend: Backend) {
    let (first, second) = (Services::start().await, Services::start().await);
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let post = described_post(&ada, 1).await;
    save_base_url(&ada, &first.openai_url()).await.assert_status(303);
    set_key(&ada, KEY).await;
    let page = ada.get("/settings/integrations").await;
    assert!(page.text("#key-openai_api_key [data-stored]").contains(&format!("for {}", first.base)));
    let opened_before = ada.guards();

    // Another server, and no key entered with it: the key is removed, and said so.
    save_base_url(&ada, &second.openai_url()).await.assert_redirect("/settings/integrations");
    let page = ada.get("/settings/integrations").await;
    let flashes = page.texts(".flash").join(" ");
    assert!(flashes.contains("The OpenAI key was removed") && flashes.contains(&second.base), "{flashes}");
    assert_eq!(app.count("SELECT COUNT(*) FROM workspace_secrets").await, 0);
    let audit = app.strings("SELECT action || ' ' || target || ' ' || detail FROM audit_log").await;
    let moved = format!("{} → {}", first.openai_url(), second.openai_url());
    assert!(audit.iter().any(|a| a.starts_with("integrations.changed") && a.contains(&moved)), "{audit:?}");
    assert!(audit.iter().any(|a| a.starts_with("key.removed") && a.contains(&second.base)), "{audit:?}");
    ada.get(&format!("/events/{post}")).await;
    assert!(write_caption(&ada, &post).await.text("#caption-note").starts_with("Template caption"));

    // A key typed into a page opened before the move is not bound to the new server.
    let stale = [
        ("csrf_token", opened_before.csrf_token.as_str()),
        ("page_workspace", opened_before.page_workspace.as_str()),
        ("value", OTHER_KEY),
        ("origin", first.base.as_str()),
    ];
    ada.post_exactly("/settings/integrations/keys/openai_api_key", &stale, &[]).await.assert_status(422);
    assert_eq!(app.count("SELECT COUNT(*) FROM workspace_secrets").await, 0);

    // Entered again in the same form that moves the URL, it stays, bound to the new server.
    ada.get("/settings/integrations").await;
    let fields = [("openai_base_url", first.openai_url()), ("openai_api_key", OTHER_KEY.into())];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    ada.post("/settings/integrations", &fields).await.assert_redirect("/settings/integrations");
    let page = ada.get("/settings/integrations").await;
    assert!(!page.texts(".flash").join(" ").contains("removed"));
    assert_eq!(app.strings("SELECT origin FROM workspace_secrets").await, vec![first.base.clone()]);
    ada.get(&format!("/events/{post}")).await;
    write_caption(&ada, &post).await;
    let calls: Vec<String> = first.seen("/chat/completions").into_iter().map(|c| c.authorization).collect();
    assert_eq!(calls, vec![format!("Bearer {OTHER_KEY}")]);
    assert!(second.all_seen().is_empty(), "the second server never saw a key");
}

async fn failed_calls_count_and_parallel_calls_cannot_overspend(backend: Backend) {
    let services = Services::start().await;
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let post = described_post(&ada, 1).await;
    save_base_url(&ada, &services.openai_url()).await.assert_status(303);
    set_key(&ada, KEY).await;
    let workspace = ada.guards().page_workspace;
    let limit =
        format!("UPDATE workspaces SET custom_max_ai_generations = 3 WHERE id = {}", app.uuid_literal(&workspace));
    assert_eq!(app.try_execute(&limit).await.expect("a limit"), 1);

    services.set(|s| s.chat_statuses.push_back(500));
    ada.get(&format!("/events/{post}")).await;
    assert!(write_caption(&ada, &post).await.text("#caption-error-message").contains("had a problem"));
    assert_eq!(app.count(GENERATIONS).await, 1, "the failed call counts");

    let calls: Vec<_> = (0..10)
        .map(|_| {
            let (ada, post) = (ada.clone(), post.clone());
            tokio::spawn(async move { write_caption(&ada, &post).await })
        })
        .collect();
    let (mut written, mut refused) = (0, 0);
    for call in calls {
        let page = call.await.expect("a request");
        if page.texts("#caption-note").iter().any(|n| n.contains("Written by AI")) {
            written += 1;
        } else if page.text("#caption-error-message").contains("limit of 3 AI captions this month") {
            refused += 1;
        }
    }
    assert_eq!((written, refused), (2, 8));
    assert_eq!(app.count(GENERATIONS).await, 3, "exactly the allowance, never more");
    assert_eq!(services.seen("/chat/completions").len(), 3);
}

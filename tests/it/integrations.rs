//! A workspace's own API keys: sealed, write-only, audited, rotated.

use std::process::Command;

use base64::{Engine, engine::general_purpose::STANDARD};

use crate::{
    harness::{Backend, TestApp},
    on_both_backends,
};

on_both_backends!(
    keys_are_sealed_shown_only_as_their_last_four_and_audited,
    a_key_moved_to_another_workspace_must_be_entered_again,
    rotation_reseals_every_key_under_the_newest_master_key,
);

const KEY: &str = "sk-test-AbCdEfGh123456789xyz";

async fn keys_are_sealed_shown_only_as_their_last_four_and_audited(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    ada.get("/settings/integrations").await.assert_status(200);
    ada.post("/settings/integrations/keys/openai_api_key", &[("value", "short")]).await.assert_status(422);
    ada.post("/settings/integrations/keys/openai_api_key", &[("value", KEY)])
        .await
        .assert_redirect("/settings/integrations");
    let page = ada.get("/settings/integrations").await;
    assert!(page.text("#key-openai_api_key [data-stored]").contains("•••• 9xyz"));
    assert!(!page.body.contains(KEY) && !page.body.contains("AbCdEfGh"), "the key never comes back");
    let stored = app.strings("SELECT sealed FROM workspace_secrets").await;
    assert!(stored[0].starts_with("v1:") && !stored[0].contains("AbCdEfGh"));
    let audit = app.strings("SELECT action || ' ' || target || ' ' || detail FROM audit_log").await;
    assert!(audit.iter().any(|a| a.contains("key.changed") && a.contains("9xyz")));
    assert!(audit.iter().all(|a| !a.contains("AbCdEfGh")), "{audit:?}");
    ada.post("/settings/integrations/keys/unknown_key", &[("value", KEY)]).await.assert_status(404);

    ada.post("/settings/integrations", &[("openai_base_url", "ftp://nope"), ("openai_model", "x")])
        .await
        .assert_status(422);
    assert_eq!(app.count("SELECT COUNT(*) FROM workspace_secrets").await, 1, "nothing changed");
    // The harness allows 127.0.0.1, as an operator would for a local model;
    // the key was entered for OpenAI, so it does not follow the URL there.
    ada.post(
        "/settings/integrations",
        &[("openai_base_url", "http://127.0.0.1:9/v1/"), ("openai_model", "local-model")],
    )
    .await
    .assert_redirect("/settings/integrations");
    let page = ada.get("/settings/integrations").await;
    assert_eq!(page.attrs("#openai_base_url", "value"), vec!["http://127.0.0.1:9/v1"]);
    assert!(page.texts(".flash").join(" ").contains("The OpenAI key was removed"), "{}", page.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM workspace_secrets").await, 0);

    ada.post("/settings/integrations/keys/openai_api_key", &[("value", KEY)]).await.assert_status(303);
    ada.post("/settings/integrations/keys/openai_api_key/remove", &[]).await.assert_redirect("/settings/integrations");
    assert_eq!(app.count("SELECT COUNT(*) FROM workspace_secrets").await, 0);
    ada.get("/settings/integrations").await;
    ada.post("/settings/integrations/keys/openai_api_key/remove", &[]).await.assert_status(404);
}

async fn a_key_moved_to_another_workspace_must_be_entered_again(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let bea = app.signed_up("Bea", "bea@example.com").await;
    for (client, key) in [(&ada, "sk-ada-111111111"), (&bea, "sk-bea-222222222")] {
        client.get("/settings/integrations").await;
        client.post("/settings/integrations/keys/openai_api_key", &[("value", key)]).await;
    }
    // Swap the two sealed values behind the app's back.
    let sealed = app.strings("SELECT sealed FROM workspace_secrets ORDER BY last4").await;
    app.try_execute(&format!(
        "UPDATE workspace_secrets SET sealed = CASE WHEN sealed = '{0}' THEN '{1}' ELSE '{0}' END",
        sealed[0], sealed[1]
    ))
    .await
    .expect("swap");
    for client in [&ada, &bea] {
        let page = client.get("/settings/integrations").await;
        page.assert_status(200);
        assert!(page.text("#key-openai_api_key").contains("must be entered again"));
    }
}

async fn rotation_reseals_every_key_under_the_newest_master_key(backend: Backend) {
    let old = STANDARD.encode([1u8; 32]);
    let new = STANDARD.encode([2u8; 32]);
    let first = format!("k1:{old}");
    let app = TestApp::spawn_with(backend, |c| c.secret_key = Some(first.clone())).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    ada.get("/settings/integrations").await;
    ada.post("/settings/integrations/keys/publer_api_key", &[("value", KEY)]).await;
    assert!(app.strings("SELECT sealed FROM workspace_secrets").await[0].starts_with("v1:k1:"));

    let data = app.dir.path().join("data").display().to_string();
    let both = format!("k2:{new},k1:{old}");
    let run = || {
        Command::new(env!("CARGO_BIN_EXE_easel"))
            .args(["secrets", "rotate"])
            .env("DATABASE_URL", &app.database_url)
            .env("EASEL_DATA_DIR", &data)
            .env("EASEL_SECRET_KEY", &both)
            .output()
            .expect("run easel")
    };
    let out = run();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("re-sealed 1 value"));
    assert!(app.strings("SELECT sealed FROM workspace_secrets").await[0].starts_with("v1:k2:"));
    let again = run();
    assert!(String::from_utf8_lossy(&again.stdout).contains("re-sealed 0 value"));
}

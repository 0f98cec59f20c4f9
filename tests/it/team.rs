//! Teams: invitations, roles, leaving, transferring, deleting a workspace,
//! and the audit log.

use crate::{
    collections::upload,
    harness::{Backend, Client, TestApp},
    on_both_backends,
};

on_both_backends!(
    a_new_person_joins_through_an_invitation_without_a_stray_studio,
    an_existing_person_accepts_with_one_click,
    signing_in_from_an_invitation_accepts_it,
    another_account_cannot_take_the_seat,
    dead_invitation_links_say_why_and_nothing_more,
    roles_limit_who_may_invite_change_and_remove,
    the_last_owner_stays_and_ownership_can_move,
    deleting_a_workspace_schedules_it_and_the_purge_removes_its_rows_and_files_only,
    the_audit_log_records_and_is_for_owners_and_admins,
    with_smtp_the_invitation_is_mailed,
    every_audited_action_is_recorded,
);

async fn every_audited_action_is_recorded(backend: Backend) {
    let services = crate::harness::services::Services::start().await;
    let publer_url = services.publer_url();
    let app = TestApp::spawn_with(backend, move |c| c.publer.base_url = publer_url).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let studio = ada.guards().page_workspace;
    // Content deletions.
    let image = upload(&ada, "heron.png", 1).await;
    ada.get(&format!("/images/{image}")).await;
    ada.post(&format!("/images/{image}/delete"), &[]).await;
    let collection = crate::collections::new_collection(&ada, "Herons").await;
    ada.post(&format!("/collections/{collection}/delete"), &[]).await;
    ada.get("/calendars").await;
    let calendar = ada
        .post("/calendars", &[("name", "Main"), ("colour", "#be123c"), ("default_platform", "instagram")])
        .await
        .location()
        .expect("calendar")
        .to_owned();
    ada.get(&format!("{calendar}/posts/new")).await;
    let post = ada
        .post(
            &format!("{calendar}/posts"),
            &[("date", "2030-05-01"), ("time", "09:00"), ("platform", "x"), ("status", "draft")],
        )
        .await
        .location()
        .expect("post")
        .to_owned();
    ada.post(&format!("{post}/delete"), &[]).await;
    ada.post(&format!("{calendar}/delete"), &[]).await;
    ada.get("/settings").await;
    ada.post("/settings", &crate::harness::settings("Ada Paints", "UTC")).await;
    ada.post("/settings/hashtags", &[("name", "Birds"), ("hashtags", "#birds")]).await;
    let set = ada.get("/settings").await.attrs(".set-list form", "action").pop().expect("set");
    ada.post(&set, &[]).await;
    // Team changes.
    invite(&ada, "x@example.com", "viewer").await;
    let team = ada.get("/team").await;
    ada.post(&team.attrs("form[action$='/resend']", "action").pop().expect("resend"), &[]).await;
    ada.get("/team").await;
    ada.post(&team.attrs("form[action$='/revoke']", "action").pop().expect("revoke"), &[]).await;
    let token = invite(&ada, "bea@example.com", "member").await;
    let bea = app.signed_up("Bea", "bea@example.com").await;
    bea.get(&format!("/invites/{token}")).await;
    bea.post(&format!("/invites/{token}/accept"), &[]).await;
    let team = ada.get("/team").await;
    let bea_id = team.attrs("select[name=user_id] option", "value").pop().expect("Bea");
    ada.post(&format!("/team/members/{bea_id}/role"), &[("role", "admin")]).await;
    ada.post("/team/transfer", &[("user_id", &bea_id)]).await;
    ada.get("/team").await;
    ada.post("/team/leave", &[]).await;
    let mel = app.signed_up("Mel", "mel@example.com").await;
    app.add_member(&studio, "mel@example.com", "member").await;
    let _ = mel;
    let team = bea.get("/team").await;
    let mel_id = team
        .attrs("#members tr[data-member]", "data-member")
        .into_iter()
        .zip(team.texts("#members tr[data-member] td:nth-child(2)"))
        .find(|(_, e)| e == "mel@example.com")
        .map(|(id, _)| id)
        .expect("Mel");
    bea.post(&format!("/team/members/{mel_id}/remove"), &[]).await.assert_redirect("/team");

    // Integrations.
    bea.get("/settings/integrations").await;
    bea.post("/settings/integrations/keys/openai_api_key", &[("value", "sk-test-123456789")]).await;
    bea.post("/settings/integrations/keys/openai_api_key/remove", &[]).await;
    bea.post("/settings/integrations", &[("openai_model", "gpt-4o-mini")]).await;
    // Publer: connect, choose accounts, send a post.
    services.set(|s| {
        s.publer_keys.insert("publer-key-123456".into(), "pw".into());
    });
    bea.get("/settings/integrations").await;
    bea.post("/settings/integrations/keys/publer_api_key", &[("value", "publer-key-123456")]).await;
    bea.post("/settings/integrations", &[("publer_workspace_id", "pw")]).await;
    bea.get("/calendars").await;
    let calendar = bea
        .post("/calendars", &[("name", "Main"), ("colour", "#be123c"), ("default_platform", "instagram")])
        .await
        .location()
        .expect("calendar")
        .to_owned();
    let post = bea
        .post(
            &format!("{calendar}/posts"),
            &[("date", "2030-05-01"), ("time", "09:00"), ("platform", "x"), ("status", "ready"), ("caption", "Hi")],
        )
        .await
        .location()
        .expect("post")
        .to_owned();
    bea.get("/settings/publer").await;
    bea.post("/settings/publer/connect", &[]).await.assert_redirect("/settings/publer");
    let route = format!("route:{}:", calendar.trim_start_matches("/calendars/"));
    bea.post("/settings/publer/routes", &[(route.as_str(), "ig-pw")]).await.assert_redirect("/settings/publer");
    bea.post(&format!("{post}/publer"), &[]).await.assert_status(303);
    bea.get("/settings/branding").await;
    bea.post("/settings/branding", &[("brand_colour", "#0e7490")]).await.assert_redirect("/settings/branding");
    // Approval: every step of a post's review, and an edit that reopens it.
    bea.get("/settings").await;
    bea.post("/settings/approval", &[("approval", "internal")]).await.assert_redirect("/settings#approval");
    for (step, fields) in
        [("submit", vec![]), ("changes", vec![("comment", "Warmer")]), ("submit", vec![]), ("approve", vec![])]
    {
        bea.get(&post).await;
        bea.post(&format!("{post}/review/{step}"), &fields).await.assert_status(303);
    }
    bea.get(&post).await;
    let edit =
        [("date", "2030-05-01"), ("time", "09:00"), ("platform", "x"), ("status", "ready"), ("caption", "Hello")];
    bea.post(&post, &edit).await.assert_status(303);
    // A review link, a client's comment on it, revoking it.
    let (calendar_id, post_id) = (calendar.trim_start_matches("/calendars/"), post.trim_start_matches("/events/"));
    let token =
        crate::review_links::make(&bea, &crate::review_links::range_fields(calendar_id, "cleo@example.com")).await;
    let reviewer = app.client();
    reviewer.get(&format!("/review/{token}")).await.assert_status(200);
    let comment = format!("/review/{token}/posts/{post_id}/comment");
    reviewer.post(&comment, &[("comment", "Lovely")]).await.assert_status(303);
    let links = bea.get("/review-links").await;
    bea.post(&links.attrs("form[action$='/revoke']", "action").pop().expect("revoke"), &[]).await;
    // The workspace's own address.
    bea.get("/settings").await;
    bea.post("/settings/address", &[("slug", "bea-paints")]).await;
    // Asking for an export, and downloading a ready one.
    bea.get("/settings/exports").await;
    bea.post("/settings/exports", &[]).await;
    let ready =
        crate::exports::put_export(&app, &studio, "ready", time::OffsetDateTime::now_utc() + time::Duration::hours(1))
            .await;
    bea.get(&format!("/settings/exports/{ready}/download")).await.assert_status(200);
    // Deleting the workspace, and restoring it.
    let name = app.strings(&format!("SELECT name FROM workspaces WHERE id = {}", app.uuid_literal(&studio))).await;
    crate::deletion::delete(&bea, &studio, &name[0]).await;
    crate::deletion::restore(&bea, &studio).await.assert_redirect("/");

    let recorded = app.strings("SELECT DISTINCT action FROM audit_log ORDER BY action").await;
    let expected: Vec<String> = {
        // Billing's entries come from Stripe's webhook: tests/it/billing*.rs check them.
        let mut all: Vec<String> =
            easel::audit::ACTIONS.iter().map(|(a, _)| a.to_string()).filter(|a| !a.starts_with("billing.")).collect();
        all.sort();
        all
    };
    assert_eq!(recorded, expected);
}

async fn with_smtp_the_invitation_is_mailed(backend: Backend) {
    let smtp = crate::harness::smtp::SmtpServer::start().await;
    let port = smtp.port;
    let app = TestApp::spawn_with(backend, |c| {
        c.smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
        c.mail_from = "Studio Mail <studio@example.com>".into();
    })
    .await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    ada.get("/team").await;
    ada.post("/team/invites", &[("email", "bea@example.com"), ("role", "member")]).await.assert_redirect("/team");
    let page = ada.get("/team").await;
    assert!(page.text(".flash").contains("Invitation sent to bea@example.com"));
    assert!(!page.text(".flash").contains("/invites/"), "with mail working the link is not shown");
    let mails: Vec<_> = smtp.received().into_iter().filter(|m| !m.data.contains("/verify/")).collect();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, vec!["bea@example.com"]);
    let data = mails[0].data.replace("=\n", "");
    assert!(data.contains("Subject: Ada invited you to Ada's studio on Easel"), "{data}");
    assert!(data.contains("studio@example.com"));
    let at = data.find("/invites/").expect("a link in the mail");
    let token = &data[at + 9..at + 9 + 43];
    let landing = app.client().get(&format!("/invites/{token}")).await;
    assert!(landing.text("#invitation").contains("Join Ada's studio"));
    assert!(!std::path::Path::new(&app.dir.path().join("data/outbox")).exists(), "nothing went to the outbox");
}

/// Invites `email` from the team page and returns the link's token.
async fn invite(client: &Client, email: &str, role: &str) -> String {
    client.get("/team").await;
    client.post("/team/invites", &[("email", email), ("role", role)]).await.assert_redirect("/team");
    let page = client.get("/team").await;
    let flash = page.text(".flash");
    let at = flash.find("/invites/").unwrap_or_else(|| panic!("no link in: {flash}"));
    flash[at + 9..at + 9 + 43].to_owned()
}

async fn a_new_person_joins_through_an_invitation_without_a_stray_studio(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let token = invite(&ada, "Bea@Example.com", "member").await;
    assert_eq!(app.mails_to("bea@example.com").len(), 1, "without SMTP the mail is written to the outbox");

    let bea = app.client();
    let landing = bea.get(&format!("/invites/{token}")).await;
    assert!(landing.text("#invitation").contains("Ada's studio"));
    let form = bea.get(&format!("/signup?invite={token}")).await;
    assert_eq!(form.attrs("#email", "value"), vec!["bea@example.com"]);
    bea.post(
        "/signup",
        &[("name", "Bea"), ("email", "bea@example.com"), ("password", "correct horse battery"), ("invite", &token)],
    )
    .await
    .assert_redirect("/");
    let home = bea.get("/").await;
    assert_eq!(home.text(".switcher-name"), "Ada's studio");
    assert_eq!(app.count("SELECT COUNT(*) FROM workspaces").await, 1, "no personal studio for Bea");
    assert_eq!(app.count("SELECT COUNT(*) FROM memberships WHERE role = 'member'").await, 1);
    let again = app.client().get(&format!("/invites/{token}")).await;
    assert!(again.text("h1").contains("already used"));
}

async fn signing_in_from_an_invitation_accepts_it(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    app.signed_up("Bea", "bea@example.com").await.post("/logout", &[]).await;
    let token = invite(&ada, "bea@example.com", "member").await;
    let bea = app.client();
    let landing = bea.get(&format!("/invites/{token}")).await;
    let sign_in = landing.attrs("a[href^='/login']", "href").pop().expect("sign-in link");
    let form = bea.get(&sign_in).await;
    let next = form.attrs("input[name=next]", "value").pop().expect("next");
    bea.post("/login", &[("email", "bea@example.com"), ("password", "correct horse battery"), ("next", &next)])
        .await
        .assert_redirect("/");
    assert_eq!(bea.get("/").await.text(".switcher-name"), "Ada's studio");
    assert_eq!(app.count("SELECT COUNT(*) FROM invitations WHERE accepted_at IS NOT NULL").await, 1);
}

async fn an_existing_person_accepts_with_one_click(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let bea = app.signed_up("Bea", "bea@example.com").await;
    let token = invite(&ada, "bea@example.com", "viewer").await;
    let page = bea.get(&format!("/invites/{token}")).await;
    assert!(page.text("#invitation").contains("Join Ada's studio"));
    bea.post(&format!("/invites/{token}/accept"), &[]).await.assert_redirect("/");
    assert_eq!(bea.get("/").await.text(".switcher-name"), "Ada's studio", "accepting switches workspace");
    assert_eq!(app.count("SELECT COUNT(*) FROM memberships WHERE role = 'viewer'").await, 1);
    bea.post(&format!("/invites/{token}/accept"), &[]).await.assert_redirect(&format!("/invites/{token}"));
}

async fn another_account_cannot_take_the_seat(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let eve = app.signed_up("Eve", "eve@example.com").await;
    let token = invite(&ada, "bea@example.com", "admin").await;
    let page = eve.get(&format!("/invites/{token}")).await;
    let text = page.text("#invitation");
    assert!(text.contains("bea@example.com") && text.contains("eve@example.com"), "{text}");
    eve.post(&format!("/invites/{token}/accept"), &[]).await.assert_status(403);
    assert_eq!(app.count("SELECT COUNT(*) FROM memberships").await, 2);
    // "Sign out and continue" leads back to the invitation, signed out.
    eve.post("/logout", &[("next", &format!("/invites/{token}"))]).await.assert_redirect(&format!("/invites/{token}"));
    assert!(eve.get(&format!("/invites/{token}")).await.text("#invitation").contains("Create an account"));
}

async fn dead_invitation_links_say_why_and_nothing_more(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let stranger = app.client();
    let unknown = stranger.get("/invites/not-a-real-token").await;
    assert!(unknown.text("h1").contains("not valid"));

    let revoked = invite(&ada, "one@example.com", "member").await;
    let team = ada.get("/team").await;
    let revoke = team.attrs("form[action$='/revoke']", "action").pop().expect("revoke form");
    ada.post(&revoke, &[]).await.assert_redirect("/team");
    let page = stranger.get(&format!("/invites/{revoked}")).await;
    assert!(page.text("h1").contains("withdrawn"));
    assert!(!page.body.contains("Ada's studio"), "a dead link reveals nothing about the workspace");

    let old = invite(&ada, "two@example.com", "member").await;
    let team = ada.get("/team").await;
    let resend = team.attrs("form[action$='/resend']", "action").pop().expect("resend form");
    ada.post(&resend, &[]).await.assert_redirect("/team");
    let new = ada.get("/team").await.text(".flash");
    let at = new.find("/invites/").expect("new link");
    let new = new[at + 9..at + 9 + 43].to_owned();
    assert_ne!(old, new);
    assert!(stranger.get(&format!("/invites/{old}")).await.text("h1").contains("not valid"), "the old link dies");
    assert!(stranger.get(&format!("/invites/{new}")).await.text("#invitation").contains("Ada's studio"));

    app.try_execute("UPDATE invitations SET expires_at = created_at").await.expect("expire");
    let expired = stranger.get(&format!("/invites/{new}")).await;
    assert!(expired.text("h1").contains("expired"));
    assert!(!expired.body.contains("Ada's studio"));
}

async fn roles_limit_who_may_invite_change_and_remove(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let studio = ada.guards().page_workspace;
    let (ann, mel, vic) = (
        app.signed_up("Ann", "ann@example.com").await,
        app.signed_up("Mel", "mel@example.com").await,
        app.signed_up("Vic", "vic@example.com").await,
    );
    for (email, role) in [("ann@example.com", "admin"), ("mel@example.com", "member"), ("vic@example.com", "viewer")] {
        app.add_member(&studio, email, role).await;
    }
    for client in [&ann, &mel, &vic] {
        client.post("/workspaces/switch", &[("workspace_id", &studio), ("back", "/team")]).await;
        client.get("/team").await.assert_status(200);
    }
    // A member or viewer cannot invite at all; an admin cannot invite an admin.
    mel.post("/team/invites", &[("email", "x@example.com"), ("role", "viewer")]).await.assert_status(403);
    vic.post("/team/invites", &[("email", "x@example.com"), ("role", "viewer")]).await.assert_status(403);
    ann.post("/team/invites", &[("email", "x@example.com"), ("role", "admin")]).await.assert_status(422);
    ann.post("/team/invites", &[("email", "x@example.com"), ("role", "viewer")]).await.assert_redirect("/team");

    let page = ada.get("/team").await;
    let member_id = |email: &str| {
        page.attrs("#members tr[data-member]", "data-member")
            .into_iter()
            .zip(page.texts("#members tr[data-member] td:nth-child(2)"))
            .find(|(_, e)| e == email)
            .map(|(id, _)| id)
            .expect("member row")
    };
    let (ann_id, mel_id, ada_id) =
        (member_id("ann@example.com"), member_id("mel@example.com"), member_id("ada@example.com"));
    // An admin manages members and viewers, but not admins or owners.
    ann.get("/team").await;
    ann.post(&format!("/team/members/{mel_id}/role"), &[("role", "viewer")]).await.assert_redirect("/team");
    ann.post(&format!("/team/members/{mel_id}/role"), &[("role", "admin")]).await.assert_status(400);
    ann.post(&format!("/team/members/{ada_id}/remove"), &[]).await.assert_status(403);
    // A member changes nobody.
    mel.get("/team").await;
    mel.post(&format!("/team/members/{ann_id}/role"), &[("role", "viewer")]).await.assert_status(403);
    // The owner may make and remove admins.
    ada.post(&format!("/team/members/{ann_id}/role"), &[("role", "member")]).await.assert_redirect("/team");
    ada.post(&format!("/team/members/{ann_id}/remove"), &[]).await.assert_redirect("/team");
    assert_eq!(app.count("SELECT COUNT(*) FROM memberships WHERE role = 'admin'").await, 0);
    // A removed member loses access on the next request.
    assert_eq!(ann.get("/team").await.text(".switcher-name"), "Ann's studio");
}

async fn the_last_owner_stays_and_ownership_can_move(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let studio = ada.guards().page_workspace;
    let bea = app.signed_up("Bea", "bea@example.com").await;
    app.add_member(&studio, "bea@example.com", "member").await;
    ada.get("/team").await;
    ada.post("/team/leave", &[]).await.assert_status(400);
    let page = ada.get("/team").await;
    let bea_id = page.attrs("select[name=user_id] option", "value").pop().expect("transfer target");
    ada.post("/team/transfer", &[("user_id", &bea_id)]).await.assert_redirect("/team");
    assert_eq!(app.count("SELECT COUNT(*) FROM memberships WHERE role = 'owner'").await, 2, "Bea's studio and Ada's");
    let roles = app.strings("SELECT u.email || ':' || m.role FROM memberships m JOIN users u ON u.id = m.user_id ORDER BY u.email, m.role").await;
    assert!(roles.contains(&"ada@example.com:admin".to_owned()), "{roles:?}");
    assert!(roles.contains(&"bea@example.com:owner".to_owned()), "{roles:?}");
    // Now Ada may leave; Bea, the last owner of the studio, may not.
    ada.get("/team").await;
    ada.post("/team/leave", &[]).await.assert_redirect("/");
    bea.post("/workspaces/switch", &[("workspace_id", &studio), ("back", "/team")]).await;
    bea.get("/team").await;
    bea.post("/team/leave", &[]).await.assert_status(400);
}

async fn deleting_a_workspace_schedules_it_and_the_purge_removes_its_rows_and_files_only(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let studio = ada.guards().page_workspace;
    upload(&ada, "heron.png", 1).await;
    let bea = app.signed_up("Bea", "bea@example.com").await;
    let beas = bea.guards().page_workspace;
    upload(&bea, "fox.png", 2).await;
    app.add_member(&studio, "bea@example.com", "admin").await;
    bea.post("/workspaces/switch", &[("workspace_id", &studio), ("back", "/")]).await;

    ada.get("/team").await;
    let path = format!("/workspaces/{studio}/delete");
    ada.post(&path, &[("confirm_name", "Wrong name")]).await.assert_status(400);
    bea.get("/team").await;
    bea.post(&path, &[("confirm_name", "Ada's studio")]).await.assert_status(403);
    assert_eq!(app.count("SELECT COUNT(*) FROM workspaces WHERE delete_after IS NOT NULL").await, 0);

    ada.post(&path, &[("confirm_name", "Ada's studio")]).await.assert_redirect("/workspaces");
    // Bea had the studio active: she falls back to her own on the next request.
    assert_eq!(bea.get("/").await.text(".switcher-name"), "Bea's studio");
    assert_eq!(app.files_of(&studio).len(), 3, "kept until the grace period is over");
    app.end_grace_periods().await;
    assert_eq!(app.purge_due().await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM workspaces").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM images").await, 1, "Bea's image stays");
    assert_eq!(app.count("SELECT COUNT(*) FROM workspace_settings").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log").await, 0, "the studio's log went with it");
    assert!(!app.uploads().join(&studio).exists());
    assert_eq!(app.files_of(&beas).len(), 3);
}

async fn the_audit_log_records_and_is_for_owners_and_admins(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let studio = ada.guards().page_workspace;
    let image = upload(&ada, "heron.png", 1).await;
    invite(&ada, "bea@example.com", "member").await;
    ada.get(&format!("/images/{image}")).await;
    ada.post(&format!("/images/{image}/delete"), &[]).await;
    let log = ada.get("/audit").await;
    log.assert_status(200);
    let rows = log.texts("#audit tbody tr");
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(rows[0].contains("Deleted an image") && rows[0].contains("Heron"), "newest first: {rows:?}");
    assert!(rows[1].contains("Invited someone") && rows[1].contains("bea@example.com"));
    let filtered = ada.get("/audit?action=member.invited").await;
    assert_eq!(filtered.texts("#audit tbody tr").len(), 1);
    // Filters combine with each other and with paging ("before" an entry).
    let sql = match backend {
        Backend::Sqlite => "SELECT hex(id) || ' ' || hex(actor_id) FROM audit_log ORDER BY id DESC LIMIT 1",
        Backend::Postgres => {
            "SELECT replace(id::text, '-', '') || ' ' || replace(actor_id::text, '-', '') FROM audit_log \
             ORDER BY id DESC LIMIT 1"
        }
    };
    let newest = app.strings(sql).await.pop().expect("an entry");
    let (newest, adas) = newest.split_once(' ').expect("id and actor");
    let client = &ada;
    let shown = |path: String| async move { client.get(&path).await.texts("#audit tbody tr") };
    let older = shown(format!("/audit?before={newest}")).await;
    assert!(older.len() == 1 && older[0].contains("Invited someone"), "{older:?}");
    assert_eq!(shown(format!("/audit?person={adas}&action=member.invited")).await.len(), 1);
    assert_eq!(shown(format!("/audit?person={adas}&action=image.deleted&before={newest}")).await.len(), 0);
    assert_eq!(shown(format!("/audit?person={}", uuid::Uuid::now_v7())).await.len(), 0, "nobody's entries");

    let mel = app.signed_up("Mel", "mel@example.com").await;
    let mels_own = mel.guards().page_workspace;
    app.add_member(&studio, "mel@example.com", "member").await;
    mel.post("/workspaces/switch", &[("workspace_id", &studio), ("back", "/")]).await;
    mel.get("/audit").await.assert_status(403);
    // Mel's own studio has its own, separate log.
    mel.post("/workspaces/switch", &[("workspace_id", &mels_own), ("back", "/")]).await;
    let own = mel.get("/audit").await;
    assert!(own.texts("#audit tbody tr").is_empty());
}

//! Who may have an account and how much one person may own: the sign-up
//! policy, `easel admin create-user`, the cap on owned workspaces and the
//! limits on invitation mails.

use std::process::Command;

use easel::config::{InviteLimits, SignupPolicy};

use crate::{
    harness::{Backend, Client, TestApp},
    on_both_backends,
};

on_both_backends!(
    the_invite_policy_signs_up_only_from_an_invitation,
    the_closed_policy_makes_accounts_only_from_the_command_line,
    nobody_owns_more_workspaces_than_the_cap_but_platform_admins,
    invitation_mails_are_limited_per_inviter_and_per_workspace,
);

/// Runs `easel` against the test app's database, as an operator would.
fn easel(app: &TestApp, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_easel"))
        .args(args)
        .env("DATABASE_URL", &app.database_url)
        .env("EASEL_DATA_DIR", app.dir.path().join("data"))
        .env("EASEL_UPLOADS_DIR", app.dir.path().join("uploads"))
        .env("EASEL_BASE_URL", app.url(""))
        .output()
        .expect("run easel");
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{said} {}", String::from_utf8_lossy(&out.stderr));
    said
}

async fn signup(client: &Client, email: &str, invite: &str) -> crate::harness::Page {
    client.get("/login").await;
    let fields = [("name", "Someone"), ("email", email), ("password", "correct horse battery"), ("invite", invite)];
    client.post("/signup", &fields).await
}

async fn the_invite_policy_signs_up_only_from_an_invitation(backend: Backend) {
    let mut app = TestApp::spawn(backend).await;
    assert!(app.client().get("/signup").await.text("#signup-policy").contains("Anyone can create an account"));
    let ada = app.signed_up("Ada", "ada@example.com").await;
    ada.get("/team").await;
    ada.post("/team/invites", &[("email", "bea@example.com"), ("role", "member")]).await.assert_redirect("/team");
    let flash = ada.get("/team").await.text(".flash");
    let token = flash[flash.find("/invites/").expect("link") + 9..][..43].to_owned();
    app.restart_with(|c| c.signup = SignupPolicy::Invite).await;

    let stranger = app.client();
    let page = stranger.get("/signup").await;
    assert!(page.text("#signup-policy").contains("by invitation only"));
    assert!(page.attrs("form[action='/signup']", "action").is_empty(), "no form without an invitation");
    signup(&stranger, "eve@example.com", "").await.assert_status(403);
    signup(&stranger, "eve@example.com", "made-up-token").await.assert_status(403);
    signup(&stranger, "eve@example.com", &token).await.assert_status(422);
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 1);

    let bea = app.client();
    let form = bea.get(&format!("/signup?invite={token}")).await;
    assert_eq!(form.attrs("form[action='/signup']", "action").len(), 1);
    signup(&bea, "bea@example.com", &token).await.assert_redirect("/");
    assert_eq!(bea.get("/").await.text(".switcher-name"), "Ada's studio");
}

async fn the_closed_policy_makes_accounts_only_from_the_command_line(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.signup = SignupPolicy::Closed).await;
    let visitor = app.client();
    let page = visitor.get("/signup").await;
    assert!(page.text("#signup-policy").contains("made by the operator"));
    assert!(page.attrs("form[action='/signup']", "action").is_empty());
    signup(&visitor, "cy@example.com", "").await.assert_status(403);
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 0);

    let said = easel(&app, &["admin", "create-user", "Cy@Example.com", "--name", "Cy Twombly"]);
    let at = said.find("/password/reset/").unwrap_or_else(|| panic!("no link in: {said}"));
    let link = said[at..].trim().to_owned();
    let cy = app.client();
    cy.get(&link).await.assert_status(200);
    cy.post(&link, &[("password", "my own password")]).await.assert_redirect("/");
    assert_eq!(cy.get("/").await.text(".switcher-name"), "Cy Twombly's studio");
    let confirmed = "SELECT COUNT(*) FROM users WHERE email = 'cy@example.com' AND email_verified_at IS NOT NULL";
    assert_eq!(app.count(confirmed).await, 1, "the mailed-out link proved the address");
    assert!(cy.get(&link).await.text("#reset-dead").contains("already used"));
}

async fn nobody_owns_more_workspaces_than_the_cap_but_platform_admins(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.max_owned_workspaces = 2).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let studio = ada.guards().page_workspace;
    ada.get("/workspaces").await;
    ada.post("/workspaces", &[("name", "Client one")]).await.assert_redirect("/");
    ada.get("/workspaces").await;
    let page = ada.post("/workspaces", &[("name", "Client two")]).await;
    page.assert_status(422);
    assert!(page.body.contains("the most one person may own here"), "{}", page.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM workspaces").await, 2);

    // Taking over ownership counts too.
    let bea = app.signed_up("Bea", "bea@example.com").await;
    bea.get("/workspaces").await;
    bea.post("/workspaces", &[("name", "Bea's second")]).await.assert_redirect("/");
    app.add_member(&studio, "bea@example.com", "admin").await;
    ada.post("/workspaces/switch", &[("workspace_id", &studio), ("back", "/team")]).await;
    let team = ada.get("/team").await;
    let bea_user = team.attrs("form[action='/team/transfer'] option", "value");
    let bea_user = bea_user.iter().find(|v| !v.is_empty()).expect("a member to transfer to").clone();
    let refused = ada.post("/team/transfer", &[("user_id", &bea_user)]).await;
    refused.assert_status(400);
    assert!(refused.body.contains("already owns 2 workspaces"));
    assert_eq!(app.count("SELECT COUNT(*) FROM memberships WHERE role = 'owner'").await, 4);

    // Platform admins run the instance: no cap for them.
    easel(&app, &["admin", "grant", "ada@example.com"]);
    ada.get("/workspaces").await;
    ada.post("/workspaces", &[("name", "Client two")]).await.assert_redirect("/");
}

async fn invitation_mails_are_limited_per_inviter_and_per_workspace(backend: Backend) {
    let app =
        TestApp::spawn_with(backend, |c| c.invite_limits = InviteLimits { per_workspace: 3, per_inviter: 2 }).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let studio = ada.guards().page_workspace;
    let ann = app.signed_up("Ann", "ann@example.com").await;
    app.add_member(&studio, "ann@example.com", "admin").await;
    ann.post("/workspaces/switch", &[("workspace_id", &studio), ("back", "/")]).await;
    let invite = |client: &Client, email: &'static str| {
        let client = client.clone();
        async move {
            client.get("/team").await;
            client.post("/team/invites", &[("email", email), ("role", "member")]).await
        }
    };
    invite(&ada, "one@example.com").await.assert_redirect("/team");
    invite(&ada, "two@example.com").await.assert_redirect("/team");
    invite(&ada, "three@example.com").await.assert_status(429);
    assert_eq!(app.count("SELECT COUNT(*) FROM invitations").await, 2, "nothing is saved past the limit");
    invite(&ann, "three@example.com").await.assert_redirect("/team");
    let team = ann.get("/team").await;
    let resend = team.attrs("form[action$='/resend']", "action").pop().expect("a resend form");
    ann.post(&resend, &[]).await.assert_status(429);
    assert!(app.mails_to("three@example.com").len() == 1, "a resend past the workspace's limit mails nothing");
    assert_eq!(app.mails_to("one@example.com").len() + app.mails_to("two@example.com").len(), 2);
}

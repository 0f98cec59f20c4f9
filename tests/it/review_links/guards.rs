//! The guards of review links: expiry and revocation, ids outside the
//! link's scope or workspace, forms bound to the link's own cookie, the
//! rate limit, and "Powered by Easel" only hidden when the plan allows.

use super::{may_link, review_of, set_approval, set_review, studio};
use crate::{
    harness::{Backend, Client},
    on_both_backends,
};

on_both_backends!(
    expired_and_revoked_links_are_refused_and_change_nothing,
    ids_outside_the_link_are_404_and_change_nothing,
    forms_need_the_links_own_token_and_cookie,
    actions_are_rate_limited_per_link_and_address,
    powered_by_is_hidden_only_when_the_plan_allows,
);

async fn expired_and_revoked_links_are_refused_and_change_nothing(backend: Backend) {
    let s = studio(backend).await;
    let app = &s.app;
    set_approval(app, &s.workspace, "client").await;
    set_review(app, &s.may[0], "client").await;
    let token = may_link(&s, "cleo@example.com").await;
    let reviewer = app.client();
    reviewer.get(&format!("/review/{token}")).await.assert_status(200);
    let approve = format!("/review/{token}/posts/{}/approve", s.may[0]);

    app.try_execute("UPDATE review_links SET expires_at = created_at").await.expect("expire");
    let gone = reviewer.get(&format!("/review/{token}")).await;
    gone.assert_status(410);
    assert_eq!(gone.text("#review-closed h1"), "This review link has expired");
    assert!(gone.text("#review-closed").contains("Ask Ada for a new one"));
    assert_eq!(gone.text("#review-name"), "Ada's studio", "on the workspace's branding");
    reviewer.post(&approve, &[]).await.assert_status(410);
    assert_eq!(review_of(app, &s.may[0]).await, "client");
    assert_eq!(s.ada.get("/review-links").await.texts("#review-links [data-state]"), vec!["Expired"]);

    let token = may_link(&s, "cleo@example.com").await;
    reviewer.get(&format!("/review/{token}")).await.assert_status(200);
    let list = s.ada.get("/review-links").await;
    let revoke = list.attrs("#review-links form[action$='/revoke']", "action").pop().expect("one active link");
    s.ada.post(&revoke, &[]).await.assert_redirect("/review-links");
    let gone = reviewer.get(&format!("/review/{token}")).await;
    gone.assert_status(410);
    assert_eq!(gone.text("#review-closed h1"), "This review link was turned off");
    reviewer.post(&format!("/review/{token}/posts/{}/approve", s.may[0]), &[]).await.assert_status(410);
    reviewer.get(&format!("/review/{token}/media/{}/portrait", s.image)).await.assert_status(410);
    assert_eq!(review_of(app, &s.may[0]).await, "client");
    let states = s.ada.get("/review-links").await.texts("#review-links [data-state]");
    assert_eq!(states, vec!["Revoked", "Expired"]);
    assert_eq!(app.strings("SELECT action FROM audit_log WHERE action = 'review_link.revoked'").await.len(), 1);

    let unknown = reviewer.get(&format!("/review/{}", "A".repeat(43))).await;
    unknown.assert_status(404);
    assert!(unknown.text("#review-closed h1").contains("does not exist"));
    reviewer.get("/review/short").await.assert_status(404);
}

async fn ids_outside_the_link_are_404_and_change_nothing(backend: Backend) {
    let s = studio(backend).await;
    let app = &s.app;
    set_approval(app, &s.workspace, "client").await;
    for post in [&s.june, &s.elsewhere] {
        set_review(app, post, "client").await;
    }
    let bea = app.signed_up("Bea", "bea@example.com").await;
    let bea_ws = bea.guards().page_workspace;
    let bea_calendar = crate::calendars::new_calendar(&bea, "Hers").await;
    let hers = super::post(&bea, &bea_calendar, "2030-05-02", "09:00", "Bea's fox").await;
    set_approval(app, &bea_ws, "client").await;
    set_review(app, &hers, "client").await;
    let token = may_link(&s, "cleo@example.com").await;
    let reviewer = app.client();
    reviewer.get(&format!("/review/{token}")).await.assert_status(200);
    let comments = "SELECT COUNT(*) FROM post_comments";
    for post in
        [hers.as_str(), s.june.as_str(), s.elsewhere.as_str(), "not-an-id", "00000000-0000-0000-0000-000000000000"]
    {
        for (action, fields) in
            [("approve", vec![]), ("changes", vec![("comment", "No")]), ("comment", vec![("comment", "Hi")])]
        {
            let page = reviewer.post(&format!("/review/{token}/posts/{post}/{action}"), &fields).await;
            assert_eq!(page.status, 404, "{action} {post}: {}", page.body);
        }
    }
    for post in [&hers, &s.june, &s.elsewhere] {
        assert_eq!(review_of(app, post).await, "client", "nothing changed");
    }
    assert_eq!(app.count(comments).await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM post_history").await, 0);
}

async fn forms_need_the_links_own_token_and_cookie(backend: Backend) {
    let s = studio(backend).await;
    let app = &s.app;
    set_approval(app, &s.workspace, "client").await;
    set_review(app, &s.may[0], "client").await;
    set_review(app, &s.may[1], "client").await;
    let a = may_link(&s, "cleo@example.com").await;
    let b = may_link(&s, "dan@example.com").await;
    let reviewer = app.client();
    reviewer.get(&format!("/review/{a}")).await.assert_status(200);
    let token_a = reviewer.guards().csrf_token;
    let on_b = format!("/review/{b}/posts/{}/approve", s.may[0]);
    let on_a = format!("/review/{a}/posts/{}/approve", s.may[0]);

    // Link A's form token on link B (same cookie, same browser): refused.
    let page = reviewer.post_exactly(&on_b, &[("csrf_token", &token_a)], &[]).await;
    page.assert_status(403);
    // No token at all, or a wrong one.
    reviewer.post_exactly(&on_a, &[], &[]).await.assert_status(403);
    reviewer.post_exactly(&on_a, &[("csrf_token", "forged")], &[]).await.assert_status(403);
    // The right token without the page's cookie (another browser).
    let stranger = Client::new(app.url(""));
    stranger.post_exactly(&on_a, &[("csrf_token", &token_a)], &[]).await.assert_status(403);
    // The right token and cookie, but sent from another site.
    let cross = reviewer.post_exactly(&on_a, &[("csrf_token", &token_a)], &[("sec-fetch-site", "cross-site")]).await;
    cross.assert_status(403);
    assert_eq!(review_of(app, &s.may[0]).await, "client", "nothing changed");

    // The header HTMX sends works as the field does.
    let htmx = reviewer.post_exactly(&on_a, &[], &[("x-csrf-token", &token_a), ("hx-request", "true")]).await;
    htmx.assert_status(200);
    assert_eq!(review_of(app, &s.may[0]).await, "approved");
    // Link B's own page gives its own token, which then works there.
    reviewer.get(&format!("/review/{b}")).await.assert_status(200);
    let on_b = format!("/review/{b}/posts/{}/approve", s.may[1]);
    reviewer.post(&on_b, &[]).await.assert_status(303);
}

async fn actions_are_rate_limited_per_link_and_address(backend: Backend) {
    let s = studio(backend).await;
    let app = &s.app;
    let a = may_link(&s, "cleo@example.com").await;
    let b = may_link(&s, "dan@example.com").await;
    let reviewer = app.client();
    reviewer.get(&format!("/review/{a}")).await;
    let comment = format!("/review/{a}/posts/{}/comment", s.may[0]);
    for i in 0..60 {
        let page = reviewer.post(&comment, &[("comment", "")]).await;
        assert_eq!(page.status, 422, "attempt {i}");
    }
    let limited = reviewer.post(&comment, &[("comment", "One more")]).await;
    limited.assert_status(429);
    assert!(limited.text("#review-closed h1").contains("Too many"));
    assert_eq!(app.count("SELECT COUNT(*) FROM post_comments").await, 0, "nothing written");
    // Another link from the same address has its own count.
    reviewer.get(&format!("/review/{b}")).await;
    let other = format!("/review/{b}/posts/{}/comment", s.may[0]);
    reviewer.post(&other, &[("comment", "Fine here")]).await.assert_status(303);
}

async fn powered_by_is_hidden_only_when_the_plan_allows(backend: Backend) {
    let s = studio(backend).await;
    let app = &s.app;
    let token = may_link(&s, "cleo@example.com").await;
    let ws = app.uuid_literal(&s.workspace);
    let reviewer = app.client();
    let set = |hide: &str, allowed: &str| {
        format!("UPDATE workspaces SET hide_powered_by = {hide}, custom_can_hide_branding = {allowed} WHERE id = {ws}")
    };
    app.try_execute(&set("TRUE", "FALSE")).await.expect("plan refuses");
    let page = reviewer.get(&format!("/review/{token}")).await;
    assert_eq!(page.texts("#powered-by").len(), 1, "the plan does not allow hiding it");
    app.try_execute(&set("FALSE", "TRUE")).await.expect("not asked");
    assert_eq!(reviewer.get(&format!("/review/{token}")).await.texts("#powered-by").len(), 1);
    app.try_execute(&set("TRUE", "TRUE")).await.expect("hidden");
    assert!(reviewer.get(&format!("/review/{token}")).await.texts("#powered-by").is_empty());
}

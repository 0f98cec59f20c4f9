//! Notifications: mentions and review steps tell the right people (never
//! the one who acted, as each chose), the bell counts them, opening one
//! marks it read, and the mail summary combines and waits 10 minutes.

use std::collections::HashMap;

use easel::tenancy::approval::{Capacity, Mode, Reviewer, Step, Via, apply};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{
    comments::{comment, team},
    harness::{Backend, Client, TestApp},
    on_both_backends,
};

on_both_backends!(
    mentions_light_the_bell_and_opening_one_marks_it_read,
    review_steps_notify_as_each_person_chose,
    the_summary_combines_and_waits_ten_minutes
);

fn bell(page: &crate::harness::Page) -> String {
    page.attrs("#bell", "aria-label").pop().unwrap_or_default()
}

/// The signed-in person's user id, from the team page.
async fn user_id(ada: &Client, email: &str) -> Uuid {
    let page = ada.get("/team").await;
    let id = page
        .attrs("#members tr[data-member]", "data-member")
        .into_iter()
        .zip(page.texts("#members tr[data-member] td:nth-child(2)"))
        .find(|(_, e)| e == email)
        .map(|(id, _)| id)
        .expect("member");
    Uuid::parse_str(&id).expect("uuid")
}

/// Takes a review step on `post` as `who` (the approvals routes are another
/// branch's; the step function is the contract).
async fn step(app: &TestApp, workspace: &str, post: &str, who: Reviewer, step: Step) {
    let ws = Uuid::parse_str(workspace).expect("workspace");
    let mut tx = app.databases.workspace_tx(ws, true).await.expect("tx");
    apply(&mut tx, Mode::Internal, Uuid::parse_str(post).expect("post"), &who, step).await.expect("step");
    tx.commit().await.expect("commit");
}

fn member(id: Uuid, name: &str, capacity: Option<Capacity>) -> Reviewer {
    Reviewer { user_id: Some(id), name: name.into(), ip: "127.0.0.1".into(), via: Via::App, capacity }
}

async fn mentions_light_the_bell_and_opening_one_marks_it_read(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let t = team(&app).await;
    assert_eq!(bell(&t.mel.get("/").await), "Notifications");
    comment(&t.ada, &t.post, "@mel and @VIC, what do you think? @Nobody @Ada", "internal").await.assert_status(303);
    let home = t.mel.get("/").await;
    assert_eq!(bell(&home), "Notifications, 1 unread");
    assert_eq!(home.text("#bell .bell-count"), "1");
    // The viewer cannot read an internal comment, so is not told of it; Ada
    // is not told of her own words.
    assert_eq!(bell(&t.vic.get("/").await), "Notifications");
    assert_eq!(bell(&t.ada.get("/").await), "Notifications");
    let page = t.ada.get(&format!("/events/{}", t.post)).await;
    assert_eq!(page.texts(".comment-body .mention"), vec!["@mel", "@VIC", "@Ada"]);

    let list = t.mel.get("/notifications").await;
    assert_eq!(list.texts(".notice-unread .notice-text"), vec!["Spring calendar: Ada mentioned you on 'Hello'"]);
    let open = list.attrs(".notice form", "action").pop().expect("open");
    let went = t.mel.post(&open, &[]).await;
    assert!(went.location().is_some_and(|l| l.starts_with(&format!("/events/{}#comment-", t.post))));
    assert_eq!(bell(&t.mel.get("/").await), "Notifications");
    assert!(t.mel.get("/notifications").await.texts(".notice-unread").is_empty());

    // A client comment tells the owner and admins; "Mark all read" clears it.
    comment(&t.vic, &t.post, "Can the blue be warmer?", "").await.assert_status(303);
    assert_eq!(bell(&t.ada.get("/").await), "Notifications, 1 unread");
    assert_eq!(bell(&t.mel.get("/").await), "Notifications", "members are not admins, and not the author");
    t.ada.get("/notifications").await;
    t.ada.post("/notifications/read-all", &[]).await.assert_redirect("/notifications");
    assert_eq!(bell(&t.ada.get("/").await), "Notifications");
    // Another person's notice is theirs alone.
    t.vic.post(&open, &[]).await.assert_status(404);
}

async fn review_steps_notify_as_each_person_chose(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let t = team(&app).await;
    let (ada_id, mel_id) = (user_id(&t.ada, "ada@example.com").await, user_id(&t.ada, "mel@example.com").await);
    let author = app.uuid_literal(&mel_id.to_string());
    app.try_execute(&format!("UPDATE events SET created_by = {author}")).await.expect("author");
    // Ada wants reviews by mail only, not on her bell.
    t.ada.get("/account").await;
    let mut choices: Vec<(String, String)> = easel::tenancy::notices::Kind::ALL
        .iter()
        .flat_map(|k| [format!("app_{}", k.as_str()), format!("mail_{}", k.as_str())])
        .filter(|f| f != "app_review_requested")
        .map(|f| (f, "1".to_owned()))
        .collect();
    choices.push(("sent".into(), "1".into()));
    let fields: Vec<(&str, &str)> = choices.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    t.ada.post("/account/notifications", &fields).await.assert_redirect("/account#notifications");
    let account = t.ada.get("/account").await;
    assert!(account.attrs("input[name=app_review_requested][checked]", "name").is_empty());
    assert_eq!(account.attrs("input[name=mail_review_requested][checked]", "name").len(), 1);

    step(&app, &t.workspace, &t.post, member(mel_id, "Mel", None), Step::Submit).await;
    assert_eq!(bell(&t.ada.get("/").await), "Notifications", "Ada chose no bell for reviews");
    assert_eq!(app.count("SELECT COUNT(*) FROM notifications WHERE kind = 'review_requested' AND by_mail").await, 1);
    assert_eq!(bell(&t.mel.get("/").await), "Notifications", "never told of one's own step");
    step(&app, &t.workspace, &t.post, member(ada_id, "Ada", Some(Capacity::Team)), Step::Approve).await;
    let list = t.mel.get("/notifications").await;
    assert_eq!(list.texts(".notice-unread .notice-text"), vec!["Spring calendar: 'Hello' approved by Ada"]);
    assert_eq!(bell(&t.vic.get("/").await), "Notifications");
}

/// The summaries mailed to `email` (not the sign-up's confirmation mail).
fn summaries(app: &TestApp, email: &str) -> Vec<String> {
    app.mails_to(email).into_iter().filter(|m| m.contains("What happened since the last summary")).collect()
}

/// An app state on the test app's databases and outbox, to drive the
/// summary job with a `now` of the test's choosing.
async fn state_of(app: &TestApp) -> easel::state::AppState {
    let vars = HashMap::from([
        ("DATABASE_URL".to_owned(), app.database_url.clone()),
        ("EASEL_DATA_DIR".to_owned(), app.dir.path().join("data").display().to_string()),
        ("EASEL_UPLOADS_DIR".to_owned(), app.dir.path().join("uploads").display().to_string()),
    ]);
    let mut config = easel::config::Config::from_lookup(|k| vars.get(k).cloned()).expect("config");
    config.base_url = app.url("/").parse().expect("base url");
    easel::prepare(config).await.expect("state").with_databases(app.databases.clone())
}

async fn the_summary_combines_and_waits_ten_minutes(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    // The server's own summary loop stays out: the test holds its lease.
    app.try_execute(
        "INSERT INTO cluster_jobs (name, lease_until, done_by) VALUES ('notice summaries', '2999-01-01 00:00:00+00:00', 'tests') \
         ON CONFLICT (name) DO UPDATE SET lease_until = '2999-01-01 00:00:00+00:00', done_by = 'tests'",
    )
    .await
    .expect("hold the job");
    let t = team(&app).await;
    let (ada_id, mel_id) = (user_id(&t.ada, "ada@example.com").await, user_id(&t.ada, "mel@example.com").await);
    let author = app.uuid_literal(&mel_id.to_string());
    app.try_execute(&format!("UPDATE events SET created_by = {author}")).await.expect("author");
    let calendar = t.ada.get(&format!("/events/{}", t.post)).await.attrs(".crumbs a", "href")[1].clone();
    let calendar = calendar.trim_start_matches("/calendars/").split('?').next().unwrap_or_default().to_owned();
    let mut posts = vec![t.post.clone()];
    for day in ["2030-05-02", "2030-05-03"] {
        posts.push(crate::calendars::new_post(&t.ada, &calendar, day, "09:00").await);
    }
    app.try_execute(&format!("UPDATE events SET created_by = {author}")).await.expect("author");
    let ada = member(ada_id, "Ada", Some(Capacity::Team));
    for (i, post) in posts.iter().enumerate() {
        step(&app, &t.workspace, post, member(mel_id, "Mel", None), Step::Submit).await;
        let answer = if i == 2 { Step::RequestChanges { comment: "Warmer".into() } } else { Step::Approve };
        step(&app, &t.workspace, post, ada.clone(), answer).await;
    }
    let state = state_of(&app).await;
    let now = OffsetDateTime::now_utc();
    assert!(easel::notifications::summary::send_due(&state, now).await.expect("run") >= 1);
    let mails = summaries(&app, "mel@example.com");
    assert_eq!(mails.len(), 1, "one mail combines them");
    assert!(mails[0].contains("2 posts approved, 1 change requested on Spring calendar"), "{}", mails[0]);
    assert!(mails[0].contains(&format!("/events/{}", posts[0])), "with links");
    // Ada had the reviews to do: her own summary.
    assert_eq!(summaries(&app, "ada@example.com").len(), 1);

    // Something new 5 minutes later waits; after 10 minutes it goes, alone.
    comment(&t.ada, &t.post, "@Mel one more thing", "internal").await.assert_status(303);
    assert_eq!(
        easel::notifications::summary::send_due(&state, now + time::Duration::minutes(5)).await.expect("run"),
        0
    );
    assert_eq!(summaries(&app, "mel@example.com").len(), 1);
    assert_eq!(
        easel::notifications::summary::send_due(&state, now + time::Duration::minutes(11)).await.expect("run"),
        1
    );
    let mails = summaries(&app, "mel@example.com");
    assert_eq!(mails.len(), 2);
    assert!(mails[1].contains("1 mention on Spring calendar") && !mails[1].contains("approved"), "{}", mails[1]);

    // Mail turned off for mentions: nothing more is mailed, the bell still tells.
    t.mel.get("/account").await;
    let fields: Vec<(&str, &str)> = vec![("app_mention", "1")];
    t.mel.post("/account/notifications", &fields).await.assert_status(303);
    comment(&t.ada, &t.post, "@Mel and again", "internal").await.assert_status(303);
    assert_eq!(
        easel::notifications::summary::send_due(&state, now + time::Duration::minutes(30)).await.expect("run"),
        0
    );
    assert_eq!(summaries(&app, "mel@example.com").len(), 2);
    assert_eq!(bell(&t.mel.get("/").await), "Notifications, 5 unread");
}

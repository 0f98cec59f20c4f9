//! The smaller holes of issue 13: control characters in text, Publer and
//! suspension, who made a calendar feed, response headers, files at rest
//! and page numbers.

use std::time::Duration;

use reqwest::Method;

use crate::{
    calendars::new_calendar,
    collections::new_collection,
    harness::{Backend, Client, TestApp, logs, services::Services},
    on_both_backends,
    publer::{ADA_PUBLER, calendar_of, connect, fast, post_on, send, settled, step_of},
};

on_both_backends!(
    control_characters_are_stripped_at_input_and_the_feed_escapes_every_line_break,
    a_suspended_workspaces_posts_wait_and_go_out_once_the_suspension_is_lifted,
    the_feed_list_shows_who_made_each_address_and_a_member_who_goes_takes_theirs,
    https_instances_send_hsts_and_pages_are_never_stored,
    a_client_request_id_is_kept_only_when_it_is_a_uuid,
    the_data_folder_database_key_and_mails_are_private,
    huge_page_numbers_answer_a_page_not_an_error,
);

async fn control_characters_are_stripped_at_input_and_the_feed_escapes_every_line_break(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let calendar = new_calendar(&ada, "Main\u{7}\tplan").await;
    ada.get(&format!("/calendars/{calendar}/posts/new")).await;
    let fields = [
        ("date", "2030-05-01"),
        ("time", "10:00"),
        ("platform", "instagram"),
        ("status", "draft"),
        ("caption", "Bell\u{7} rings\rtwice\r\nend\u{1b}[0m"),
        ("hashtags", "#heron\u{0}"),
        ("notes", "a\tb\u{8}c"),
    ];
    ada.post(&format!("/calendars/{calendar}/posts"), &fields).await.assert_status(303);
    let stored = app.strings("SELECT caption || '|' || hashtags || '|' || notes FROM events").await;
    assert_eq!(stored, vec!["Bell rings\ntwice\nend[0m|#heron|a\tbc"]);
    assert_eq!(app.strings("SELECT name FROM calendars").await, vec!["Main plan"]);
    new_collection(&ada, "Sketch\u{7}book").await;
    assert_eq!(app.strings("SELECT name FROM collections").await, vec!["Sketchbook"]);
    ada.get("/account").await;
    ada.post("/account", &[("name", "Ada\u{7} Lovelace")]).await.assert_status(303);
    assert_eq!(app.strings("SELECT name FROM users").await, vec!["Ada Lovelace"]);

    // Text saved before the cleaning still reaches the feed only escaped.
    let old = "UPDATE events SET notes = 'x', caption = 'one' || CHAR(13) || 'two' || CHAR(7)";
    let old = if backend == Backend::Postgres { old.replace("CHAR(", "CHR(") } else { old.to_owned() };
    app.try_execute(&old).await.expect("an old row");
    ada.get(&format!("/calendars/{calendar}")).await;
    let made = ada.post(&format!("/calendars/{calendar}/feed"), &[]).await;
    let path = made.text(".feed-url").trim_start_matches(&app.url("")).to_owned();
    let feed = app.client().get(&path).await;
    feed.assert_status(200);
    assert!(feed.body.contains("one\\ntwo"), "{}", feed.body);
    let unfolded = feed.body.replace("\r\n", "");
    assert!(!unfolded.contains('\r') && !unfolded.contains('\n'), "a bare line break: {:?}", feed.body);
    assert!(!feed.body.chars().any(|c| c.is_control() && c != '\r' && c != '\n'));
}

async fn a_suspended_workspaces_posts_wait_and_go_out_once_the_suspension_is_lifted(backend: Backend) {
    let services = Services::start().await;
    services.set(|s| s.job_end = crate::harness::services::JobEnd::KeepsWorking);
    let quick = fast(&services);
    // Publer's first job runs on until the test says; Easel keeps asking.
    let app = TestApp::spawn_with(backend, move |c| {
        quick(c);
        c.publer.polls = 1_000_000;
    })
    .await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let workspace = ada.guards().page_workspace;
    let calendar = new_calendar(&ada, "Main").await;
    let first = post_on(&ada, &calendar, "2030-05-08", "ready").await;
    let second = post_on(&ada, &calendar, "2030-05-09", "ready").await;
    assert_eq!(calendar_of(&ada, &second).await, calendar);
    connect(&ada, &services, ADA_PUBLER, "pw-ada").await;
    // The first is with Publer (its job runs on); the second waits its turn.
    send(&ada, &first).await;
    for _ in 0..800 {
        if step_of(&app, &first).await == "polling" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(step_of(&app, &first).await, "polling");
    send(&ada, &second).await;
    let oz = operator(&app).await;
    oz.get("/admin").await;
    oz.post(&format!("/admin/workspaces/{workspace}/suspend"), &[]).await.assert_status(303);
    services.set(|s| s.job_end = crate::harness::services::JobEnd::Completes);
    assert_eq!(settled(&app, &first).await.0, "scheduled", "what Publer already had is followed to the end");

    let sql = format!("SELECT error FROM publer_sends WHERE event_id = {}", app.uuid_literal(&second));
    let mut why = String::new();
    for _ in 0..800 {
        why = app.strings(&sql).await.pop().unwrap_or_default();
        if !why.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(why.contains("suspended"), "the send waits with its reason: {why:?}");
    assert_eq!(step_of(&app, &second).await, "queued");
    assert_eq!(services.seen("/publer/posts/schedule").len(), 1, "nothing new went to Publer");
    let editor = ada.get(&format!("/events/{second}")).await;
    assert_eq!(editor.attrs("#publer [data-publer-state]", "data-publer-state"), vec!["waiting"]);
    assert!(editor.text("[data-publer-waiting]").contains("the workspace is suspended"));
    let month = ada.get(&format!("/calendars/{calendar}?date=2030-05-01")).await;
    let mut states = month.attrs("[data-publer-state]", "data-publer-state");
    states.sort();
    assert_eq!(states, vec!["scheduled", "waiting"]);

    oz.post(&format!("/admin/workspaces/{workspace}/unsuspend"), &[]).await.assert_status(303);
    assert_eq!(settled(&app, &second).await, ("scheduled".to_owned(), String::new()));
    assert_eq!(services.seen("/publer/posts/schedule").len(), 2);
}

/// A platform admin, made as the operator's command would.
async fn operator(app: &TestApp) -> Client {
    let oz = app.signed_up("Oz", "oz@example.com").await;
    assert!(easel::admin::set_platform_admin(&app.db, "oz@example.com", true, "test").await.expect("grant"));
    oz
}

/// The path of a new feed address `client` makes for the calendar.
async fn feed_of(client: &Client, app: &TestApp, calendar: &str) -> String {
    client.get(&format!("/calendars/{calendar}")).await;
    let made = client.post(&format!("/calendars/{calendar}/feed"), &[]).await;
    made.assert_status(200);
    made.text(".feed-url").trim_start_matches(&app.url("")).to_owned()
}

async fn the_feed_list_shows_who_made_each_address_and_a_member_who_goes_takes_theirs(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let studio = ada.guards().page_workspace;
    let calendar = new_calendar(&ada, "Main").await;
    let (bea, cal) = (app.signed_up("Bea", "bea@example.com").await, app.signed_up("Cal", "cal@example.com").await);
    for (client, email) in [(&bea, "bea@example.com"), (&cal, "cal@example.com")] {
        app.add_member(&studio, email, "member").await;
        client.post("/workspaces/switch", &[("workspace_id", &studio), ("back", "/")]).await;
    }
    let ada_feed = feed_of(&ada, &app, &calendar).await;
    let bea_feed = feed_of(&bea, &app, &calendar).await;
    let cal_feed = feed_of(&cal, &app, &calendar).await;
    let stranger = app.client();
    for feed in [&ada_feed, &bea_feed, &cal_feed] {
        stranger.get(feed).await.assert_status(200);
    }
    let page = ada.get(&format!("/calendars/{calendar}")).await;
    assert_eq!(
        page.texts("#feeds [data-feed-maker]"),
        vec!["Ada (ada@example.com)", "Bea (bea@example.com)", "Cal (cal@example.com)"]
    );
    // A new address of one's own replaces only one's own.
    let ada_feed_again = feed_of(&ada, &app, &calendar).await;
    stranger.get(&ada_feed).await.assert_status(404);
    stranger.get(&bea_feed).await.assert_status(200);

    let team = ada.get("/team").await;
    let bea_id = team
        .attrs("#members tr[data-member]", "data-member")
        .into_iter()
        .zip(team.texts("#members tr[data-member] td:nth-child(2)"))
        .find(|(_, email)| email == "bea@example.com")
        .map(|(id, _)| id)
        .expect("Bea's row");
    ada.post(&format!("/team/members/{bea_id}/remove"), &[]).await.assert_redirect("/team");
    stranger.get(&bea_feed).await.assert_status(404);
    cal.get("/team").await;
    cal.post("/team/leave", &[]).await.assert_redirect("/");
    stranger.get(&cal_feed).await.assert_status(404);
    stranger.get(&ada_feed_again).await.assert_status(200);
    let page = ada.get(&format!("/calendars/{calendar}")).await;
    assert_eq!(page.texts("#feeds [data-feed-maker]"), vec!["Ada (ada@example.com)"]);
}

async fn https_instances_send_hsts_and_pages_are_never_stored(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    for path in ["/", "/calendars", "/settings", "/account"] {
        let page = ada.get(path).await;
        page.assert_status(200);
        assert_eq!(page.header("cache-control"), "no-store", "{path}");
        assert!(page.header("strict-transport-security").is_empty(), "no HSTS over plain http");
    }
    let style = ada.get("/static/app.css").await;
    assert!(style.header("cache-control").contains("max-age=31536000"), "assets keep their own caching");
    let etag = style.header("etag");
    let unchanged = ada.send(Method::GET, "/static/app.css", None, &[("if-none-match", etag.as_str())]).await;
    unchanged.assert_status(304);
    assert!(unchanged.header("cache-control").contains("max-age=31536000"));
    assert_eq!(ada.get("/no-such-page").await.header("cache-control"), "no-store");

    let secure = TestApp::spawn_with(backend, |c| {
        c.base_url = "https://easel.example.com/".parse().expect("url");
    })
    .await;
    for path in ["/login", "/healthz", "/static/app.css"] {
        let page = secure.client().get(path).await;
        assert_eq!(page.header("strict-transport-security"), "max-age=31536000; includeSubDomains", "{path}");
    }
}

async fn a_client_request_id_is_kept_only_when_it_is_a_uuid(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = app.client();
    let id_for = async |sent: &str| {
        let page = client.send(Method::GET, "/login", None, &[("x-request-id", sent)]).await;
        page.header("x-request-id")
    };
    let long = "x".repeat(500);
    for junk in ["hello", "../../etc/passwd", long.as_str(), "0192f0c45b7e7a3e9c1d2f4e6a8b0c1d"] {
        let answered = id_for(junk).await;
        assert_ne!(answered, junk);
        assert!(uuid::Uuid::try_parse(&answered).is_ok(), "a fresh id instead of {junk:?}: {answered:?}");
    }
    let mine = uuid::Uuid::now_v7().to_string();
    assert_eq!(id_for(&mine).await, mine);
    let none = client.get("/login").await.header("x-request-id");
    assert!(uuid::Uuid::try_parse(&none).is_ok());
}

#[cfg(unix)]
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).permissions().mode() & 0o777
}

#[cfg(unix)]
async fn the_data_folder_database_key_and_mails_are_private(backend: Backend) {
    use std::os::unix::fs::PermissionsExt;

    let mut app = TestApp::spawn(backend).await;
    app.signed_up("Ada", "ada@example.com").await;
    let data = app.dir.path().join("data");
    assert_eq!(mode(&data), 0o700, "the data folder");
    assert_eq!(mode(&data.join("secret.key")), 0o600, "the key file");
    if backend == Backend::Sqlite {
        for file in ["easel.db", "easel.db-wal", "easel.db-shm"] {
            assert_eq!(mode(&app.dir.path().join(file)), 0o600, "{file}");
        }
    }
    let visitor = app.client();
    visitor.get("/password/forgot").await;
    visitor.post("/password/forgot", &[("email", "ada@example.com")]).await.assert_status(200);
    let outbox = data.join("outbox");
    let mut mails = Vec::new();
    for _ in 0..400 {
        mails = std::fs::read_dir(&outbox).map(|d| d.flatten().map(|e| e.path()).collect()).unwrap_or_default();
        if !mails.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(!mails.is_empty(), "the reset mail is in the outbox");
    for mail in &mails {
        assert_eq!(mode(mail), 0o600, "{}", mail.display());
    }
    assert_eq!(mode(&outbox), 0o700, "the outbox");

    // A key file others may read is named in a warning at the next start.
    let key = data.join("secret.key");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    app.restart_with(|_| {}).await;
    assert!(logs().contains(&format!("{}", key.display())), "a warning names the key file");
    assert!(logs().contains("secret key file is readable by other users"));
    assert_eq!(mode(&data), 0o700, "the data folder is made private again");
}

#[cfg(not(unix))]
async fn the_data_folder_database_key_and_mails_are_private(_backend: Backend) {}

async fn huge_page_numbers_answer_a_page_not_an_error(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let oz = operator(&app).await;
    let max = i64::MAX.to_string();
    for page in [max.as_str(), "99999999999999999999", "4294967296", "-5", "2", "x"] {
        for path in ["/admin/audit", "/admin"] {
            let answer = oz.get(&format!("{path}?page={page}")).await;
            assert!(matches!(answer.status, 200 | 400 | 422), "{path}?page={page}: {}", answer.status);
            assert_eq!(answer.status, 200, "{path}?page={page} shows a page");
        }
    }
    let first = oz.get("/admin/audit?page=0").await;
    assert!(first.body.contains("Made a platform admin"), "the first page still lists entries");
    oz.get("/images?before=99999999999999999999").await.assert_status(200);
}

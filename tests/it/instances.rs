//! Two Easel processes on one PostgreSQL database and one shared storage,
//! as behind a load balancer: a person's requests alternate between them,
//! the sign-in limit counts across both, and a send whose instance is
//! killed is finished once by the other when its lease runs out.
//! PostgreSQL only: on SQLite one process is the whole cluster.

use std::time::Duration;

use sqlx::{Connection, PgConnection};
use tempfile::TempDir;

use crate::{
    calendars::new_calendar,
    collections::{new_collection, upload},
    harness::{
        Client, art, postgres,
        process::{Server, sign_up},
        services::{JobEnd, Services},
    },
    publer::{ADA_PUBLER, connect, post_on, send},
};

/// The short lease the tests run with, so a takeover comes quickly.
const LEASE: &str = "2s";
/// The shared master key: every instance must open the others' sealed keys.
const MASTER_KEY: &str = "a2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2s=";
const SIGN_IN_LIMIT: usize = 5;

/// Where the instances keep artwork: one folder both see. The one place to
/// change for a shared object store instead.
fn storage_env() -> Vec<(String, String)> {
    crate::harness::s3::shared().env(&uuid::Uuid::now_v7().to_string())
}

/// Two instances on a fresh database, each with its own data folder.
struct Pair {
    a: Server,
    b: Server,
    /// The database as its owner sees it (past row-level security), for checks.
    admin_url: String,
    _dir: TempDir,
}

async fn two_instances(services: &Services) -> Pair {
    let dir = tempfile::Builder::new().prefix("easel-instances-").tempdir().expect("temp dir");
    let cluster = postgres::cluster();
    let database = cluster.create_database().await;
    let mut env = storage_env();
    env.extend([
        ("EASEL_SECRET_KEY".to_owned(), MASTER_KEY.to_owned()),
        ("EASEL_PUBLER_BASE_URL".to_owned(), services.publer_url()),
        ("EASEL_WORK_LEASE".to_owned(), LEASE.to_owned()),
        ("EASEL_SIGNIN_LIMIT".to_owned(), SIGN_IN_LIMIT.to_string()),
    ]);
    let mut servers = Vec::new();
    for name in ["a", "b"] {
        let own = dir.path().join(name);
        std::fs::create_dir_all(&own).expect("instance folder");
        servers.push(Server::start_with_env(&own, &cluster.app_url(&database), &env).await);
    }
    let b = servers.pop().expect("b");
    let a = servers.pop().expect("a");
    Pair { a, b, admin_url: cluster.admin_url(&database), _dir: dir }
}

fn base(server: &Server) -> String {
    server.url("")
}

async fn query_strings(url: &str, sql: &str) -> Vec<String> {
    let mut db = PgConnection::connect(url).await.expect("inspect the database");
    sqlx::query_scalar(sql).fetch_all(&mut db).await.expect("inspection query")
}

/// The state of every Publer send, with the instance that last held it.
async fn sends(pair: &Pair) -> Vec<String> {
    let sql = "SELECT event_id::text || '|' || state || '|' || step || '|' || leased_by FROM publer_sends \
               ORDER BY event_id";
    query_strings(&pair.admin_url, sql).await
}

/// Waits (bounded) until every send is scheduled; panics with what it saw.
async fn until_all_scheduled(pair: &Pair, count: usize) -> Vec<String> {
    for _ in 0..1200 {
        let now = sends(pair).await;
        if now.len() == count && now.iter().all(|s| s.contains("|scheduled|")) {
            return now;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the sends never all settled: {:?}", sends(pair).await);
}

/// Fills `calendar` from `collection` with a preview on one instance and the
/// confirmation on the other; the posts it made.
async fn fill(on_one: &Client, on_other: &Client, calendar: &str, collection: &str) -> Vec<String> {
    let path = format!("/calendars/{calendar}/autoschedule");
    on_one.get(&path).await.assert_status(200);
    let mut form = vec![
        ("action", "preview"),
        ("collection_id", collection),
        ("start", "2030-05-01"),
        ("end", "2030-05-14"),
        ("times", "09:00"),
        ("platform", "instagram"),
    ];
    form.extend([("weekdays", "1"), ("weekdays", "3")]);
    let preview = on_one.post(&path, &form).await;
    preview.assert_status(200);
    let confirm = preview.hidden_fields("form:has(input[name=fingerprint])");
    let confirm: Vec<(&str, &str)> = confirm.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    on_other.post(&path, &confirm).await.assert_redirect(&format!("/calendars/{calendar}?date=2030-05-01"));
    on_one.get(&format!("/calendars/{calendar}?view=list&date=2030-05-01")).await.attrs("[data-post]", "data-post")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_persons_requests_alternate_between_two_instances() {
    let services = Services::start().await;
    let pair = two_instances(&services).await;
    let ada_a = sign_up(base(&pair.a), "Ada", "ada@example.com").await;
    let ada_b = ada_a.at(base(&pair.b));

    // Each instance serves what the other stored.
    let heron = upload(&ada_b, "heron.png", 1).await;
    let kingfisher = upload(&ada_a, "kingfisher.png", 2).await;
    ada_a.get(&format!("/images/{heron}")).await.assert_status(200);
    let original = ada_a.get(&format!("/media/{heron}/original")).await;
    original.assert_status(200);
    assert_eq!(original.bytes, art::png(1), "the original, byte for byte, from the other instance");
    ada_b.get(&format!("/media/{kingfisher}/thumb")).await.assert_status(200);

    let collection = new_collection(&ada_b, "Birds").await;
    ada_a.post(&format!("/collections/{collection}/images"), &[("ids", &heron), ("ids", &kingfisher)]).await;
    let calendar = new_calendar(&ada_a, "Main").await;
    let posts = fill(&ada_b, &ada_a, &calendar, &collection).await;
    assert_eq!(posts.len(), 2, "two pieces, two posts: {posts:?}");

    // Sent from both instances; each post reaches Publer exactly once.
    connect(&ada_a, &services, ADA_PUBLER, "pw-ada").await;
    send(&ada_b, &posts[0]).await;
    send(&ada_a, &posts[1]).await;
    until_all_scheduled(&pair, 2).await;
    assert_eq!(services.seen("/publer/posts/schedule").len(), 2, "each post scheduled once");
    assert_eq!(services.seen("/publer/media").len(), 2, "each post's artwork uploaded once");

    // The invitation's link comes in a message shown after the redirect,
    // which the other instance shows (it lives in the session).
    ada_b.get("/team").await;
    ada_b.post("/team/invites", &[("email", "bea@example.com"), ("role", "member")]).await.assert_redirect("/team");
    let flash = ada_a.get("/team").await.text(".flash");
    let at = flash.find("/invites/").unwrap_or_else(|| panic!("no link in: {flash}"));
    let token: String = flash[at + "/invites/".len()..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    let bea_a = Client::new(base(&pair.a));
    let bea_b = bea_a.at(base(&pair.b));
    assert!(bea_a.get(&format!("/invites/{token}")).await.text("#invitation").contains("Ada's studio"));
    bea_b.get(&format!("/signup?invite={token}")).await.assert_status(200);
    bea_a
        .post(
            "/signup",
            &[("name", "Bea"), ("email", "bea@example.com"), ("password", "correct horse battery"), ("invite", &token)],
        )
        .await
        .assert_redirect("/");
    assert_eq!(bea_b.get("/").await.text(".switcher-name"), "Ada's studio");
    let library = bea_a.get("/images").await;
    assert!(library.body.contains(&heron) && library.body.contains(&kingfisher), "Bea sees Ada's artwork");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_in_flood_over_both_instances_is_limited_as_one() {
    let services = Services::start().await;
    let pair = two_instances(&services).await;
    let on_a = Client::new(base(&pair.a));
    let on_b = on_a.at(base(&pair.b));
    on_a.get("/login").await.assert_status(200);
    let mut refused = 0;
    for n in 0..4 * SIGN_IN_LIMIT {
        let client = if n % 2 == 0 { &on_a } else { &on_b };
        let page = client.post("/login", &[("email", "ada@example.com"), ("password", "not the password")]).await;
        if page.status == 429 {
            refused += 1;
        }
    }
    assert_eq!(4 * SIGN_IN_LIMIT - refused, SIGN_IN_LIMIT, "the limit counts attempts on both instances together");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_whose_instance_is_killed_is_finished_once_by_the_other() {
    let services = Services::start().await;
    services.set(|s| s.job_end = JobEnd::KeepsWorking);
    let mut pair = two_instances(&services).await;
    let ada_a = sign_up(base(&pair.a), "Ada", "ada@example.com").await;
    let ada_b = ada_a.at(base(&pair.b));
    let calendar = new_calendar(&ada_b, "Main").await;
    let post = post_on(&ada_a, &calendar, "2030-05-09", "ready").await;
    connect(&ada_b, &services, ADA_PUBLER, "pw-ada").await;
    send(&ada_a, &post).await;

    // Publer holds the job as pending: the send sits at `polling`, leased.
    let mut holder = String::new();
    for _ in 0..1200 {
        let now = sends(&pair).await;
        if let [one] = now.as_slice()
            && one.contains("|sending|polling|")
            && !services.seen("/publer/job_status").is_empty()
        {
            holder = one.rsplit('|').next().unwrap_or_default().to_owned();
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(!holder.is_empty(), "the send never reached polling: {:?}", sends(&pair).await);
    let a_holds = holder.contains(&format!("(pid {})", pair.a.pid()));
    assert!(a_holds || holder.contains(&format!("(pid {})", pair.b.pid())), "held by one of them: {holder}");
    let (dead, survivor) = if a_holds { (&mut pair.a, &pair.b) } else { (&mut pair.b, &pair.a) };
    let survivor_pid = format!("(pid {})", survivor.pid());
    dead.kill();
    services.set(|s| s.job_end = JobEnd::Completes);

    let settled = until_all_scheduled(&pair, 1).await;
    assert!(settled[0].contains(&survivor_pid), "the survivor finished it: {settled:?}");
    assert_eq!(services.seen("/publer/posts/schedule").len(), 1, "the post reached Publer exactly once");
    assert!(
        survivor.log().contains("whose lease ran out"),
        "the survivor says it took the send over:\n{}",
        survivor.log()
    );
}

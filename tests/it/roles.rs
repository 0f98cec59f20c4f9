//! Roles everywhere: every route is in the permission table, and every
//! route answers every role as the table says.

use std::collections::BTreeSet;

use easel::tenancy::{Access, ROUTES, Role};

use crate::{
    calendars::new_calendar,
    collections::{new_collection, upload},
    harness::{Backend, Client, TestApp},
    isolation::snapshot,
    on_both_backends,
};

on_both_backends!(every_route_answers_every_role_as_the_table_says);

/// `.route("path", get(..).post(..))` calls, read from the source: a route
/// added without a line in the table fails here.
fn declared_routes() -> BTreeSet<(String, String)> {
    let mut found = BTreeSet::new();
    let mut stack = vec![std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/src"))];
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            stack.extend(std::fs::read_dir(&path).expect("dir").map(|e| e.expect("entry").path()));
            continue;
        }
        let source = std::fs::read_to_string(&path).unwrap_or_default();
        for chunk in source.split(".route(").skip(1) {
            let Some(rest) = chunk.trim_start().strip_prefix('"') else { continue };
            let Some(end) = rest.find('"') else { continue };
            let route = rest[..end].to_owned();
            // The handlers of this route: up to the closing parenthesis.
            let mut depth = 1;
            let call: String = rest[end..]
                .chars()
                .take_while(|c| {
                    match c {
                        '(' => depth += 1,
                        ')' => depth -= 1,
                        _ => {}
                    }
                    depth > 0
                })
                .collect();
            for (needle, method) in [("get(", "GET"), ("post(", "POST")] {
                if call.contains(needle) {
                    found.insert((method.to_owned(), route.clone()));
                }
            }
        }
    }
    found
}

#[test]
fn every_declared_route_is_in_the_permission_table() {
    let declared = declared_routes();
    let table: BTreeSet<(String, String)> = ROUTES.iter().map(|(m, p, _)| (m.to_string(), p.to_string())).collect();
    assert!(declared.len() > 50, "the scan found the routes: {declared:?}");
    let missing: Vec<_> = declared.difference(&table).collect();
    assert!(missing.is_empty(), "routes without a line in tenancy::ROUTES: {missing:?}");
    let stale: Vec<_> = table.difference(&declared).collect();
    assert!(stale.is_empty(), "lines in tenancy::ROUTES for routes that no longer exist: {stale:?}");
}

/// Real ids of one workspace, to put into the route templates.
pub struct Fixture {
    ids: Vec<(&'static str, String)>,
}

impl Fixture {
    pub fn path(&self, template: &str) -> String {
        let mut path = template.replace("{size}", "thumb").replace("{name}", "app.css").replace("{preset}", "portrait");
        let prefix = template.split('/').nth(1).unwrap_or_default();
        let main = match prefix {
            "images" | "media" => "image",
            "collections" => "collection",
            "calendars" => "calendar",
            "events" => "post",
            "caption-jobs" => "caption_job",
            "settings" if template.starts_with("/settings/exports/") => "export",
            "settings" => "hashtag_set",
            "team" if template.contains("invites") => "invitation",
            "workspaces" => "workspace",
            _ => "none",
        };
        for (key, value) in &self.ids {
            if *key == main {
                path = path.replace("{id}", value);
            }
            if *key == "image" {
                path = path.replace("{image_id}", value);
            }
            if *key == "post" {
                path = path.replace("{event_id}", value);
            }
            if *key == "target" {
                path = path.replace("{user_id}", value);
            }
        }
        path
    }
}

fn expires_tomorrow() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc() + time::Duration::hours(24)
}

pub async fn fixture(app: &TestApp, ada: &Client) -> Fixture {
    let workspace = ada.guards().page_workspace;
    ada.get("/settings/branding").await;
    ada.upload_as("/settings/branding/logo", "logo", &[("logo.png", crate::harness::art::png(7))])
        .await
        .assert_status(303);
    let image = upload(ada, "heron.png", 1).await;
    let collection = new_collection(ada, "Herons").await;
    ada.post(&format!("/collections/{collection}/images"), &[("ids", &image)]).await;
    let calendar = new_calendar(ada, "Main").await;
    ada.get(&format!("/calendars/{calendar}/posts/new")).await;
    let post = ada
        .post(
            &format!("/calendars/{calendar}/posts"),
            &[("date", "2030-05-01"), ("time", "09:00"), ("platform", "instagram"), ("status", "draft")],
        )
        .await
        .location()
        .expect("post")
        .trim_start_matches("/events/")
        .to_owned();
    ada.post(&format!("/events/{post}/images"), &[("ids", &image)]).await;
    ada.post("/settings/hashtags", &[("name", "Birds"), ("hashtags", "#birds")]).await;
    let settings = ada.get("/settings").await;
    let hashtag_set = settings.attrs(".set-list form", "action").pop().expect("set");
    let hashtag_set = hashtag_set.trim_start_matches("/settings/hashtags/").trim_end_matches("/delete").to_owned();
    ada.get("/team").await;
    ada.post("/team/invites", &[("email", "guest@example.com"), ("role", "viewer")]).await;
    let team = ada.get("/team").await;
    let invitation = team.attrs("form[action$='/revoke']", "action").pop().expect("invitation");
    let invitation = invitation.trim_start_matches("/team/invites/").trim_end_matches("/revoke").to_owned();
    app.signed_up("Tom", "tom@example.com").await;
    app.add_member(&workspace, "tom@example.com", "viewer").await;
    let team = ada.get("/team").await;
    let target = team
        .attrs("#members tr[data-member]", "data-member")
        .into_iter()
        .zip(team.texts("#members tr[data-member] td:nth-child(2)"))
        .find(|(_, email)| email == "tom@example.com")
        .map(|(id, _)| id)
        .expect("Tom");
    let export = crate::exports::put_export(app, &workspace, "ready", expires_tomorrow()).await.to_string();
    let caption_job = crate::bulk_captions::caption_job(ada, &[&post], "template", "unsaved").await;
    Fixture {
        ids: vec![
            ("export", export),
            ("caption_job", caption_job),
            ("image", image),
            ("collection", collection),
            ("calendar", calendar),
            ("post", post),
            ("hashtag_set", hashtag_set),
            ("invitation", invitation),
            ("workspace", workspace),
            ("target", target),
        ],
    }
}

async fn every_route_answers_every_role_as_the_table_says(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let workspace = ada.guards().page_workspace;
    let fixture = fixture(&app, &ada).await;
    let mut people = Vec::new();
    for (name, email, role) in [
        ("Ann", "ann@example.com", Role::Admin),
        ("Mel", "mel@example.com", Role::Member),
        ("Vic", "vic@example.com", Role::Viewer),
    ] {
        let client = app.signed_up(name, email).await;
        app.add_member(&workspace, email, role.as_str()).await;
        client.post("/workspaces/switch", &[("workspace_id", &workspace), ("back", "/")]).await;
        people.push((role, client));
    }
    let before = snapshot(&app, &[&workspace]).await;
    let mut checked = 0;
    for (method, template, access) in ROUTES {
        let (permission, refused) = match access {
            Access::Needs(permission) => (permission, 403),
            Access::Hidden(permission) => (permission, 404),
            _ => continue,
        };
        let path = fixture.path(template);
        for (role, client) in &people {
            // Allowed writes are the feature tests' business; sending them
            // here would change the fixture under the next checks.
            if role.can(*permission) && *method != "GET" {
                continue;
            }
            client.get("/").await;
            let page = match (*method, *template) {
                ("GET", _) => client.get(&path).await,
                (_, "/images") => client.upload(&path, &[]).await,
                _ => client.post(&path, &[]).await,
            };
            if role.can(*permission) {
                if *method == "GET" {
                    assert_eq!(page.status, 200, "{role:?} GET {path}");
                }
            } else {
                assert_eq!(page.status, refused, "{role:?} {method} {path} must be refused: {}", page.body);
            }
            checked += 1;
        }
    }
    let forbidden_pairs = ROUTES
        .iter()
        .filter_map(|(_, _, a)| if let Access::Needs(p) = a { Some(*p) } else { None })
        .flat_map(|p| [Role::Admin, Role::Member, Role::Viewer].into_iter().filter(move |r| !r.can(p)))
        .count();
    assert!(checked >= forbidden_pairs && forbidden_pairs >= 50, "walked {checked} pairs, {forbidden_pairs} forbidden");
    assert_eq!(snapshot(&app, &[&workspace]).await, before, "a forbidden request changes nothing");

    // A visitor who is not signed in is sent to sign in, never shown a page.
    let stranger = app.client();
    for (method, template, access) in ROUTES {
        if *method == "GET" && matches!(access, Access::Needs(_) | Access::Hidden(_) | Access::SignedIn) {
            let page = stranger.get(&fixture.path(template)).await;
            assert_eq!(page.status, 303, "GET {template}");
            assert!(page.location().is_some_and(|l| l.starts_with("/login")), "GET {template}");
        }
    }
}

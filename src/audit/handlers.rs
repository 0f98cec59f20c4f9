//! The audit log page.

use askama::Template;
use axum::{extract::Query, response::Response};
use serde::Deserialize;
use uuid::Uuid;

use super::{ACTIONS, queries};
use crate::{
    calendars::clock::{Clock, hhmm},
    error::AppResult,
    settings,
    tenancy::{Permission, Workspace},
    web::{Layout, page},
};

const PAGE_SIZE: i64 = 50;

#[derive(Deserialize, Default)]
pub struct AuditQuery {
    #[serde(default)]
    person: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    before: String,
}

#[derive(Template)]
#[template(path = "audit/index.html")]
struct AuditView {
    layout: Layout,
    rows: Vec<Row>,
    actors: Vec<(Uuid, String)>,
    person: String,
    action: String,
    next_page: Option<String>,
    time_zone: String,
}

struct Row {
    when: String,
    actor: String,
    action: &'static str,
    target: String,
    detail: String,
    ip: String,
}

pub async fn view_audit(ws: Workspace, layout: Layout, Query(q): Query<AuditQuery>) -> AppResult<Response> {
    ws.require(Permission::ManageSettings)?;
    let action = if ACTIONS.iter().any(|(a, _)| *a == q.action) { q.action.clone() } else { String::new() };
    let person = Uuid::parse_str(&q.person).ok();
    let mut tx = ws.read().await?;
    let time_zone = settings::queries::get(&mut tx).await?.time_zone;
    let mut entries = queries::page(&mut tx, person, &action, Uuid::parse_str(&q.before).ok(), PAGE_SIZE + 1).await?;
    let actors = queries::actors(&mut tx).await?;
    tx.commit().await?;
    let next_page = (entries.len() as i64 > PAGE_SIZE).then(|| {
        entries.truncate(PAGE_SIZE as usize);
        let last = entries.last().map(|e| e.id.to_string()).unwrap_or_default();
        format!("/audit?person={}&action={}&before={last}", q.person, action)
    });
    let clock = Clock::new(&time_zone);
    let rows = entries
        .into_iter()
        .map(|e| {
            let (date, time) = clock.local(e.created_at);
            Row {
                when: format!("{date} {}", hhmm(time)),
                actor: e.actor_name,
                action: super::label(&e.action),
                target: e.target,
                detail: e.detail,
                ip: e.ip,
            }
        })
        .collect();
    page(AuditView { layout, rows, actors, person: q.person, action, next_page, time_zone })
}

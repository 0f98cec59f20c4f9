//! `/notifications`: the list, opening one, marking all read.

use askama::Template;
use axum::{
    extract::{Path, Query},
    response::{IntoResponse, Redirect, Response},
};
use jiff::tz::TimeZone;
use serde::Deserialize;
use tower_sessions::Session;

use super::queries::{self, Notice};
use crate::{
    comments::timeline::local,
    error::{AppError, AppResult},
    settings,
    tenancy::{Permission, Workspace, notices},
    web::{Layout, flash, ids::parse_id, page, paging},
};

const PAGE_SIZE: u32 = 30;

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default, deserialize_with = "paging::page_number")]
    page: u32,
}

pub struct Row {
    pub notice: Notice,
    pub when: String,
}

#[derive(Template)]
#[template(path = "notifications/list.html")]
struct ListView {
    layout: Layout,
    rows: Vec<Row>,
    page: u32,
    more: bool,
}

pub async fn view_notifications(ws: Workspace, layout: Layout, Query(q): Query<ListQuery>) -> AppResult<Response> {
    ws.require(Permission::ViewContent)?;
    let mut tx = ws.read().await?;
    let zone_name = settings::queries::get(&mut tx).await?.time_zone;
    let zone = jiff::tz::db().get(&zone_name).unwrap_or(TimeZone::UTC);
    let offset = paging::offset(q.page, PAGE_SIZE);
    let mut found = queries::page(&mut tx, ws.user().id, i64::from(PAGE_SIZE), offset).await?;
    tx.commit().await?;
    let more = found.len() > PAGE_SIZE as usize;
    found.truncate(PAGE_SIZE as usize);
    let rows = found.into_iter().map(|notice| Row { when: local(notice.created_at, &zone), notice }).collect();
    page(ListView { layout, rows, page: q.page, more })
}

/// Marks the notice read and goes to what it is about.
pub async fn open_notification(ws: Workspace, Path(id): Path<String>) -> AppResult<Response> {
    ws.require(Permission::ViewContent)?;
    let id = parse_id(&id)?;
    let mut tx = ws.write().await?;
    let link = queries::open(&mut tx, ws.user().id, id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    // Links are written by Easel itself, always local; anything else goes home.
    let to =
        if link.starts_with('/') && !link.starts_with("//") && !link.starts_with("/\\") { link } else { "/".into() };
    Ok(Redirect::to(&to).into_response())
}

pub async fn read_all(ws: Workspace, session: Session) -> AppResult<Response> {
    ws.require(Permission::ViewContent)?;
    let mut tx = ws.write().await?;
    let marked = notices::mark_all_read(&mut tx, ws.user().id).await?;
    tx.commit().await?;
    let text = if marked == 1 {
        "1 notification marked read.".to_owned()
    } else {
        format!("{marked} notifications marked read.")
    };
    flash::success(&session, text).await?;
    Ok(Redirect::to("/notifications").into_response())
}

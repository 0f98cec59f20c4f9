//! The calendar list and a calendar's views.

use axum::{
    Form,
    extract::{Path, Query},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use time::OffsetDateTime;
use tower_sessions::Session;

use super::{
    COLOURS,
    clock::{Clock, parse_date},
    grid::{self, ViewKind},
    queries::{self, CalendarFields},
    tray,
    views::{CalendarForm, CalendarView, CalendarsView, FeedLine},
};
use crate::{
    audit,
    db::WorkspaceTx,
    error::{AppError, AppResult},
    posts::{platforms, queries as posts},
    settings,
    tenancy::{Permission, Workspace},
    web::{Layout, PageRead, flash, ids::parse_id, invalid_form, page},
};

#[derive(Deserialize, Default)]
pub struct ViewQuery {
    #[serde(default)]
    view: String,
    #[serde(default)]
    date: String,
    /// The library tray's search and collection.
    #[serde(default)]
    q: String,
    #[serde(default)]
    collection: String,
    /// The list view's review filter (`approved`, `internal`…), if any.
    #[serde(default)]
    review: String,
}

pub async fn view_calendars(ws: Workspace, layout: Layout) -> AppResult<Response> {
    ws.require(Permission::ViewContent)?;
    let mut tx = ws.read().await?;
    let calendars = queries::summaries(&mut tx, OffsetDateTime::now_utc()).await?;
    tx.commit().await?;
    let can_edit = ws.role().can(Permission::EditContent);
    page(CalendarsView { layout, calendars, can_edit, form: CalendarForm::default(), error: None })
}

/// A calendar's name, colour and platform, or what is wrong with them.
fn check(form: &CalendarForm) -> Result<CalendarFields<'_>, &'static str> {
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err("Give the calendar a name of up to 80 characters.");
    }
    if !COLOURS.iter().any(|(hex, _)| *hex == form.colour) {
        return Err("Choose one of the colours.");
    }
    if platforms::find(&form.default_platform).is_none() {
        return Err("Choose a platform from the list.");
    }
    Ok(CalendarFields { name, colour: &form.colour, default_platform: &form.default_platform })
}

pub async fn create_calendar(
    ws: Workspace,
    session: Session,
    layout: Layout,
    Form(form): Form<CalendarForm>,
) -> AppResult<Response> {
    ws.require(Permission::EditContent)?;
    let mut tx = ws.write().await?;
    let fields = match check(&form) {
        Ok(fields) => fields,
        Err(error) => {
            let calendars = queries::summaries(&mut tx, OffsetDateTime::now_utc()).await?;
            return invalid_form(CalendarsView { layout, calendars, can_edit: true, form, error: Some(error) });
        }
    };
    let id = queries::create(&mut tx, &fields).await?;
    tx.commit().await?;
    flash::success(&session, format!("Created the calendar {}.", fields.name)).await?;
    Ok(Redirect::to(&format!("/calendars/{id}")).into_response())
}

pub(super) async fn find(tx: &mut WorkspaceTx, raw_id: &str) -> AppResult<queries::Calendar> {
    let id = parse_id(raw_id)?;
    queries::get(tx, id).await?.ok_or(AppError::NotFound)
}

pub async fn view_calendar(
    ws: Workspace,
    PageRead { layout, mut tx }: PageRead,
    Path(id): Path<String>,
    Query(q): Query<ViewQuery>,
) -> AppResult<Response> {
    ws.require(Permission::ViewContent)?;
    let calendar = find(&mut tx, &id).await?;
    let view = render(&mut tx, &ws, layout, calendar, &q).await?;
    tx.commit().await?;
    page(view)
}

/// Builds the calendar page for the view and date asked for.
async fn render(
    tx: &mut WorkspaceTx,
    ws: &Workspace,
    layout: Layout,
    calendar: queries::Calendar,
    q: &ViewQuery,
) -> AppResult<CalendarView> {
    let time_zone = settings::queries::get(tx).await?.time_zone;
    let clock = Clock::new(&time_zone);
    let today = clock.today();
    let anchor = parse_date(&q.date).unwrap_or(today);
    let kind = ViewKind::parse(&q.view);
    let span = grid::span(kind, anchor);
    let only = posts::PostFilter { calendars: &[calendar.id], ..Default::default() };
    let (mut cards, more) = grid::posts_for(tx, (kind, &span), &clock, only).await?;
    let only = if kind == ViewKind::List { q.review.as_str() } else { "" };
    grid::review_states(&mut cards, ws.approval().is_on(), only);
    let days = grid::days(&span, kind, (anchor, today), &clock, cards, &more);
    let feeds = queries::feeds(tx, calendar.id).await?;
    let has_own_feed = feeds.iter().any(|f| f.created_by == Some(ws.user().id));
    let feeds = feeds.into_iter().map(feed_line).collect();
    let link = |date: jiff::civil::Date| format!("/calendars/{}?view={}&date={date}", calendar.id, kind.key());
    let can_edit = ws.role().can(Permission::EditContent);
    let tray_query = tray::TrayQuery { q: q.q.clone(), collection: q.collection.clone() };
    let tray = if can_edit { tray::load(tx, &tray_query, anchor.to_string()).await? } else { tray::Tray::default() };
    Ok(CalendarView {
        base: format!("/calendars/{}?", calendar.id),
        new_post_base: Some(format!("/calendars/{}/posts/new", calendar.id)),
        tray,
        previous: link(span.previous),
        next: link(span.next),
        title: span.title,
        layout,
        kind,
        days,
        time_zone,
        can_edit,
        feeds,
        has_own_feed,
        new_feed_url: None,
        settings_error: None,
        calendar,
        approval_on: ws.approval().is_on(),
        review_filter: q.review.clone(),
    })
}

fn feed_line(feed: queries::Feed) -> FeedLine {
    let maker = match (feed.maker_name, feed.maker_email) {
        (Some(name), Some(email)) => format!("{name} ({email})"),
        _ => "someone, before Easel recorded who".to_owned(),
    };
    FeedLine { token_hash: feed.token_hash, maker, made_on: feed.created_at.date().to_string() }
}

pub async fn save_calendar(
    ws: Workspace,
    session: Session,
    layout: Layout,
    Path(id): Path<String>,
    Form(form): Form<CalendarForm>,
) -> AppResult<Response> {
    ws.require(Permission::EditContent)?;
    let mut tx = ws.write().await?;
    let calendar = find(&mut tx, &id).await?;
    let fields = match check(&form) {
        Ok(fields) => fields,
        Err(error) => {
            let mut view = render(&mut tx, &ws, layout, calendar, &ViewQuery::default()).await?;
            view.settings_error = Some(error);
            return invalid_form(view);
        }
    };
    queries::update(&mut tx, calendar.id, &fields).await?;
    tx.commit().await?;
    flash::success(&session, "Calendar saved.").await?;
    Ok(Redirect::to(&format!("/calendars/{}", calendar.id)).into_response())
}

pub async fn delete_calendar(ws: Workspace, session: Session, Path(id): Path<String>) -> AppResult<Redirect> {
    ws.require(Permission::EditContent)?;
    let mut tx = ws.write().await?;
    let calendar = find(&mut tx, &id).await?;
    queries::delete(&mut tx, calendar.id).await?;
    audit::record(&mut tx, &ws, "calendar.deleted", &calendar.name, "").await?;
    tx.commit().await?;
    flash::success(&session, format!("Deleted the calendar {} and its posts.", calendar.name)).await?;
    Ok(Redirect::to("/calendars"))
}

/// Shows the calendar with a feed address that will not be shown again.
pub(super) async fn view_with_new_feed(
    ws: &Workspace,
    layout: Layout,
    calendar: queries::Calendar,
    feed_url: String,
) -> AppResult<Response> {
    let mut tx = ws.read().await?;
    let mut view = render(&mut tx, ws, layout, calendar, &ViewQuery::default()).await?;
    tx.commit().await?;
    view.new_feed_url = Some(feed_url);
    page(view)
}

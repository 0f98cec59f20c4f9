//! The list of a workspace's review links (`/review-links`, owners and
//! admins) with each one's scope, progress and state, and revoking one.

use axum::{
    extract::{Path, Query},
    response::{Redirect, Response},
};
use serde::Deserialize;
use time::OffsetDateTime;
use tower_sessions::Session;

use super::{
    queries::{self, Link, Standing},
    scope::{self, Scope},
    views::{CalendarChoice, LinkErrors, LinkForm, LinkRow, LinksView, Made},
};
use crate::{
    audit,
    calendars::{clock::Clock, queries as calendars},
    db::WorkspaceTx,
    error::{AppError, AppResult},
    settings,
    tenancy::{Permission, Workspace},
    web::{Layout, dates, flash, ids::parse_id, page, plural},
};

/// Who makes and revokes review links. Listed in `tenancy::ROUTES`.
pub const MAY_MANAGE: Permission = Permission::ManageSettings;

/// Days a link works unless told otherwise, and at most.
pub const DEFAULT_DAYS: i64 = 30;
pub const MAX_DAYS: i64 = 90;
/// The default range: the coming four weeks.
const DEFAULT_RANGE_DAYS: i64 = 27;

#[derive(Deserialize, Default)]
pub struct LinksQuery {
    #[serde(default)]
    calendar: String,
}

pub async fn view_links(ws: Workspace, layout: Layout, Query(q): Query<LinksQuery>) -> AppResult<Response> {
    ws.require(MAY_MANAGE)?;
    let mut tx = ws.read().await?;
    let clock = Clock::new(&settings::queries::get(&mut tx).await?.time_zone);
    let mut form = default_form(&clock);
    form.calendar = q.calendar.trim().to_owned();
    let view = links_view(&ws, &mut tx, layout, form, LinkErrors::default(), None).await?;
    tx.commit().await?;
    page(view)
}

/// A fresh form: a date range over the coming four weeks, 30 days to answer.
pub fn default_form(clock: &Clock) -> LinkForm {
    let today = clock.today();
    let end = today.checked_add(jiff::Span::new().days(DEFAULT_RANGE_DAYS)).unwrap_or(today);
    LinkForm {
        scope: "range".into(),
        starts_on: today.to_string(),
        ends_on: end.to_string(),
        expires_days: DEFAULT_DAYS.to_string(),
        ..LinkForm::default()
    }
}

/// The page: the list of links and the form (as given).
pub async fn links_view(
    ws: &Workspace,
    tx: &mut WorkspaceTx,
    layout: Layout,
    form: LinkForm,
    errors: LinkErrors,
    made: Option<Made>,
) -> AppResult<LinksView> {
    let clock = Clock::new(&settings::queries::get(tx).await?.time_zone);
    let calendars = calendars::all(tx).await?;
    let now = OffsetDateTime::now_utc();
    let mut links = Vec::new();
    for link in queries::list(tx).await? {
        let calendar = link.calendar_id.and_then(|id| calendars.iter().find(|c| c.id == id)).map(|c| c.name.clone());
        links.push(row(tx, &clock, &link, calendar, now).await?);
    }
    Ok(LinksView {
        layout,
        links,
        calendars: calendars.into_iter().map(|c| CalendarChoice { id: c.id, name: c.name }).collect(),
        form,
        errors,
        approval_on: ws.approval().is_on(),
        made,
    })
}

async fn row(
    tx: &mut WorkspaceTx,
    clock: &Clock,
    link: &Link,
    calendar: Option<String>,
    now: OffsetDateTime,
) -> AppResult<LinkRow> {
    let (approved, total) = scope::progress(tx, &Scope::of(link, clock)).await?;
    let scope = match (calendar, &link.starts_on, &link.ends_on) {
        (Some(name), Some(from), Some(to)) => format!("{name}: {} to {}", day(from), day(to)),
        _ => format!("{} picked", plural::count(total, "post", "posts")),
    };
    let maker = queries::person_name(tx, link.created_by).await?.unwrap_or_else(|| "someone who left".into());
    let moment = |at: OffsetDateTime| {
        let (date, time) = clock.local(at);
        dates::day_and_time(date, time)
    };
    let standing = link.standing(now);
    Ok(LinkRow {
        id: link.id,
        reviewer: link.reviewer_name.clone(),
        email: link.reviewer_email.clone(),
        scope,
        made: format!("{maker}, {}", moment(link.created_at)),
        expires: moment(link.expires_at),
        last_opened: link.last_opened_at.map_or_else(|| "Not yet".into(), moment),
        progress: format!("{approved} of {total} approved"),
        state: standing.label(),
        state_css: standing.css(),
        active: standing == Standing::Active,
    })
}

/// A stored local date as people read it.
fn day(raw: &str) -> String {
    raw.parse::<jiff::civil::Date>().map_or_else(|_| raw.to_owned(), dates::day)
}

pub async fn revoke_link(ws: Workspace, session: Session, Path(id): Path<String>) -> AppResult<Redirect> {
    ws.require(MAY_MANAGE)?;
    let id = parse_id(&id)?;
    let mut tx = ws.write().await?;
    let link = queries::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let revoked = queries::revoke(&mut tx, id).await?;
    if revoked > 0 {
        let what = format!("{} <{}>", link.reviewer_name, link.reviewer_email);
        audit::record(&mut tx, &ws, "review_link.revoked", &what, "").await?;
    }
    tx.commit().await?;
    let said = if revoked > 0 {
        format!("The review link for {} no longer works.", link.reviewer_name)
    } else {
        "That review link was already turned off.".into()
    };
    flash::success(&session, said).await?;
    Ok(Redirect::to("/review-links"))
}

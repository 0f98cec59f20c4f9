//! "Fill from a collection": a post for each chosen weekday and time in a
//! date range, each carrying the collection's next image not yet scheduled in
//! this calendar. Previewed first; confirmed in one transaction.

use std::collections::HashSet;

use askama::Template;
use axum::{
    extract::Path,
    http::StatusCode,
    response::{Html, IntoResponse, Redirect, Response},
};
use jiff::{ToSpan, civil::Date};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use tower_sessions::Session;
use uuid::Uuid;

use super::{
    clock::{Clock, hhmm, parse_date, parse_time},
    handlers::find,
    queries::Calendar,
    views::AutoscheduleView,
};
use crate::{
    collections::queries as collections,
    db::{WorkspaceTx, query::fetch_all},
    error::{AppError, AppResult},
    images::queries::ImageCard,
    posts::{
        platforms,
        queries::{self as posts, PostFields},
    },
    settings,
    tenancy::{Permission, Workspace},
    web::{Layout, flash, form::FormFields, invalid_form, page},
};

/// The most posts one fill may create.
const MAX_POSTS: usize = 500;

#[derive(Clone, Debug, Default)]
pub struct PlanForm {
    pub collection_id: String,
    pub start: String,
    pub end: String,
    pub weekdays: Vec<String>,
    pub times: String,
    pub platform: String,
    /// Create the posts ready to send instead of as drafts (each has artwork).
    pub make_ready: bool,
    /// Plan sold pieces too (they are left out unless asked).
    pub include_sold: bool,
}

pub struct PlannedPost {
    pub date: String,
    pub weekday: String,
    pub time: String,
    pub starts_at: OffsetDateTime,
    pub image: ImageCard,
}

/// A checked request: what to fill, and from what.
struct Request {
    collection: Uuid,
    slots: Vec<(Date, jiff::civil::Time)>,
    platform: String,
    include_sold: bool,
}

pub async fn view_form(ws: Workspace, layout: Layout, Path(id): Path<String>) -> AppResult<Response> {
    ws.require(Permission::EditContent)?;
    let mut tx = ws.read().await?;
    let calendar = find(&mut tx, &id).await?;
    let settings = settings::queries::get(&mut tx).await?;
    let today = Clock::new(&settings.time_zone).today();
    let form = PlanForm {
        collection_id: String::new(),
        start: today.to_string(),
        end: today.checked_add(27.days()).unwrap_or(today).to_string(),
        weekdays: (1..=7).map(|d| d.to_string()).collect(),
        times: settings.posting_times.replace(',', ", "),
        platform: calendar.default_platform.clone(),
        make_ready: false,
        include_sold: false,
    };
    let view = blank_view(&mut tx, layout, calendar, form, settings.time_zone).await?;
    tx.commit().await?;
    page(view)
}

async fn blank_view(
    tx: &mut WorkspaceTx,
    layout: Layout,
    calendar: Calendar,
    form: PlanForm,
    time_zone: String,
) -> AppResult<AutoscheduleView> {
    let collections = collections::all(tx).await?;
    Ok(AutoscheduleView {
        layout,
        calendar,
        collections,
        form,
        errors: Vec::new(),
        plan: None,
        fingerprint: String::new(),
        skipped: 0,
        sold_skipped: 0,
        time_zone,
    })
}

pub async fn submit(
    ws: Workspace,
    session: Session,
    layout: Layout,
    Path(id): Path<String>,
    fields: FormFields,
) -> AppResult<Response> {
    ws.require(Permission::EditContent)?;
    let form = PlanForm {
        collection_id: fields.get("collection_id").to_owned(),
        start: fields.get("start").to_owned(),
        end: fields.get("end").to_owned(),
        weekdays: fields.all("weekdays"),
        times: fields.get("times").to_owned(),
        platform: fields.get("platform").to_owned(),
        make_ready: fields.get("make_ready") == "1",
        include_sold: fields.get("include_sold") == "1",
    };
    let mut tx = ws.write().await?;
    let calendar = find(&mut tx, &id).await?;
    let time_zone = settings::queries::get(&mut tx).await?.time_zone;
    let clock = Clock::new(&time_zone);
    let request = match check(&form) {
        Ok(request) => request,
        Err(errors) => {
            let mut view = blank_view(&mut tx, layout, calendar, form, time_zone).await?;
            view.errors = errors;
            return invalid_form(view);
        }
    };
    // Another workspace's collection is not there: 404, as everywhere.
    collections::get(&mut tx, request.collection).await?.ok_or(AppError::NotFound)?;
    let (plan, skipped, sold_skipped) = make_plan(&mut tx, &clock, &calendar, &request).await?;
    let fingerprint = fingerprint(&plan);
    if fields.get("action") == "create" {
        if fields.get("fingerprint") != fingerprint {
            let mut view = blank_view(&mut tx, layout, calendar, form, time_zone).await?;
            view.errors = vec![
                "The collection or the calendar changed since the preview. Check the new preview, then confirm again.",
            ];
            view.plan = Some(plan);
            view.fingerprint = fingerprint;
            view.skipped = skipped;
            view.sold_skipped = sold_skipped;
            return Ok((StatusCode::CONFLICT, Html(view.render()?)).into_response());
        }
        if plan.is_empty() {
            return Err(AppError::bad_request("There is nothing to create: no free slot or no unscheduled image."));
        }
        // Every planned post carries its artwork, so each may start ready.
        let status = if form.make_ready { "ready" } else { "draft" };
        for planned in &plan {
            let fields = PostFields {
                starts_at: planned.starts_at,
                platform: &request.platform,
                caption: "",
                hashtags: "",
                notes: "",
                status,
            };
            let post = posts::insert(&mut tx, calendar.id, &fields, Some(ws.user().id)).await?;
            posts::add_images(&mut tx, post, &[planned.image.id]).await?;
        }
        tx.commit().await?;
        let made = if form.make_ready { "ready to send" } else { "as drafts" };
        flash::success(&session, format!("Created {} posts from the collection, {made}.", plan.len())).await?;
        let first = request.slots.first().map(|(d, _)| d.to_string()).unwrap_or_default();
        return Ok(Redirect::to(&format!("/calendars/{}?date={first}", calendar.id)).into_response());
    }
    let mut view = blank_view(&mut tx, layout, calendar, form, time_zone).await?;
    tx.commit().await?;
    view.plan = Some(plan);
    view.fingerprint = fingerprint;
    view.skipped = skipped;
    view.sold_skipped = sold_skipped;
    page(view)
}

fn check(form: &PlanForm) -> Result<Request, Vec<&'static str>> {
    let mut errors = Vec::new();
    let collection = Uuid::parse_str(form.collection_id.trim()).ok();
    if collection.is_none() {
        errors.push("Choose a collection.");
    }
    let (start, end) = (parse_date(&form.start), parse_date(&form.end));
    if start.is_none() || end.is_none() {
        errors.push("Enter real start and end dates.");
    }
    let days: HashSet<i8> =
        form.weekdays.iter().filter_map(|d| d.parse().ok()).filter(|d| (1..=7).contains(d)).collect();
    if days.is_empty() {
        errors.push("Choose at least one weekday.");
    }
    let times: Option<Vec<_>> = form.times.split([',', ' ']).filter(|t| !t.trim().is_empty()).map(parse_time).collect();
    let mut times = times.unwrap_or_default();
    times.sort();
    times.dedup();
    if times.is_empty() {
        errors.push("Give one or more times of day, such as 09:00, 18:00.");
    }
    if platforms::find(&form.platform).is_none() {
        errors.push("Choose a platform.");
    }
    let mut slots = Vec::new();
    if let (Some(start), Some(end)) = (start, end) {
        if end < start {
            errors.push("The end date must not be before the start date.");
        } else if start.until(end).map(|s| s.get_days()).unwrap_or(i32::MAX) > 366 {
            errors.push("Fill at most one year at a time.");
        } else {
            let mut date = start;
            while date <= end {
                if days.contains(&(date.weekday().to_monday_one_offset())) {
                    slots.extend(times.iter().map(|t| (date, *t)));
                }
                date = match date.tomorrow() {
                    Ok(next) => next,
                    Err(_) => break,
                };
            }
        }
    }
    match (errors.is_empty(), collection) {
        (true, Some(collection)) => {
            Ok(Request { collection, slots, platform: form.platform.clone(), include_sold: form.include_sold })
        }
        _ => Err(errors),
    }
}

/// Pairs future slots with the collection's images not yet in this
/// calendar, in collection order (sold pieces only when asked). Returns the
/// plan and how many images were skipped as already scheduled, and as sold.
async fn make_plan(
    tx: &mut WorkspaceTx,
    clock: &Clock,
    calendar: &Calendar,
    request: &Request,
) -> AppResult<(Vec<PlannedPost>, usize, usize)> {
    let mut members = collections::members(tx, request.collection).await?;
    let scheduled: HashSet<Uuid> = posts::scheduled_image_ids(tx, Some(calendar.id)).await?.into_iter().collect();
    let total = members.len();
    let mut sold_skipped = 0;
    if !request.include_sold {
        let sold: HashSet<Uuid> = sold_images(tx).await?.into_iter().collect();
        members.retain(|m| !sold.contains(&m.id));
        sold_skipped = total - members.len();
    }
    let free: Vec<ImageCard> = members
        .into_iter()
        .filter(|m| !scheduled.contains(&m.id))
        .map(|m| ImageCard { id: m.id, title: m.title, alt_text: m.alt_text, width: m.width, height: m.height })
        .collect();
    let skipped = total - sold_skipped - free.len();
    let now = OffsetDateTime::now_utc();
    let plan = request
        .slots
        .iter()
        .map(|(date, time)| (date, time, clock.instant(*date, *time)))
        .filter(|(_, _, at)| *at > now)
        .zip(free)
        .take(MAX_POSTS)
        .map(|((date, time, starts_at), image)| PlannedPost {
            date: date.to_string(),
            weekday: date.strftime("%a").to_string(),
            time: hhmm(*time),
            starts_at,
            image,
        })
        .collect();
    Ok((plan, skipped, sold_skipped))
}

/// The workspace's pieces marked sold.
async fn sold_images(tx: &mut WorkspaceTx) -> sqlx::Result<Vec<Uuid>> {
    let ws = tx.workspace_id();
    let rows: Vec<(Uuid,)> =
        fetch_all!(tx, (Uuid,), "SELECT id FROM images WHERE workspace_id = $1 AND availability = 'sold'", ws)?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// What the confirmation must match: every slot and its image.
fn fingerprint(plan: &[PlannedPost]) -> String {
    let mut hasher = Sha256::new();
    for p in plan {
        hasher.update(format!("{}|{}|{};", p.starts_at.unix_timestamp(), p.image.id, p.date).as_bytes());
    }
    hex::encode(&hasher.finalize()[..12])
}

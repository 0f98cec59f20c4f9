//! Planning a post from a piece of artwork: dropped on a day from the
//! library tray, the tray's "Plan…" form, or "Plan this" on the artwork page.

use axum::{
    Form,
    extract::Query,
    response::{IntoResponse, Redirect, Response},
};
use jiff::civil::{Date, Time};
use serde::Deserialize;
use tower_sessions::Session;
use uuid::Uuid;

use super::{
    clock::{Clock, hhmm, parse_date, parse_time},
    queries::{self as calendars, Calendar},
    views::PlanView,
};
use crate::{
    db::WorkspaceTx,
    error::{AppError, AppResult},
    images::queries::{self as images, Image},
    posts::queries::{self as posts, PostFields},
    settings,
    tenancy::{Permission, Workspace},
    web::{Layout, flash, ids::parse_id, invalid_form, page},
};

#[derive(Clone, Debug, Default, Deserialize)]
pub struct PlanForm {
    #[serde(default)]
    pub calendar: String,
    #[serde(default)]
    pub image: String,
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    pub time: String,
}

/// The time a post dropped on `date` takes: the first of the workspace's
/// posting times that the calendar has not used that day and that is still
/// ahead when the day is today; else the first posting time; else 09:00.
pub fn pick_time(posting_times: &str, taken: &[Time], now: Option<Time>) -> Time {
    let times: Vec<Time> = posting_times.split(',').filter_map(parse_time).collect();
    let free = times.iter().find(|t| !taken.contains(t) && now.is_none_or(|now| **t > now));
    free.or(times.first()).copied().unwrap_or(Time::constant(9, 0, 0, 0))
}

/// The artwork page's "Plan this" form (and its inline HTMX version).
pub async fn view_form(ws: Workspace, layout: Layout, Query(form): Query<PlanForm>) -> AppResult<Response> {
    ws.require(Permission::EditContent)?;
    let mut tx = ws.glance().await?;
    // Without a piece named, the page says where to choose one.
    let image = match form.image.trim() {
        "" => None,
        raw => Some(image(&mut tx, raw).await?),
    };
    let clock = Clock::new(&settings::queries::get(&mut tx).await?.time_zone);
    let form = PlanForm { date: clock.today().to_string(), ..form };
    let view = plan_view(&mut tx, layout, image, form, None).await?;
    tx.commit().await?;
    page(view)
}

async fn plan_view(
    tx: &mut WorkspaceTx,
    layout: Layout,
    image: Option<Image>,
    form: PlanForm,
    error: Option<&'static str>,
) -> AppResult<PlanView> {
    let calendars = calendars::all(tx).await?;
    let time_zone = settings::queries::get(tx).await?.time_zone;
    Ok(PlanView { layout, image, calendars, form, error, time_zone })
}

async fn image(tx: &mut WorkspaceTx, raw: &str) -> AppResult<Image> {
    images::get(tx, parse_id(raw)?).await?.ok_or(AppError::NotFound)
}

async fn calendar(tx: &mut WorkspaceTx, raw: &str) -> AppResult<Calendar> {
    calendars::get(tx, parse_id(raw)?).await?.ok_or(AppError::NotFound)
}

/// Creates a draft post with the artwork, on the calendar's platform, and
/// opens it. Another workspace's calendar or image is a 404, nothing made.
pub async fn create(
    ws: Workspace,
    session: Session,
    layout: Layout,
    Form(form): Form<PlanForm>,
) -> AppResult<Response> {
    ws.require(Permission::EditContent)?;
    let mut tx = ws.write().await?;
    let image = image(&mut tx, &form.image).await?;
    let calendar = calendar(&mut tx, &form.calendar).await?;
    let settings = settings::queries::get(&mut tx).await?;
    let clock = Clock::new(&settings.time_zone);
    let (date, time) = match checked(&form) {
        Ok(found) => found,
        Err(error) => return invalid_form(plan_view(&mut tx, layout, Some(image), form, Some(error)).await?),
    };
    let time = match time {
        Some(time) => time,
        None => {
            let taken = taken_times(&mut tx, &clock, calendar.id, date).await?;
            let now = clock.local(time::OffsetDateTime::now_utc());
            pick_time(&settings.posting_times, &taken, (now.0 == date).then_some(now.1))
        }
    };
    let fields = PostFields {
        starts_at: clock.instant(date, time),
        platform: &calendar.default_platform,
        caption: "",
        hashtags: "",
        notes: "",
        status: "draft",
    };
    let id = posts::insert(&mut tx, calendar.id, &fields, Some(ws.user().id)).await?;
    posts::add_images(&mut tx, id, &[image.id]).await?;
    tx.commit().await?;
    let when = crate::web::dates::day(date);
    let message = format!("Planned “{}” on {} for {when} at {}.", image.title, calendar.name, hhmm(time));
    flash::success(&session, message).await?;
    Ok(Redirect::to(&format!("/events/{id}")).into_response())
}

/// The date, and the time when one was given.
fn checked(form: &PlanForm) -> Result<(Date, Option<Time>), &'static str> {
    let date = parse_date(&form.date).ok_or("Choose a real date for the post.")?;
    if form.time.trim().is_empty() {
        return Ok((date, None));
    }
    let time = parse_time(&form.time).ok_or("Enter a time such as 09:30, or leave it blank.")?;
    Ok((date, Some(time)))
}

/// The local times of the calendar's posts on `date`.
async fn taken_times(tx: &mut WorkspaceTx, clock: &Clock, calendar: Uuid, date: Date) -> AppResult<Vec<Time>> {
    let after = date.tomorrow().unwrap_or(date);
    let cards = posts::cards_between(tx, Some(calendar), clock.start_of(date), clock.start_of(after)).await?;
    Ok(cards.iter().map(|c| clock.local(c.starts_at).1).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(raw: &str) -> Time {
        parse_time(raw).expect("time")
    }

    #[test]
    fn the_next_free_posting_time_is_taken() {
        assert_eq!(pick_time("09:00,18:30", &[], None), t("09:00"));
        assert_eq!(pick_time("09:00,18:30", &[t("09:00")], None), t("18:30"));
        assert_eq!(pick_time("09:00,18:30", &[], Some(t("12:00"))), t("18:30"), "09:00 has passed today");
        assert_eq!(pick_time("09:00,18:30", &[t("09:00"), t("18:30")], None), t("09:00"), "all used: the first");
        assert_eq!(pick_time("", &[], None), t("09:00"));
    }
}

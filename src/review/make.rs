//! Making a review link: the form (also reached from the calendar's bulk
//! bar with the selected posts), its checks, the link stored with only its
//! token's hash, shown once, and mailed to the reviewer at once.

use axum::{extract::State, response::Response};
use jiff::civil::Date;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::{
    links::{MAX_DAYS, MAY_MANAGE, default_form, links_view},
    queries::{self, NewLink},
    views::{LinkErrors, LinkForm, Made, PickedPost},
};
use crate::{
    audit,
    auth::normalize_email,
    calendars::{clock::Clock, queries as calendars},
    db::WorkspaceTx,
    error::{AppError, AppResult},
    posts::{platforms, queries as posts},
    settings,
    state::AppState,
    tenancy::{Workspace, address},
    web::{Layout, clean_name, dates, form::FormFields, invalid_form, page, tokens},
};

/// The longest date range a link may cover.
const MAX_RANGE_DAYS: i32 = 366;

/// The bulk bar's "Make a review link": the form with the selected posts.
pub async fn view_picked(ws: Workspace, layout: Layout, fields: FormFields) -> AppResult<Response> {
    ws.require(MAY_MANAGE)?;
    let ids = fields.bounded_ids("post")?;
    let mut tx = ws.read().await?;
    let clock = Clock::new(&settings::queries::get(&mut tx).await?.time_zone);
    let mut form = default_form(&clock);
    form.picked = picked(&mut tx, &clock, &ids).await?;
    if !form.picked.is_empty() {
        form.scope = "posts".into();
    }
    let view = links_view(&ws, &mut tx, layout, form, LinkErrors::default(), None).await?;
    tx.commit().await?;
    page(view)
}

/// The posts named, each of this workspace (else 404), for the form.
async fn picked(tx: &mut WorkspaceTx, clock: &Clock, ids: &[Uuid]) -> AppResult<Vec<PickedPost>> {
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let post = posts::get(tx, *id).await?.ok_or(AppError::NotFound)?;
        let (date, time) = clock.local(post.starts_at);
        let caption: String = post.caption.lines().next().unwrap_or_default().chars().take(60).collect();
        let caption = if caption.is_empty() { "(no caption yet)".to_owned() } else { caption };
        let label = format!("{} · {} · {caption}", dates::day_and_time(date, time), platforms::label(&post.platform));
        out.push(PickedPost { id: *id, label });
    }
    Ok(out)
}

/// What a valid form asks for.
struct Asked {
    name: String,
    email: String,
    range: Option<(Uuid, String, String)>,
    posts: Vec<Uuid>,
    days: i64,
}

pub async fn create_link(
    State(state): State<AppState>,
    ws: Workspace,
    layout: Layout,
    fields: FormFields,
) -> AppResult<Response> {
    ws.require(MAY_MANAGE)?;
    let ids = fields.bounded_ids("post")?;
    let mut tx = ws.write().await?;
    let clock = Clock::new(&settings::queries::get(&mut tx).await?.time_zone);
    let mut form = form_of(&fields);
    form.picked = picked(&mut tx, &clock, &ids).await?;
    let asked = match check(&mut tx, &form, &ids).await? {
        Ok(asked) => asked,
        Err(errors) => {
            let view = links_view(&ws, &mut tx, layout, form, errors, None).await?;
            drop(tx);
            return invalid_form(view);
        }
    };
    let (token, token_hash) = tokens::new_token();
    let expires_at = OffsetDateTime::now_utc() + Duration::days(asked.days);
    let link = NewLink {
        reviewer_name: &asked.name,
        reviewer_email: &asked.email,
        range: asked.range.clone(),
        posts: &asked.posts,
        created_by: ws.user().id,
        expires_at,
    };
    queries::insert(&mut tx, &link, &token_hash).await?;
    let what = format!("{} <{}>", asked.name, asked.email);
    audit::record(&mut tx, &ws, "review_link.created", &what, &format!("{} days", asked.days)).await?;
    let display = settings::queries::get(&mut tx).await?.display_name;
    let display = if display.trim().is_empty() { ws.name().to_owned() } else { display };
    tx.commit().await?;
    let url = format!("{}/review/{token}", address::base_url_of(&state, ws.id()).await?);
    let (date, time) = clock.local(expires_at);
    let mailed = mail(&state, &ws, &asked, &display, &url, &dates::day_and_time(date, time)).await;
    let made = Made { url, reviewer: asked.name, email: asked.email, mailed };
    let mut tx = ws.read().await?;
    let view = links_view(&ws, &mut tx, layout, default_form(&clock), LinkErrors::default(), Some(made)).await?;
    tx.commit().await?;
    page(view)
}

fn form_of(fields: &FormFields) -> LinkForm {
    LinkForm {
        reviewer_name: fields.get("reviewer_name").to_owned(),
        reviewer_email: fields.get("reviewer_email").to_owned(),
        scope: fields.get("scope").to_owned(),
        calendar: fields.get("calendar").to_owned(),
        starts_on: fields.get("starts_on").trim().to_owned(),
        ends_on: fields.get("ends_on").trim().to_owned(),
        expires_days: fields.get("expires_days").trim().to_owned(),
        picked: Vec::new(),
    }
}

/// The form's checks: every field's message at once, or what it asks for.
/// A calendar of another workspace is a 404, as everywhere.
async fn check(tx: &mut WorkspaceTx, form: &LinkForm, ids: &[Uuid]) -> AppResult<Result<Asked, LinkErrors>> {
    let mut errors = LinkErrors::default();
    let name = clean_name(&form.reviewer_name, "Enter the reviewer's name.").map_err(|e| e.to_owned());
    let email = normalize_email(&form.reviewer_email).map_err(|e| match e {
        "Enter your email address." => "Enter the reviewer's email address.".to_owned(),
        other => other.to_owned(),
    });
    let days = match form.expires_days.parse::<i64>() {
        Ok(d) if (1..=MAX_DAYS).contains(&d) => Ok(d),
        _ => Err(format!("Choose from 1 to {MAX_DAYS} days.")),
    };
    let mut range = None;
    match form.scope.as_str() {
        "range" => match range_of(tx, form).await? {
            Ok(r) => range = Some(r),
            Err(why) => errors.scope = Some(why),
        },
        "posts" if ids.is_empty() => {
            errors.scope = Some("Pick at least one post (select them on the calendar).".into());
        }
        "posts" => {}
        _ => errors.scope = Some("Choose a calendar and dates, or hand-picked posts.".into()),
    }
    errors.reviewer_name = name.as_ref().err().cloned();
    errors.reviewer_email = email.as_ref().err().cloned();
    errors.expires_days = days.as_ref().err().cloned();
    let (Ok(name), Ok(email), Ok(days), false) = (name, email, days, errors.any()) else {
        return Ok(Err(errors));
    };
    let posts = if range.is_some() { Vec::new() } else { ids.to_vec() };
    Ok(Ok(Asked { name, email, range, posts, days }))
}

/// A calendar of this workspace (else 404) and a sensible date range.
async fn range_of(tx: &mut WorkspaceTx, form: &LinkForm) -> AppResult<Result<(Uuid, String, String), String>> {
    if form.calendar.trim().is_empty() {
        return Ok(Err("Choose the calendar to review.".into()));
    }
    let id = crate::web::ids::parse_id(&form.calendar)?;
    let calendar = calendars::get(tx, id).await?.ok_or(AppError::NotFound)?;
    let (Ok(from), Ok(to)) = (form.starts_on.parse::<Date>(), form.ends_on.parse::<Date>()) else {
        return Ok(Err("Enter both dates, such as 2026-12-01.".into()));
    };
    if to < from {
        return Ok(Err("The last day comes before the first.".into()));
    }
    let span = from.until(to).map(|s| s.get_days()).unwrap_or(i32::MAX);
    if span >= MAX_RANGE_DAYS {
        return Ok(Err(format!("Choose at most {MAX_RANGE_DAYS} days.")));
    }
    Ok(Ok((calendar.id, from.to_string(), to.to_string())))
}

/// Mails the link to the reviewer; false when it could not be sent (the
/// page then says to pass it on).
async fn mail(state: &AppState, ws: &Workspace, asked: &Asked, display: &str, url: &str, until: &str) -> bool {
    let maker = &ws.user().name;
    let subject = format!("{maker} asks you to review posts for {display}");
    let body = format!(
        "Hello {},\n\n{maker} would like you to review the planned posts for {display}.\n\n\
         Open them here (no account needed):\n{url}\n\n\
         You can approve each post, ask for changes, or comment. The link works until {until}.\n\
         If you did not expect this mail, you can ignore it.\n",
        asked.name
    );
    match state.mailer.send(&asked.email, &subject, body).await {
        Ok(()) => true,
        Err(err) => {
            tracing::warn!(error = %err, "a review link mail could not be sent");
            false
        }
    }
}

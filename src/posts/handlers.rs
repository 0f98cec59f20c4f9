//! The post editor's pages and actions.

use axum::{
    Form,
    extract::{Path, RawQuery},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use tower_sessions::Session;
use uuid::Uuid;

use super::{
    platforms::{self, normalize_hashtags},
    queries::{self, Post, PostFields, STATUSES},
    unsaved,
    views::{PostErrors, PostForm, PostView},
};
use crate::{
    approvals, audit,
    calendars::{
        clock::{Clock, hhmm, parse_date, parse_time},
        queries::{self as calendars, Calendar},
    },
    db::WorkspaceTx,
    error::{AppError, AppResult},
    settings,
    tenancy::{Permission, Workspace, approval},
    web::{Layout, PageRead, flash, form::FormFields, ids::parse_id, invalid_form, page},
};

#[derive(Deserialize)]
pub struct MoveForm {
    #[serde(default)]
    date: String,
    #[serde(default)]
    pub(super) direction: String,
}

async fn calendar(tx: &mut WorkspaceTx, raw_id: &str) -> AppResult<Calendar> {
    calendars::get(tx, parse_id(raw_id)?).await?.ok_or(AppError::NotFound)
}

pub(super) async fn post(tx: &mut WorkspaceTx, raw_id: &str) -> AppResult<Post> {
    queries::get(tx, parse_id(raw_id)?).await?.ok_or(AppError::NotFound)
}

async fn clock(tx: &mut WorkspaceTx) -> AppResult<(Clock, settings::queries::Settings)> {
    let settings = settings::queries::get(tx).await?;
    Ok((Clock::new(&settings.time_zone), settings))
}

/// What the editor works with from the workspace's settings.
struct Desk {
    clock: Clock,
    settings: settings::queries::Settings,
    sets: Vec<settings::queries::HashtagSet>,
}

async fn desk(tx: &mut WorkspaceTx) -> AppResult<Desk> {
    let (settings, sets) = settings::queries::with_hashtag_sets(tx).await?;
    Ok(Desk { clock: Clock::new(&settings.time_zone), settings, sets })
}

/// Everything the editor shows besides the form itself.
async fn editor(
    tx: &mut WorkspaceTx,
    desk: Desk,
    layout: Layout,
    calendar: Calendar,
    post: Option<&Post>,
    form: PostForm,
    errors: PostErrors,
) -> AppResult<PostView> {
    let post_id = post.map(|p| p.id);
    let (images, sold) = match post_id {
        Some(id) => queries::images_and_sold(tx, id).await?,
        None => (Vec::new(), Vec::new()),
    };
    let Desk { settings: settings::queries::Settings { time_zone, .. }, sets: hashtag_sets, .. } = desk;
    let publer = match post_id {
        Some(id) => crate::publer::queries::send(tx, id).await?,
        None => None,
    };
    let suggestion = post.and_then(Post::suggestion);
    let can_edit = layout.can_edit();
    let super::views::Around { ai_ready, account_name } = super::views::around(tx, calendar.id, &form.platform).await?;
    let review = match (post_id, layout.active.as_ref()) {
        (Some(id), Some(active)) => {
            crate::approvals::panel::load(tx, layout.approval, active.role, id, !layout.suspended && !layout.moving)
                .await?
        }
        _ => None,
    };
    let timeline = match post_id {
        Some(id) => crate::comments::timeline::load(tx, id, &layout, &time_zone).await?,
        None => crate::comments::Timeline::default(),
    };
    Ok(PostView {
        layout,
        post_id,
        neighbours: (None, None),
        calendar,
        form,
        errors,
        images,
        hashtag_sets,
        can_edit,
        time_zone,
        move_error: None,
        ai_ready,
        caption_note: None,
        caption_error: None,
        publer,
        sold,
        suggestion,
        account_name,
        review,
        timeline,
    })
}

/// The new-post editor; fields and chosen artwork in the query come back
/// from the picker of the unsaved post.
pub async fn view_new_post(
    ws: Workspace,
    layout: Layout,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> AppResult<Response> {
    ws.require(Permission::EditContent)?;
    let fields = FormFields::parse(raw.as_deref().unwrap_or("").as_bytes());
    let mut tx = ws.read().await?;
    let calendar = calendar(&mut tx, &id).await?;
    let desk = desk(&mut tx).await?;
    let typed = unsaved::post_form(&fields)?;
    let date = parse_date(&typed.date).unwrap_or_else(|| desk.clock.today());
    let or = |typed: String, default: &str| if typed.is_empty() { default.to_owned() } else { typed };
    let form = PostForm {
        date: date.to_string(),
        time: or(typed.time, desk.settings.posting_times.split(',').next().unwrap_or("09:00")),
        platform: or(typed.platform, &calendar.default_platform),
        status: or(typed.status, "draft"),
        ..typed
    };
    let chosen = unsaved::chosen(&mut tx, &fields).await?;
    let mut view = editor(&mut tx, desk, layout, calendar, None, form, PostErrors::default()).await?;
    view.images = chosen;
    tx.commit().await?;
    page(view)
}

/// The form checked, with a chosen hashtag set merged in.
fn check(
    form: &mut PostForm,
    sets: &[settings::queries::HashtagSet],
    clock: &Clock,
) -> Result<PostFieldsOwned, PostErrors> {
    let mut errors = PostErrors::default();
    let date = parse_date(&form.date);
    if date.is_none() {
        errors.date = Some("Enter a real date.");
    }
    let time = parse_time(&form.time);
    if time.is_none() {
        errors.time = Some("Enter a time such as 09:30.");
    }
    if platforms::find(&form.platform).is_none() {
        errors.platform = Some("Choose a platform.");
    }
    if !STATUSES.iter().any(|(k, _)| *k == form.status) {
        errors.status = Some("Choose a status.");
    }
    if let Some(set) = sets.iter().find(|s| s.id.to_string() == form.add_hashtag_set) {
        form.hashtags = format!("{} {}", form.hashtags, set.hashtags);
    }
    form.hashtags = normalize_hashtags(&form.hashtags);
    form.add_hashtag_set.clear();
    if form.caption.chars().count() > 10_000 {
        errors.caption = Some("Keep the caption under 10,000 characters.");
    }
    if form.hashtags.chars().count() > 3_000 {
        errors.hashtags = Some("Keep the hashtags under 3,000 characters.");
    }
    if form.notes.chars().count() > 5_000 {
        errors.notes = Some("Keep the notes under 5,000 characters.");
    }
    match (date, time, errors.any()) {
        (Some(date), Some(time), false) => Ok(PostFieldsOwned {
            starts_at: clock.instant(date, time),
            platform: form.platform.clone(),
            caption: form.caption.trim().to_owned(),
            hashtags: form.hashtags.clone(),
            notes: form.notes.trim().to_owned(),
            status: form.status.clone(),
        }),
        _ => Err(errors),
    }
}

struct PostFieldsOwned {
    starts_at: time::OffsetDateTime,
    platform: String,
    caption: String,
    hashtags: String,
    notes: String,
    status: String,
}

impl PostFieldsOwned {
    fn fields(&self) -> PostFields<'_> {
        PostFields {
            starts_at: self.starts_at,
            platform: &self.platform,
            caption: &self.caption,
            hashtags: &self.hashtags,
            notes: &self.notes,
            status: &self.status,
        }
    }
}

pub async fn create_post(
    ws: Workspace,
    session: Session,
    layout: Layout,
    Path(id): Path<String>,
    fields: FormFields,
) -> AppResult<Response> {
    ws.require(Permission::EditContent)?;
    let mut form = unsaved::post_form(&fields)?;
    let mut tx = ws.write().await?;
    let calendar = calendar(&mut tx, &id).await?;
    // Artwork chosen before the first save: another workspace's piece is a 404.
    let chosen = unsaved::chosen(&mut tx, &fields).await?;
    let desk = desk(&mut tx).await?;
    let checked = match check(&mut form, &desk.sets, &desk.clock) {
        Ok(checked) => checked,
        Err(errors) => {
            let mut view = editor(&mut tx, desk, layout, calendar, None, form, errors).await?;
            view.images = chosen;
            return invalid_form(view);
        }
    };
    let id = queries::insert(&mut tx, calendar.id, &checked.fields(), Some(ws.user().id)).await?;
    let ids: Vec<Uuid> = chosen.iter().map(|c| c.id).collect();
    queries::add_images(&mut tx, id, &ids).await?;
    tx.commit().await?;
    let message =
        if ids.is_empty() { "Post created. Add artwork to it below." } else { "Post created with its artwork." };
    flash::success(&session, message).await?;
    Ok(Redirect::to(&format!("/events/{id}")).into_response())
}

pub async fn view_post(
    ws: Workspace,
    PageRead { layout, mut tx }: PageRead,
    Path(id): Path<String>,
) -> AppResult<Response> {
    ws.require(Permission::ViewContent)?;
    let opened = queries::opened(&mut tx, parse_id(&id)?).await?.ok_or(AppError::NotFound)?;
    let calendar = opened.calendar();
    let mut view = saved_editor(&mut tx, layout, opened.post, calendar).await?;
    view.neighbours = (opened.previous, opened.next);
    tx.commit().await?;
    page(view)
}

/// The editor showing the post as it is stored.
async fn saved_editor(tx: &mut WorkspaceTx, layout: Layout, post: Post, calendar: Calendar) -> AppResult<PostView> {
    let desk = desk(tx).await?;
    let (date, time) = desk.clock.local(post.starts_at);
    let form = PostForm {
        date: date.to_string(),
        time: hhmm(time),
        platform: post.platform.clone(),
        caption: post.caption.clone(),
        hashtags: post.hashtags.clone(),
        notes: post.notes.clone(),
        status: post.status.clone(),
        add_hashtag_set: String::new(),
    };
    editor(tx, desk, layout, calendar, Some(&post), form, PostErrors::default()).await
}

/// The editor of a saved post showing unsaved edits (such as a caption
/// just written for the person to review).
pub(crate) async fn unsaved_editor(
    tx: &mut WorkspaceTx,
    layout: Layout,
    post: &Post,
    form: PostForm,
) -> AppResult<PostView> {
    let calendar = calendars::get(tx, post.calendar_id).await?.ok_or(AppError::NotFound)?;
    let desk = desk(tx).await?;
    editor(tx, desk, layout, calendar, Some(post), form, PostErrors::default()).await
}

pub async fn save_post(
    ws: Workspace,
    session: Session,
    layout: Layout,
    Path(id): Path<String>,
    Form(mut form): Form<PostForm>,
) -> AppResult<Response> {
    ws.require(Permission::EditContent)?;
    let mut tx = ws.write().await?;
    let post = post(&mut tx, &id).await?;
    let calendar = calendars::get(&mut tx, post.calendar_id).await?.ok_or(AppError::NotFound)?;
    let desk = desk(&mut tx).await?;
    let fields = match check(&mut form, &desk.sets, &desk.clock) {
        Ok(fields) => fields,
        Err(errors) => {
            return invalid_form(editor(&mut tx, desk, layout, calendar, Some(&post), form, errors).await?);
        }
    };
    queries::update(&mut tx, post.id, &fields.fields()).await?;
    approval::record_status(&mut tx, post.id, &post.status, &fields.status, &approval::Reviewer::member(&ws)).await?;
    approvals::after_edit(&mut tx, &ws, &[post.id]).await?;
    tx.commit().await?;
    flash::success(&session, "Post saved.").await?;
    Ok(Redirect::to(&format!("/events/{}", post.id)).into_response())
}

pub async fn duplicate_post(ws: Workspace, session: Session, Path(id): Path<String>) -> AppResult<Redirect> {
    ws.require(Permission::EditContent)?;
    let mut tx = ws.write().await?;
    let post = post(&mut tx, &id).await?;
    let images: Vec<Uuid> = queries::images(&mut tx, post.id).await?.into_iter().map(|i| i.id).collect();
    let fields = PostFields {
        starts_at: post.starts_at,
        platform: &post.platform,
        caption: &post.caption,
        hashtags: &post.hashtags,
        notes: &post.notes,
        status: "draft",
    };
    let copy = queries::insert(&mut tx, post.calendar_id, &fields, Some(ws.user().id)).await?;
    queries::add_images(&mut tx, copy, &images).await?;
    tx.commit().await?;
    flash::success(&session, "This is the copy, saved as a draft.").await?;
    Ok(Redirect::to(&format!("/events/{copy}")))
}

pub async fn delete_post(ws: Workspace, session: Session, Path(id): Path<String>) -> AppResult<Redirect> {
    ws.require(Permission::EditContent)?;
    let mut tx = ws.write().await?;
    let post = post(&mut tx, &id).await?;
    queries::delete(&mut tx, post.id).await?;
    let when = post.starts_at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
    audit::record(&mut tx, &ws, "post.deleted", &format!("{} post at {when}", platforms::label(&post.platform)), "")
        .await?;
    tx.commit().await?;
    flash::success(&session, "Post deleted.").await?;
    Ok(Redirect::to(&format!("/calendars/{}", post.calendar_id)))
}

/// Moves a post to another day at the same local time (drag and drop, or
/// the date field without JavaScript).
pub async fn move_post(
    ws: Workspace,
    session: Session,
    layout: Layout,
    Path(id): Path<String>,
    Form(form): Form<MoveForm>,
) -> AppResult<Response> {
    ws.require(Permission::EditContent)?;
    let mut tx = ws.write().await?;
    let post = post(&mut tx, &id).await?;
    let Some(date) = parse_date(&form.date) else {
        let calendar = calendars::get(&mut tx, post.calendar_id).await?.ok_or(AppError::NotFound)?;
        let mut view = saved_editor(&mut tx, layout, post, calendar).await?;
        view.move_error = Some("Choose a real date to move the post to.");
        return invalid_form(view);
    };
    let (clock, _) = clock(&mut tx).await?;
    let (_, time) = clock.local(post.starts_at);
    queries::reschedule(&mut tx, post.id, clock.instant(date, time)).await?;
    approvals::after_edit(&mut tx, &ws, &[post.id]).await?;
    tx.commit().await?;
    flash::success(&session, format!("Moved to {date} at {}.", hhmm(time))).await?;
    Ok(Redirect::to(&format!("/calendars/{}?date={date}", post.calendar_id)).into_response())
}

//! Writing, editing and deleting comments: plain forms that come back to
//! the post, or the timeline swapped in place for HTMX.

use askama::Template;
use axum::{
    Form,
    extract::Path,
    http::{HeaderMap, StatusCode},
    response::{Html, IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use tower_sessions::Session;
use uuid::Uuid;

use super::{
    queries::{self, Visibility},
    timeline::{self, MAX_BODY, Timeline},
};
use crate::{
    db::WorkspaceTx,
    error::{AppError, AppResult},
    settings,
    tenancy::{Permission, Role, Workspace, approval::Reviewer, notices},
    web::{Layout, flash, ids::parse_id},
};

#[derive(Deserialize)]
pub struct CommentForm {
    #[serde(default, deserialize_with = "crate::web::text::lines")]
    body: String,
    #[serde(default)]
    visibility: String,
}

/// The timeline alone, for HTMX.
#[derive(Template)]
#[template(path = "comments/timeline_fragment.html")]
struct TimelineFragment {
    layout: Layout,
    timeline: Timeline,
}

/// A refused comment without JavaScript: the form again, with why.
#[derive(Template)]
#[template(path = "comments/form_page.html")]
struct FormPage {
    layout: Layout,
    post_id: Uuid,
    action: String,
    body: String,
    /// The visibility asked for a new comment (kept for the next try).
    visibility: String,
    error: String,
}

/// A comment's text, or why it cannot be one.
fn clean_body(raw: &str) -> Result<String, String> {
    let body = raw.trim();
    let length = body.chars().count();
    if body.is_empty() {
        Err("Write something first: the comment is empty.".into())
    } else if length > MAX_BODY {
        Err(format!("A comment can have at most 5,000 characters; this one has {length}. Shorten it and try again."))
    } else {
        Ok(body.to_owned())
    }
}

/// Viewers are the client: what they write is for the client's eyes too.
fn visibility_for(ws: &Workspace, asked: &str) -> AppResult<Visibility> {
    if ws.role() == Role::Viewer {
        return Ok(Visibility::Client);
    }
    match asked {
        "" => Ok(Visibility::Internal),
        other => Visibility::parse(other).ok_or_else(|| AppError::bad_request("Choose who may read the comment.")),
    }
}

fn is_htmx(headers: &HeaderMap) -> bool {
    headers.contains_key("hx-request")
}

pub async fn add_comment(
    ws: Workspace,
    layout: Layout,
    session: Session,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<CommentForm>,
) -> AppResult<Response> {
    ws.require(Permission::Comment)?;
    let post = parse_id(&id)?;
    let visibility = visibility_for(&ws, &form.visibility)?;
    let mut tx = ws.write().await?;
    if !queries::post_exists(&mut tx, post).await? {
        return Err(AppError::NotFound);
    }
    let body = match clean_body(&form.body) {
        Ok(body) => body,
        Err(why) => {
            drop(tx);
            let action = format!("/events/{post}/comments");
            return refused(&ws, layout, &headers, post, (action, form.body, form.visibility), why).await;
        }
    };
    let who = Reviewer::member(&ws);
    let comment = queries::insert(&mut tx, post, &who, visibility, &body).await?;
    notices::comment_added(&mut tx, post, comment, &who, &body).await?;
    tx.commit().await?;
    answer(&ws, layout, &session, &headers, post, "Your comment is posted.").await
}

/// The comment, when the signed-in person wrote it; 404 for anyone else
/// (and for another post's or workspace's comment), as for one that does
/// not exist.
async fn own_comment(tx: &mut WorkspaceTx, ws: &Workspace, post: Uuid, raw: &str) -> AppResult<queries::Comment> {
    let comment = queries::get(tx, post, parse_id(raw)?).await?.ok_or(AppError::NotFound)?;
    if comment.author_id != Some(ws.user().id) || comment.review_link_id.is_some() {
        return Err(AppError::NotFound);
    }
    Ok(comment)
}

pub async fn edit_comment(
    ws: Workspace,
    layout: Layout,
    session: Session,
    headers: HeaderMap,
    Path((id, comment)): Path<(String, String)>,
    Form(form): Form<CommentForm>,
) -> AppResult<Response> {
    ws.require(Permission::Comment)?;
    let post = parse_id(&id)?;
    let mut tx = ws.write().await?;
    let stored = own_comment(&mut tx, &ws, post, &comment).await?;
    let body = match clean_body(&form.body) {
        Ok(body) => body,
        Err(why) => {
            drop(tx);
            let action = format!("/events/{post}/comments/{}/edit", stored.id);
            return refused(&ws, layout, &headers, post, (action, form.body, String::new()), why).await;
        }
    };
    if body != stored.body {
        queries::update(&mut tx, stored.id, &body).await?;
        let who = Reviewer::member(&ws);
        notices::comment_edited(&mut tx, post, stored.id, &who, (&stored.body, &body)).await?;
    }
    tx.commit().await?;
    answer(&ws, layout, &session, &headers, post, "Your comment is saved.").await
}

pub async fn delete_comment(
    ws: Workspace,
    layout: Layout,
    session: Session,
    headers: HeaderMap,
    Path((id, comment)): Path<(String, String)>,
) -> AppResult<Response> {
    ws.require(Permission::Comment)?;
    let post = parse_id(&id)?;
    let mut tx = ws.write().await?;
    let stored = own_comment(&mut tx, &ws, post, &comment).await?;
    queries::delete(&mut tx, stored.id).await?;
    tx.commit().await?;
    answer(&ws, layout, &session, &headers, post, "Your comment is deleted.").await
}

async fn load_timeline(ws: &Workspace, layout: &Layout, post: Uuid) -> AppResult<Timeline> {
    let mut tx = ws.read().await?;
    let zone = settings::queries::get(&mut tx).await?.time_zone;
    let timeline = timeline::load(&mut tx, post, layout, &zone).await?;
    tx.commit().await?;
    Ok(timeline)
}

/// Done: the timeline in place for HTMX, else back to the post.
async fn answer(
    ws: &Workspace,
    layout: Layout,
    session: &Session,
    headers: &HeaderMap,
    post: Uuid,
    done: &str,
) -> AppResult<Response> {
    if is_htmx(headers) {
        let timeline = load_timeline(ws, &layout, post).await?;
        return Ok(Html(TimelineFragment { layout, timeline }.render()?).into_response());
    }
    flash::success(session, done).await?;
    Ok(Redirect::to(&format!("/events/{post}#timeline")).into_response())
}

/// Refused input: 422 with the words kept, in place or on a page of its own.
async fn refused(
    ws: &Workspace,
    layout: Layout,
    headers: &HeaderMap,
    post: Uuid,
    (action, body, visibility): (String, String, String),
    error: String,
) -> AppResult<Response> {
    let html = if is_htmx(headers) {
        let mut timeline = load_timeline(ws, &layout, post).await?;
        if action.ends_with("/comments") {
            (timeline.draft, timeline.draft_visibility) = (body, visibility);
        }
        timeline.error = Some(error);
        TimelineFragment { layout, timeline }.render()?
    } else {
        FormPage { layout, post_id: post, action, body, visibility, error }.render()?
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
}

//! Sending a post for review, approving it, and asking for changes: plain
//! forms that come back to the editor with a message, or HTMX requests
//! that swap the review panel in place. A step that does not fit (not this
//! person's approval, not a draft) is a 409 with the reason, nothing changed.

use axum::extract::Path;
use axum::{
    http::HeaderMap,
    response::{IntoResponse, Redirect, Response},
};
use tower_sessions::Session;
use uuid::Uuid;

use super::panel::{self, PanelFragment};
use crate::{
    error::{AppError, AppResult},
    tenancy::{
        Permission, Workspace,
        approval::{self, Review, Reviewer, Step},
    },
    web::{Layout, flash, form::FormFields, ids::parse_id, page},
};

/// The longest comment a change request may carry.
const MAX_COMMENT: usize = 5_000;

pub async fn submit(
    ws: Workspace,
    session: Session,
    layout: Layout,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> AppResult<Response> {
    ws.require(Permission::EditContent)?;
    act(Action { ws, session, layout, headers }, &id, Step::Submit).await
}

pub async fn approve(
    ws: Workspace,
    session: Session,
    layout: Layout,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> AppResult<Response> {
    ws.require(Permission::ReviewPosts)?;
    act(Action { ws, session, layout, headers }, &id, Step::Approve).await
}

pub async fn request_changes(
    ws: Workspace,
    session: Session,
    layout: Layout,
    headers: HeaderMap,
    Path(id): Path<String>,
    form: FormFields,
) -> AppResult<Response> {
    ws.require(Permission::ReviewPosts)?;
    let comment = form.get("comment").trim().to_owned();
    if comment.chars().count() > MAX_COMMENT {
        return Err(AppError::Unprocessable(format!(
            "Keep the comment under {MAX_COMMENT} characters. Nothing was changed."
        )));
    }
    act(Action { ws, session, layout, headers }, &id, Step::RequestChanges { comment }).await
}

struct Action {
    ws: Workspace,
    session: Session,
    layout: Layout,
    headers: HeaderMap,
}

/// What the person is told once the step is taken.
fn said(step: &Step, to: Review) -> &'static str {
    match (step, to) {
        (Step::Submit, Review::Client) => "Sent for review: the client approves it next.",
        (Step::Submit, _) => "Sent for review: an owner or admin approves it next.",
        (Step::Approve, Review::Client) => "Approved for the team: the client approves it next.",
        (Step::Approve, _) => "Approved: the post can be sent to Publer.",
        (Step::RequestChanges { .. }, _) => "Changes requested: the post is a draft again until it is resubmitted.",
        (Step::Reopen { .. }, _) => "Back in review.",
    }
}

async fn act(a: Action, raw_id: &str, step: Step) -> AppResult<Response> {
    let Action { ws, session, layout, headers } = a;
    let post = parse_id(raw_id)?;
    let mut tx = ws.write().await?;
    // Another workspace's post is a 404 before anything else is said of it.
    approval::review_of(&mut tx, post).await?.ok_or(AppError::NotFound)?;
    let to = approval::apply(&mut tx, ws.approval(), post, &Reviewer::member(&ws), step.clone()).await?;
    tx.commit().await?;
    let message = said(&step, to);
    if headers.contains_key("hx-request") {
        return fragment(&ws, layout, post, message).await;
    }
    flash::success(&session, message).await?;
    Ok(Redirect::to(&format!("/events/{post}#review")).into_response())
}

async fn fragment(ws: &Workspace, layout: Layout, post: Uuid, message: &str) -> AppResult<Response> {
    let mut tx = ws.read().await?;
    let can_write = !layout.suspended && !layout.moving;
    let mut review = panel::load(&mut tx, ws.approval(), ws.role(), post, can_write).await?;
    tx.commit().await?;
    if let Some(panel) = review.as_mut() {
        panel.note = Some(message.to_owned());
    }
    page(PanelFragment { layout, id: post, review }).map(IntoResponse::into_response)
}

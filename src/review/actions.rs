//! What a reviewer does on a link's page: approve a post, ask for changes
//! (with a comment), comment, or approve every post still waiting. Plain
//! forms answer 303 back to the page with a message; HTMX gets the post's
//! card in place. Each action passes the link's own form check and rate
//! limit first, acts only on posts in the link's scope (else 404), and
//! moves posts only through `approval::apply`.

use askama::Template;
use axum::{
    Form,
    extract::{Path, State},
    http::{HeaderMap, HeaderValue, StatusCode},
    response::{Html, IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use uuid::Uuid;

use super::{
    door::{ClientIp, Door, nonce_of},
    public::{self, card, refusal, too_many},
    scope,
    views::CardFragment,
};
use crate::{
    audit::queries::{Actor, record_by},
    error::{AppError, AppResult},
    state::AppState,
    tenancy::{
        approval::{self, Reviewer, Step},
        notices,
    },
    web::{ids::parse_id, text},
};

/// The longest comment a reviewer may leave.
const MAX_COMMENT: usize = 4000;
const FROZEN: &str = "This workspace cannot take answers just now. Please try again later; nothing was changed.";

#[derive(Deserialize, Default)]
pub struct ActionForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    comment: String,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Act {
    Approve,
    Changes,
    Comment,
}

pub async fn approve(
    State(state): State<AppState>,
    Path((token, post)): Path<(String, String)>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Form(form): Form<ActionForm>,
) -> AppResult<Response> {
    on_post(state, &token, &post, &ip, &headers, form, Act::Approve).await
}

pub async fn request_changes(
    State(state): State<AppState>,
    Path((token, post)): Path<(String, String)>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Form(form): Form<ActionForm>,
) -> AppResult<Response> {
    on_post(state, &token, &post, &ip, &headers, form, Act::Changes).await
}

pub async fn comment(
    State(state): State<AppState>,
    Path((token, post)): Path<(String, String)>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Form(form): Form<ActionForm>,
) -> AppResult<Response> {
    on_post(state, &token, &post, &ip, &headers, form, Act::Comment).await
}

/// Opens the link and passes its guards; `Err` is the answer to give.
async fn enter(state: &AppState, token: &str, ip: &str, headers: &HeaderMap, sent: &str) -> Result<Door, Response> {
    let answer = |r: AppResult<Response>| r.unwrap_or_else(IntoResponse::into_response);
    let door = match Door::open(state, token, true).await {
        Ok(Ok(door)) => door,
        Ok(Err(shut)) => return Err(answer(refusal(token, shut))),
        Err(e) => return Err(e.into_response()),
    };
    match door.check_form(state, headers, sent, ip).await {
        Ok(()) if door.front.frozen => Err(AppError::Forbidden(FROZEN).into_response()),
        Ok(()) => Ok(door),
        Err(AppError::TooManyRequests) => Err(answer(too_many(&door, token))),
        Err(e) => Err(e.into_response()),
    }
}

async fn on_post(
    state: AppState,
    token: &str,
    post: &str,
    ip: &str,
    headers: &HeaderMap,
    form: ActionForm,
    act: Act,
) -> AppResult<Response> {
    let mut door = match enter(&state, token, ip, headers, &form.csrf_token).await {
        Ok(door) => door,
        Err(answer) => return Ok(answer),
    };
    let post = parse_id(post)?;
    scope::post(&mut door.tx, &door.scope, post).await?.ok_or(AppError::NotFound)?;
    let who = Reviewer::client(door.link.id, &door.link.reviewer_name, ip);
    let done = match act {
        Act::Approve => take(&mut door, post, &who, Step::Approve).await.map(|()| "approved"),
        Act::Changes => match said(&form.comment) {
            Ok(comment) => take(&mut door, post, &who, Step::RequestChanges { comment }).await.map(|()| "changes"),
            Err(e) => Err(e),
        },
        Act::Comment => match said(&form.comment) {
            Ok(body) => add_comment(&mut door, post, &who, &body).await.map(|()| "comment"),
            Err(e) => Err(e),
        },
    };
    let htmx = headers.contains_key("hx-request");
    match done {
        Ok(done) => {
            if !htmx {
                door.tx.commit().await?;
                return Ok(Redirect::to(&format!("/review/{token}?done={done}#post-{post}")).into_response());
            }
            let notice = public_notice(done);
            let answer = card_answer(&state, &mut door, token, headers, post, StatusCode::OK, Some(notice), None).await;
            door.tx.commit().await?;
            answer
        }
        // Refused: nothing was written (the transaction is dropped unsaved).
        Err(AppError::Conflict(why)) => {
            refused(&state, door, token, headers, post, StatusCode::CONFLICT, why.into()).await
        }
        Err(AppError::Unprocessable(why)) => {
            refused(&state, door, token, headers, post, StatusCode::UNPROCESSABLE_ENTITY, why).await
        }
        Err(e) => Err(e),
    }
}

/// Approves or asks for changes through the one review function; tells the
/// notices when the last post of the link is approved.
async fn take(door: &mut Door, post: Uuid, who: &Reviewer, step: Step) -> AppResult<()> {
    let approving = matches!(step, Step::Approve);
    approval::apply(&mut door.tx, door.front.approval, post, who, step).await?;
    if approving {
        all_approved_hook(door).await?;
    }
    Ok(())
}

async fn all_approved_hook(door: &mut Door) -> AppResult<()> {
    let (approved, total) = scope::progress(&mut door.tx, &door.scope).await?;
    if total > 0 && approved == total {
        notices::link_all_approved(&mut door.tx, door.link.id, &door.link.reviewer_name).await?;
    }
    Ok(())
}

/// A client comment: shown on the link and to members, audited.
async fn add_comment(door: &mut Door, post: Uuid, who: &Reviewer, body: &str) -> AppResult<()> {
    let id = approval::add_comment(&mut door.tx, post, who, body).await?;
    notices::comment_added(&mut door.tx, post, id, who, body).await?;
    let actor = Actor { id: None, name: &who.name, ip: &who.ip };
    let excerpt: String = body.chars().take(120).collect();
    record_by(&mut door.tx, actor, "post.client_comment", &post.to_string(), &excerpt).await?;
    Ok(())
}

/// The comment as typed, cleaned, or why it cannot be taken (422).
fn said(raw: &str) -> AppResult<String> {
    let body = text::multi_line(raw).trim().to_owned();
    if body.is_empty() {
        return Err(AppError::Unprocessable("Write a comment first: say what should change.".into()));
    }
    if body.chars().count() > MAX_COMMENT {
        return Err(AppError::Unprocessable(format!("Keep the comment under {MAX_COMMENT} characters.")));
    }
    Ok(body)
}

fn public_notice(done: &str) -> String {
    match done {
        "approved" => "Approved. Thank you!",
        "changes" => "Your request for changes was sent.",
        _ => "Your comment was added.",
    }
    .to_owned()
}

/// The post's card, re-read, as an HTMX answer.
#[allow(clippy::too_many_arguments)]
async fn card_answer(
    state: &AppState,
    door: &mut Door,
    token: &str,
    headers: &HeaderMap,
    post: Uuid,
    status: StatusCode,
    notice: Option<String>,
    error: Option<String>,
) -> AppResult<Response> {
    let row = scope::post(&mut door.tx, &door.scope, post).await?.ok_or(AppError::NotFound)?;
    let thread =
        scope::client_comments(&mut door.tx, &door.scope).await?.into_iter().filter(|c| c.event_id == post).collect();
    let form_token = door.form_token(state, &nonce_of(headers).unwrap_or_default());
    let mut card = card(door, token, &form_token, &row, thread).await?;
    (card.notice, card.error) = (notice, error);
    Ok((status, Html(CardFragment { card }.render()?)).into_response())
}

/// A refused action: the card with the reason (HTMX), or the whole page
/// with it (a plain form); either way, nothing was saved.
async fn refused(
    state: &AppState,
    mut door: Door,
    token: &str,
    headers: &HeaderMap,
    post: Uuid,
    status: StatusCode,
    why: String,
) -> AppResult<Response> {
    if headers.contains_key("hx-request") {
        return card_answer(state, &mut door, token, headers, post, status, None, Some(why)).await;
    }
    let nonce = nonce_of(headers).unwrap_or_default();
    let page = public::page(state, &mut door, token, &nonce, None, Some(why)).await?;
    Ok((status, Html(page.render()?)).into_response())
}

/// "Approve all remaining": every post of the scope waiting for the client,
/// in one transaction; says how many.
pub async fn approve_all(
    State(state): State<AppState>,
    Path(token): Path<String>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Form(form): Form<ActionForm>,
) -> AppResult<Response> {
    let mut door = match enter(&state, &token, &ip, &headers, &form.csrf_token).await {
        Ok(door) => door,
        Err(answer) => return Ok(answer),
    };
    let mode = door.front.approval;
    if !mode.is_on() {
        return Err(AppError::Conflict("Approval is off in this workspace: there is nothing to approve here."));
    }
    let who = Reviewer::client(door.link.id, &door.link.reviewer_name, &ip);
    let waiting = scope::waiting(&mut door.tx, &door.scope).await?;
    for post in &waiting {
        approval::apply(&mut door.tx, mode, *post, &who, Step::Approve).await?;
    }
    if !waiting.is_empty() {
        all_approved_hook(&mut door).await?;
    }
    door.tx.commit().await?;
    let to = match waiting.len() {
        0 => format!("/review/{token}?done=none"),
        n => format!("/review/{token}?done=all&n={n}"),
    };
    // HTMX follows a 303 itself and would swap in the whole page: it is
    // told to load the page instead.
    if headers.contains_key("hx-request") {
        let mut response = StatusCode::OK.into_response();
        if let Ok(value) = HeaderValue::from_str(&to) {
            response.headers_mut().insert("hx-redirect", value);
        }
        return Ok(response);
    }
    Ok(Redirect::to(&to).into_response())
}

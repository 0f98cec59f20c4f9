//! Captions for the selected posts as a background job: the form's
//! choices, the job's page (polled while it runs), "Use this" for a result
//! kept only on the page, and the editor's "Use it / Discard" for a
//! caption written as a suggestion.

use axum::{
    extract::{Path, State},
    response::{IntoResponse, Redirect, Response},
};
use time::OffsetDateTime;
use tower_sessions::Session;
use uuid::Uuid;

use super::{
    actions, handlers, job, job_queries as jobs, queries,
    views::{ChoiceView, JobView, OutcomeRow},
};
use crate::{
    audit,
    calendars::clock::{Clock, hhmm},
    captions::generate::{NO_KEY, Source},
    error::{AppError, AppResult},
    integrations::{self, Key},
    posts::platforms,
    settings,
    state::AppState,
    tenancy::{Permission, Workspace},
    web::{Layout, flash, form::FormFields, ids::parse_id, page},
};

const LANDINGS: [&str; 3] = ["save", "suggest", "unsaved"];

/// The captions form's answer: the page asking how, or a job started.
pub async fn start_or_ask(
    state: &AppState,
    ws: &Workspace,
    layout: Layout,
    ids: Vec<Uuid>,
    back: String,
    form: &FormFields,
) -> AppResult<Response> {
    let mut tx = ws.read().await?;
    let options = integrations::queries::settings(&mut tx).await?;
    let key = integrations::openai_key(&mut tx, &state.secrets, &options).await?;
    tx.commit().await?;
    let ai_ready = matches!(key, Key::Ready(_));
    let (source, landing) = (Source::from_slug(form.get("source")), form.get("landing"));
    let (Some(source), true) = (source, LANDINGS.contains(&landing)) else {
        let rows = handlers::rows(ws, &ids).await?;
        return page(ChoiceView { layout, action: "captions".into(), rows, back, hashtag_sets: Vec::new(), ai_ready });
    };
    if source == Source::Ai && !ai_ready {
        return Err(AppError::Unprocessable(NO_KEY.into()));
    }
    let id = Uuid::now_v7();
    let mut tx = ws.write().await?;
    actions::load(&mut tx, &ids).await?;
    jobs::create(&mut tx, id, source.slug(), landing, &ids, &ws.user().name).await?;
    audit::record(&mut tx, ws, "posts.captions_started", &format!("Captions for {} posts", ids.len()), "").await?;
    tx.commit().await?;
    job::start(state, ws.id(), id);
    Ok(Redirect::to(&format!("/caption-jobs/{id}")).into_response())
}

pub async fn view_job(
    State(state): State<AppState>,
    ws: Workspace,
    layout: Layout,
    Path(id): Path<String>,
) -> AppResult<Response> {
    ws.require(Permission::EditContent)?;
    let mut tx = ws.read().await?;
    let found = jobs::get(&mut tx, parse_id(&id)?).await?.ok_or(AppError::NotFound)?;
    let outcomes = jobs::outcomes(&mut tx, found.id).await?;
    let clock = Clock::new(&settings::queries::get(&mut tx).await?.time_zone);
    tx.commit().await?;
    // Its worker stopped (a restart, a crash): this instance takes it over.
    let abandoned = found.lease_until.is_none_or(|until| until < OffsetDateTime::now_utc());
    if found.state == "running" && abandoned {
        job::start(&state, ws.id(), found.id);
    }
    let rows = outcomes
        .into_iter()
        .map(|o| {
            let (date, time) = clock.local(o.starts_at);
            OutcomeRow {
                when: format!("{} {date} {}", date.strftime("%a"), hhmm(time)),
                platform: platforms::label(&o.platform),
                outcome: o,
            }
        })
        .collect();
    page(JobView { layout, job: found, rows })
}

/// "Use this": a caption the job kept on its page becomes the post's.
pub async fn use_caption(
    ws: Workspace,
    session: Session,
    Path((id, event)): Path<(String, String)>,
) -> AppResult<Redirect> {
    ws.require(Permission::EditContent)?;
    let mut tx = ws.write().await?;
    let found = jobs::get(&mut tx, parse_id(&id)?).await?.ok_or(AppError::NotFound)?;
    let outcome = jobs::outcome(&mut tx, found.id, parse_id(&event)?).await?.ok_or(AppError::NotFound)?;
    let post = queries::selected(&mut tx, outcome.event_id).await?.ok_or(AppError::NotFound)?;
    let back = Redirect::to(&format!("/caption-jobs/{}#post-{}", found.id, post.id));
    if outcome.state != "written" {
        return Err(AppError::bad_request("This post has no caption from the job to use."));
    }
    if post.is_out_of_our_hands() {
        drop(tx);
        flash::error(&session, "This post is already with Publer or published; its caption was not changed.").await?;
        return Ok(back);
    }
    queries::set_caption(&mut tx, post.id, &outcome.caption, &outcome.hashtags).await?;
    crate::approvals::after_edit(&mut tx, &ws, &[post.id]).await?;
    tx.commit().await?;
    flash::success(&session, "The caption is now the post's.").await?;
    Ok(back)
}

/// The editor's "Use it" or "Discard" for a suggested caption.
pub async fn answer_suggestion(
    ws: Workspace,
    session: Session,
    Path(id): Path<String>,
    form: FormFields,
) -> AppResult<Redirect> {
    ws.require(Permission::EditContent)?;
    let mut tx = ws.write().await?;
    let post = queries::selected(&mut tx, parse_id(&id)?).await?.ok_or(AppError::NotFound)?;
    let suggested = crate::posts::queries::suggestion(&mut tx, post.id).await?;
    let Some((caption, hashtags)) = suggested else {
        return Err(AppError::bad_request("This post has no suggested caption."));
    };
    let said = match form.get("answer") {
        "use" => {
            queries::set_caption(&mut tx, post.id, &caption, &hashtags).await?;
            "The suggested caption is now the post's."
        }
        "discard" => "The suggested caption was discarded.",
        _ => return Err(AppError::bad_request("Use the suggested caption or discard it.")),
    };
    jobs::set_suggestion(&mut tx, post.id, "", "").await?;
    crate::approvals::after_edit(&mut tx, &ws, &[post.id]).await?;
    tx.commit().await?;
    flash::success(&session, said).await?;
    Ok(Redirect::to(&format!("/events/{}", post.id)))
}

//! The one form behind the bulk toolbar: which posts, which action, and
//! where to go back to. Actions that need a choice first (a hashtag set,
//! deleting) answer with a page asking for it; nothing changes until then.

use axum::{
    extract::State,
    http::{HeaderMap, header},
    response::{IntoResponse, Redirect, Response},
};
use tower_sessions::Session;
use uuid::Uuid;

use super::{
    actions,
    views::{ChoiceView, Row},
};
use crate::{
    calendars::clock::{Clock, hhmm},
    error::{AppError, AppResult},
    posts::platforms,
    settings,
    state::AppState,
    tenancy::{Permission, Workspace},
    web::{Layout, flash, form::FormFields, form::MAX_IDS, page, redirect::local_path},
};

/// The selected posts. An id that is not an id names nothing here: the
/// whole action is refused as for another workspace's post.
fn selection(form: &FormFields) -> AppResult<Vec<Uuid>> {
    let raw = form.all("post");
    if raw.len() > MAX_IDS {
        return Err(AppError::Unprocessable(format!(
            "Select at most {MAX_IDS} posts at a time; this form named {}. Nothing was changed.",
            raw.len()
        )));
    }
    let mut ids = Vec::with_capacity(raw.len());
    for value in raw {
        let id = Uuid::parse_str(value.trim()).map_err(|_| AppError::NotFound)?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    Ok(ids)
}

/// The page the toolbar was on (its `back` field, else the referring page
/// of this site), so the person lands where they were.
fn back_to(form: &FormFields, headers: &HeaderMap) -> String {
    if let Some(path) = local_path(form.get("back")) {
        return path.to_owned();
    }
    let referer = headers.get(header::REFERER).and_then(|v| v.to_str().ok()).unwrap_or("");
    let path = referer.find("://").and_then(|at| referer[at + 3..].find('/').map(|p| &referer[at + 3 + p..]));
    path.and_then(local_path).unwrap_or("/calendars").to_owned()
}

pub async fn act(
    State(state): State<AppState>,
    ws: Workspace,
    session: Session,
    layout: Layout,
    headers: HeaderMap,
    form: FormFields,
) -> AppResult<Response> {
    ws.require(Permission::EditContent)?;
    let ids = selection(&form)?;
    let back = back_to(&form, &headers);
    if ids.is_empty() {
        flash::error(&session, "Select one or more posts first, with their checkboxes.").await?;
        return Ok(Redirect::to(&back).into_response());
    }
    let done = match form.get("action") {
        "ready" => actions::set_status(&ws, &ids, "ready").await?,
        "draft" => actions::set_status(&ws, &ids, "draft").await?,
        "move" => {
            let days = actions::parse_days(form.get("days")).map_err(AppError::Unprocessable)?;
            actions::move_by(&ws, &ids, days).await?
        }
        "hashtags" => match form.get("hashtag_set") {
            "" => return choice(&ws, layout, ids, back, "hashtags").await,
            set => actions::add_hashtag_set(&ws, &ids, Uuid::parse_str(set).map_err(|_| AppError::NotFound)?).await?,
        },
        "publer" => match actions::send_to_publer(&state, &ws, &ids).await? {
            Ok(done) => done,
            Err(why) => {
                flash::error(&session, format!("Nothing was sent. {why}")).await?;
                return Ok(Redirect::to(&back).into_response());
            }
        },
        "delete" if form.get("confirmed") == "yes" => actions::delete(&ws, &ids).await?,
        "delete" => return choice(&ws, layout, ids, back, "delete").await,
        "captions" => return super::captions::start_or_ask(&state, &ws, layout, ids, back, &form).await,
        _ => return Err(AppError::bad_request("Choose what to do with the selected posts.")),
    };
    flash::success(&session, done).await?;
    Ok(Redirect::to(&back).into_response())
}

/// The posts as the pages before an action list them.
pub async fn rows(ws: &Workspace, ids: &[Uuid]) -> AppResult<Vec<Row>> {
    let mut tx = ws.read().await?;
    let selected = actions::load(&mut tx, ids).await?;
    let clock = Clock::new(&settings::queries::get(&mut tx).await?.time_zone);
    tx.commit().await?;
    Ok(selected
        .into_iter()
        .map(|p| {
            let (date, time) = clock.local(p.starts_at);
            let caption: String = p.caption.chars().take(80).collect();
            Row {
                id: p.id,
                when: format!("{} {date} {}", date.strftime("%a"), hhmm(time)),
                platform: platforms::label(&p.platform),
                calendar: p.calendar_name,
                caption,
            }
        })
        .collect())
}

/// A page asking for what the action still needs (a hashtag set, or a
/// confirmation), carrying the selection on.
async fn choice(ws: &Workspace, layout: Layout, ids: Vec<Uuid>, back: String, action: &str) -> AppResult<Response> {
    let rows = rows(ws, &ids).await?;
    let mut tx = ws.read().await?;
    let hashtag_sets = settings::queries::hashtag_sets(&mut tx).await?;
    tx.commit().await?;
    page(ChoiceView { layout, action: action.to_owned(), rows, back, hashtag_sets, ai_ready: false })
}

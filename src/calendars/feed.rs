//! The grid planner: an Instagram calendar's feed as it will look, newest
//! first, three 3:4 tiles a row. Reordering swaps two upcoming posts' times
//! (each date keeps its time slot); neighbours with nearly the same palette
//! get a warning.

use std::collections::HashMap;

use axum::{
    Form,
    extract::Path,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use time::OffsetDateTime;
use tower_sessions::Session;
use uuid::Uuid;

use super::{
    clock::{Clock, hhmm},
    feed_queries::{self as q, TileRow},
    handlers::find,
    palette,
    views::{FeedView, Tile},
};
use crate::{
    error::{AppError, AppResult},
    images::presets::{Preset, rendition_thumb_url},
    posts::queries as posts,
    settings,
    tenancy::{Permission, Workspace},
    web::{PageRead, flash, ids::parse_id, page},
};

/// Tiles a row, as the profile grid shows them.
const COLUMNS: usize = 3;

/// Whether a post may still change places: not out, not on its way out.
fn movable(row: &TileRow) -> bool {
    matches!(row.status.as_str(), "draft" | "ready" | "failed") && matches!(row.publer_state.as_str(), "" | "failed")
}

pub async fn view(ws: Workspace, PageRead { layout, mut tx }: PageRead, Path(id): Path<String>) -> AppResult<Response> {
    ws.require(Permission::ViewContent)?;
    let calendar = find(&mut tx, &id).await?;
    let now = OffsetDateTime::now_utc();
    let upcoming = q::upcoming(&mut tx, calendar.id, now).await?;
    let recent = q::recent(&mut tx, calendar.id, now).await?;
    let since = recent.last().or(upcoming.first()).map_or(now, |r| r.starts_at);
    let until = upcoming.last().map_or(now, |r| r.starts_at);
    let artwork: HashMap<Uuid, q::Artwork> =
        q::artwork(&mut tx, calendar.id, since, until).await?.into_iter().map(|a| (a.id, a)).collect();
    let clock = Clock::new(&settings::queries::get(&mut tx).await?.time_zone);
    tx.commit().await?;
    let tiles = tiles(&upcoming, &recent, &artwork, &clock);
    page(FeedView { can_edit: ws.role().can(Permission::EditContent), layout, calendar, tiles })
}

/// The tiles in feed order: the last planned post first, down to the most
/// recent published ones, with the palette warnings of their neighbours.
fn tiles(upcoming: &[TileRow], recent: &[TileRow], artwork: &HashMap<Uuid, q::Artwork>, clock: &Clock) -> Vec<Tile> {
    let last = upcoming.len().saturating_sub(1);
    let mut out: Vec<Tile> = upcoming
        .iter()
        .rev()
        .enumerate()
        .map(|(k, row)| {
            // k counts from the latest; its neighbours in time sit either side.
            let j = last - k;
            let earlier = j.checked_sub(1).map(|i| &upcoming[i]);
            let later = upcoming.get(j + 1);
            let mut tile = tile(row, artwork, clock, true);
            tile.can_earlier = movable(row) && earlier.is_some_and(movable);
            tile.can_later = movable(row) && later.is_some_and(movable);
            tile
        })
        .collect();
    out.extend(recent.iter().map(|row| tile(row, artwork, clock, false)));
    let palettes: Vec<String> = out.iter().map(|t| t.palette.clone()).collect();
    for (i, tile) in out.iter_mut().enumerate() {
        let similar = |other: usize| palettes.get(other).is_some_and(|p| palette::nearly_same(&palettes[i], p));
        tile.warn_right = i % COLUMNS != COLUMNS - 1 && similar(i + 1);
        tile.warn_below = similar(i + COLUMNS);
    }
    out
}

fn tile(row: &TileRow, artwork: &HashMap<Uuid, q::Artwork>, clock: &Clock, upcoming: bool) -> Tile {
    let art = row.image.and_then(|id| artwork.get(&id));
    let (date, time) = clock.local(row.starts_at);
    let title = art.map_or_else(|| "no artwork yet".to_owned(), |a| a.title.clone());
    let when = format!("{} {}", date.strftime("%a %-d %b"), hhmm(time));
    Tile {
        id: row.id,
        thumb: row.image.map(|id| rendition_thumb_url(id, Preset::ProfileGrid)),
        name: format!("{when}: {title} ({})", row.status),
        palette: art.map(|a| a.palette.clone()).unwrap_or_default(),
        movable: upcoming && movable(row),
        title,
        when,
        upcoming,
        can_earlier: false,
        can_later: false,
        warn_right: false,
        warn_below: false,
    }
}

#[derive(Deserialize)]
pub struct MoveForm {
    #[serde(default)]
    post: String,
    #[serde(default)]
    direction: String,
    #[serde(default)]
    with: String,
}

/// "Earlier"/"later" buttons: swaps with the upcoming post just before or after.
pub async fn step(
    ws: Workspace,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<MoveForm>,
) -> AppResult<Response> {
    swap(ws, session, id, form, true).await
}

/// Drag and drop: swaps with the post it was dropped on.
pub async fn exchange(
    ws: Workspace,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<MoveForm>,
) -> AppResult<Response> {
    swap(ws, session, id, form, false).await
}

async fn swap(ws: Workspace, session: Session, id: String, form: MoveForm, by_step: bool) -> AppResult<Response> {
    ws.require(Permission::EditContent)?;
    let mut tx = ws.write().await?;
    let calendar = find(&mut tx, &id).await?;
    let upcoming = q::upcoming(&mut tx, calendar.id, OffsetDateTime::now_utc()).await?;
    let at = |raw: &str| -> AppResult<Option<usize>> {
        let id = parse_id(raw)?;
        Ok(upcoming.iter().position(|r| r.id == id))
    };
    let (Some(a), b) = (at(&form.post)?, if by_step { None } else { at(&form.with)? }) else {
        return Err(not_upcoming(&mut tx, calendar.id, &form.post).await);
    };
    let b = match (by_step, form.direction.as_str(), b) {
        (true, "earlier", _) => a.checked_sub(1),
        (true, "later", _) => Some(a + 1).filter(|b| *b < upcoming.len()),
        (true, _, _) => return Err(AppError::bad_request("Choose earlier or later.")),
        (false, _, Some(b)) => Some(b),
        (false, _, None) => return Err(not_upcoming(&mut tx, calendar.id, &form.with).await),
    };
    let Some(b) = b.filter(|b| *b != a) else {
        return Err(AppError::Unprocessable("There is no upcoming post to swap places with there.".into()));
    };
    let (first, second) = (&upcoming[a], &upcoming[b]);
    if !movable(first) || !movable(second) {
        return Err(AppError::Unprocessable(
            "Only posts not yet published or sent to Publer change places. Nothing was changed.".into(),
        ));
    }
    q::swap_times(&mut tx, (first.id, first.starts_at), (second.id, second.starts_at)).await?;
    crate::approvals::after_edit(&mut tx, &ws, &[first.id, second.id]).await?;
    tx.commit().await?;
    flash::success(&session, "Swapped the two posts; each date kept its time.").await?;
    Ok(Redirect::to(&format!("/calendars/{}/grid", calendar.id)).into_response())
}

/// Why a post named in the form is not an upcoming one of this calendar:
/// unknown here (404) or already past (422).
async fn not_upcoming(tx: &mut crate::db::WorkspaceTx, calendar: Uuid, raw: &str) -> AppError {
    let Ok(id) = parse_id(raw) else { return AppError::NotFound };
    match posts::get(tx, id).await {
        Ok(Some(post)) if post.calendar_id == calendar => {
            AppError::Unprocessable("Only upcoming posts change places. Nothing was changed.".into())
        }
        Ok(_) => AppError::NotFound,
        Err(e) => AppError::from(e),
    }
}

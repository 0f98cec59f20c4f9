//! A calendar's posts as CSV, and as a private iCalendar feed that phones
//! subscribe to with a secret address (revocable).

use axum::{
    Form,
    extract::{Path, State},
    http::{HeaderValue, header},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use time::{OffsetDateTime, macros::format_description};
use tower_sessions::Session;

use super::{
    clock::{Clock, hhmm},
    handlers::{find, view_with_new_feed},
    queries,
};
use crate::{
    error::{AppError, AppResult},
    images::queries::ImageCard,
    posts::{platforms, queries as posts},
    settings,
    state::AppState,
    tenancy::{Permission, Workspace},
    web::{Layout, flash, tokens},
};

pub async fn csv(ws: Workspace, Path(id): Path<String>) -> AppResult<Response> {
    ws.require(Permission::ViewContent)?;
    let mut tx = ws.read().await?;
    let calendar = find(&mut tx, &id).await?;
    let time_zone = settings::queries::get(&mut tx).await?.time_zone;
    let clock = Clock::new(&time_zone);
    let mut out = String::from("date,time,time_zone,platform,status,caption,hashtags,notes,images,image_ids\r\n");
    for post in posts::of_calendar(&mut tx, calendar.id).await? {
        let images = posts::images(&mut tx, post.id).await?;
        let (date, time) = clock.local(post.starts_at);
        let titles: Vec<&str> = images.iter().map(|i| i.title.as_str()).collect();
        let ids: Vec<String> = images.iter().map(|i| i.id.to_string()).collect();
        let row = [
            date.to_string(),
            hhmm(time),
            time_zone.clone(),
            platforms::label(&post.platform).to_owned(),
            post.status,
            post.caption,
            post.hashtags,
            post.notes,
            titles.join("; "),
            ids.join(" "),
        ];
        out.push_str(&crate::web::csv::line(&row));
    }
    tx.commit().await?;
    let file_name: String = calendar.name.chars().filter(|c| c.is_alphanumeric() || *c == ' ').collect();
    let disposition = format!("attachment; filename=\"{}.csv\"", file_name.trim().replace(' ', "-"));
    let mut response = out.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// Makes the person a new feed address of their own (their old one stops
/// working) and shows it once.
pub async fn create_feed(
    State(state): State<AppState>,
    ws: Workspace,
    layout: Layout,
    Path(id): Path<String>,
) -> AppResult<Response> {
    ws.require(Permission::EditContent)?;
    let (token, token_hash) = tokens::new_token();
    let mut tx = ws.write().await?;
    let calendar = find(&mut tx, &id).await?;
    queries::set_feed(&mut tx, calendar.id, ws.user().id, &token_hash).await?;
    tx.commit().await?;
    let base = state.config.base_url.as_str().trim_end_matches('/');
    view_with_new_feed(&ws, layout, calendar, format!("{base}/feeds/{token}.ics")).await
}

#[derive(Deserialize, Default)]
pub struct RevokeForm {
    /// The hash naming one address of the list; empty: the person's own.
    #[serde(default)]
    feed: String,
}

pub async fn revoke_feed(
    ws: Workspace,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<RevokeForm>,
) -> AppResult<Redirect> {
    ws.require(Permission::EditContent)?;
    let mut tx = ws.write().await?;
    let calendar = find(&mut tx, &id).await?;
    let removed = match form.feed.trim() {
        "" => queries::revoke_own_feed(&mut tx, calendar.id, ws.user().id).await?,
        hash => queries::revoke_feed(&mut tx, calendar.id, hash).await?,
    };
    tx.commit().await?;
    let said = if removed > 0 { "The feed address no longer works." } else { "That feed address was already off." };
    flash::success(&session, said).await?;
    Ok(Redirect::to(&format!("/calendars/{}", calendar.id)))
}

/// The feed itself: no session, the token is the credential.
pub async fn ical(State(state): State<AppState>, Path(token): Path<String>) -> AppResult<Response> {
    let token = token.strip_suffix(".ics").unwrap_or(&token);
    let (workspace, calendar_id) =
        queries::feed_target(&state.databases, &tokens::hash(token)).await?.ok_or(AppError::NotFound)?;
    // The token named the workspace; everything after reads only its rows.
    let mut tx = state.databases.workspace_tx(workspace, false).await?;
    let calendar = queries::get(&mut tx, calendar_id).await?.ok_or(AppError::NotFound)?;
    let mut body = String::new();
    for line in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Easel//Content calendar//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ] {
        push_line(&mut body, line);
    }
    push_line(&mut body, &format!("X-WR-CALNAME:{}", escape(&calendar.name)));
    let stamp = ical_time(OffsetDateTime::now_utc());
    for post in posts::of_calendar(&mut tx, calendar.id).await? {
        let images: Vec<ImageCard> = posts::images(&mut tx, post.id).await?;
        let first_line = post.caption.lines().next().unwrap_or_default().chars().take(60).collect::<String>();
        let summary = format!(
            "{}: {}",
            platforms::label(&post.platform),
            if first_line.is_empty() { "(no caption yet)" } else { &first_line }
        );
        let mut description = platforms::post_text(&post.caption, &post.hashtags);
        description.push_str(&format!("\n\nStatus: {}", post.status));
        if !images.is_empty() {
            let titles: Vec<&str> = images.iter().map(|i| i.title.as_str()).collect();
            description.push_str(&format!("\nArtwork: {}", titles.join(", ")));
        }
        push_line(&mut body, "BEGIN:VEVENT");
        push_line(&mut body, &format!("UID:{}@easel", post.id));
        push_line(&mut body, &format!("DTSTAMP:{stamp}"));
        push_line(&mut body, &format!("DTSTART:{}", ical_time(post.starts_at)));
        push_line(&mut body, "DURATION:PT15M");
        push_line(&mut body, &format!("SUMMARY:{}", escape(&summary)));
        push_line(&mut body, &format!("DESCRIPTION:{}", escape(&description)));
        push_line(&mut body, "END:VEVENT");
    }
    push_line(&mut body, "END:VCALENDAR");
    tx.commit().await?;
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/calendar; charset=utf-8"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=300"));
    Ok(response)
}

fn ical_time(at: OffsetDateTime) -> String {
    at.format(format_description!("[year][month][day]T[hour][minute][second]Z")).unwrap_or_default()
}

/// RFC 5545 text: backslash, semicolon, comma and every line break (a bare
/// `\r` too, which would otherwise end the content line) escaped. Forms
/// strip control characters at input; rows older than that lose them here.
fn escape(text: &str) -> String {
    crate::web::text::multi_line(text)
        .replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace('\n', "\\n")
}

/// Appends a content line, folded at 75 octets as RFC 5545 requires.
fn push_line(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_fold_at_75_octets() {
        let mut out = String::new();
        push_line(&mut out, &format!("DESCRIPTION:{}", "é".repeat(60)));
        assert!(out.split("\r\n").all(|l| l.len() <= 75));
        assert_eq!(out.replace("\r\n ", ""), format!("DESCRIPTION:{}\r\n", "é".repeat(60)));
    }

    #[test]
    fn text_and_cells_are_escaped() {
        assert_eq!(escape("a,b;c\nd"), "a\\,b\\;c\\nd");
        assert_eq!(escape("a\rb\r\nc\u{7}d"), "a\\nb\\ncd");
        assert_eq!(crate::web::csv::cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
    }
}

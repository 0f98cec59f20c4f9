//! The bulk actions themselves. Each runs in one transaction over posts
//! already checked to be this workspace's, and says post by post what it
//! did in one sentence.

use jiff::ToSpan;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    queries::{self, Selected},
    report::Tally,
};
use crate::{
    audit,
    calendars::clock::Clock,
    db::WorkspaceTx,
    error::{AppError, AppResult},
    posts::{self, platforms::normalize_hashtags},
    publer, settings,
    state::AppState,
    tenancy::{Workspace, approval},
};

/// The most days one move may shift posts by, either way.
pub const MAX_DAYS: i32 = 366;

const WITH_PUBLER: &str = "already with Publer or published";

/// Every selected post, or 404 when any of them is not this workspace's.
pub async fn load(tx: &mut WorkspaceTx, ids: &[Uuid]) -> AppResult<Vec<Selected>> {
    let mut found = Vec::with_capacity(ids.len());
    for id in ids {
        found.push(queries::selected(tx, *id).await?.ok_or(AppError::NotFound)?);
    }
    Ok(found)
}

/// Ready posts need artwork; drafts and ready posts only, never one that
/// Publer already has (its copy there would not change).
pub async fn set_status(ws: &Workspace, ids: &[Uuid], status: &'static str) -> AppResult<String> {
    let mut tx = ws.write().await?;
    let mut tally = Tally::default();
    for post in load(&mut tx, ids).await? {
        if post.is_out_of_our_hands() {
            tally.skip(WITH_PUBLER);
        } else if status == "ready" && post.image_count == 0 {
            tally.skip("without artwork");
        } else {
            queries::set_status(&mut tx, post.id, status).await?;
            approval::record_status(&mut tx, post.id, &post.status, status, &approval::Reviewer::member(ws)).await?;
            tally.done += 1;
        }
    }
    let verb = if status == "ready" { "marked ready" } else { "marked draft" };
    audit::record(&mut tx, ws, "posts.bulk_status", &format!("{} posts {verb}", tally.done), "").await?;
    tx.commit().await?;
    Ok(tally.sentence(verb))
}

/// Adds a saved hashtag set to each post's hashtags (each tag once).
pub async fn add_hashtag_set(ws: &Workspace, ids: &[Uuid], set: Uuid) -> AppResult<String> {
    let mut tx = ws.write().await?;
    let posts = load(&mut tx, ids).await?;
    let sets = settings::queries::hashtag_sets(&mut tx).await?;
    let set = sets.into_iter().find(|s| s.id == set).ok_or(AppError::NotFound)?;
    let mut tally = Tally::default();
    for post in posts {
        if post.is_out_of_our_hands() {
            tally.skip(WITH_PUBLER);
            continue;
        }
        let merged = normalize_hashtags(&format!("{} {}", post.hashtags, set.hashtags));
        queries::set_hashtags(&mut tx, post.id, &merged).await?;
        tally.done += 1;
    }
    crate::approvals::after_edit(&mut tx, ws, ids).await?;
    tx.commit().await?;
    Ok(tally.sentence(&format!("given the hashtags of {}", set.name)))
}

/// The number of days a person typed, within a year either way.
pub fn parse_days(raw: &str) -> Result<i32, String> {
    match raw.trim().trim_start_matches('+').parse::<i32>() {
        Ok(0) => Err("Move the posts by at least one day (a negative number moves them earlier).".into()),
        Ok(days) if days.abs() <= MAX_DAYS => Ok(days),
        _ => Err(format!("Enter a whole number of days between -{MAX_DAYS} and {MAX_DAYS}, such as 7 or -3.")),
    }
}

/// The same local time of day, `days` later: computed from the local date
/// so 09:00 stays 09:00 across a daylight-saving change.
pub fn shifted(clock: &Clock, at: OffsetDateTime, days: i32) -> Option<OffsetDateTime> {
    let (date, time) = clock.local(at);
    let date = date.checked_add(days.days()).ok()?;
    Some(clock.instant(date, time))
}

pub async fn move_by(ws: &Workspace, ids: &[Uuid], days: i32) -> AppResult<String> {
    let mut tx = ws.write().await?;
    let posts = load(&mut tx, ids).await?;
    let clock = Clock::new(&settings::queries::get(&mut tx).await?.time_zone);
    let mut tally = Tally::default();
    for post in posts {
        if post.is_out_of_our_hands() {
            tally.skip(WITH_PUBLER);
            continue;
        }
        let Some(at) = shifted(&clock, post.starts_at, days) else {
            tally.skip("beyond the calendar's dates");
            continue;
        };
        posts::queries::reschedule(&mut tx, post.id, at).await?;
        tally.done += 1;
    }
    crate::approvals::after_edit(&mut tx, ws, ids).await?;
    tx.commit().await?;
    let way = if days > 0 { "later" } else { "earlier" };
    let unit = if days.abs() == 1 { "day" } else { "days" };
    Ok(tally.sentence(&format!("moved {} {unit} {way}", days.abs())))
}

/// Queues every selected post that can go, with Publer's own checks
/// (readiness once, then the allowance and the account per post).
pub async fn send_to_publer(state: &AppState, ws: &Workspace, ids: &[Uuid]) -> AppResult<Result<String, String>> {
    let mut tx = ws.write().await?;
    let selected = load(&mut tx, ids).await?;
    if let Err(why) = publer::readiness(&mut tx, state).await? {
        return Ok(Err(why.to_owned()));
    }
    let now = OffsetDateTime::now_utc();
    let mut tally = Tally::default();
    let mut over_limit = None;
    let who = approval::Reviewer::member(ws);
    for post in selected {
        if let Some(why) = unsendable(&post, now, ws.approval()) {
            tally.skip(why);
            continue;
        }
        if let Err(why) = publer::allowance(&mut tx, 1).await? {
            tally.skip("over this month's Publer allowance");
            over_limit = Some(why);
            continue;
        }
        let Some(full) = posts::queries::get(&mut tx, post.id).await? else { continue };
        match publer::destination(&mut tx, &full).await? {
            Ok(account) if publer::queries::queue(&mut tx, post.id, &account, &ws.user().name).await? => {
                approval::record_sent(&mut tx, post.id, &who).await?;
                tally.done += 1;
            }
            Ok(_) => tally.skip(WITH_PUBLER),
            Err(_) => tally.skip("without a Publer account for their calendar and platform"),
        }
    }
    if tally.done > 0 {
        audit::record(&mut tx, ws, "post.sent_to_publer", &format!("{} selected posts", tally.done), "").await?;
    }
    tx.commit().await?;
    if tally.done > 0 {
        publer::sender::wake(state, ws.id());
    }
    let mut message = tally.sentence("sent to Publer");
    if let Some(why) = over_limit {
        message.push(' ');
        message.push_str(&why);
    }
    Ok(Ok(message))
}

/// Why a selected post does not go to Publer, if it does not.
fn unsendable(post: &Selected, now: OffsetDateTime, mode: approval::Mode) -> Option<&'static str> {
    let review = approval::Review::parse(&post.review).unwrap_or_default();
    match (post.publer_state.as_str(), post.status.as_str()) {
        ("scheduled" | "sending", _) | (_, "published") => Some(WITH_PUBLER),
        ("failed", _) => Some("failed before (send them again from the post)"),
        _ if !mode.may_send(review) && review == approval::Review::ChangesRequested => Some("with changes requested"),
        _ if !mode.may_send(review) => Some("waiting for approval"),
        (_, "draft") => Some("still drafts"),
        _ if post.starts_at <= now => Some("in the past"),
        _ if post.image_count == 0 && post.caption.trim().is_empty() && post.hashtags.trim().is_empty() => {
            Some("with nothing to post yet")
        }
        _ => None,
    }
}

/// Deletes every selected post, as one change.
pub async fn delete(ws: &Workspace, ids: &[Uuid]) -> AppResult<String> {
    let mut tx = ws.write().await?;
    let posts = load(&mut tx, ids).await?;
    for post in &posts {
        posts::queries::delete(&mut tx, post.id).await?;
    }
    audit::record(&mut tx, ws, "post.deleted", &format!("{} selected posts", posts.len()), "").await?;
    tx.commit().await?;
    Ok(Tally::done(posts.len()).sentence("deleted"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_whole_numbers_within_a_year() {
        assert_eq!(parse_days(" 7 "), Ok(7));
        assert_eq!(parse_days("+3"), Ok(3));
        assert_eq!(parse_days("-2"), Ok(-2));
        for bad in ["0", "", "1.5", "seven", "367", "-400"] {
            assert!(parse_days(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_move_keeps_the_local_time_across_daylight_saving() {
        let clock = Clock::new("Europe/Paris");
        // 09:00 in Paris on Saturday 28 March 2026 (UTC+1) is 08:00 UTC.
        let before = OffsetDateTime::from_unix_timestamp(1_774_684_800).expect("instant");
        let after = shifted(&clock, before, 2).expect("moved");
        let (date, time) = clock.local(after);
        assert_eq!((date.to_string(), time.hour(), time.minute()), ("2026-03-30".to_owned(), 9, 0));
        assert_eq!(after.unix_timestamp() - before.unix_timestamp(), 2 * 86_400 - 3_600);
    }
}

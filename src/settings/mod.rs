//! A workspace's own brand settings (display name, tone, hashtags, shop,
//! time zone, posting times) and hashtag sets. Each workspace has its own;
//! nothing is global.

mod handlers;
pub mod queries;
mod views;

pub use handlers::page_with_address;

use axum::{Router, routing::get};

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/settings", get(handlers::view_settings).post(handlers::save_settings))
        .route("/settings/hashtags", axum::routing::post(handlers::create_hashtag_set))
        .route("/settings/hashtags/{id}/delete", axum::routing::post(handlers::delete_hashtag_set))
}

/// The canonical IANA name of a time zone, or `None` when there is no such zone.
pub fn canonical_time_zone(name: &str) -> Option<String> {
    let name = name.trim();
    if name.is_empty() || name.len() > 64 {
        return None;
    }
    let zone = jiff::tz::db().get(name).ok()?;
    zone.iana_name().map(str::to_owned)
}

/// Posting times as typed ("18:00, 9:00") become "09:00,18:00", or why not.
pub fn parse_posting_times(raw: &str) -> Result<String, &'static str> {
    let mut times = Vec::new();
    for part in raw.split([',', ' ']).filter(|p| !p.trim().is_empty()) {
        let time = crate::calendars::clock::parse_time(part).ok_or("Use times like 09:00, 18:30.")?;
        times.push(crate::calendars::clock::hhmm(time));
    }
    times.sort();
    times.dedup();
    match times.len() {
        0 => Err("Give at least one time, such as 09:00."),
        1..=6 => Ok(times.join(",")),
        _ => Err("Give at most six times."),
    }
}

/// Every time zone a workspace may choose, sorted.
pub fn time_zone_names() -> Vec<String> {
    let mut names: Vec<String> = jiff::tz::db().available().map(|n| n.to_string()).collect();
    names.sort();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_zones_are_validated_and_made_canonical() {
        assert_eq!(canonical_time_zone("Europe/Paris").as_deref(), Some("Europe/Paris"));
        assert_eq!(canonical_time_zone(" UTC ").as_deref(), Some("UTC"));
        assert_eq!(canonical_time_zone("Mars/Olympus_Mons"), None);
        assert_eq!(canonical_time_zone(""), None);
        assert!(time_zone_names().iter().any(|n| n == "America/New_York"));
    }

    #[test]
    fn posting_times_are_sorted_and_checked() {
        assert_eq!(parse_posting_times("18:00, 9:00 18:00").as_deref(), Ok("09:00,18:00"));
        assert!(parse_posting_times("").is_err());
        assert!(parse_posting_times("noon").is_err());
        assert!(parse_posting_times("1:00,2:00,3:00,4:00,5:00,6:00,7:00").is_err());
    }
}

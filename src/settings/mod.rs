//! A workspace's own settings: its display name and time zone (brand
//! settings join them later). Each workspace has its own row; nothing global.

mod handlers;
pub mod queries;
mod views;

use axum::{Router, routing::get};

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/settings", get(handlers::view_settings).post(handlers::save_settings))
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
}

//! Calendar pages.

use askama::Template;

use super::tray::Tray;
use super::{
    COLOURS,
    grid::{Day, ViewKind},
    queries::{Calendar, CalendarSummary},
};
use crate::{collections::queries::Collection, web::Layout};

#[derive(Template)]
#[template(path = "calendars/index.html")]
pub struct CalendarsView {
    pub layout: Layout,
    pub calendars: Vec<CalendarSummary>,
    pub can_edit: bool,
    pub form: CalendarForm,
    pub error: Option<&'static str>,
}

#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct CalendarForm {
    #[serde(default, deserialize_with = "crate::web::text::line")]
    pub name: String,
    #[serde(default)]
    pub colour: String,
    #[serde(default)]
    pub default_platform: String,
}

#[derive(Template)]
#[template(path = "calendars/show.html")]
pub struct CalendarView {
    pub layout: Layout,
    pub calendar: Calendar,
    pub kind: ViewKind,
    pub title: String,
    pub days: Vec<Day>,
    pub previous: String,
    pub next: String,
    pub time_zone: String,
    pub can_edit: bool,
    /// Every feed address of the calendar, with who made it.
    pub feeds: Vec<FeedLine>,
    /// The person looking has an address of their own.
    pub has_own_feed: bool,
    /// A feed address shown once, right after it was made.
    pub new_feed_url: Option<String>,
    pub settings_error: Option<&'static str>,
    /// Where the view's links start: `/calendars/{id}?`, then `view=…`.
    pub base: String,
    /// The calendar's new-post page, for the "+" of each day.
    pub new_post_base: Option<String>,
    pub tray: Tray,
    /// The workspace approves posts: chips show review states, and the
    /// list view filters by them.
    pub approval_on: bool,
    pub review_filter: String,
}

/// A feed address as the calendar page lists it (never the address itself).
pub struct FeedLine {
    pub token_hash: String,
    pub maker: String,
    pub made_on: String,
}

impl CalendarView {
    pub fn is(&self, kind: &str) -> bool {
        self.kind.key() == kind
    }

    pub fn post_total(&self) -> usize {
        self.days.iter().map(Day::total).sum()
    }

    pub fn show_calendar(&self) -> bool {
        false
    }
}

#[derive(Template)]
#[template(path = "calendars/autoschedule.html")]
pub struct AutoscheduleView {
    pub layout: Layout,
    pub calendar: Calendar,
    pub collections: Vec<Collection>,
    pub form: super::autoschedule::PlanForm,
    pub errors: Vec<&'static str>,
    pub plan: Option<Vec<super::autoschedule::PlannedPost>>,
    pub fingerprint: String,
    pub skipped: usize,
    /// Sold pieces left out of the plan (unless asked to include them).
    pub sold_skipped: usize,
    pub time_zone: String,
}

impl AutoscheduleView {
    pub fn weekday_checked(&self, day: &str) -> bool {
        self.form.weekdays.iter().any(|d| d == day)
    }
}

pub const WEEKDAYS: [(&str, &str); 7] =
    [("1", "Mon"), ("2", "Tue"), ("3", "Wed"), ("4", "Thu"), ("5", "Fri"), ("6", "Sat"), ("7", "Sun")];

pub fn colour_name(hex: &str) -> &'static str {
    COLOURS.iter().find(|(h, _)| *h == hex).map_or("Custom", |(_, n)| n)
}

/// The CSS class of a calendar colour (`colour-teal`), made without
/// allocating: every chip of a month asks.
pub fn colour_class(hex: &str) -> &'static str {
    match colour_name(hex) {
        "Indigo" => "colour-indigo",
        "Teal" => "colour-teal",
        "Green" => "colour-green",
        "Amber" => "colour-amber",
        "Rose" => "colour-rose",
        "Purple" => "colour-purple",
        "Slate" => "colour-slate",
        "Orange" => "colour-orange",
        _ => "colour-custom",
    }
}

/// "Plan this": a post on a calendar, day and time for one piece.
#[derive(Template)]
#[template(path = "calendars/plan.html")]
pub struct PlanView {
    pub layout: Layout,
    /// `None` until a piece is chosen.
    pub image: Option<crate::images::queries::Image>,
    pub calendars: Vec<Calendar>,
    pub form: super::plan::PlanForm,
    pub error: Option<&'static str>,
    pub time_zone: String,
}

impl PlanView {
    pub fn is_calendar(&self, c: &Calendar) -> bool {
        c.id.to_string() == self.form.calendar
    }
}

/// Every calendar's posts together.
#[derive(Template)]
#[template(path = "calendars/all.html")]
pub struct AllView {
    pub layout: Layout,
    pub kind: ViewKind,
    pub title: String,
    pub days: Vec<Day>,
    pub previous: String,
    pub next: String,
    pub time_zone: String,
    pub can_edit: bool,
    pub calendars: Vec<Calendar>,
    pub filter: super::all::AllFilter,
    pub base: String,
    pub new_post_base: Option<String>,
    pub anchor: String,
}

impl AllView {
    pub fn is(&self, kind: &str) -> bool {
        self.kind.key() == kind
    }

    pub fn post_total(&self) -> usize {
        self.days.iter().map(Day::total).sum()
    }

    pub fn is_ticked(&self, c: &Calendar) -> bool {
        self.filter.calendars.contains(&c.id)
    }

    /// Chips name their calendar here: the page mixes them.
    pub fn show_calendar(&self) -> bool {
        true
    }
}

/// The grid planner page.
#[derive(Template)]
#[template(path = "calendars/feed.html")]
pub struct FeedView {
    pub layout: Layout,
    pub calendar: Calendar,
    pub tiles: Vec<Tile>,
    pub can_edit: bool,
}

/// One post as a tile of the profile grid.
pub struct Tile {
    pub id: uuid::Uuid,
    pub thumb: Option<String>,
    pub title: String,
    pub when: String,
    /// What a screen reader says: date, time, artwork, status.
    pub name: String,
    pub palette: String,
    pub upcoming: bool,
    pub movable: bool,
    pub can_earlier: bool,
    pub can_later: bool,
    /// Nearly the same colours as the tile to the right / below.
    pub warn_right: bool,
    pub warn_below: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_classes_are_the_lower_case_colour_names() {
        for (hex, name) in COLOURS.iter().chain([&("#123456", "Custom")]) {
            assert_eq!(colour_class(hex), format!("colour-{}", name.to_lowercase()));
        }
    }
}

//! The days a calendar view shows, with their posts placed on local dates.

use std::collections::BTreeMap;

use jiff::{ToSpan, civil::Date};
use uuid::Uuid;

use super::clock::{Clock, hhmm};
use crate::posts::{platforms, queries::PostCard};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ViewKind {
    Month,
    Week,
    List,
}

impl ViewKind {
    pub fn parse(raw: &str) -> Self {
        match raw {
            "week" => Self::Week,
            "list" => Self::List,
            _ => Self::Month,
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Self::Month => "month",
            Self::Week => "week",
            Self::List => "list",
        }
    }
}

/// One day of the view.
pub struct Day {
    pub date: String,
    pub number: i8,
    pub label: String,
    pub in_range: bool,
    pub is_today: bool,
    pub posts: Vec<DayPost>,
}

pub struct DayPost {
    pub id: Uuid,
    pub time: String,
    pub platform: &'static str,
    pub status: String,
    pub first_image: Option<Uuid>,
    pub image_count: i64,
    pub caption: String,
    pub publer_state: String,
    /// Some of its artwork has sold: the chip says to update the post.
    pub sold: bool,
}

/// The first and last day shown, and the day "previous"/"next" go to.
pub struct Span {
    pub first: Date,
    pub last: Date,
    pub previous: Date,
    pub next: Date,
    pub title: String,
}

pub fn span(kind: ViewKind, anchor: Date) -> Span {
    let monday = |d: Date| d.checked_sub((d.weekday().to_monday_zero_offset() as i64).days()).unwrap_or(d);
    match kind {
        ViewKind::Month | ViewKind::List => {
            let first_of_month = anchor.first_of_month();
            let last_of_month = anchor.last_of_month();
            let (first, last) = if kind == ViewKind::Month {
                let last_sunday = monday(last_of_month).checked_add(6.days()).unwrap_or(last_of_month);
                (monday(first_of_month), last_sunday)
            } else {
                (first_of_month, last_of_month)
            };
            Span {
                first,
                last,
                previous: first_of_month.checked_sub(1.month()).unwrap_or(first_of_month),
                next: first_of_month.checked_add(1.month()).unwrap_or(first_of_month),
                title: anchor.strftime("%B %Y").to_string(),
            }
        }
        ViewKind::Week => {
            let first = monday(anchor);
            let last = first.checked_add(6.days()).unwrap_or(first);
            Span {
                first,
                last,
                previous: first.checked_sub(7.days()).unwrap_or(first),
                next: first.checked_add(7.days()).unwrap_or(first),
                title: format!("{} – {}", first.strftime("%-d %b"), last.strftime("%-d %b %Y")),
            }
        }
    }
}

/// Lays the posts on the days of the span, in local time.
pub fn days(span: &Span, kind: ViewKind, anchor: Date, today: Date, clock: &Clock, posts: Vec<PostCard>) -> Vec<Day> {
    let mut by_date: BTreeMap<Date, Vec<DayPost>> = BTreeMap::new();
    for post in posts {
        let (date, time) = clock.local(post.starts_at);
        by_date.entry(date).or_default().push(DayPost {
            id: post.id,
            time: hhmm(time),
            platform: platforms::label(&post.platform),
            status: post.status,
            first_image: post.first_image,
            image_count: post.image_count,
            caption: post.caption.chars().take(80).collect(),
            publer_state: post.publer_state,
            sold: post.sold,
        });
    }
    let mut out = Vec::new();
    let mut date = span.first;
    while date <= span.last {
        let in_range = kind != ViewKind::Month || (date.year() == anchor.year() && date.month() == anchor.month());
        out.push(Day {
            date: date.to_string(),
            number: date.day(),
            label: date.strftime("%A %-d %B").to_string(),
            in_range,
            is_today: date == today,
            posts: by_date.remove(&date).unwrap_or_default(),
        });
        match date.tomorrow() {
            Ok(next) => date = next,
            Err(_) => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_month_view_covers_whole_weeks() {
        let anchor: Date = "2026-11-23".parse().expect("date");
        let s = span(ViewKind::Month, anchor);
        assert_eq!(s.first.to_string(), "2026-10-26");
        assert_eq!(s.last.to_string(), "2026-12-06");
        assert_eq!(s.previous.to_string(), "2026-10-01");
        assert_eq!(s.next.to_string(), "2026-12-01");
    }

    #[test]
    fn a_week_view_starts_on_monday() {
        let s = span(ViewKind::Week, "2026-11-26".parse().expect("date"));
        assert_eq!(s.first.to_string(), "2026-11-23");
        assert_eq!(s.last.to_string(), "2026-11-29");
    }
}

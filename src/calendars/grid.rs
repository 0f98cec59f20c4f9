//! The days a calendar view shows, with their posts placed on local dates.

use std::collections::BTreeMap;

use jiff::{ToSpan, civil::Date};
use uuid::Uuid;

use super::clock::{Clock, hhmm};
use crate::{
    approvals::panel::badge_class,
    images::presets::post_thumb_url,
    posts::{platforms, queries::PostCard},
    tenancy::approval::Review,
};

/// How many posts a month cell shows before "+N more".
pub const CHIPS_PER_DAY: usize = 3;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ViewKind {
    Month,
    Week,
    List,
    /// One day's posts as a list (what "+N more" opens).
    Day,
}

impl ViewKind {
    pub fn parse(raw: &str) -> Self {
        match raw {
            "week" => Self::Week,
            "list" => Self::List,
            "day" => Self::Day,
            _ => Self::Month,
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Self::Month => "month",
            Self::Week => "week",
            Self::List => "list",
            Self::Day => "day",
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

impl Day {
    /// The posts a month cell shows; the rest are behind "+N more".
    pub fn shown(&self, kind: &ViewKind) -> &[DayPost] {
        match kind {
            ViewKind::Month => &self.posts[..self.posts.len().min(CHIPS_PER_DAY)],
            _ => &self.posts,
        }
    }

    pub fn more(&self, kind: &ViewKind) -> usize {
        self.posts.len() - self.shown(kind).len()
    }
}

pub struct DayPost {
    pub id: Uuid,
    pub calendar_name: String,
    /// The calendar's colour class (`colour-teal`).
    pub colour_class: String,
    pub time: String,
    pub platform: &'static str,
    pub status: String,
    /// The first artwork's thumbnail in the platform's crop.
    pub thumb: Option<String>,
    pub image_count: i64,
    /// The start of the caption, or else the artwork's title.
    pub snippet: String,
    /// The full caption, for the tooltip.
    pub caption: String,
    /// What a screen reader says: date, time, artwork and platform.
    pub name: String,
    pub publer_state: String,
    /// Some of its artwork has sold: the chip says to update the post.
    pub sold: bool,
    /// Where it stands in review (`none` also while approval is off).
    pub review: Review,
}

impl DayPost {
    /// The review badge's CSS modifier.
    pub fn review_class(&self) -> &'static str {
        badge_class(self.review)
    }
}

/// Clears the review states while approval is off (left from when it was
/// on, they would only mislead), or keeps only the posts in `only` (the
/// list view's filter).
pub fn review_states(cards: &mut Vec<PostCard>, approval_on: bool, only: &str) {
    if !approval_on {
        cards.iter_mut().for_each(|c| c.review = "none".to_owned());
    } else if Review::parse(only).is_some() {
        cards.retain(|c| c.review == only);
    }
}

/// The start of a caption: its first line, at most `max` characters.
fn snippet(caption: &str, max: usize) -> String {
    let line = caption.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("");
    if line.chars().count() <= max {
        return line.to_owned();
    }
    let cut: String = line.chars().take(max).collect();
    format!("{}…", cut.trim_end())
}

fn day_post(post: PostCard, date: Date, time: jiff::civil::Time) -> DayPost {
    let platform = platforms::label(&post.platform);
    let title = post.first_title.clone().unwrap_or_default();
    let text = snippet(&post.caption, 60);
    let artwork = if title.is_empty() { "no artwork yet".to_owned() } else { title.clone() };
    let status = crate::posts::queries::STATUSES.iter().find(|(k, _)| *k == post.status).map_or("", |(_, l)| l);
    let review = Review::parse(&post.review).unwrap_or_default();
    let in_review = if review == Review::None { String::new() } else { format!(", {}", review.label()) };
    DayPost {
        id: post.id,
        colour_class: format!("colour-{}", super::views::colour_name(&post.colour).to_lowercase()),
        name: format!("{}, {}, {platform}: {artwork} ({status}{in_review})", date.strftime("%a %-d %b"), hhmm(time)),
        review,
        calendar_name: post.calendar_name,
        time: hhmm(time),
        platform,
        thumb: post.first_image.map(|image| post_thumb_url(image, &post.platform)),
        image_count: post.image_count,
        snippet: if text.is_empty() { title } else { text },
        caption: post.caption.chars().take(200).collect(),
        status: post.status,
        publer_state: post.publer_state,
        sold: post.sold,
    }
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
        ViewKind::Day => Span {
            first: anchor,
            last: anchor,
            previous: anchor.yesterday().unwrap_or(anchor),
            next: anchor.tomorrow().unwrap_or(anchor),
            title: anchor.strftime("%A %-d %B %Y").to_string(),
        },
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
        by_date.entry(date).or_default().push(day_post(post, date, time));
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

    #[test]
    fn a_snippet_is_the_first_line_cut_short() {
        assert_eq!(snippet("\n  Blue study  \nmore", 60), "Blue study");
        assert_eq!(snippet("abcdefghij", 4), "abcd…");
        assert_eq!(snippet("", 4), "");
    }
}

//! The days a calendar view shows, with their posts placed on local dates.

use std::collections::BTreeMap;

use jiff::{ToSpan, civil::Date};
use uuid::Uuid;

use super::clock::{Clock, hhmm};
use crate::{
    approvals::panel::badge_class,
    db::WorkspaceTx,
    images::presets::post_thumb_url,
    posts::{
        platforms,
        queries::{self as posts, PostCard, PostFilter, PostTime},
    },
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
    /// The posts the view shows: in a month cell only the first
    /// `CHIPS_PER_DAY`, the others are counted in `hidden`.
    pub posts: Vec<DayPost>,
    /// Posts of a month cell behind "+N more" (never made into chips).
    pub hidden: usize,
}

impl Day {
    /// How many posts "+N more" stands for.
    pub fn more(&self) -> usize {
        self.hidden
    }

    /// Every post of the day, shown or not.
    pub fn total(&self) -> usize {
        self.posts.len() + self.hidden
    }
}

pub struct DayPost {
    pub id: Uuid,
    pub calendar_name: String,
    /// The calendar's colour class (`colour-teal`).
    pub colour_class: &'static str,
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

/// A chip of `post` at `time` on a day whose short name (`Mon 3 Jun`) is `day`.
fn day_post(post: PostCard, day: &str, time: jiff::civil::Time) -> DayPost {
    let platform = platforms::label(&post.platform);
    let time = hhmm(time);
    let title = post.first_title.unwrap_or_default();
    let status = crate::posts::queries::STATUSES.iter().find(|(k, _)| *k == post.status).map_or("", |(_, l)| l);
    let review = Review::parse(&post.review).unwrap_or_default();
    let name = chip_name(day, &time, platform, &title, status, review);
    let text = snippet(&post.caption, 60);
    DayPost {
        id: post.id,
        colour_class: super::views::colour_class(&post.colour),
        name,
        review,
        calendar_name: post.calendar_name,
        time,
        platform,
        thumb: post.first_image.map(|image| post_thumb_url(image, &post.platform)),
        image_count: post.image_count,
        snippet: if text.is_empty() { title } else { text },
        caption: first_chars(post.caption, 200),
        status: post.status,
        publer_state: post.publer_state,
        sold: post.sold,
    }
}

/// What a screen reader says of a chip: `Mon 3 Jun, 09:00, Instagram:
/// Blue study (Draft, In review)`.
fn chip_name(day: &str, time: &str, platform: &str, title: &str, status: &str, review: Review) -> String {
    let artwork = if title.is_empty() { "no artwork yet" } else { title };
    let mut name = String::with_capacity(day.len() + platform.len() + artwork.len() + 48);
    for part in [day, ", ", time, ", ", platform, ": ", artwork, " (", status] {
        name.push_str(part);
    }
    if review != Review::None {
        name.push_str(", ");
        name.push_str(review.label());
    }
    name.push(')');
    name
}

/// `text` cut to its first `max` characters, in place.
fn first_chars(mut text: String, max: usize) -> String {
    if let Some((end, _)) = text.char_indices().nth(max) {
        text.truncate(end);
    }
    text
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

/// The posts of one local date, while they are laid out.
struct Bucket {
    /// The date's short name in chip names (`Mon 3 Jun`), made once a day.
    short: String,
    posts: Vec<DayPost>,
    hidden: usize,
}

/// The posts a view of `span` shows, read as its kind needs: a month reads
/// every post's start, then whole only its chips (`chips`), with how many
/// more each date has; the other views read every card.
pub async fn posts_for(
    tx: &mut WorkspaceTx,
    (kind, span): (ViewKind, &Span),
    clock: &Clock,
    filter: PostFilter<'_>,
) -> sqlx::Result<(Vec<PostCard>, BTreeMap<Date, usize>)> {
    let after_last = span.last.tomorrow().unwrap_or(span.last);
    let (from, to) = (clock.start_of(span.first), clock.start_of(after_last));
    if kind == ViewKind::Month {
        let (shown, more) = chips(clock, posts::times_between(tx, filter, from, to).await?);
        return Ok((posts::cards_of(tx, &shown).await?, more));
    }
    let calendar = match filter.calendars {
        [one] => Some(*one),
        _ => None,
    };
    Ok((posts::cards_between(tx, calendar, from, to).await?, BTreeMap::new()))
}

/// For a month: the posts that become chips (the first `CHIPS_PER_DAY` of
/// each local date, by time) and how many more each date has. The month
/// then reads whole only the posts it shows: about 90 of June's 620.
pub fn chips(clock: &Clock, mut times: Vec<PostTime>) -> (Vec<Uuid>, BTreeMap<Date, usize>) {
    times.sort_unstable_by_key(|t| (t.starts_at, t.id));
    let (mut shown, mut more) = (Vec::new(), BTreeMap::new());
    let mut current: Option<(Date, usize)> = None;
    for time in times {
        let date = clock.local(time.starts_at).0;
        let place = match &mut current {
            Some((day, count)) if *day == date => {
                *count += 1;
                *count
            }
            _ => current.insert((date, 1)).1,
        };
        if place <= CHIPS_PER_DAY {
            shown.push(time.id);
        } else {
            *more.entry(date).or_insert(0) += 1;
        }
    }
    (shown, more)
}

/// Lays the posts on the days of the span, in local time. A month cell
/// makes chips of its first `CHIPS_PER_DAY` posts only and counts the rest,
/// with `more` posts per date that were counted and never read (`chips`).
pub fn days(
    span: &Span,
    kind: ViewKind,
    (anchor, today): (Date, Date),
    clock: &Clock,
    posts: Vec<PostCard>,
    more: &BTreeMap<Date, usize>,
) -> Vec<Day> {
    let mut by_date: BTreeMap<Date, Bucket> = BTreeMap::new();
    for post in posts {
        let (date, time) = clock.local(post.starts_at);
        let bucket = by_date.entry(date).or_insert_with(|| Bucket {
            short: date.strftime("%a %-d %b").to_string(),
            posts: Vec::new(),
            hidden: 0,
        });
        if kind == ViewKind::Month && bucket.posts.len() >= CHIPS_PER_DAY {
            bucket.hidden += 1;
        } else {
            bucket.posts.push(day_post(post, &bucket.short, time));
        }
    }
    let mut out = Vec::new();
    let mut date = span.first;
    while date <= span.last {
        let in_range = kind != ViewKind::Month || (date.year() == anchor.year() && date.month() == anchor.month());
        let (posts, hidden) = by_date.remove(&date).map_or((Vec::new(), 0), |b| (b.posts, b.hidden));
        let hidden = hidden + more.get(&date).copied().unwrap_or(0);
        out.push(Day {
            date: date.to_string(),
            number: date.day(),
            label: date.strftime("%A %-d %B").to_string(),
            in_range,
            is_today: date == today,
            posts,
            hidden,
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
    fn a_month_reads_the_first_three_posts_of_each_local_day_and_counts_the_rest() {
        let clock = Clock::new("Pacific/Kiritimati"); // UTC+14
        let utc = |hour: i64| time::macros::datetime!(2030-06-01 00:00 UTC) + time::Duration::minutes(hour * 60 + 30);
        // 09:30 UTC is 23:30 on 1 June there; 10:30 UTC onwards is 2 June.
        let times: Vec<PostTime> = [13, 9, 11, 10, 12, 10, 14]
            .into_iter()
            .map(|hour| PostTime { id: Uuid::now_v7(), starts_at: utc(hour) })
            .collect();
        let ids: Vec<Uuid> = times.iter().map(|t| t.id).collect();
        let (shown, more) = chips(&clock, times);
        // By time, then id for the two at 10:30.
        assert_eq!(shown, vec![ids[1], ids[3], ids[5], ids[2]]);
        let june = |day| jiff::civil::date(2030, 6, day);
        assert_eq!(more.into_iter().collect::<Vec<_>>(), vec![(june(2), 3)]);
    }

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

    #[test]
    fn a_caption_is_cut_by_characters() {
        assert_eq!(first_chars("héllo".to_owned(), 2), "hé");
        assert_eq!(first_chars("héllo".to_owned(), 5), "héllo");
        assert_eq!(first_chars(String::new(), 5), "");
    }

    #[test]
    fn a_chip_is_named_by_day_time_platform_artwork_and_state() {
        let name = chip_name("Mon 3 Jun", "09:00", "Instagram", "", "Draft", Review::None);
        assert_eq!(name, "Mon 3 Jun, 09:00, Instagram: no artwork yet (Draft)");
        let name = chip_name("Mon 3 Jun", "09:00", "Instagram", "Blue", "Ready", Review::Approved);
        assert_eq!(name, "Mon 3 Jun, 09:00, Instagram: Blue (Ready, Approved)");
    }
}

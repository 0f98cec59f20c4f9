//! Post cards: what a calendar day or the home page shows of each post, read
//! in one statement.
//!
//! The statement joins every post to its artwork (one row per post and
//! piece, in carousel order) and `fold` makes one card of each post's rows:
//! the first row names the first artwork, the rows count the pieces, any
//! sold piece flags the post. Earlier versions looked each post's first
//! artwork, count and sold pieces up with three correlated subqueries (the
//! first twice, each with a sort): on a 620-post month that was most of the
//! page's time on SQLite.

use time::OffsetDateTime;
use uuid::Uuid;

use crate::db::{
    WorkspaceTx,
    direct::{Arg, Direct, Row, fetch_all_on},
    query::{and_each, fetch_all},
};

/// What a calendar day or the home page shows of a post.
#[derive(Clone, Debug)]
pub struct PostCard {
    pub id: Uuid,
    pub calendar_id: Uuid,
    pub calendar_name: String,
    pub colour: String,
    pub starts_at: OffsetDateTime,
    pub platform: String,
    pub status: String,
    pub caption: String,
    pub first_image: Option<Uuid>,
    /// The first artwork's title, when the post has artwork.
    pub first_title: Option<String>,
    pub image_count: i64,
    /// `sending`, `scheduled` or `failed` once handed to Publer, else empty.
    pub publer_state: String,
    /// Not yet published, and some of its artwork has sold since it was planned.
    pub sold: bool,
    /// Where it stands in review (`events.review`).
    pub review: String,
}

/// One row of `card_sql`: a post with one of its pieces (or with none).
#[derive(sqlx::FromRow)]
struct CardRow {
    id: Uuid,
    calendar_id: Uuid,
    calendar_name: String,
    colour: String,
    starts_at: OffsetDateTime,
    platform: String,
    status: String,
    caption: String,
    review: String,
    publer_state: String,
    /// The piece's place in the carousel.
    position: Option<i64>,
    image_id: Option<Uuid>,
    image_title: Option<String>,
    image_sold: Option<bool>,
}

impl Direct for CardRow {
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "calendar_id",
        "calendar_name",
        "colour",
        "starts_at",
        "platform",
        "status",
        "caption",
        "review",
        "publer_state",
        "position",
        "image_id",
        "image_title",
        "image_sold",
    ];

    fn read(row: &Row<'_>) -> sqlx::Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            calendar_id: row.get(1)?,
            calendar_name: row.get(2)?,
            colour: row.get(3)?,
            starts_at: row.get(4)?,
            platform: row.get(5)?,
            status: row.get(6)?,
            caption: row.get(7)?,
            review: row.get(8)?,
            publer_state: row.get(9)?,
            position: row.get(10)?,
            image_id: row.get(11)?,
            image_title: row.get(12)?,
            image_sold: row.get(13)?,
        })
    }
}

/// The card rows of posts matching `filter` (a condition on `e`), in no
/// particular order (`fold` sorts them: SQLite's sort of a month's ~700 rows
/// in a temporary b-tree was about half the statement's time). The posts are
/// chosen (and limited) before the join, so "the first 8 drafts" reads 8
/// posts' artwork.
fn card_sql(filter: &str, limit: &str) -> String {
    format!(
        "SELECT e.id, e.calendar_id, c.name AS calendar_name, c.colour, e.starts_at, e.platform, e.status, \
           e.caption, e.review, \
           CASE WHEN s.state = 'sending' AND s.error <> '' THEN 'waiting' ELSE COALESCE(s.state, '') END AS publer_state, \
           x.position, x.image_id, a.title AS image_title, a.availability = 'sold' AS image_sold \
         FROM (SELECT e.workspace_id, e.id, e.calendar_id, e.starts_at, e.platform, e.status, e.caption, e.review \
           FROM events e WHERE e.workspace_id = $1 AND {filter} ORDER BY e.starts_at, e.id {limit}) e \
         JOIN calendars c ON c.workspace_id = e.workspace_id AND c.id = e.calendar_id \
         LEFT JOIN publer_sends s ON s.workspace_id = e.workspace_id AND s.event_id = e.id \
         LEFT JOIN event_images x ON x.workspace_id = e.workspace_id AND x.event_id = e.id \
         LEFT JOIN images a ON a.workspace_id = x.workspace_id AND a.id = x.image_id"
    )
}

/// One card per post, in date order, from its rows in any order.
fn fold(mut rows: Vec<CardRow>) -> Vec<PostCard> {
    rows.sort_unstable_by(|a, b| {
        (a.starts_at, a.id, a.position, a.image_id).cmp(&(b.starts_at, b.id, b.position, b.image_id))
    });
    let mut cards: Vec<PostCard> = Vec::with_capacity(rows.len());
    for row in rows {
        match cards.last_mut() {
            Some(card) if card.id == row.id => add_piece(card, row.image_id, row.image_sold),
            _ => cards.push(first_row(row)),
        }
    }
    for card in &mut cards {
        card.sold &= card.status != "published";
    }
    cards
}

/// A card from its post's first row (its first piece, if any).
fn first_row(row: CardRow) -> PostCard {
    let mut card = PostCard {
        id: row.id,
        calendar_id: row.calendar_id,
        calendar_name: row.calendar_name,
        colour: row.colour,
        starts_at: row.starts_at,
        platform: row.platform,
        status: row.status,
        caption: row.caption,
        first_image: row.image_id,
        first_title: row.image_id.and(row.image_title),
        image_count: 0,
        publer_state: row.publer_state,
        sold: false,
        review: row.review,
    };
    add_piece(&mut card, row.image_id, row.image_sold);
    card
}

fn add_piece(card: &mut PostCard, image: Option<Uuid>, sold: Option<bool>) {
    if image.is_some() {
        card.image_count += 1;
        card.sold |= sold.unwrap_or(false);
    }
}

/// Posts starting in `[from, to)`, of one calendar or of all. A list's or
/// a week's hundreds of rows are read on SQLite directly (`db::direct`);
/// drafts, at most a few, go through sqlx, whose cached statement beats a
/// fresh prepare there.
pub async fn cards_between(
    tx: &mut WorkspaceTx,
    calendar: Option<Uuid>,
    from: OffsetDateTime,
    to: OffsetDateTime,
) -> sqlx::Result<Vec<PostCard>> {
    let ws = tx.workspace_id();
    // One statement per case, each planned for it (see `images::queries::gallery`).
    let filter = match calendar {
        Some(_) => "e.calendar_id = $2 AND e.starts_at >= $3 AND e.starts_at < $4",
        None => "e.starts_at >= $3 AND e.starts_at < $4",
    };
    let sql = card_sql(filter, "");
    let rows = fetch_all_on(tx.target(), &sql, &[ws.into(), calendar.into(), from.into(), to.into()]).await?;
    Ok(fold(rows))
}

/// When a post starts: what a month grid needs of every post to choose
/// the few it shows as chips.
#[derive(sqlx::FromRow)]
pub struct PostTime {
    pub id: Uuid,
    pub starts_at: OffsetDateTime,
}

impl Direct for PostTime {
    const COLUMNS: &'static [&'static str] = &["id", "starts_at"];

    fn read(row: &Row<'_>) -> sqlx::Result<Self> {
        Ok(Self { id: row.get(0)?, starts_at: row.get(1)? })
    }
}

/// Which posts a month grid counts: of some calendars (none named: all),
/// and of one platform and one status when those are set.
#[derive(Clone, Copy, Default)]
pub struct PostFilter<'a> {
    pub calendars: &'a [Uuid],
    pub platform: Option<&'a str>,
    pub status: Option<&'a str>,
}

/// The start of each post in `[from, to)` that `filter` keeps; for one
/// calendar, from its time index alone (`0031_post_order`).
pub async fn times_between(
    tx: &mut WorkspaceTx,
    filter: PostFilter<'_>,
    from: OffsetDateTime,
    to: OffsetDateTime,
) -> sqlx::Result<Vec<PostTime>> {
    let ws = tx.workspace_id();
    let mut sql =
        "SELECT id, starts_at FROM events WHERE workspace_id = $1 AND starts_at >= $2 AND starts_at < $3".to_owned();
    let (calendars, slots) = places(6, filter.calendars.len());
    let in_calendars = format!("calendar_id {calendars}");
    and_each(
        &mut sql,
        &[
            (filter.platform.is_some(), "platform = $4"),
            (filter.status.is_some(), "status = $5"),
            (slots > 0, &in_calendars),
        ],
    );
    let mut args = vec![ws.into(), from.into(), to.into(), filter.platform.into(), filter.status.into()];
    args.extend(padded(filter.calendars, slots));
    fetch_all_on(tx.target(), &sql, &args).await
}

/// The cards of the posts `ids` (any that are gone are left out), in date
/// order.
pub async fn cards_of(tx: &mut WorkspaceTx, ids: &[Uuid]) -> sqlx::Result<Vec<PostCard>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let (list, slots) = places(2, ids.len());
    let sql = card_sql(&format!("e.id {list}"), "");
    let mut args = vec![Arg::from(tx.workspace_id())];
    args.extend(padded(ids, slots));
    Ok(fold(fetch_all_on(tx.target(), &sql, &args).await?))
}

/// `IN ($first, …)` with room for `count` values, and how many places that
/// is. Values are bound one by one, and the list is padded to a power of two
/// (`padded`), so PostgreSQL prepares a handful of statements for every
/// length (a month shows at most 126 chips).
fn places(first: usize, count: usize) -> (String, usize) {
    let slots = if count == 0 { 0 } else { count.next_power_of_two() };
    let list: Vec<String> = (first..first + slots).map(|n| format!("${n}")).collect();
    (format!("IN ({})", list.join(", ")), slots)
}

/// `ids` filling `slots` places, the last repeated (an `IN` list minds no
/// repeats).
fn padded<'a>(ids: &'a [Uuid], slots: usize) -> impl Iterator<Item = Arg<'a>> + 'a {
    let last = ids.last().copied();
    ids.iter().copied().chain(std::iter::repeat_n(last.unwrap_or_default(), slots)).take(slots).map(Arg::from)
}

/// Drafts that still lack a caption or artwork, soonest first.
pub async fn drafts_needing_work(tx: &mut WorkspaceTx, limit: i64) -> sqlx::Result<Vec<PostCard>> {
    let ws = tx.workspace_id();
    let sql = card_sql(
        "e.status = 'draft' AND (e.caption = '' OR NOT EXISTS \
         (SELECT 1 FROM event_images y WHERE y.workspace_id = e.workspace_id AND y.event_id = e.id))",
        "LIMIT $2",
    );
    let rows = fetch_all!(tx, CardRow, &sql, ws, limit)?;
    Ok(fold(rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(post: Uuid, status: &str, image: Option<(Uuid, &str, bool)>) -> CardRow {
        CardRow {
            id: post,
            calendar_id: Uuid::nil(),
            calendar_name: "Shop".into(),
            colour: "#4f46e5".into(),
            starts_at: OffsetDateTime::UNIX_EPOCH,
            platform: "instagram".into(),
            status: status.into(),
            caption: "Hello".into(),
            review: "none".into(),
            publer_state: String::new(),
            position: image.map(|_| 0),
            image_id: image.map(|(id, _, _)| id),
            image_title: image.map(|(_, title, _)| title.to_owned()),
            image_sold: image.map(|(_, _, sold)| sold),
        }
    }

    #[test]
    fn rows_in_any_order_make_cards_in_date_order_named_by_the_first_place() {
        let (later, sooner) = (Uuid::now_v7(), Uuid::now_v7());
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let mut rows = vec![
            row(sooner, "draft", Some((a, "Second place", false))),
            row(later, "draft", None),
            row(sooner, "draft", Some((b, "First place", false))),
        ];
        rows[0].position = Some(2);
        rows[2].position = Some(1);
        rows[1].starts_at += time::Duration::hours(1);
        let cards = fold(rows);
        assert_eq!(cards.iter().map(|c| c.id).collect::<Vec<_>>(), vec![sooner, later], "by date, not by id");
        assert_eq!((cards[0].first_image, cards[0].first_title.as_deref()), (Some(b), Some("First place")));
        assert_eq!(cards[0].image_count, 2);
    }

    #[test]
    fn a_posts_rows_make_one_card_named_by_its_first_piece() {
        let (post, bare, published) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let cards = fold(vec![
            row(post, "draft", Some((a, "First", false))),
            row(post, "draft", Some((b, "Second", true))),
            row(bare, "ready", None),
            row(published, "published", Some((a, "First", true))),
        ]);
        assert_eq!(cards.len(), 3);
        assert_eq!((cards[0].first_image, cards[0].first_title.as_deref()), (Some(a), Some("First")));
        assert_eq!((cards[0].image_count, cards[0].sold), (2, true), "any sold piece flags the post");
        assert_eq!((cards[1].first_image, cards[1].first_title.as_deref(), cards[1].image_count), (None, None, 0));
        assert!(!cards[1].sold);
        assert_eq!(cards[2].image_count, 1);
        assert!(!cards[2].sold, "a published post is not flagged");
    }
}

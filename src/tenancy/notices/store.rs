//! The notices' SQL: who is told (members, from the global tables, with
//! their choice for a kind), what a post is called, and the rows themselves.

use time::OffsetDateTime;
use uuid::Uuid;

use super::Kind;
use crate::{
    db::{
        WorkspaceTx,
        query::{execute, fetch_all, fetch_optional, fetch_scalar},
    },
    tenancy::Role,
};

/// A member of the workspace, with their choice for one kind of notice.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Person {
    pub user_id: Uuid,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
    pub in_app: bool,
    pub by_mail: bool,
}

/// Every member of the workspace `tx` is scoped to, with their choice for
/// `kind` (global tables: memberships, users, choices).
pub async fn members_with_choice(tx: &mut WorkspaceTx, kind: Kind) -> sqlx::Result<Vec<Person>> {
    let ws = tx.workspace_id();
    fetch_all!(
        tx.global().await?,
        Person,
        "SELECT m.user_id, u.name, m.role, COALESCE(c.in_app, TRUE) AS in_app, COALESCE(c.by_mail, TRUE) AS by_mail \
         FROM memberships m JOIN users u ON u.id = m.user_id \
         LEFT JOIN notice_choices c ON c.user_id = m.user_id AND c.kind = $2 \
         WHERE m.workspace_id = $1 ORDER BY u.name, m.user_id",
        ws,
        kind.as_str()
    )
}

/// What a notice says of a post: its calendar, a title and its author.
#[derive(Clone, Debug)]
pub struct PostFacts {
    pub calendar: String,
    /// The first artwork's title, else the caption's start.
    pub title: String,
    pub author: Option<Uuid>,
}

pub async fn post_facts(tx: &mut WorkspaceTx, post: Uuid) -> sqlx::Result<Option<PostFacts>> {
    let ws = tx.workspace_id();
    let row: Option<(String, String, Option<Uuid>, Option<String>)> = fetch_optional!(
        tx,
        (String, String, Option<Uuid>, Option<String>),
        "SELECT c.name, e.caption, e.created_by, \
           (SELECT i.title FROM event_images ei JOIN images i ON i.workspace_id = ei.workspace_id AND i.id = ei.image_id \
            WHERE ei.workspace_id = e.workspace_id AND ei.event_id = e.id ORDER BY ei.position LIMIT 1) \
         FROM events e JOIN calendars c ON c.workspace_id = e.workspace_id AND c.id = e.calendar_id \
         WHERE e.workspace_id = $1 AND e.id = $2",
        ws,
        post
    )?;
    Ok(row.map(|(calendar, caption, author, artwork)| PostFacts {
        calendar,
        title: title_of(artwork.as_deref().unwrap_or_default(), &caption),
        author,
    }))
}

/// A short name for a post: its artwork's title, else its caption's first
/// line (cut at 40 characters), else "Untitled post".
pub fn title_of(artwork: &str, caption: &str) -> String {
    let artwork = artwork.trim();
    if !artwork.is_empty() {
        return artwork.to_owned();
    }
    let line = caption.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or_default();
    match line.char_indices().nth(40) {
        Some((cut, _)) => format!("{}…", line[..cut].trim_end()),
        None if line.is_empty() => "Untitled post".to_owned(),
        None => line.to_owned(),
    }
}

/// Writes one notice for `person`, as they chose for its kind: none at all
/// when they want it neither in the app nor by mail; already read when they
/// want it by mail only (so the bell never counts it).
pub async fn tell(
    tx: &mut WorkspaceTx,
    person: &Person,
    kind: Kind,
    post: Option<Uuid>,
    text: &str,
    link: &str,
) -> sqlx::Result<()> {
    if !person.in_app && !person.by_mail {
        return Ok(());
    }
    let ws = tx.workspace_id();
    let now = OffsetDateTime::now_utc();
    execute!(
        tx,
        "INSERT INTO notifications (workspace_id, id, user_id, kind, event_id, text, link, created_at, read_at, \
           in_app, by_mail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        ws,
        Uuid::now_v7(),
        person.user_id,
        kind.as_str(),
        post,
        text,
        link,
        now,
        (!person.in_app).then_some(now),
        person.in_app,
        person.by_mail
    )
    .map(drop)
}

pub async fn is_client_comment(tx: &mut WorkspaceTx, comment: Uuid) -> sqlx::Result<bool> {
    let ws = tx.workspace_id();
    let row: Option<(String,)> = fetch_optional!(
        tx,
        (String,),
        "SELECT visibility FROM post_comments WHERE workspace_id = $1 AND id = $2",
        ws,
        comment
    )?;
    Ok(row.is_some_and(|(v,)| v == "client"))
}

/// Drops the "commented" notices of the post's newest comment (the one a
/// request for changes just wrote), which that request's notice replaces.
pub async fn forget_comment_notices(tx: &mut WorkspaceTx, post: Uuid) -> sqlx::Result<()> {
    let ws = tx.workspace_id();
    let newest: Option<(Uuid,)> = fetch_optional!(
        tx,
        (Uuid,),
        "SELECT id FROM post_comments WHERE workspace_id = $1 AND event_id = $2 ORDER BY created_at DESC, id DESC LIMIT 1",
        ws,
        post
    )?;
    let Some((comment,)) = newest else { return Ok(()) };
    let link = format!("/events/{post}#comment-{comment}");
    execute!(
        tx,
        "DELETE FROM notifications WHERE workspace_id = $1 AND event_id = $2 AND kind = $3 AND link = $4",
        ws,
        post,
        Kind::Comment.as_str(),
        link
    )
    .map(drop)
}

/// A review link's maker, reviewer and calendar.
pub async fn review_link(
    tx: &mut WorkspaceTx,
    link: Uuid,
) -> sqlx::Result<Option<(Option<Uuid>, String, Option<Uuid>)>> {
    let ws = tx.workspace_id();
    fetch_optional!(
        tx,
        (Option<Uuid>, String, Option<Uuid>),
        "SELECT created_by, reviewer_name, calendar_id FROM review_links WHERE workspace_id = $1 AND id = $2",
        ws,
        link
    )
}

/// The bell's figure for person `$1` in workspace `$2`; the switcher's
/// statement carries it too (`tenancy::queries::switcher_with_unread`).
pub const UNREAD: &str =
    "SELECT COUNT(*) FROM notifications WHERE workspace_id = $2 AND user_id = $1 AND read_at IS NULL";

/// The bell's figure: `user`'s unread notices in the transaction's
/// workspace. One COUNT on the `notifications_unread` index.
pub async fn unread_count(tx: &mut WorkspaceTx, user: Uuid) -> sqlx::Result<i64> {
    let id = tx.workspace_id();
    fetch_scalar!(tx, i64, UNREAD, user, id)
}

/// Marks every notice of `user` in this workspace read.
pub async fn mark_all_read(tx: &mut WorkspaceTx, user: Uuid) -> sqlx::Result<u64> {
    let ws = tx.workspace_id();
    execute!(
        tx,
        "UPDATE notifications SET read_at = $3 WHERE workspace_id = $1 AND user_id = $2 AND read_at IS NULL",
        ws,
        user,
        OffsetDateTime::now_utc()
    )
}

#[cfg(test)]
mod tests {
    use super::title_of;

    #[test]
    fn a_post_is_called_by_its_artwork_then_its_caption() {
        assert_eq!(title_of("Study in cobalt", "whatever"), "Study in cobalt");
        assert_eq!(title_of("", "\n  New piece!\nmore"), "New piece!");
        assert_eq!(title_of("", ""), "Untitled post");
        let long = "a".repeat(60);
        assert_eq!(title_of("", &long), format!("{}…", "a".repeat(40)));
    }
}

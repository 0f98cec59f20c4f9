//! One timeline per post: its history (review steps, edits with what
//! changed, sends) and its comments, merged by time, each with who, when
//! (in the workspace's time zone) and from where.

use jiff::{Timestamp, tz::TimeZone};
use time::OffsetDateTime;
use uuid::Uuid;

use super::queries::{self, Comment, HistoryRow};
use crate::{
    db::WorkspaceTx,
    tenancy::{Permission, Role, approval::Review, notices},
    web::{Layout, dates, rich_text},
};

/// The most characters a comment may have.
pub const MAX_BODY: usize = 5_000;

/// The editor's timeline slot.
#[derive(Clone, Debug, Default)]
pub struct Timeline {
    pub post_id: Uuid,
    pub entries: Vec<Entry>,
    /// The reader may write on the thread.
    pub can_comment: bool,
    /// The reader is the client (a viewer): they see client comments only,
    /// and theirs are client comments.
    pub client_side: bool,
    /// The comment form as typed, and why it was refused.
    pub draft: String,
    pub draft_visibility: String,
    pub error: Option<String>,
}

/// One line of the timeline: a history row or a comment.
#[derive(Clone, Debug)]
pub struct Entry {
    pub who: String,
    pub when: String,
    /// "on the review link", "by Easel" or empty (in the app).
    pub place: &'static str,
    pub step: Option<Step>,
    pub comment: Option<Said>,
    at: (OffsetDateTime, Uuid),
}

/// A history row, in words.
#[derive(Clone, Debug)]
pub struct Step {
    pub kind: String,
    pub sentence: String,
    /// "In review → Approved", when the state changed.
    pub states: String,
    /// What an edit changed, a line per field.
    pub details: Vec<String>,
}

/// A comment, rendered.
#[derive(Clone, Debug)]
pub struct Said {
    pub id: Uuid,
    pub html: String,
    pub body: String,
    pub client: bool,
    pub edited: bool,
    /// The reader wrote it: they may edit and delete it.
    pub mine: bool,
}

impl Timeline {
    pub fn is_client_draft(&self) -> bool {
        self.draft_visibility == "client"
    }

    pub fn max_body(&self) -> usize {
        MAX_BODY
    }
}

/// The post's timeline as the page's reader sees it.
pub async fn load(tx: &mut WorkspaceTx, post: Uuid, layout: &Layout, time_zone: &str) -> sqlx::Result<Timeline> {
    let role = layout.active.as_ref().map(|w| w.role);
    let client_side = role == Some(Role::Viewer);
    let can_comment = role.is_some_and(|r| r.can(Permission::Comment)) && !layout.suspended && !layout.moving;
    let (comments, history) = queries::thread_and_history(tx, post, client_side).await?;
    // The members' names mark mentions in comments: none to mark, none read.
    let people = match comments.is_empty() {
        true => Vec::new(),
        false => notices::members_with_choice(tx, notices::Kind::Mention).await?,
    };
    let names: Vec<&str> = people.iter().map(|p| p.name.as_str()).collect();
    let zone = jiff::tz::db().get(time_zone).unwrap_or(TimeZone::UTC);
    let mut entries: Vec<Entry> = history.into_iter().map(|row| step(row, &zone)).collect();
    entries.extend(comments.into_iter().map(|c| said(c, &names, layout.user_id, &zone)));
    entries.sort_by_key(|e| e.at);
    Ok(Timeline { post_id: post, entries, can_comment, client_side, ..Timeline::default() })
}

/// A moment as the workspace reads it: "Tue 1 Dec 2026 09:30".
pub fn local(at: OffsetDateTime, zone: &TimeZone) -> String {
    let zoned = Timestamp::from_second(at.unix_timestamp()).unwrap_or(Timestamp::UNIX_EPOCH).to_zoned(zone.clone());
    dates::day_and_time(zoned.date(), zoned.time())
}

fn place(via_link: bool, via: &str) -> &'static str {
    match (via_link, via) {
        (true, _) | (_, "review_link") => "on the review link",
        (_, "easel") => "by Easel",
        _ => "",
    }
}

fn said(c: Comment, names: &[&str], reader: Option<Uuid>, zone: &TimeZone) -> Entry {
    Entry {
        who: c.author_name.clone(),
        when: local(c.created_at, zone),
        place: place(c.review_link_id.is_some(), ""),
        step: None,
        at: (c.created_at, c.id),
        comment: Some(Said {
            id: c.id,
            html: rich_text::render(&c.body, names),
            client: c.is_client(),
            edited: c.edited_at.is_some(),
            mine: reader.is_some() && c.author_id == reader && c.review_link_id.is_none(),
            body: c.body,
        }),
    }
}

fn step(row: HistoryRow, zone: &TimeZone) -> Entry {
    let label = |s: &str| Review::parse(s).map_or_else(|| s.replace('_', " "), |r| r.label().to_owned());
    let states = if row.from_state != row.to_state && !row.to_state.is_empty() {
        format!("{} → {}", label(&row.from_state), label(&row.to_state))
    } else {
        String::new()
    };
    let sentence = match row.kind.as_str() {
        "submitted" => "sent the post for review".to_owned(),
        "approved" if row.to_state == "client" => "approved the post; it now waits for the client".to_owned(),
        "approved" => "approved the post".to_owned(),
        "changes_requested" => "requested changes".to_owned(),
        "reopened" => "edited the post after approval, so it went back to review".to_owned(),
        "sent" | "publer_sent" => "sent the post to Publer".to_owned(),
        other => other.replace(['_', '.'], " "),
    };
    // A request's words are in the thread already.
    let details = if row.kind == "changes_requested" { Vec::new() } else { details(&row.detail) };
    Entry {
        who: row.actor_name,
        when: local(row.created_at, zone),
        place: place(false, &row.via),
        comment: None,
        at: (row.created_at, row.id),
        step: Some(Step { kind: row.kind, sentence, states, details }),
    }
}

/// What a history row's detail says, a line per changed field: JSON (an
/// edit's before and after) or plain text.
fn details(detail: &str) -> Vec<String> {
    let detail = detail.trim();
    if detail.is_empty() {
        return Vec::new();
    }
    let short =
        |s: String| if s.chars().count() > 300 { format!("{}…", s.chars().take(300).collect::<String>()) } else { s };
    let Ok(serde_json::Value::Object(fields)) = serde_json::from_str::<serde_json::Value>(detail) else {
        return vec![short(detail.to_owned())];
    };
    fields
        .into_iter()
        .map(|(field, value)| {
            let name = field.replace('_', " ");
            let text = |v: &serde_json::Value| match v {
                serde_json::Value::String(s) => format!("“{s}”"),
                other => other.to_string(),
            };
            let change = match &value {
                serde_json::Value::Object(o) if o.contains_key("before") || o.contains_key("after") => {
                    let side = |k: &str| o.get(k).map_or_else(|| "—".to_owned(), text);
                    format!("{} → {}", side("before"), side("after"))
                }
                other => text(other),
            };
            short(format!("{name}: {change}"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_edits_detail_reads_field_by_field() {
        let lines = details(r#"{"caption":{"before":"Blue","after":"Cobalt blue"},"starts_at":"2030-05-01"}"#);
        assert_eq!(lines, vec!["caption: “Blue” → “Cobalt blue”", "starts at: “2030-05-01”"]);
        assert_eq!(details("just words"), vec!["just words"]);
        assert!(details("  ").is_empty());
    }

    #[test]
    fn times_show_in_the_workspace_zone() {
        let at = time::macros::datetime!(2026-12-01 18:30 UTC);
        let zone = jiff::tz::db().get("Europe/Berlin").expect("zone");
        assert_eq!(local(at, &zone), "Tue 1 Dec 2026 19:30");
    }
}

//! The first-run checklist: how far a workspace has come from an empty
//! library to posts that leave Easel, read from its data in one statement.

use time::OffsetDateTime;

use crate::{
    db::{WorkspaceTx, query::fetch_one},
    settings::queries::Settings,
};

/// Everything the home page counts, gathered in one round trip (the home
/// page is benchmarked). Nothing here reads the rows of a big table:
/// images come from the usage counter plan limits keep, posts ahead are
/// counted on the time index alone, and what only needs "any?" stops at the
/// first row.
#[derive(Clone, Copy, Debug, Default, sqlx::FromRow)]
pub struct Counts {
    pub images: i64,
    pub collections: i64,
    pub calendars: i64,
    /// Whether there are posts, and drafts (1 or 0).
    pub posts: i64,
    pub drafts: i64,
    pub upcoming: i64,
    /// Posts from now to a moment just past the end of the home page's list
    /// of the next days (whether to read that list at all).
    pub soon: i64,
    /// Publer has a key and at least one calendar mapped to an account
    /// (`publer_routes` is 1 or 0).
    pub publer_routes: i64,
    pub publer_key: i64,
    /// Whether any post was handed to Publer, and any archive of the
    /// workspace made (1 or 0).
    pub sends: i64,
    pub exports: i64,
}

/// The counts, and the workspace's settings the page shows them with, in
/// one row. `soon` counts the posts from `now` to `within`.
pub async fn counts_and_settings(
    tx: &mut WorkspaceTx,
    now: OffsetDateTime,
    within: OffsetDateTime,
) -> sqlx::Result<(Counts, Settings)> {
    let ws = tx.workspace_id();
    let head = fetch_one!(tx, Head, &HEAD, ws, now, crate::integrations::PUBLER_KEY, within)?;
    Ok((head.counts, head.settings))
}

static HEAD: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "SELECT {SETTINGS}, \
                COALESCE((SELECT image_count FROM workspace_usage WHERE workspace_id = $1), 0) AS images, \
                (SELECT COUNT(*) FROM collections WHERE workspace_id = $1) AS collections, \
                (SELECT COUNT(*) FROM calendars WHERE workspace_id = $1) AS calendars, \
                (SELECT COUNT(*) FROM (SELECT 1 FROM events WHERE workspace_id = $1 LIMIT 1) p) AS posts, \
                (SELECT COUNT(*) FROM (SELECT 1 FROM events WHERE workspace_id = $1 AND status = 'draft' LIMIT 1) d) \
                  AS drafts, \
                (SELECT COUNT(*) FROM events WHERE workspace_id = $1 AND starts_at >= $2) AS upcoming, \
                (SELECT COUNT(*) FROM events WHERE workspace_id = $1 AND starts_at >= $2 AND starts_at < $4) \
                  AS soon, \
                (SELECT COUNT(*) FROM (SELECT 1 FROM publer_routes WHERE workspace_id = $1 LIMIT 1) r) \
                  AS publer_routes, \
                (SELECT COUNT(*) FROM workspace_secrets WHERE workspace_id = $1 AND field = $3) AS publer_key, \
                (SELECT COUNT(*) FROM (SELECT 1 FROM publer_sends WHERE workspace_id = $1 LIMIT 1) ps) AS sends, \
                (SELECT COUNT(*) FROM (SELECT 1 FROM workspace_exports \
                   WHERE workspace_id = $1 AND state = 'ready' LIMIT 1) x) AS exports \
         FROM workspace_settings s WHERE s.workspace_id = $1",
        SETTINGS = crate::settings::queries::COLUMNS
    )
});

#[derive(sqlx::FromRow)]
struct Head {
    #[sqlx(flatten)]
    settings: Settings,
    #[sqlx(flatten)]
    counts: Counts,
}

impl Counts {
    /// Publer can take posts: a key, and an account for at least one calendar.
    pub fn publer_ready(&self) -> bool {
        self.publer_key > 0 && self.publer_routes > 0
    }
}

/// One step of the first run.
pub struct Step {
    pub key: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub href: &'static str,
    pub done: bool,
}

/// The first run in order: each step is done when the data says so.
pub fn steps(c: &Counts) -> Vec<Step> {
    let step = |key, label, hint, href, done| Step { key, label, hint, href, done };
    vec![
        step("upload", "Upload artwork", "Add a few pieces to your library.", "/images", c.images > 0),
        step(
            "collection",
            "Make a collection",
            "Group pieces you will post together.",
            "/collections",
            c.collections > 0,
        ),
        step("calendar", "Create a calendar", "One per channel or campaign.", "/calendars", c.calendars > 0),
        step(
            "fill",
            "Fill it with posts",
            "Plan posts, or fill a calendar from a collection.",
            "/calendars",
            c.posts > 0,
        ),
        step(
            "publish",
            "Connect Publer or export",
            "Send posts to Publer, or download your calendar.",
            "/settings/publer",
            c.publer_ready() || c.sends > 0 || c.exports > 0,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_follow_the_data() {
        let none = steps(&Counts::default());
        assert!(none.iter().all(|s| !s.done));
        let some = steps(&Counts { images: 3, calendars: 1, publer_key: 1, ..Counts::default() });
        let done: Vec<_> = some.iter().filter(|s| s.done).map(|s| s.key).collect();
        assert_eq!(done, ["upload", "calendar"]);
        let publer = Counts { publer_key: 1, publer_routes: 1, ..Counts::default() };
        assert!(steps(&publer)[4].done);
    }
}

//! Mail summaries: at most one mail per person per 10 minutes, combining
//! what happened since their last one, across all their workspaces (which
//! may live in several databases). A cluster job looks every minute; its
//! core, [`send_due`], takes `now` so tests drive it without waiting.

use std::{collections::BTreeMap, fmt::Write as _, time::Duration};

use time::OffsetDateTime;
use uuid::Uuid;

use crate::{
    db::{
        AdminTx, Db, cluster,
        query::{execute, fetch_all, fetch_optional},
    },
    state::AppState,
    tenancy::{address::base_url_of, notices::Kind},
};

/// The shortest time between two summaries to one person.
pub const GAP: time::Duration = time::Duration::minutes(10);

/// How often the job looks for summaries due.
const EVERY: Duration = Duration::from_secs(60);

/// At most this many notices go into one run (the rest wait a minute).
const BATCH: i64 = 5_000;

/// A notice waiting for its mail.
#[derive(Clone, Debug, sqlx::FromRow)]
struct Waiting {
    workspace_id: Uuid,
    id: Uuid,
    user_id: Uuid,
    kind: String,
    text: String,
    link: String,
    /// Its post's calendar, or empty.
    calendar: String,
}

/// Sends the summaries due for the whole cluster, for as long as Easel runs.
pub async fn keep_mailing(state: AppState) {
    let main = state.db.clone();
    let lease = state.config.work_lease;
    cluster::keep_doing(main, "notice summaries", EVERY, lease, move || {
        let state = state.clone();
        async move { send_due(&state, OffsetDateTime::now_utc()).await.map(drop) }
    })
    .await;
}

/// Mails every person with notices waiting whose last summary went at
/// least [`GAP`] before `now`; returns how many mails went.
pub async fn send_due(state: &AppState, now: OffsetDateTime) -> anyhow::Result<usize> {
    let mut by_person: BTreeMap<Uuid, Vec<(usize, Waiting)>> = BTreeMap::new();
    let databases = state.databases.all();
    for (i, (_, db)) in databases.iter().enumerate() {
        for row in waiting(db).await? {
            by_person.entry(row.user_id).or_default().push((i, row));
        }
    }
    let mut sent = 0;
    for (user, rows) in by_person {
        if !due(&state.db, user, now).await? {
            continue;
        }
        let Some((email,)) = fetch_optional!(&state.db, (String,), "SELECT email FROM users WHERE id = $1", user)?
        else {
            continue;
        };
        let (subject, body) = compose(state, &rows.iter().map(|(_, r)| r.clone()).collect::<Vec<_>>()).await?;
        if let Err(e) = state.mailer.send(&email, &subject, body).await {
            tracing::warn!(error = %e, "could not send a notification summary; it is tried again");
            continue;
        }
        for (i, (_, db)) in databases.iter().enumerate() {
            let mine: Vec<&Waiting> = rows.iter().filter(|(d, _)| *d == i).map(|(_, r)| r).collect();
            mark_sent(db, &mine, now).await?;
        }
        execute!(
            &state.db,
            "INSERT INTO notice_mail (user_id, last_sent_at) VALUES ($1, $2) \
             ON CONFLICT (user_id) DO UPDATE SET last_sent_at = $2",
            user,
            now
        )?;
        sent += 1;
    }
    Ok(sent)
}

/// Every notice of one database waiting for mail (across its workspaces:
/// the job is the instance's own, like the purge and the exports' tidying).
async fn waiting(db: &Db) -> sqlx::Result<Vec<Waiting>> {
    let mut tx = AdminTx::begin(db).await?;
    let rows = fetch_all!(
        tx,
        Waiting,
        "SELECT n.workspace_id, n.id, n.user_id, n.kind, n.text, n.link, COALESCE(c.name, '') AS calendar \
         FROM notifications n \
         LEFT JOIN events e ON e.workspace_id = n.workspace_id AND e.id = n.event_id \
         LEFT JOIN calendars c ON c.workspace_id = e.workspace_id AND c.id = e.calendar_id \
         WHERE n.by_mail AND n.emailed_at IS NULL ORDER BY n.created_at, n.id LIMIT $1",
        BATCH
    )?;
    tx.commit().await?;
    Ok(rows)
}

/// Whether `user`'s last summary went at least [`GAP`] before `now`.
async fn due(main: &Db, user: Uuid, now: OffsetDateTime) -> sqlx::Result<bool> {
    let last: Option<(OffsetDateTime,)> =
        fetch_optional!(main, (OffsetDateTime,), "SELECT last_sent_at FROM notice_mail WHERE user_id = $1", user)?;
    Ok(last.is_none_or(|(at,)| at + GAP <= now))
}

async fn mark_sent(db: &Db, rows: &[&Waiting], now: OffsetDateTime) -> sqlx::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut tx = AdminTx::begin(db).await?;
    for row in rows {
        execute!(
            tx,
            "UPDATE notifications SET emailed_at = $3 WHERE workspace_id = $1 AND id = $2",
            row.workspace_id,
            row.id,
            now
        )?;
    }
    tx.commit().await
}

/// The subject ("3 posts approved, 1 change requested on Spring calendar")
/// and the body: per workspace and calendar, the counts, then each notice
/// with its link.
async fn compose(state: &AppState, rows: &[Waiting]) -> anyhow::Result<(String, String)> {
    let mut groups: BTreeMap<(Uuid, String), Vec<&Waiting>> = BTreeMap::new();
    for row in rows {
        groups.entry((row.workspace_id, row.calendar.clone())).or_default().push(row);
    }
    let mut lines = Vec::new();
    let mut body = String::new();
    for ((workspace, calendar), notices) in &groups {
        let name = workspace_name(&state.db, *workspace).await?;
        let place = if calendar.is_empty() { name.clone() } else { format!("{calendar} ({name})") };
        let line = format!("{} on {}", counts(notices), if calendar.is_empty() { &name } else { calendar });
        lines.push(line);
        let base = base_url_of(state, *workspace).await?;
        let _ = writeln!(body, "{place}:");
        for notice in notices {
            let _ = writeln!(body, "- {}\n  {base}{}", notice.text, notice.link);
        }
        body.push('\n');
    }
    let base = state.config.base_url.as_str().trim_end_matches('/').to_owned();
    let _ = writeln!(body, "Choose which notifications you get: {base}/account#notifications");
    let subject = lines.join("; ");
    let subject = if subject.chars().count() > 150 {
        format!("{}…", subject.chars().take(150).collect::<String>())
    } else {
        subject
    };
    Ok((subject.clone(), format!("What happened since the last summary: {subject}.\n\n{body}")))
}

/// "3 posts approved, 1 change requested", in the kinds' order.
fn counts(notices: &[&Waiting]) -> String {
    let mut parts = Vec::new();
    for kind in Kind::ALL {
        let n = notices.iter().filter(|w| w.kind == kind.as_str()).count();
        if n > 0 {
            parts.push(kind.count(n));
        }
    }
    let other = notices.iter().filter(|w| Kind::parse(&w.kind).is_none()).count();
    if other > 0 {
        parts.push(format!("{other} other notification{}", if other == 1 { "" } else { "s" }));
    }
    parts.join(", ")
}

async fn workspace_name(main: &Db, workspace: Uuid) -> sqlx::Result<String> {
    let row: Option<(String,)> =
        fetch_optional!(main, (String,), "SELECT name FROM workspaces WHERE id = $1", workspace)?;
    Ok(row.map_or_else(|| "a workspace".to_owned(), |(n,)| n))
}

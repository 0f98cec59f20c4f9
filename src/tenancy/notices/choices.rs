//! What each person wants to be told, per kind of notice: in the app (the
//! bell) and/or in the mail summaries. Stored per person (a global table);
//! no row means both on.

use uuid::Uuid;

use crate::db::{
    Db,
    query::{execute, fetch_all},
};

/// The kinds of notice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A post waits for the person's approval.
    ReviewRequested,
    /// The person's post was approved.
    Approved,
    /// Changes were requested on a post.
    ChangesRequested,
    /// The client commented on a post.
    Comment,
    /// Someone mentioned the person in a comment.
    Mention,
    /// Every post of a review link is approved.
    LinkApproved,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::ReviewRequested,
        Kind::Approved,
        Kind::ChangesRequested,
        Kind::Comment,
        Kind::Mention,
        Kind::LinkApproved,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ReviewRequested => "review_requested",
            Self::Approved => "approved",
            Self::ChangesRequested => "changes_requested",
            Self::Comment => "comment",
            Self::Mention => "mention",
            Self::LinkApproved => "link_approved",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// How the account page names it.
    pub fn label(self) -> &'static str {
        match self {
            Self::ReviewRequested => "A post needs your review",
            Self::Approved => "Your post was approved",
            Self::ChangesRequested => "Changes were requested on a post",
            Self::Comment => "The client commented on a post",
            Self::Mention => "Someone mentioned you",
            Self::LinkApproved => "Every post of a review link is approved",
        }
    }

    /// `n` of this kind, as a mail summary counts them ("3 posts approved").
    pub fn count(self, n: usize) -> String {
        let s = if n == 1 { "" } else { "s" };
        match self {
            Self::ReviewRequested => format!("{n} post{s} to review"),
            Self::Approved => format!("{n} post{s} approved"),
            Self::ChangesRequested => format!("{n} change{s} requested"),
            Self::Comment => format!("{n} client comment{s}"),
            Self::Mention => format!("{n} mention{s}"),
            Self::LinkApproved => format!("{n} review link{s} fully approved"),
        }
    }
}

/// One kind as a person chose it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Choice {
    pub kind: Kind,
    pub in_app: bool,
    pub by_mail: bool,
}

impl Choice {
    /// The form field names of the account page.
    pub fn app_field(&self) -> String {
        format!("app_{}", self.kind.as_str())
    }

    pub fn mail_field(&self) -> String {
        format!("mail_{}", self.kind.as_str())
    }
}

/// Every kind as `user` chose it (defaults: all on).
pub async fn of(db: &Db, user: Uuid) -> sqlx::Result<Vec<Choice>> {
    let stored: Vec<(String, bool, bool)> = fetch_all!(
        db,
        (String, bool, bool),
        "SELECT kind, in_app, by_mail FROM notice_choices WHERE user_id = $1",
        user
    )?;
    Ok(Kind::ALL
        .into_iter()
        .map(|kind| {
            let found = stored.iter().find(|(k, _, _)| k == kind.as_str());
            Choice { kind, in_app: found.is_none_or(|f| f.1), by_mail: found.is_none_or(|f| f.2) }
        })
        .collect())
}

/// Stores every kind's choice; `checked` holds the form's ticked field names.
pub async fn save(db: &Db, user: Uuid, checked: &[String]) -> sqlx::Result<()> {
    let mut tx = db.begin_write().await?;
    for kind in Kind::ALL {
        let ticked = |prefix: &str| checked.iter().any(|f| *f == format!("{prefix}_{}", kind.as_str()));
        execute!(
            tx,
            "INSERT INTO notice_choices (user_id, kind, in_app, by_mail) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (user_id, kind) DO UPDATE SET in_app = $3, by_mail = $4",
            user,
            kind.as_str(),
            ticked("app"),
            ticked("mail")
        )?;
    }
    tx.commit().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_and_count() {
        for kind in Kind::ALL {
            assert_eq!(Kind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(Kind::Approved.count(3), "3 posts approved");
        assert_eq!(Kind::ChangesRequested.count(1), "1 change requested");
    }
}

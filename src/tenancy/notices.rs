//! What members are told when a post's review moves, a comment is written
//! or a review link is made: rows in `notifications` (the bell) that the
//! mail summaries then carry. The hooks run in the caller's transaction,
//! so a notice exists exactly when what it tells of happened. Nobody is told
//! of what they did themselves, and each person's choices per kind hold.

pub mod choices;
mod store;

use uuid::Uuid;

pub use self::{
    choices::Kind,
    store::{Person, PostFacts, UNREAD, mark_all_read, members_with_choice, unread_count},
};
use super::{
    Role,
    approval::{Review, Reviewer, Via},
};
use crate::{db::WorkspaceTx, web::rich_text};

/// A post's review moved from `from` to `to` by `who`.
pub async fn review_changed(
    tx: &mut WorkspaceTx,
    post: Uuid,
    from: Review,
    to: Review,
    who: &Reviewer,
) -> sqlx::Result<()> {
    if from == to {
        return Ok(());
    }
    let Some(facts) = store::post_facts(tx, post).await? else { return Ok(()) };
    let (kind, text) = match to {
        Review::Internal | Review::Client => {
            (Kind::ReviewRequested, format!("{}: '{}' is waiting for your review", facts.calendar, facts.title))
        }
        Review::Approved => (Kind::Approved, format!("{}: '{}' approved by {}", facts.calendar, facts.title, by(who))),
        Review::ChangesRequested => (
            Kind::ChangesRequested,
            format!("{}: changes requested on '{}' by {}", facts.calendar, facts.title, by(who)),
        ),
        Review::None => return Ok(()),
    };
    let people = members_with_choice(tx, kind).await?;
    let wanted = |p: &Person| match to {
        Review::Internal => matches!(p.role, Role::Owner | Role::Admin),
        Review::Client => p.role == Role::Viewer,
        Review::Approved => Some(p.user_id) == facts.author,
        _ => Some(p.user_id) == facts.author || matches!(p.role, Role::Owner | Role::Admin),
    };
    if to == Review::ChangesRequested {
        // The request carries its comment: one notice, not a second one
        // for the comment itself.
        store::forget_comment_notices(tx, post).await?;
    }
    let link = format!("/events/{post}");
    for person in people.iter().filter(|p| wanted(p) && Some(p.user_id) != who.user_id) {
        store::tell(tx, person, kind, Some(post), &text, &link).await?;
    }
    Ok(())
}

/// A comment was written on a post (by a member, or by a client on a
/// review link); mentions in `body` are the notices' to find.
pub async fn comment_added(
    tx: &mut WorkspaceTx,
    post: Uuid,
    comment: Uuid,
    who: &Reviewer,
    body: &str,
) -> sqlx::Result<()> {
    let Some(facts) = store::post_facts(tx, post).await? else { return Ok(()) };
    let client = store::is_client_comment(tx, comment).await?;
    let link = format!("/events/{post}#comment-{comment}");
    let told = mention(tx, &facts, (post, &link), who, body, client, &[]).await?;
    if !client {
        return Ok(());
    }
    let text = format!("{}: {} commented on '{}'{}", facts.calendar, who.name, facts.title, place(who));
    for person in members_with_choice(tx, Kind::Comment).await? {
        let wanted = Some(person.user_id) == facts.author || matches!(person.role, Role::Owner | Role::Admin);
        if wanted && Some(person.user_id) != who.user_id && !told.contains(&person.user_id) {
            store::tell(tx, &person, Kind::Comment, Some(post), &text, &link).await?;
        }
    }
    Ok(())
}

/// A comment was edited: members it now mentions and did not before are told.
pub async fn comment_edited(
    tx: &mut WorkspaceTx,
    post: Uuid,
    comment: Uuid,
    who: &Reviewer,
    (before, after): (&str, &str),
) -> sqlx::Result<()> {
    let Some(facts) = store::post_facts(tx, post).await? else { return Ok(()) };
    let client = store::is_client_comment(tx, comment).await?;
    let link = format!("/events/{post}#comment-{comment}");
    mention(tx, &facts, (post, &link), who, after, client, &[before]).await.map(drop)
}

/// Tells each member `body` mentions (and no earlier version of it did);
/// returns who was told. Viewers never see internal comments, so they are
/// not told of mentions in one.
async fn mention(
    tx: &mut WorkspaceTx,
    facts: &PostFacts,
    (post, link): (Uuid, &str),
    who: &Reviewer,
    body: &str,
    client: bool,
    earlier: &[&str],
) -> sqlx::Result<Vec<Uuid>> {
    let people = members_with_choice(tx, Kind::Mention).await?;
    let names: Vec<&str> = people.iter().map(|p| p.name.as_str()).collect();
    let now = rich_text::mentioned(body, &names);
    let before: Vec<&str> = earlier.iter().flat_map(|b| rich_text::mentioned(b, &names)).collect();
    let text = format!("{}: {} mentioned you on '{}'{}", facts.calendar, who.name, facts.title, place(who));
    let mut told = Vec::new();
    for person in &people {
        let named = now.contains(&person.name.as_str()) && !before.contains(&person.name.as_str());
        let sees = client || person.role != Role::Viewer;
        if named && sees && Some(person.user_id) != who.user_id && !told.contains(&person.user_id) {
            store::tell(tx, person, Kind::Mention, Some(post), &text, link).await?;
            told.push(person.user_id);
        }
    }
    Ok(told)
}

/// Every post of review link `link` is approved, the last by `reviewer`.
pub async fn link_all_approved(tx: &mut WorkspaceTx, link: Uuid, reviewer: &str) -> sqlx::Result<()> {
    let Some((maker, reviewer_name, calendar)) = store::review_link(tx, link).await? else { return Ok(()) };
    let text = format!("Every post of the review link for {reviewer_name} is approved (the last by {reviewer})");
    let href = calendar.map_or_else(|| "/calendars".to_owned(), |c| format!("/calendars/{c}"));
    for person in members_with_choice(tx, Kind::LinkApproved).await? {
        if Some(person.user_id) == maker || matches!(person.role, Role::Owner | Role::Admin) {
            store::tell(tx, &person, Kind::LinkApproved, None, &text, &href).await?;
        }
    }
    Ok(())
}

/// "Mia", or "Mia on the review link".
fn by(who: &Reviewer) -> String {
    format!("{}{}", who.name, place(who))
}

fn place(who: &Reviewer) -> &'static str {
    match who.via {
        Via::ReviewLink(_) => " on the review link",
        Via::App | Via::Easel => "",
    }
}

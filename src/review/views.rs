//! Pages of review links: the list and form for owners and admins, the
//! link shown once, and the reviewer's own page with its post cards.

use askama::Template;
use uuid::Uuid;

use crate::{tenancy::approval::Review, web::Layout};

/// One link in the list.
pub struct LinkRow {
    pub id: Uuid,
    pub reviewer: String,
    pub email: String,
    pub scope: String,
    pub made: String,
    pub expires: String,
    pub last_opened: String,
    pub progress: String,
    pub state: &'static str,
    pub state_css: &'static str,
    pub active: bool,
}

/// A calendar to choose for a date-range link.
pub struct CalendarChoice {
    pub id: Uuid,
    pub name: String,
}

/// A hand-picked post in the form.
pub struct PickedPost {
    pub id: Uuid,
    pub label: String,
}

/// What the form holds (as typed, when it comes back with errors).
#[derive(Default)]
pub struct LinkForm {
    pub reviewer_name: String,
    pub reviewer_email: String,
    /// `range` or `posts`.
    pub scope: String,
    pub calendar: String,
    pub starts_on: String,
    pub ends_on: String,
    pub expires_days: String,
    pub picked: Vec<PickedPost>,
}

#[derive(Default)]
pub struct LinkErrors {
    pub reviewer_name: Option<String>,
    pub reviewer_email: Option<String>,
    pub scope: Option<String>,
    pub expires_days: Option<String>,
}

impl LinkErrors {
    pub fn any(&self) -> bool {
        self.reviewer_name.is_some()
            || self.reviewer_email.is_some()
            || self.scope.is_some()
            || self.expires_days.is_some()
    }
}

#[derive(Template)]
#[template(path = "review/links.html")]
pub struct LinksView {
    pub layout: Layout,
    pub links: Vec<LinkRow>,
    pub calendars: Vec<CalendarChoice>,
    pub form: LinkForm,
    pub errors: LinkErrors,
    pub approval_on: bool,
    /// Just made: the link, shown this once, and what became of its mail.
    pub made: Option<Made>,
}

pub struct Made {
    pub url: String,
    pub reviewer: String,
    pub email: String,
    pub mailed: bool,
}

/// The chrome of the reviewer's page: the workspace's branding and nothing
/// else of it.
pub struct Chrome {
    pub token: String,
    pub display_name: String,
    pub brand_css: Option<String>,
    pub logo_version: Option<String>,
    pub powered_by: bool,
    pub asset_version: &'static str,
    /// HMAC of the link and this reviewer's cookie; empty on refusal pages.
    pub form_token: String,
}

impl Chrome {
    pub fn hx_headers(&self) -> String {
        serde_json::json!({ super::door::TOKEN_HEADER: self.form_token }).to_string()
    }
}

pub struct CardImage {
    pub url: String,
    pub alt: String,
}

pub struct CommentView {
    pub author: String,
    pub when: String,
    /// The comment's markdown-lite, rendered safely (`web::rich_text`).
    pub html: String,
}

/// One post as the reviewer sees it.
pub struct Card {
    pub id: Uuid,
    pub token: String,
    pub form_token: String,
    pub when: String,
    pub platform: &'static str,
    pub text: String,
    pub images: Vec<CardImage>,
    pub review: Review,
    /// Waiting for the client, and the link may act: Approve / Request changes.
    pub can_answer: bool,
    pub can_comment: bool,
    pub comments: Vec<CommentView>,
    /// What just happened to this card, or why it did not (HTMX answers).
    pub notice: Option<String>,
    pub error: Option<String>,
}

impl Card {
    pub fn review_css(&self) -> &'static str {
        self.review.as_str()
    }
}

#[derive(Template)]
#[template(path = "review/page.html")]
pub struct ReviewPage {
    pub chrome: Chrome,
    pub reviewer: String,
    pub cards: Vec<Card>,
    pub approval_on: bool,
    pub frozen: bool,
    pub waiting: usize,
    pub expires: String,
    pub notice: Option<String>,
    pub error: Option<String>,
}

impl ReviewPage {
    pub fn waiting_text(&self) -> String {
        crate::web::plural::count(self.waiting as i64, "post is", "posts are")
    }
}

#[derive(Template)]
#[template(path = "review/card.html")]
pub struct CardFragment {
    pub card: Card,
}

/// A refusal on the link's own chrome (expired, revoked, unknown, too many).
#[derive(Template)]
#[template(path = "review/closed.html")]
pub struct ClosedPage {
    pub chrome: Chrome,
    pub title: String,
    pub message: String,
}

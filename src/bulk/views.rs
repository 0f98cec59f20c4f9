//! The pages of the bulk actions.

use askama::Template;
use uuid::Uuid;

use super::job_queries::{Job, Outcome};
use crate::{settings::queries::HashtagSet, web::Layout};

/// One selected post, as listed before an action.
pub struct Row {
    pub id: Uuid,
    pub when: String,
    pub platform: &'static str,
    pub calendar: String,
    pub caption: String,
}

/// "Which hashtag set?" or "Delete these posts?": the selection carried
/// on in hidden fields, nothing changed yet.
#[derive(Template)]
#[template(path = "bulk/choice.html")]
pub struct ChoiceView {
    pub layout: Layout,
    pub action: String,
    pub rows: Vec<Row>,
    pub back: String,
    pub hashtag_sets: Vec<HashtagSet>,
    /// Captions: whether the workspace's AI model can write them.
    pub ai_ready: bool,
}

/// A caption job's page: progress, then each post's result.
#[derive(Template)]
#[template(path = "bulk/job.html")]
pub struct JobView {
    pub layout: Layout,
    pub job: Job,
    pub rows: Vec<OutcomeRow>,
}

pub struct OutcomeRow {
    pub outcome: Outcome,
    pub when: String,
    pub platform: &'static str,
}

impl JobView {
    pub fn finished(&self) -> i64 {
        self.job.done + self.job.failed
    }

    pub fn landing(&self) -> &'static str {
        match self.job.landing.as_str() {
            "save" => "saved as each post's caption",
            "suggest" => "offered in each post's editor as a suggestion (Use it or Discard)",
            _ => "kept on this page only: use the ones you like",
        }
    }
}

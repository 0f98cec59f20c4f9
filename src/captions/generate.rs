//! One caption for one post outside a request (the bulk caption job), with
//! the same key, allowance, guarded client and error sentences as "Write
//! caption" on a post.

use uuid::Uuid;

use super::{
    openai::{Chat, DEFAULT_MODEL},
    prompt::{Brief, Draft, split_reply},
};
use crate::{
    integrations::{self, Key},
    outbound::Guard,
    plans,
    posts::{
        self,
        platforms::{self, PLATFORMS},
    },
    settings,
    state::AppState,
    storage::{Folder, derived_name, image_key},
    usage,
};

/// Who writes the captions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// The workspace's own model.
    Ai,
    /// The offline template, from the brand settings and the artwork.
    Template,
}

impl Source {
    pub fn from_slug(slug: &str) -> Option<Self> {
        match slug {
            "ai" => Some(Self::Ai),
            "template" => Some(Self::Template),
            _ => None,
        }
    }

    pub fn slug(self) -> &'static str {
        match self {
            Self::Ai => "ai",
            Self::Template => "template",
        }
    }
}

/// A caption, or the sentence saying why this post has none.
pub type Written = Result<Draft, String>;

/// Writes the caption of `post` in `workspace` (checked by the request that
/// asked for it). A provider's failure is a sentence, never an error.
pub async fn caption_for(state: &AppState, workspace: Uuid, post: Uuid, source: Source) -> anyhow::Result<Written> {
    let mut tx = state.databases.workspace_tx(workspace, false).await?;
    let Some(found) = posts::queries::get(&mut tx, post).await? else {
        return Ok(Err("This post was deleted meanwhile.".into()));
    };
    let brand = settings::queries::get(&mut tx).await?;
    let artwork = posts::queries::artwork(&mut tx, post).await?;
    let options = integrations::queries::settings(&mut tx).await?;
    let key = integrations::openai_key(&mut tx, &state.secrets, &options).await?;
    let limits = plans::queries::limits(&mut tx).await?;
    let hashtag_sets = settings::queries::hashtag_sets(&mut tx).await?;
    tx.commit().await?;

    let platform = platforms::find(&found.platform).unwrap_or(&PLATFORMS[8]);
    let brief = Brief { settings: &brand, platform, artwork: &artwork, hashtag_sets: &hashtag_sets };
    let key = match (source, key) {
        (Source::Template, _) => return Ok(Ok(brief.template())),
        (Source::Ai, Key::Missing) => return Ok(Err(NO_KEY.into())),
        (Source::Ai, Key::MustBeEnteredAgain) => {
            return Ok(Err("This workspace's OpenAI key must be entered again in Settings → Integrations.".into()));
        }
        (Source::Ai, Key::Ready(key)) => key,
    };
    // Counted first, in a statement of its own, as a single caption is.
    let mut tx = state.databases.workspace_tx(workspace, true).await?;
    let counted = usage::count_generation(&mut tx, limits.max_ai_generations).await?;
    tx.commit().await?;
    if !counted {
        return Ok(Err(limits.generations_used_up()));
    }
    let mut chat = Chat {
        base_url: options.openai_base(),
        key: &key,
        model: super::handlers::non_empty(&options.openai_model, DEFAULT_MODEL),
        system: brief.system_message(),
        user: brief.user_message(),
        image: None,
    };
    if let Some(first) = artwork.first().filter(|_| options.openai_vision) {
        chat.image =
            state.storage.read(&image_key(workspace, Folder::Large, &derived_name(first.id))).await.ok().flatten();
    }
    let guard = Guard { allow: &state.config.outbound_allow, timeout: state.config.ai_timeout };
    match chat.send(&guard).await {
        Ok(reply) => {
            let mut tx = state.databases.workspace_tx(workspace, true).await?;
            usage::record_tokens(&mut tx, reply.tokens).await?;
            tx.commit().await?;
            Ok(Ok(split_reply(&reply.text)))
        }
        Err(e) => {
            // The class only: never the key, never the reply.
            tracing::info!(failure = ?e, "a bulk caption request brought back no caption");
            Ok(Err(e.message()))
        }
    }
}

pub const NO_KEY: &str = "This workspace has no AI key: add one in Settings → Integrations, or choose the template.";

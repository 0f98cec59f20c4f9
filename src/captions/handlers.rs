//! The caption writer's one action.

use axum::{
    Form,
    extract::{Path, State},
    response::Response,
};

use super::{
    openai::{Chat, DEFAULT_MODEL},
    prompt::{Brief, Draft, split_reply},
};
use crate::{
    error::{AppError, AppResult},
    integrations::{self, Key},
    outbound::Guard,
    plans,
    posts::{
        self,
        platforms::{self, PLATFORMS},
        queries::Artwork,
        views::PostForm,
    },
    settings,
    state::AppState,
    storage::{Folder, derived_name, image_key},
    tenancy::{Permission, Workspace},
    usage,
    web::{Layout, ids::parse_id, page},
};

const TEMPLATE_NOTE: &str = "Template caption: this workspace has no AI key, so it was made from your brand \
                             settings and the artwork. Edit it, then save.";
const AI_NOTE: &str = "Written by AI from your brand settings and the artwork. Read it, edit it, then save.";

/// A caption and a note, or a message saying why there is none.
type Outcome = Result<(Draft, &'static str, Option<i64>), String>;

pub async fn write_caption(
    State(state): State<AppState>,
    ws: Workspace,
    layout: Layout,
    Path(id): Path<String>,
    Form(mut form): Form<PostForm>,
) -> AppResult<Response> {
    ws.require(Permission::EditContent)?;
    let mut tx = ws.read().await?;
    let post = posts::queries::get(&mut tx, parse_id(&id)?).await?.ok_or(AppError::NotFound)?;
    let brand = settings::queries::get(&mut tx).await?;
    let artwork = posts::queries::artwork(&mut tx, post.id).await?;
    let options = integrations::queries::settings(&mut tx).await?;
    let key = integrations::openai_key(&mut tx, &state.secrets, &options).await?;
    let limits = plans::queries::limits(&mut tx).await?;
    let hashtag_sets = settings::queries::hashtag_sets(&mut tx).await?;
    tx.commit().await?;

    let platform = platforms::find(&form.platform).or_else(|| platforms::find(&post.platform)).unwrap_or(&PLATFORMS[8]);
    let brief = Brief { settings: &brand, platform, artwork: &artwork, hashtag_sets: &hashtag_sets };
    let outcome: Outcome = match key {
        Key::Missing => Ok((brief.template(), TEMPLATE_NOTE, None)),
        Key::MustBeEnteredAgain => {
            Err("This workspace's OpenAI key must be entered again in Settings → Integrations.".into())
        }
        Key::Ready(key) => {
            let chat = Chat {
                base_url: options.openai_base(),
                key: &key,
                model: non_empty(&options.openai_model, DEFAULT_MODEL),
                system: brief.system_message(),
                user: brief.user_message(),
                image: None,
            };
            ask_model(&state, &ws, &limits, chat, options.openai_vision.then(|| artwork.first()).flatten()).await?
        }
    };

    let mut tx = ws.write().await?;
    let (note, error) = match outcome {
        Ok((draft, note, tokens)) => {
            if let Some(tokens) = tokens {
                usage::record_tokens(&mut tx, tokens).await?;
            }
            form.caption = draft.caption;
            if !draft.hashtags.is_empty() {
                form.hashtags = draft.hashtags;
            }
            (Some(note.to_owned()), None)
        }
        Err(message) => (None, Some(message)),
    };
    let mut view = posts::unsaved_editor(&mut tx, layout, &post, form).await?;
    tx.commit().await?;
    view.caption_note = note;
    view.caption_error = error;
    page(view)
}

/// Counts the request against the monthly allowance first (in a statement
/// of its own, so parallel requests cannot overspend it, and a failed call
/// counts too: probing is not free), then asks the model.
async fn ask_model(
    state: &AppState,
    ws: &Workspace,
    limits: &plans::Limits,
    mut chat: Chat<'_>,
    shown: Option<&Artwork>,
) -> AppResult<Outcome> {
    let mut tx = ws.write().await?;
    let counted = usage::count_generation(&mut tx, limits.max_ai_generations).await?;
    tx.commit().await?;
    if !counted {
        return Ok(Err(limits.generations_used_up()));
    }
    if let Some(first) = shown {
        chat.image =
            state.storage.read(&image_key(ws.id(), Folder::Large, &derived_name(first.id))).await.ok().flatten();
    }
    let guard = Guard { allow: &state.config.outbound_allow, timeout: state.config.ai_timeout };
    Ok(match chat.send(&guard).await {
        Ok(reply) => Ok((split_reply(&reply.text), AI_NOTE, Some(reply.tokens))),
        Err(e) => {
            // The class only: never the key, never the reply.
            tracing::info!(failure = ?e, "a caption request brought back no caption");
            Err(e.message())
        }
    })
}

pub(super) fn non_empty<'a>(value: &'a str, default: &'a str) -> &'a str {
    if value.trim().is_empty() { default } else { value.trim() }
}

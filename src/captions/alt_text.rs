//! "Write alt text": the workspace's vision model describes a piece for
//! people who cannot see it, with the same key, allowance, guarded client
//! and error sentences as captions. Without a vision model it says how to
//! set one; nothing is invented from the title alone.

use axum::{
    extract::{Path, State},
    response::Redirect,
};
use time::OffsetDateTime;
use tower_sessions::Session;
use uuid::Uuid;

use super::openai::{Chat, DEFAULT_MODEL};
use crate::{
    db::{WorkspaceTx, query::execute},
    error::{AppError, AppResult},
    images::queries as images,
    integrations::{self, Key},
    outbound::Guard,
    plans,
    state::AppState,
    storage::{Folder, derived_name, image_key},
    tenancy::{Permission, Workspace},
    usage,
    web::{flash, ids::parse_id},
};

pub const SET_A_MODEL: &str = "Alt text needs a vision model: in Settings → Integrations, add an AI key, choose a \
                               model that can see images and tick \"show the model the image\".";

/// Longest alt text kept; screen readers read it in one go.
const MAX_CHARS: usize = 300;

/// The alt text of one piece, or the sentence saying why there is none.
pub async fn describe(state: &AppState, workspace: Uuid, image: Uuid) -> anyhow::Result<Result<String, String>> {
    let mut tx = state.databases.workspace_tx(workspace, false).await?;
    let Some(found) = images::get(&mut tx, image).await? else { return Ok(Err("This piece was deleted.".into())) };
    let options = integrations::queries::settings(&mut tx).await?;
    let key = integrations::openai_key(&mut tx, &state.secrets, &options).await?;
    let limits = plans::queries::limits(&mut tx).await?;
    tx.commit().await?;
    let key = match key {
        Key::Ready(key) if options.openai_vision => key,
        Key::MustBeEnteredAgain => {
            return Ok(Err("This workspace's OpenAI key must be entered again in Settings → Integrations.".into()));
        }
        _ => return Ok(Err(SET_A_MODEL.into())),
    };
    let Some(picture) = state.storage.read(&image_key(workspace, Folder::Large, &derived_name(image))).await? else {
        return Ok(Err("The picture of this piece could not be read.".into()));
    };
    let mut tx = state.databases.workspace_tx(workspace, true).await?;
    let counted = usage::count_generation(&mut tx, limits.max_ai_generations).await?;
    tx.commit().await?;
    if !counted {
        return Ok(Err(limits.generations_used_up()));
    }
    let mut facts = vec![format!("Title: {}", found.title)];
    for (label, value) in [("Medium", &found.medium), ("Description", &found.description)] {
        if !value.trim().is_empty() {
            facts.push(format!("{label}: {}", value.trim()));
        }
    }
    let chat = Chat {
        base_url: options.openai_base(),
        key: &key,
        model: super::handlers::non_empty(&options.openai_model, DEFAULT_MODEL),
        system: "You write alt text for artworks. Describe what the picture shows (subject, composition, \
                 colours, medium) in one or two plain sentences, for someone who cannot see it. Do not start \
                 with \"Image of\", add no hashtags, and invent nothing the picture does not show."
            .to_owned(),
        user: facts.join("\n"),
        image: Some(picture),
    };
    let guard = Guard { allow: &state.config.outbound_allow, timeout: state.config.ai_timeout };
    match chat.send(&guard).await {
        Ok(reply) => {
            let mut tx = state.databases.workspace_tx(workspace, true).await?;
            usage::record_tokens(&mut tx, reply.tokens).await?;
            tx.commit().await?;
            Ok(clean(&reply.text).ok_or_else(|| "The model answered with no description.".to_owned()))
        }
        Err(e) => {
            tracing::info!(failure = ?e, "an alt text request brought back no description");
            Ok(Err(e.message()))
        }
    }
}

/// One line, no wrapping quotes, at most [`MAX_CHARS`] characters.
fn clean(reply: &str) -> Option<String> {
    let line = reply.split_whitespace().collect::<Vec<_>>().join(" ");
    let line = line.trim_matches(['"', '“', '”', '\'']).trim();
    (!line.is_empty()).then(|| line.chars().take(MAX_CHARS).collect())
}

pub async fn save(tx: &mut WorkspaceTx, image: Uuid, alt_text: &str) -> sqlx::Result<u64> {
    let ws = tx.workspace_id();
    execute!(
        tx,
        "UPDATE images SET alt_text = $3, updated_at = $4 WHERE workspace_id = $1 AND id = $2",
        ws,
        image,
        alt_text,
        OffsetDateTime::now_utc()
    )
}

/// "Write alt text" on the artwork page: written and saved, or a message.
pub async fn write_alt_text(
    State(state): State<AppState>,
    ws: Workspace,
    session: Session,
    Path(id): Path<String>,
) -> AppResult<Redirect> {
    ws.require(Permission::EditContent)?;
    let mut tx = ws.read().await?;
    let image = images::get(&mut tx, parse_id(&id)?).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    let back = Redirect::to(&format!("/images/{}#alt_text", image.id));
    match describe(&state, ws.id(), image.id).await.map_err(AppError::Internal)? {
        Ok(alt_text) => {
            let mut tx = ws.write().await?;
            save(&mut tx, image.id, &alt_text).await?;
            tx.commit().await?;
            flash::success(&session, "Alt text written by AI and saved. Read it, and edit it if it misses something.")
                .await?;
        }
        Err(why) => flash::error(&session, why).await?,
    }
    Ok(back)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_becomes_one_plain_line() {
        assert_eq!(clean("  \"A grey heron\n stands in reeds.\"  ").as_deref(), Some("A grey heron stands in reeds."));
        assert_eq!(clean(" \n "), None);
        assert_eq!(clean(&"x".repeat(400)).map(|s| s.chars().count()), Some(MAX_CHARS));
    }
}

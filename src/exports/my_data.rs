//! "Download my data" on the account page: a small archive of the person's
//! own profile, memberships and audit entries, for themselves only.

use axum::{extract::State, response::Response};
use time::OffsetDateTime;
use uuid::Uuid;

use super::files::{self, Scratch};
use crate::{
    archive::{self, ArchiveError},
    auth::CurrentUser,
    error::{AppError, AppResult},
    state::AppState,
};

/// Writes the archive to a private scratch file, opens it, removes its
/// name at once (the open file stays readable until the stream ends), and
/// streams it: nothing is left behind, however the download ends.
pub async fn download_my_data(State(state): State<AppState>, user: CurrentUser) -> AppResult<Response> {
    let dir = files::scratch_folder(&state.config.data_dir, "my-data").map_err(internal)?;
    let scratch = Scratch(dir.join(format!("{}.zip", Uuid::new_v4())));
    let (databases, out, person) = (state.databases.clone(), scratch.0.clone(), user.id);
    let written = super::job::as_a_task(async move { archive::export_person(&databases, person, &out).await })
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("download my data: {e}")))?;
    written.map_err(|e| match e {
        ArchiveError::Invalid(why) | ArchiveError::Conflict(why) => AppError::Unprocessable(why),
        other => AppError::Internal(anyhow::anyhow!("download my data: {other}")),
    })?;
    let file = tokio::fs::File::open(&scratch.0).await.map_err(internal)?;
    let bytes = file.metadata().await.map_err(internal)?.len();
    drop(scratch);
    let name = format!("easel-my-data-{}.zip", OffsetDateTime::now_utc().date());
    Ok(files::attachment(file, bytes, &name))
}

fn internal(e: std::io::Error) -> AppError {
    AppError::Internal(anyhow::anyhow!("download my data: {e}"))
}

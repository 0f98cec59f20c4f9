//! The bulk caption job's worker: takes the job with a lease, writes each
//! waiting post's caption in turn, lands it as the job asked (saved, as a
//! suggestion, or only on the job's page), and records every result, so a
//! job whose worker stopped is taken over where it stood.

use time::OffsetDateTime;
use uuid::Uuid;

use super::{job_queries as jobs, queries};
use crate::{
    captions::generate::{self, Source},
    db::{WorkspaceTx, cluster},
    state::AppState,
    tenancy::approval,
};

// A background job, not a request: it names its workspace itself, one the
// request that created the job checked.
async fn enter(state: &AppState, workspace: Uuid, write: bool) -> anyhow::Result<WorkspaceTx> {
    state.databases.workspace_tx(workspace, write).await
}

/// Works on the job in the background, unless a live worker holds it.
pub fn start(state: &AppState, workspace: Uuid, job: Uuid) {
    let state = state.clone();
    tokio::spawn(async move {
        if let Err(e) = run(&state, workspace, job).await {
            tracing::warn!(%job, error = %e, "a caption job stopped; opening its page resumes it");
        }
    });
}

async fn run(state: &AppState, workspace: Uuid, job: Uuid) -> anyhow::Result<()> {
    // Each run its own owner: a restarted process must not mistake an
    // old claim for its own.
    let owner = format!("{} {}", cluster::instance(), Uuid::now_v7());
    let lease = state.config.work_lease;
    let mut tx = enter(state, workspace, true).await?;
    let now = OffsetDateTime::now_utc();
    let claimed = jobs::claim(&mut tx, job, &owner, now, cluster::later(now, lease)).await?;
    let found = jobs::get(&mut tx, job).await?;
    tx.commit().await?;
    let (true, Some(found)) = (claimed, found) else { return Ok(()) };
    let source = Source::from_slug(&found.source).unwrap_or(Source::Template);
    let renew = || async {
        let mut tx = enter(state, workspace, true).await?;
        let kept = jobs::renew(&mut tx, job, &owner, cluster::later(OffsetDateTime::now_utc(), lease)).await?;
        tx.commit().await?;
        Ok::<_, anyhow::Error>(kept)
    };
    let work = async {
        loop {
            let mut tx = enter(state, workspace, false).await?;
            let next = jobs::next_waiting(&mut tx, job).await?;
            tx.commit().await?;
            let Some(event) = next else { break };
            let written = generate::caption_for(state, workspace, event, source).await?;
            let mut tx = enter(state, workspace, true).await?;
            // Only while the job is still ours: a worker that took it over
            // writes this post itself.
            if !jobs::renew(&mut tx, job, &owner, cluster::later(OffsetDateTime::now_utc(), lease)).await? {
                return Ok(());
            }
            land(&mut tx, job, &found.landing, event, written).await?;
            tx.commit().await?;
        }
        let mut tx = enter(state, workspace, true).await?;
        jobs::finish(&mut tx, job, &owner).await?;
        tx.commit().await?;
        Ok::<_, anyhow::Error>(())
    };
    cluster::holding(lease, renew, work).await.unwrap_or(Ok(()))
}

/// Records one post's caption (or why there is none) and puts it where
/// the job was asked to.
async fn land(
    tx: &mut WorkspaceTx,
    job: Uuid,
    landing: &str,
    event: Uuid,
    written: generate::Written,
) -> anyhow::Result<()> {
    let draft = match written {
        Ok(draft) => draft,
        Err(why) => {
            jobs::record(tx, job, event, Err(&why)).await?;
            return Ok(());
        }
    };
    let Some(post) = queries::selected(tx, event).await? else { return Ok(()) };
    let hashtags = if draft.hashtags.is_empty() { post.hashtags.clone() } else { draft.hashtags.clone() };
    match landing {
        "save" if post.is_out_of_our_hands() => {
            let why = "Already with Publer or published: the caption was not replaced.";
            jobs::record(tx, job, event, Err(why)).await?;
            return Ok(());
        }
        "save" => {
            queries::set_caption(tx, event, &draft.caption, &hashtags).await?;
            // The job writes for the person who started it; a post in
            // review that it changed goes back to review.
            let mode = approval::mode_of(tx).await?;
            let who = approval::Reviewer::easel("Easel (caption job)");
            approval::reopen_if_changed(tx, mode, &[event], &who).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        "suggest" => {
            jobs::set_suggestion(tx, event, &draft.caption, &hashtags).await?;
        }
        _ => {}
    }
    jobs::record(tx, job, event, Ok((&draft.caption, &hashtags))).await?;
    Ok(())
}

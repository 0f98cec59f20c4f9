//! Hands queued posts to Publer, one workspace at a time per runner.
//!
//! A send moves `queued` → `scheduling` → `polling` → `done`, and each step
//! is committed before the call it guards, so a restart resumes it without
//! ever scheduling a post twice: a send found at `scheduling` (Easel stopped
//! between asking Publer and hearing back) is marked failed for a person to
//! check, never retried on its own.
//!
//! Several instances may share the database: a send is claimed with a lease
//! (`EASEL_WORK_LEASE`) that the working instance renews, and every instance
//! looks every half lease for sends whose lease ran out (their instance
//! died) and takes them over, under the same rules as a restart.

use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex, MutexGuard},
};

use serde_json::{Value, json};
use time::{OffsetDateTime, format_description::well_known::Rfc3339};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::{
    client::{Job, Publer, PublerError},
    queries::{self, Progress, Send},
};
use crate::{
    db::{
        WorkspaceTx,
        cluster::{self, instance},
    },
    images::{crops, presets::Preset},
    integrations::{self, Key, PUBLER_KEY},
    posts::{self, platforms},
    state::AppState,
    storage::{Folder, derived_name, image_key},
    tenancy::approval,
    usage,
};

/// The runners of this process: a workspace maps to "woken again while
/// running", so no wake-up is lost and no workspace has two runners.
#[derive(Clone, Default)]
pub struct Sender {
    active: Arc<Mutex<HashMap<Uuid, bool>>>,
    stop: CancellationToken,
}

impl Sender {
    fn active(&self) -> MutexGuard<'_, HashMap<Uuid, bool>> {
        self.active.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Stops every runner where it stands; what is in flight resumes at the next start.
    pub fn stop(&self) {
        self.stop.cancel();
    }

    /// After `stop`: gives back this instance's leases, so that another
    /// instance (or the next start) takes its sends over without waiting
    /// for the leases to run out.
    pub async fn release_leases(&self, state: &AppState) {
        let workspaces: Vec<Uuid> = self.active().keys().copied().collect();
        for workspace in workspaces {
            let released = async {
                let mut tx = enter(state, workspace).await?;
                queries::release(&mut tx, None, instance()).await?;
                tx.commit().await?;
                anyhow::Ok(())
            };
            if let Err(e) = released.await {
                tracing::warn!(%workspace, error = %e, "could not give back the Publer sends' leases; they run out by themselves");
            }
        }
    }
}

const UNCERTAIN: &str = "Easel stopped while handing this post to Publer, so it may or may not be there. \
                         Check Publer's calendar before sending it again.";

/// Makes sure a runner is handing this workspace's queued posts to Publer.
pub fn wake(state: &AppState, workspace: Uuid) {
    let mut active = state.publer.active();
    match active.get_mut(&workspace) {
        Some(again) => *again = true,
        None => {
            active.insert(workspace, false);
            tokio::spawn(run(state.clone(), workspace));
        }
    }
}

/// Wakes a runner for every workspace with sends in flight that no instance
/// holds (at start-up, and then every half lease: see `keep_resuming`).
pub async fn resume(state: &AppState) -> anyhow::Result<usize> {
    let mut woken = 0;
    for workspace in integrations::queries::all_workspaces(&state.db).await? {
        let mut tx = enter(state, workspace).await?;
        let waiting = queries::claimable(&mut tx, OffsetDateTime::now_utc()).await?;
        tx.commit().await?;
        if waiting > 0 {
            wake(state, workspace);
            woken += 1;
        }
    }
    Ok(woken)
}

/// Resumes what is in flight now, then looks every half lease for sends
/// whose instance died, for as long as Easel runs.
pub async fn keep_resuming(state: AppState) {
    let mut first = true;
    loop {
        match resume(&state).await {
            Ok(0) => {}
            Ok(n) if first => tracing::info!(workspaces = n, "resuming posts that were on their way to Publer"),
            Ok(n) => tracing::info!(workspaces = n, "taking over posts on their way to Publer whose lease ran out"),
            Err(e) => tracing::warn!(error = %e, "could not look for posts on their way to Publer"),
        }
        first = false;
        let stop = state.publer.stop.clone();
        tokio::select! {
            () = stop.cancelled() => return,
            () = tokio::time::sleep(state.config.work_lease / 2) => {}
        }
    }
}

async fn run(state: AppState, workspace: Uuid) {
    loop {
        let stop = state.publer.stop.clone();
        tokio::select! {
            _ = stop.cancelled() => return,
            done = drain(&state, workspace) => {
                if let Err(e) = done {
                    tracing::warn!(%workspace, error = %e, "sending to Publer paused until the next request or restart");
                }
            }
        }
        let mut active = state.publer.active();
        if active.get(&workspace) == Some(&true) {
            active.insert(workspace, false);
            continue;
        }
        active.remove(&workspace);
        return;
    }
}

// A background job, not a request: it names its workspace itself.
async fn enter(state: &AppState, workspace: Uuid) -> anyhow::Result<WorkspaceTx> {
    state.databases.workspace_tx(workspace, true).await
}

/// Works through the workspace's sends, each under a lease this instance
/// renews while it works on it. While the workspace is suspended,
/// nothing new is handed to Publer: those sends wait, saying why, and the
/// runner woken when the suspension is lifted (or the next start) sends them.
async fn drain(state: &AppState, workspace: Uuid) -> anyhow::Result<()> {
    let mut seen = HashSet::new();
    loop {
        let billing_grace = state.config.billing.stripe.as_ref().map(|_| state.config.billing.grace);
        let suspended = queries::is_suspended(&state.db, workspace, billing_grace).await?;
        let mut tx = enter(state, workspace).await?;
        queries::note_suspension(&mut tx, suspended).await?;
        let now = OffsetDateTime::now_utc();
        let until = cluster::later(now, state.config.work_lease);
        let next = queries::claim_next(&mut tx, !suspended, instance(), now, until).await?;
        tx.commit().await?;
        let Some(send) = next else { return Ok(()) };
        let event = send.event_id;
        let fresh = seen.insert(event);
        if fresh {
            let renewing = || renew(state, workspace, event);
            match cluster::holding(state.config.work_lease, renewing, process(state, workspace, send)).await {
                Some(done) => done?,
                None => tracing::warn!(%workspace, %event, "another instance took this Publer send over"),
            }
        }
        let mut tx = enter(state, workspace).await?;
        queries::release(&mut tx, Some(event), instance()).await?;
        tx.commit().await?;
        if !fresh {
            return Ok(());
        }
    }
}

async fn renew(state: &AppState, workspace: Uuid, event: Uuid) -> anyhow::Result<bool> {
    let mut tx = enter(state, workspace).await?;
    let until = cluster::later(OffsetDateTime::now_utc(), state.config.work_lease);
    let renewed = queries::renew(&mut tx, event, instance(), until).await?;
    tx.commit().await?;
    Ok(renewed)
}

/// Everything one send needs, read in one transaction.
struct Work {
    text: String,
    starts_at: time::OffsetDateTime,
    network: String,
    images: Vec<Upload>,
    key: Key,
    publer_workspace: String,
}

async fn work(state: &AppState, workspace: Uuid, send: &Send) -> anyhow::Result<Option<Work>> {
    let mut tx = enter(state, workspace).await?;
    let Some(post) = posts::queries::get(&mut tx, send.event_id).await? else {
        return Ok(None);
    };
    let preset = Preset::for_platform(&post.platform);
    let mut images = Vec::new();
    for image in posts::queries::images(&mut tx, post.id).await? {
        let framed = match preset {
            Some(preset) => crops::load(&mut tx, image.id, preset).await?,
            None => None,
        };
        images.push(Upload { id: image.id, alt_text: image.alt_text, framed });
    }
    let provider = queries::accounts(&mut tx).await?.into_iter().find(|a| a.id == send.account_id).map(|a| a.provider);
    let key = integrations::key(&mut tx, &state.secrets, PUBLER_KEY).await?;
    let publer_workspace = integrations::queries::settings(&mut tx).await?.publer_workspace_id;
    tx.commit().await?;
    let network = provider.filter(|p| !p.is_empty()).unwrap_or_else(|| network_of(&post.platform).to_owned());
    Ok(Some(Work {
        text: platforms::post_text(&post.caption, &post.hashtags),
        starts_at: post.starts_at,
        network,
        images,
        key,
        publer_workspace,
    }))
}

/// One artwork of a post: what is uploaded (its platform's rendition, or the
/// large preview for a platform without a preset) and its alt text.
struct Upload {
    id: Uuid,
    alt_text: String,
    framed: Option<(crops::rendition::Artwork, crops::Spec)>,
}

/// The JPEG uploaded for an artwork: its platform's crop, made when missing.
async fn upload_bytes(state: &AppState, workspace: Uuid, upload: &Upload) -> anyhow::Result<Option<Vec<u8>>> {
    let key = match &upload.framed {
        Some((art, spec)) => crops::rendition::ensure(state, workspace, art, *spec, false).await?,
        None => image_key(workspace, Folder::Large, &derived_name(upload.id)),
    };
    Ok(state.storage.read(&key).await?)
}

/// Publer's name for a platform, when the account's own is unknown.
fn network_of(platform: &str) -> &str {
    match platform {
        "x" => "twitter",
        other => other,
    }
}

async fn fail(state: &AppState, workspace: Uuid, event: Uuid, why: &str) -> anyhow::Result<()> {
    let mut tx = enter(state, workspace).await?;
    queries::mark_failed(&mut tx, event, why).await?;
    tx.commit().await?;
    tracing::info!(%workspace, %event, "a post could not be sent to Publer");
    Ok(())
}

async fn process(state: &AppState, workspace: Uuid, send: Send) -> anyhow::Result<()> {
    let event = send.event_id;
    if send.step == "queued" {
        let mut tx = enter(state, workspace).await?;
        let refused = approval::refusal_in_sender(&mut tx, event).await?;
        tx.commit().await?;
        if let Some(why) = refused {
            return fail(state, workspace, event, &why).await;
        }
    }
    let Some(work) = work(state, workspace, &send).await? else {
        return Ok(());
    };
    let key = match &work.key {
        Key::Ready(key) => key.clone(),
        Key::Missing => return fail(state, workspace, event, "This workspace has no Publer key any more.").await,
        Key::MustBeEnteredAgain => {
            let why = "This workspace's Publer key must be entered again in Settings → Integrations.";
            return fail(state, workspace, event, why).await;
        }
    };
    let publer =
        Publer { http: &state.http, policy: &state.config.publer, key: &key, workspace: &work.publer_workspace };
    match send.step.as_str() {
        "queued" => hand_over(state, workspace, &send, &work, &publer).await,
        "polling" => follow(state, workspace, event, &send.job_id, &publer).await,
        _ => fail(state, workspace, event, UNCERTAIN).await,
    }
}

async fn hand_over(
    state: &AppState,
    workspace: Uuid,
    send: &Send,
    work: &Work,
    publer: &Publer<'_>,
) -> anyhow::Result<()> {
    let event = send.event_id;
    let mut media = Vec::new();
    for image in &work.images {
        let name = derived_name(image.id);
        let jpeg = match upload_bytes(state, workspace, image).await {
            Ok(Some(jpeg)) => jpeg,
            Ok(None) => return fail(state, workspace, event, "One of the post's images could not be read.").await,
            Err(e) => {
                tracing::warn!(%workspace, %event, error = %e, "could not make an artwork's rendition for Publer");
                return fail(state, workspace, event, "One of the post's images could not be read.").await;
            }
        };
        match publer.upload(&name, &jpeg).await {
            Ok(id) => media.push(id),
            Err(e) => return fail(state, workspace, event, &format!("Uploading an image: {}", e.message())).await,
        }
    }
    let media_ids = media.join(",");
    let mut tx = enter(state, workspace).await?;
    // Checked again right before Publer is asked, in the transaction that
    // records the asking: an edit during the uploads reopened the review.
    if let Some(why) = approval::refusal_in_sender(&mut tx, event).await? {
        drop(tx);
        return fail(state, workspace, event, &why).await;
    }
    let progress = Progress { media_ids: Some(&media_ids), job_id: None };
    let moved = queries::advance(&mut tx, event, "queued", "scheduling", progress).await?;
    tx.commit().await?;
    if !moved {
        return Ok(());
    }
    match publer.schedule(&schedule_body(send, work, &media)).await {
        Ok(job) => {
            let mut tx = enter(state, workspace).await?;
            let progress = Progress { media_ids: None, job_id: Some(&job) };
            let moved = queries::advance(&mut tx, event, "scheduling", "polling", progress).await?;
            tx.commit().await?;
            if moved { follow(state, workspace, event, &job, publer).await } else { Ok(()) }
        }
        Err(PublerError::TimedOut) => fail(state, workspace, event, UNCERTAIN).await,
        Err(e) => fail(state, workspace, event, &e.message()).await,
    }
}

fn schedule_body(send: &Send, work: &Work, media: &[String]) -> Value {
    let mut network = json!({ "type": if media.is_empty() { "status" } else { "photo" }, "text": work.text });
    if !media.is_empty() {
        let alt = |i: usize| work.images.get(i).map(|u| u.alt_text.as_str()).unwrap_or_default();
        network["media"] = media
            .iter()
            .enumerate()
            .map(
                |(i, id)| if alt(i).is_empty() { json!({ "id": id }) } else { json!({ "id": id, "alt_text": alt(i) }) },
            )
            .collect();
    }
    let at = work.starts_at.format(&Rfc3339).unwrap_or_default();
    let mut networks = serde_json::Map::new();
    networks.insert(work.network.clone(), network);
    json!({ "bulk": { "state": "scheduled", "posts": [{
        "networks": networks,
        "accounts": [{ "id": send.account_id, "scheduled_at": at }],
    }] } })
}

/// Watches Publer's job until it finishes, fails, or Easel stops waiting.
async fn follow(state: &AppState, workspace: Uuid, event: Uuid, job: &str, publer: &Publer<'_>) -> anyhow::Result<()> {
    let policy = &state.config.publer;
    for _ in 0..policy.polls {
        match publer.job(job).await {
            Ok(Job::Working) => tokio::time::sleep(policy.poll_every).await,
            Ok(Job::Done { post_ids }) => {
                let mut tx = enter(state, workspace).await?;
                if queries::mark_scheduled(&mut tx, event, &post_ids.join(",")).await? {
                    usage::record_publer_post(&mut tx).await?;
                }
                tx.commit().await?;
                return Ok(());
            }
            Ok(Job::Failed(why)) => return fail(state, workspace, event, &why).await,
            Err(e) => {
                let why = format!("Checking on Publer's job: {} Look in Publer before sending it again.", e.message());
                return fail(state, workspace, event, &why).await;
            }
        }
    }
    let why = "Publer had not finished with this post after a long wait. Look in Publer before sending it again.";
    fail(state, workspace, event, why).await
}

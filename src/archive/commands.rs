//! The archive commands of the `easel` binary: export, import, backup,
//! restore and copy, each with a progress bar and a one-paragraph result.

use std::path::Path;

use time::OffsetDateTime;
use uuid::Uuid;

use super::{ImportOptions, Progress, terminal::with_bar};
use crate::{db::Db, state::AppState};

pub async fn export(state: &AppState, workspace: Uuid, out: &Path) -> anyhow::Result<()> {
    let progress = Progress::new();
    let started = std::time::Instant::now();
    let summary = with_bar(
        "export",
        progress.clone(),
        super::export_workspace(&state.databases, &state.storage, workspace, out, &progress),
    )
    .await?;
    println!(
        "wrote {} ({} rows, {} files, {}) in {:.1} s",
        out.display(),
        summary.rows,
        summary.files,
        megabytes(summary.bytes),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

pub async fn import(state: &AppState, archive: &Path, options: ImportOptions) -> anyhow::Result<()> {
    let progress = Progress::new();
    let imported = with_bar(
        "import",
        progress.clone(),
        super::import_workspace(&state.db, &state.storage, archive, &options, &progress),
    )
    .await?;
    crate::admin::snapshots::take(&state.databases).await?;
    println!(
        "imported {} as workspace {} ({} rows, {} files)",
        imported.name, imported.workspace_id, imported.summary.rows, imported.summary.files
    );
    if !imported.members.is_empty() {
        println!("members matched to accounts here: {}", imported.members.join(", "));
    }
    if !imported.invited.is_empty() {
        if options.invite {
            mail_invitations(state, imported.workspace_id, &imported.name, &imported.invited).await?;
            println!("invited by mail: {}", imported.invited.join(", "));
        } else {
            println!(
                "pending invitations (not mailed; use --invite, or resend them from the Team page): {}",
                imported.invited.join(", ")
            );
        }
    }
    if !imported.keys_to_reenter.is_empty() {
        println!(
            "enter these keys again in Settings → Integrations (they never leave an instance): {}",
            imported.keys_to_reenter.join(", ")
        );
    }
    Ok(())
}

/// Gives each invitation a fresh token and mails its link.
async fn mail_invitations(state: &AppState, workspace: Uuid, name: &str, emails: &[String]) -> anyhow::Result<()> {
    let base = state.config.base_url.as_str().trim_end_matches('/').to_owned();
    for email in emails {
        let (token, hash) = crate::web::tokens::new_token();
        let mut tx = crate::db::WorkspaceTx::enter(state.db.begin_write().await?, workspace).await?;
        crate::db::query::execute!(
            tx,
            "UPDATE invitations SET token_hash = $3, expires_at = $4 WHERE workspace_id = $1 AND email = $2 \
             AND accepted_at IS NULL AND revoked_at IS NULL",
            workspace,
            email.clone(),
            hash,
            OffsetDateTime::now_utc() + time::Duration::days(7)
        )?;
        tx.commit().await?;
        let body = format!(
            "Hello,\n\nYou are invited to join {name} on Easel.\n\nAccept the invitation here:\n{base}/invites/{token}\n\n\
             The link works for 7 days. If you did not expect it, ignore this mail.\n"
        );
        state.mailer.send(email, &format!("You are invited to {name} on Easel"), body).await?;
    }
    Ok(())
}

pub async fn backup(state: &AppState, out: &Path) -> anyhow::Result<()> {
    let progress = Progress::new();
    let started = std::time::Instant::now();
    let summary =
        with_bar("backup", progress.clone(), super::backup(&state.databases, &state.storage, out, &progress)).await?;
    println!(
        "wrote {} ({} rows, {} files, {}) in {:.1} s",
        out.display(),
        summary.rows,
        summary.files,
        megabytes(summary.bytes),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

pub async fn restore(state: &AppState, archive: &Path) -> anyhow::Result<()> {
    let progress = Progress::new();
    let summary =
        with_bar("restore", progress.clone(), super::restore(&state.db, &state.storage, archive, &progress)).await?;
    println!("restored {} rows and {} files from {}", summary.rows, summary.files, archive.display());
    Ok(())
}

/// `easel copy --to URL`: connects (one clear line if it cannot), migrates
/// the target, copies and verifies.
pub async fn copy(from: &Db, to_url: &str) -> anyhow::Result<()> {
    let to = Db::connect(to_url)
        .await
        .map_err(|e| anyhow::anyhow!("cannot reach the target database ({}): {e}", redact(to_url)))?;
    to.migrate().await.map_err(|e| anyhow::anyhow!("cannot prepare the target database: {e}"))?;
    let progress = Progress::new();
    let started = std::time::Instant::now();
    let copied = with_bar("copy", progress.clone(), super::copy(from, &to, &progress)).await?;
    let seconds = started.elapsed().as_secs_f64().max(0.001);
    for (table, rows) in &copied.tables {
        if *rows > 0 {
            println!("  {table}: {rows} rows");
        }
    }
    println!(
        "copied {} rows in {seconds:.1} s ({:.0} rows/s); every table's rows and SHA-256 match on both sides",
        copied.rows,
        copied.rows as f64 / seconds
    );
    Ok(())
}

/// A database URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1_000_000.0)
}

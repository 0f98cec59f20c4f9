//! `easel storage copy --to …`: every object of this instance's store copied
//! to another store (disk to S3 or back), each one read back from the target
//! and checked by size and SHA-256. Objects already there and identical are
//! skipped, so an interrupted copy is resumed by running it again.

use std::io;

use futures_util::{StreamExt, TryStreamExt};
use sha2::{Digest, Sha256};

use super::{Listed, Storage, TMP};

/// What a copy did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Copied {
    pub copied: u64,
    /// Already in the target with the same size and SHA-256.
    pub skipped: u64,
    pub bytes: u64,
}

/// Copies every object of `from` into `to`, calling `progress(done, total)`
/// after each; the first object that cannot be copied and verified stops it.
pub async fn copy_all(from: &Storage, to: &Storage, progress: impl Fn(u64, u64)) -> io::Result<Copied> {
    let objects: Vec<Listed> =
        from.list(None).try_filter(|o| std::future::ready(!is_temporary(&o.key))).try_collect().await?;
    let total = objects.len() as u64;
    let mut copied = Copied::default();
    for (done, object) in objects.iter().enumerate() {
        if copy_one(from, to, object).await? {
            copied.copied += 1;
            copied.bytes += object.size;
        } else {
            copied.skipped += 1;
        }
        progress(done as u64 + 1, total);
    }
    Ok(copied)
}

/// `<ws>/tmp/…`: an upload on its way, never copied.
fn is_temporary(key: &str) -> bool {
    key.split('/').nth(1) == Some(TMP)
}

/// Copies one object unless the target already has it; true when copied.
async fn copy_one(from: &Storage, to: &Storage, object: &Listed) -> io::Result<bool> {
    let key = &object.key;
    // Only an object of the same size can already be there; then the hashes decide.
    if to.head(key).await?.is_some_and(|there| there.size == object.size) {
        let source = hash_of(from, key).await?.ok_or_else(|| gone(key))?;
        if hash_of(to, key).await? == Some(source) {
            return Ok(false);
        }
    }
    let workspace = key.split('/').next().and_then(|w| uuid::Uuid::parse_str(w).ok()).unwrap_or_default();
    let mut temp = to.temp_file(workspace)?;
    let mut stream = from.get(key).await?.ok_or_else(|| gone(key))?.bytes;
    let (mut hasher, mut size) = (Sha256::new(), 0u64);
    while let Some(chunk) = stream.next().await {
        let chunk = chunk?;
        hasher.update(&chunk);
        size += chunk.len() as u64;
        temp.write_all(&chunk)?;
    }
    let sent = (size, hex::encode(hasher.finalize()));
    to.put_temp(temp, key).await?;
    let landed = (to.head(key).await?.map(|m| m.size), hash_of(to, key).await?);
    if landed != (Some(sent.0), Some(sent.1)) {
        return Err(io::Error::other(format!(
            "{key}: the copy in {} does not match the original (size or SHA-256 differ)",
            to.describe()
        )));
    }
    Ok(true)
}

async fn hash_of(storage: &Storage, key: &str) -> io::Result<Option<String>> {
    let Some(object) = storage.get(key).await? else { return Ok(None) };
    let mut hasher = Sha256::new();
    let mut bytes = object.bytes;
    while let Some(chunk) = bytes.next().await {
        hasher.update(&chunk?);
    }
    Ok(Some(hex::encode(hasher.finalize())))
}

fn gone(key: &str) -> io::Error {
    io::Error::new(io::ErrorKind::NotFound, format!("{key} disappeared from the source while it was copied"))
}

/// The command: a progress bar on standard error, a one-line result.
pub async fn command(from: &Storage, to: &Storage) -> anyhow::Result<()> {
    use indicatif::{ProgressBar, ProgressStyle};
    if from.describe() == to.describe() {
        anyhow::bail!("the target is this instance's own store ({}); nothing was copied", to.describe());
    }
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{msg:>10} [{bar:40}] {pos}/{len} ({per_sec}, {eta} left)")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message("copy");
    let started = std::time::Instant::now();
    let copied = copy_all(from, to, |done, total| {
        bar.set_length(total);
        bar.set_position(done);
    })
    .await;
    bar.finish();
    let copied = copied.map_err(|e| anyhow::anyhow!("the copy stopped: {e}. Run the same command again to resume."))?;
    println!(
        "copied {} object(s) ({:.1} MB) from {} to {}, each verified by size and SHA-256; {} already there and identical; {:.1} s",
        copied.copied,
        copied.bytes as f64 / 1_048_576.0,
        from.describe(),
        to.describe(),
        copied.skipped,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

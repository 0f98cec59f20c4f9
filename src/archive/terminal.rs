//! Progress bars for the archive commands (`easel export`, `import`,
//! `backup`, `restore`, `copy`).

use std::{sync::Arc, time::Duration};

use indicatif::{ProgressBar, ProgressStyle};

use super::Progress;

/// Runs `work`, drawing `progress` as a bar on standard error until it ends.
pub async fn with_bar<T>(label: &str, progress: Arc<Progress>, work: impl Future<Output = T>) -> T {
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{msg:>10} [{bar:40}] {pos}/{len} ({per_sec}, {eta} left)")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(label.to_owned());
    let drawing = {
        let (bar, progress) = (bar.clone(), progress.clone());
        tokio::spawn(async move {
            loop {
                bar.set_length(progress.total());
                bar.set_position(progress.done());
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
    };
    let out = work.await;
    drawing.abort();
    bar.set_length(progress.total());
    bar.set_position(progress.done());
    bar.finish();
    out
}

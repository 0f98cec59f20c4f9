//! One limit and how much of it is used, for the plan page's bars.

use crate::{
    db::WorkspaceTx,
    plans::{Limits, megabytes, queries::members_and_invited},
    usage,
};

pub struct Meter {
    pub label: &'static str,
    pub used: String,
    pub limit: String,
    /// 0 to 100, for the bar (rounded up so a little use shows).
    pub percent: i64,
    pub full: bool,
    /// More is used than the plan allows (after a downgrade): what that blocks.
    pub over: Option<&'static str>,
}

impl Meter {
    fn new(label: &'static str, used: i64, limit: Option<i64>, show: fn(i64) -> String, blocks: &'static str) -> Self {
        let percent = match limit {
            Some(max) if max > 0 => ((used.saturating_mul(100) + max - 1) / max).clamp(0, 100),
            Some(_) => 100,
            None => 0,
        };
        let full = limit.is_some_and(|max| used >= max);
        let over = limit.filter(|max| used > *max).map(|_| blocks);
        Self { label, used: show(used), limit: limit.map_or("no limit".into(), show), percent, full, over }
    }

    /// The workspace's five meters against `limits`.
    pub async fn all(tx: &mut WorkspaceTx, limits: &Limits) -> sqlx::Result<Vec<Self>> {
        let storage = usage::storage(tx).await?;
        let monthly = usage::monthly(tx).await?;
        let seats = members_and_invited(tx).await?;
        let count = |n: i64| n.to_string();
        Ok(vec![
            Self::new("Images", storage.image_count, limits.max_images, count, "new uploads are refused"),
            Self::new("Storage", storage.storage_bytes, limits.max_storage_bytes, megabytes, "new uploads are refused"),
            Self::new("Members and invitations", seats, limits.max_members, count, "new invitations are refused"),
            Self::new(
                "AI captions this month",
                monthly.ai_generations,
                limits.max_ai_generations,
                count,
                "AI captions wait for next month",
            ),
            Self::new(
                "Posts sent to Publer this month",
                monthly.publer_posts,
                limits.max_publer_posts,
                count,
                "sending to Publer waits for next month",
            ),
        ])
    }

    /// "Images: 12 of 10 — new uploads are refused", when over the limit.
    pub fn exceeded(&self) -> Option<String> {
        self.over.map(|blocks| format!("{}: {} of {}, so {blocks}.", self.label, self.used, self.limit))
    }

    /// The bar's width class (CSP forbids inline styles): `w-0` … `w-100` in steps of 5.
    pub fn width_class(&self) -> String {
        format!("w-{}", (self.percent + 4) / 5 * 5)
    }
}

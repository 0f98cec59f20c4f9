//! What the exports page and its progress fragment show.

use askama::Template;
use time::OffsetDateTime;
use uuid::Uuid;

use super::queries::Export;
use crate::web::Layout;

#[derive(Template)]
#[template(path = "exports/index.html")]
pub struct ExportsView {
    pub layout: Layout,
    pub exports: Vec<ExportLine>,
    /// One is queued or running: the start button says so instead.
    pub busy: bool,
    pub error: Option<String>,
}

/// One export's line, polled while it runs.
#[derive(Template)]
#[template(path = "exports/line.html")]
pub struct LineView {
    pub line: ExportLine,
}

/// An export as a person reads it.
pub struct ExportLine {
    pub id: Uuid,
    pub state: String,
    /// Percent done, when this process is writing it.
    pub percent: Option<u8>,
    pub error: String,
    pub size: String,
    pub requested: String,
    pub expires: String,
    pub downloadable: bool,
}

impl ExportLine {
    pub fn new(export: Export, percent: Option<u8>, now: OffsetDateTime) -> Self {
        let downloadable = export.downloadable(now);
        let state = if export.state == "ready" && !downloadable { "expired".to_owned() } else { export.state };
        Self {
            id: export.id,
            state,
            percent,
            error: export.error,
            size: size(export.bytes),
            requested: minute(export.created_at),
            expires: export.expires_at.map(minute).unwrap_or_default(),
            downloadable,
        }
    }

    pub fn in_progress(&self) -> bool {
        matches!(self.state.as_str(), "queued" | "running")
    }

    pub fn label(&self) -> &'static str {
        match self.state.as_str() {
            "queued" => "Waiting to start",
            "running" => "Being made",
            "ready" => "Ready",
            "failed" => "Failed",
            _ => "Expired",
        }
    }
}

/// "2026-11-27 09:30 UTC".
fn minute(at: OffsetDateTime) -> String {
    format!("{} {:02}:{:02} UTC", at.date(), at.hour(), at.minute())
}

/// "12.3 MB", "840 KB".
fn size(bytes: i64) -> String {
    const MB: f64 = 1024.0 * 1024.0;
    if bytes >= 1024 * 1024 { format!("{:.1} MB", bytes as f64 / MB) } else { format!("{} KB", (bytes + 1023) / 1024) }
}

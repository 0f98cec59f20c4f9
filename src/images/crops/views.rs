//! The crop editor on the artwork page: a tab per preset, each with the
//! artwork and its frame (an SVG the script makes draggable) and a plain
//! form that works without JavaScript.

use uuid::Uuid;

use super::{Framing, colour_hex, default_mat, geometry, queries::SavedCrop, spec_for};
use crate::images::{presets::Preset, queries::Image};

/// The crop form as typed (kept when it is refused).
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct CropForm {
    #[serde(default)]
    pub x: String,
    #[serde(default)]
    pub y: String,
    #[serde(default)]
    pub width: String,
    #[serde(default)]
    pub height: String,
    #[serde(default)]
    pub mode: String,
    #[serde(default)]
    pub mat_colour: String,
}

pub struct CropEditor {
    pub image: Uuid,
    pub width: u32,
    pub height: u32,
    pub can_edit: bool,
    pub panels: Vec<Panel>,
    /// "crop cuts N%" when the default portrait crop cuts more than 15%.
    pub badge: Option<u32>,
}

/// One preset's tab.
pub struct Panel {
    pub slug: &'static str,
    pub label: &'static str,
    pub ratio: (u32, u32),
    pub x: String,
    pub y: String,
    pub w: String,
    pub h: String,
    pub is_mat: bool,
    pub mat_colour: String,
    /// Whether the artist set this one (else it is the centred default).
    pub saved: bool,
    pub active: bool,
    pub error: Option<&'static str>,
    /// The safe area inside the frame, as fractions (top, right, bottom, left).
    pub safe: (f64, f64, f64, f64),
    pub safe_note: &'static str,
}

impl CropEditor {
    pub fn new(image: &Image, saved: &[SavedCrop], brand: &str, can_edit: bool, active: Preset) -> Self {
        let size = super::size_of(image.width, image.height);
        let panels = Preset::ALL
            .into_iter()
            .map(|preset| {
                let mine = saved.iter().find(|c| c.preset == preset.slug());
                let spec = spec_for(preset, size, mine);
                let rect = match (spec.framing, mine.and_then(SavedCrop::rect)) {
                    (Framing::Crop(r), _) | (Framing::Mat(_), Some(r)) => r,
                    (Framing::Mat(_), None) => geometry::centred(preset, size.0, size.1),
                };
                let (safe, safe_note) = safe_area(preset);
                Panel {
                    slug: preset.slug(),
                    label: preset.label(),
                    ratio: preset.ratio(),
                    x: rect.x.to_string(),
                    y: rect.y.to_string(),
                    w: rect.width.to_string(),
                    h: rect.height.to_string(),
                    is_mat: matches!(spec.framing, Framing::Mat(_)),
                    mat_colour: match spec.framing {
                        Framing::Mat(c) => colour_hex(c),
                        Framing::Crop(_) => colour_hex(default_mat(brand)),
                    },
                    saved: mine.is_some(),
                    active: preset == active,
                    error: None,
                    safe,
                    safe_note,
                }
            })
            .collect();
        CropEditor {
            image: image.id,
            width: size.0,
            height: size.1,
            can_edit,
            panels,
            badge: geometry::badge_percent(Preset::Portrait, size.0, size.1),
        }
    }

    /// The refused form shown again, as typed, with its message.
    pub fn with_error(mut self, preset: Preset, form: &CropForm, message: &'static str) -> Self {
        if let Some(panel) = self.panels.iter_mut().find(|p| p.slug == preset.slug()) {
            panel.x.clone_from(&form.x);
            panel.y.clone_from(&form.y);
            panel.w.clone_from(&form.width);
            panel.h.clone_from(&form.height);
            panel.is_mat = form.mode == "mat";
            panel.mat_colour.clone_from(&form.mat_colour);
            panel.error = Some(message);
        }
        self
    }
}

/// What the platform covers with its own buttons and text, per preset.
fn safe_area(preset: Preset) -> ((f64, f64, f64, f64), &'static str) {
    match preset {
        Preset::Story => {
            ((0.13, 0.0, 0.18, 0.0), "Stories and reels cover the top and bottom with the name, buttons and caption.")
        }
        Preset::Portrait => {
            ((0.0625 / 2.0, 0.0, 0.0625 / 2.0, 0.0), "Your profile grid shows only the middle 3:4 of a 4:5 post.")
        }
        Preset::Square => ((0.0, 0.125, 0.0, 0.125), "Your profile grid shows only the middle 3:4 of a square post."),
        Preset::Pin => ((0.0, 0.0, 0.1, 0.0), "Pinterest may put buttons over the bottom edge."),
        _ => ((0.0, 0.0, 0.0, 0.0), ""),
    }
}

impl Panel {
    /// The dimmed area outside the frame (an even-odd SVG path), in the
    /// original's pixels.
    pub fn shade_path(&self, width: &u32, height: &u32) -> String {
        let n = |s: &str| s.parse::<u32>().unwrap_or(0);
        let (x, y, w, h) = (n(&self.x), n(&self.y), n(&self.w), n(&self.h));
        format!("M0 0H{width}V{height}H0Z M{x} {y}h{w}v{h}h-{w}Z")
    }

    /// The safe area's rectangle inside the frame: "x y width height".
    pub fn safe_rect(&self) -> Option<(u32, u32, u32, u32)> {
        let (t, r, b, l) = self.safe;
        if t + r + b + l == 0.0 {
            return None;
        }
        let n = |s: &str| f64::from(s.parse::<u32>().unwrap_or(0));
        let (x, y, w, h) = (n(&self.x), n(&self.y), n(&self.w), n(&self.h));
        let round = |v: f64| v.round().max(0.0) as u32;
        Some((round(x + w * l), round(y + h * t), round(w * (1.0 - l - r)), round(h * (1.0 - t - b))))
    }

    pub fn safe_fractions(&self) -> String {
        let (t, r, b, l) = self.safe;
        format!("{t} {r} {b} {l}")
    }
}

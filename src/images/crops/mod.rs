//! Crops per platform: each artwork's frame (or mat) per preset, the
//! renditions cut from the original on demand, and the crop editor.

pub mod geometry;
mod handlers;
pub mod queries;
pub mod rendition;
mod shrink;
mod views;

use std::collections::{HashMap, HashSet};

use sha2::{Digest, Sha256};
use uuid::Uuid;

pub use geometry::Rect;
pub use handlers::{load, reset_crop, save_crop, serve_rendition, serve_rendition_thumb};
pub use views::CropEditor;

use super::presets::Preset;

/// How a preset shows an artwork: cut to a frame, or whole on a mat.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framing {
    Crop(Rect),
    Mat([u8; 3]),
}

/// Everything a rendition is made from besides the original's pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Spec {
    pub preset: Preset,
    pub framing: Framing,
}

/// Bumped when renditions are made differently, so old ones are made again.
const RENDERING: u32 = 1;

impl Spec {
    /// A short hash of the frame, mode and colour: part of the stored name,
    /// so a changed crop is a new file and never a stale cached one.
    pub fn hash(&self) -> String {
        let described = match self.framing {
            Framing::Crop(r) => {
                format!("{RENDERING}:{}:crop:{},{},{},{}", self.preset.slug(), r.x, r.y, r.width, r.height)
            }
            Framing::Mat(c) => format!("{RENDERING}:{}:mat:{}", self.preset.slug(), colour_hex(c)),
        };
        hex::encode(&Sha256::digest(described.as_bytes())[..8])
    }

    /// `<image>-<preset>-<hash>[-thumb].jpg` in the `renditions` folder.
    pub fn file_name(&self, image: Uuid, thumb: bool) -> String {
        let suffix = if thumb { "-thumb" } else { "" };
        format!("{image}-{}-{}{suffix}.jpg", self.preset.slug(), self.hash())
    }
}

/// The storage folder of renditions.
pub const RENDITIONS: &str = "renditions";

/// `#rrggbb` as bytes; `None` for anything else.
pub fn parse_colour(text: &str) -> Option<[u8; 3]> {
    let hex = text.trim().strip_prefix('#')?;
    if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let channel = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    Some([channel(0)?, channel(2)?, channel(4)?])
}

pub fn colour_hex(c: [u8; 3]) -> String {
    format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])
}

/// The mat colour offered first: the workspace's brand colour, else white.
pub fn default_mat(brand_colour: &str) -> [u8; 3] {
    parse_colour(brand_colour).unwrap_or([255, 255, 255])
}

/// The framing in force for a preset: the saved one, else the centred crop.
pub fn spec_for(preset: Preset, size: (u32, u32), saved: Option<&queries::SavedCrop>) -> Spec {
    let framing = match saved {
        Some(s) if s.mode == "mat" => Framing::Mat(parse_colour(&s.mat_colour).unwrap_or([255, 255, 255])),
        Some(s) => match s.rect() {
            // A saved frame always fits; checked again so a hand-edited row cannot.
            Some(r)
                if u64::from(r.x) + u64::from(r.width) <= u64::from(size.0)
                    && u64::from(r.y) + u64::from(r.height) <= u64::from(size.1) =>
            {
                Framing::Crop(r)
            }
            _ => Framing::Crop(geometry::centred(preset, size.0, size.1)),
        },
        None => Framing::Crop(geometry::centred(preset, size.0, size.1)),
    };
    Spec { preset, framing }
}

/// The names of every rendition the current frames make (each preset of
/// each image, large and small): any other file in `renditions` is stale
/// or belongs to a deleted image, and the sweeper may take it.
pub async fn live_renditions(tx: &mut crate::db::WorkspaceTx) -> sqlx::Result<HashSet<String>> {
    let saved = queries::all(tx).await?;
    let mut by_image: HashMap<Uuid, Vec<&queries::SavedCrop>> = HashMap::new();
    for crop in &saved {
        by_image.entry(crop.image_id).or_default().push(crop);
    }
    let mut live = HashSet::new();
    for (id, width, height) in queries::image_sizes(tx).await? {
        let mine = by_image.get(&id).map(Vec::as_slice).unwrap_or_default();
        for preset in Preset::ALL {
            let spec =
                spec_for(preset, size_of(width, height), mine.iter().copied().find(|c| c.preset == preset.slug()));
            live.insert(spec.file_name(id, false));
            live.insert(spec.file_name(id, true));
        }
    }
    Ok(live)
}

/// An image's pixel size from its row.
pub fn size_of(width: i64, height: i64) -> (u32, u32) {
    (u32::try_from(width).unwrap_or(0), u32::try_from(height).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_frame_or_colour_changes_the_name() {
        let image = Uuid::nil();
        let a = spec_for(Preset::Portrait, (1000, 1000), None);
        let mut b = a;
        b.framing = Framing::Crop(Rect { x: 0, y: 0, width: 800, height: 1000 });
        assert_ne!(a.file_name(image, false), b.file_name(image, false));
        let white = Spec { preset: Preset::Portrait, framing: Framing::Mat([255, 255, 255]) };
        let red = Spec { preset: Preset::Portrait, framing: Framing::Mat([255, 0, 0]) };
        assert_ne!(white.hash(), red.hash());
        assert!(a.file_name(image, true).ends_with("-thumb.jpg"));
        assert_eq!(parse_colour("#BE123c"), Some([0xbe, 0x12, 0x3c]));
        assert_eq!(parse_colour("be123c"), None);
        assert_eq!(parse_colour("#be12"), None);
        assert_eq!(colour_hex([0xbe, 0x12, 0x3c]), "#be123c");
    }
}

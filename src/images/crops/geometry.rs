//! Crop arithmetic in the original's pixels: the centred default for a
//! preset, checking a submitted frame, the mat's canvas, and how much of the
//! artwork a crop cuts away. Pure functions, no I/O.

use crate::images::presets::Preset;

/// A rectangle in the original's pixel coordinates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rect {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

/// The smallest frame an artist may choose, so a rendition is never a smear.
pub const MIN_SIDE: u32 = 16;

/// The share of the artwork a default crop may cut before the piece gets a badge.
pub const BADGE_ABOVE: f64 = 0.15;

/// Height of a frame of `width` at the preset's ratio, to the nearest pixel.
pub fn height_for(preset: Preset, width: u32) -> u32 {
    let (rw, rh) = preset.ratio();
    ((u64::from(width) * u64::from(rh) + u64::from(rw) / 2) / u64::from(rw)) as u32
}

/// Width of a frame of `height` at the preset's ratio, to the nearest pixel.
fn width_for(preset: Preset, height: u32) -> u32 {
    let (rw, rh) = preset.ratio();
    ((u64::from(height) * u64::from(rw) + u64::from(rh) / 2) / u64::from(rh)) as u32
}

/// The largest frame of the preset's ratio inside the image, centred.
pub fn centred(preset: Preset, width: u32, height: u32) -> Rect {
    let (rw, rh) = preset.ratio();
    let wider = u64::from(width) * u64::from(rh) >= u64::from(height) * u64::from(rw);
    let (w, h) = if wider {
        (width_for(preset, height).clamp(1, width.max(1)), height)
    } else {
        (width, height_for(preset, width).clamp(1, height.max(1)))
    };
    Rect { x: (width - w.min(width)) / 2, y: (height - h.min(height)) / 2, width: w, height: h }
}

/// The share (0 to 1) of the artwork that the centred crop cuts away.
pub fn default_cut(preset: Preset, width: u32, height: u32) -> f64 {
    if width == 0 || height == 0 {
        return 0.0;
    }
    let kept = centred(preset, width, height);
    1.0 - (f64::from(kept.width) * f64::from(kept.height)) / (f64::from(width) * f64::from(height))
}

/// The whole percentage the default crop cuts, when it cuts more than the
/// badge allows (the "crop cuts N%" badge).
pub fn badge_percent(preset: Preset, width: u32, height: u32) -> Option<u32> {
    let cut = default_cut(preset, width, height);
    (cut > BADGE_ABOVE).then(|| (cut * 100.0).round() as u32)
}

/// Why a submitted frame is refused, in words for the artist.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refused {
    TooSmall,
    Outside,
    WrongShape,
}

impl Refused {
    pub fn message(self) -> &'static str {
        match self {
            Refused::TooSmall => "The frame is too small: make it at least 16 pixels wide and high.",
            Refused::Outside => "The frame goes outside the artwork: move it or make it smaller.",
            Refused::WrongShape => "The frame does not have this format's shape; use Reset to centre and try again.",
        }
    }
}

/// Checks a frame submitted for a `width` × `height` original. Without a
/// height the ratio gives it; with one, it must match the ratio within a
/// pixel of rounding.
pub fn check(preset: Preset, image: (u32, u32), x: u32, y: u32, w: u32, h: Option<u32>) -> Result<Rect, Refused> {
    let expected = height_for(preset, w);
    let h = match h {
        Some(h) if h.abs_diff(expected) > 1 && width_for(preset, h).abs_diff(w) > 1 => {
            return Err(Refused::WrongShape);
        }
        Some(h) => h,
        None => expected,
    };
    if w < MIN_SIDE || h < MIN_SIDE {
        return Err(Refused::TooSmall);
    }
    let inside = u64::from(x) + u64::from(w) <= u64::from(image.0) && u64::from(y) + u64::from(h) <= u64::from(image.1);
    if !inside {
        return Err(Refused::Outside);
    }
    Ok(Rect { x, y, width: w, height: h })
}

/// The mat: a canvas of the preset's ratio that holds the whole artwork,
/// and where the artwork sits on it (centred), all in original pixels.
pub fn mat_canvas(preset: Preset, width: u32, height: u32) -> (u32, u32, u32, u32) {
    let (rw, rh) = preset.ratio();
    let wider = u64::from(width) * u64::from(rh) >= u64::from(height) * u64::from(rw);
    let (cw, ch) = if wider {
        (width, height_for(preset, width).max(height))
    } else {
        (width_for(preset, height).max(width), height)
    };
    (cw, ch, (cw - width) / 2, (ch - height) / 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_is_the_largest_centred_frame() {
        // A 3000 × 2000 landscape painting in Instagram portrait 4:5.
        assert_eq!(centred(Preset::Portrait, 3000, 2000), Rect { x: 700, y: 0, width: 1600, height: 2000 });
        // A tall 1000 × 3000 scroll in a square.
        assert_eq!(centred(Preset::Square, 1000, 3000), Rect { x: 0, y: 1000, width: 1000, height: 1000 });
        // Already the right shape: nothing cut.
        assert_eq!(centred(Preset::Portrait, 800, 1000), Rect { x: 0, y: 0, width: 800, height: 1000 });
        let wide = centred(Preset::Landscape, 1000, 1000);
        assert_eq!((wide.width, wide.height, wide.y), (1000, 524, 238));
    }

    #[test]
    fn the_badge_shows_when_more_than_fifteen_percent_goes() {
        assert_eq!(badge_percent(Preset::Portrait, 800, 1000), None);
        assert_eq!(badge_percent(Preset::Portrait, 3000, 2000), Some(47));
        // 4:5 from 1:1 cuts exactly 20%.
        assert_eq!(badge_percent(Preset::Portrait, 1000, 1000), Some(20));
        // 3:4 portrait into 4:5 cuts 1 - (3/4)/(4/5) = 6.25%: no badge.
        assert_eq!(badge_percent(Preset::Portrait, 900, 1200), None);
        assert_eq!(badge_percent(Preset::Portrait, 0, 0), None);
    }

    #[test]
    fn frames_are_checked() {
        let image = (1000, 1000);
        assert_eq!(
            check(Preset::Portrait, image, 100, 0, 800, None),
            Ok(Rect { x: 100, y: 0, width: 800, height: 1000 })
        );
        assert_eq!(check(Preset::Portrait, image, 100, 0, 800, Some(1000)).map(|r| r.height), Ok(1000));
        assert_eq!(check(Preset::Portrait, image, 101, 0, 800, Some(999)).map(|r| r.height), Ok(999));
        assert_eq!(check(Preset::Portrait, image, 0, 0, 800, Some(800)), Err(Refused::WrongShape));
        assert_eq!(check(Preset::Portrait, image, 201, 0, 800, None), Err(Refused::Outside));
        assert_eq!(check(Preset::Portrait, image, 0, 1, 800, None), Err(Refused::Outside));
        assert_eq!(check(Preset::Square, image, 0, 0, 8, None), Err(Refused::TooSmall));
        assert_eq!(check(Preset::Square, image, u32::MAX, 0, 100, None), Err(Refused::Outside));
        // 1.91:1 rounds: 191 × 100 exactly, 382 × 200 exactly, 100 wide → 52 high.
        assert_eq!(check(Preset::Landscape, image, 0, 0, 100, None).map(|r| r.height), Ok(52));
    }

    #[test]
    fn a_mat_holds_the_whole_artwork_centred() {
        // A 3000 × 2000 landscape on a 4:5 mat: 3000 × 3750, artwork 875 px down.
        assert_eq!(mat_canvas(Preset::Portrait, 3000, 2000), (3000, 3750, 0, 875));
        // A tall piece on a 1.91:1 mat: wider canvas, artwork centred across.
        assert_eq!(mat_canvas(Preset::Landscape, 1000, 2000), (3820, 2000, 1410, 0));
    }
}

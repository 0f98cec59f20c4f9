//! Renditions: the artwork cut to its frame (or laid on its mat) at the
//! preset's ratio, as an sRGB JPEG, made on first use and kept in the store
//! under a name that carries the frame's hash. Concurrent first requests
//! each write a whole temporary file and rename it into place, so a reader
//! never sees half a rendition and the last writer wins with equal bytes.

use std::io::Cursor;

use anyhow::{Context, anyhow};
use image::{
    DynamicImage, ImageDecoder, ImageReader, Rgba, RgbaImage, codecs::jpeg::JpegEncoder, imageops::FilterType,
};
use uuid::Uuid;

use super::{Framing, RENDITIONS, Spec, geometry, shrink};
use crate::{
    images::processing::{LARGE_EDGE, decode_limits},
    state::AppState,
    storage::{self, Folder, derived_name, image_key},
};

/// Width of a rendition when the original allows (Instagram's 1080 px).
pub const WIDTH: u32 = 1080;
/// Width of the small rendition for chips and grid tiles.
pub const THUMB_WIDTH: u32 = 360;
/// The platforms' file limit (Instagram: 8 MB).
pub const MAX_BYTES: usize = 8 * 1024 * 1024;

/// The artwork a rendition is cut from.
#[derive(Clone, Debug)]
pub struct Artwork {
    pub id: Uuid,
    /// Upright pixel size of the original.
    pub size: (u32, u32),
    /// File name of the original in its folder (`<id>.<ext>`).
    pub original: String,
}

/// The store key of a rendition.
pub fn key(workspace: Uuid, art: &Artwork, spec: &Spec, thumb: bool) -> String {
    storage::key(workspace, RENDITIONS, &spec.file_name(art.id, thumb))
}

/// The key of the rendition, made first when the store has none yet.
pub async fn ensure(
    state: &AppState,
    workspace: Uuid,
    art: &Artwork,
    spec: Spec,
    thumb: bool,
) -> anyhow::Result<String> {
    let key = key(workspace, art, &spec, thumb);
    if state.storage.head(&key).await?.is_some() {
        return Ok(key);
    }
    let width = output_width(art.size, &spec, thumb);
    let from_large = large_is_enough(art.size, &spec, width);
    let source = if from_large {
        image_key(workspace, Folder::Large, &derived_name(art.id))
    } else {
        image_key(workspace, Folder::Originals, &art.original)
    };
    let bytes = state.storage.read(&source).await?.with_context(|| format!("{source} is missing"))?;
    let (size, max_pixels) = (art.size, state.config.bounds.max_pixels);
    let jpeg = state
        .decode(move || render(&bytes, size, spec, width, max_pixels))
        .await
        .map_err(|e| anyhow!("rendering: {e}"))??;
    state.storage.put_bytes(&key, jpeg).await?;
    Ok(key)
}

/// The rendition's width: 1080 px (360 for the small one), never more than
/// the original's own pixels give.
pub fn output_width(size: (u32, u32), spec: &Spec, thumb: bool) -> u32 {
    let natural = match spec.framing {
        Framing::Crop(r) => r.width,
        Framing::Mat(_) => geometry::mat_canvas(spec.preset, size.0, size.1).0,
    };
    natural.min(if thumb { THUMB_WIDTH } else { WIDTH }).max(1)
}

/// Whether the large preview (at most 1600 px) has pixels enough; when it
/// is the original's own size, the original is better (no second JPEG pass).
fn large_is_enough(size: (u32, u32), spec: &Spec, width: u32) -> bool {
    let longest = size.0.max(size.1);
    if longest <= LARGE_EDGE {
        return false;
    }
    let large_scale = f64::from(LARGE_EDGE) / f64::from(longest);
    let needed = match spec.framing {
        Framing::Crop(r) => f64::from(width) / f64::from(r.width.max(1)),
        Framing::Mat(_) => f64::from(width) / f64::from(geometry::mat_canvas(spec.preset, size.0, size.1).0.max(1)),
    };
    large_scale + 1e-9 >= needed
}

/// Decodes `bytes` (the original or the large preview of an artwork whose
/// upright size is `size`), then crops or mats it to `width` px wide.
pub fn render(bytes: &[u8], size: (u32, u32), spec: Spec, width: u32, max_pixels: u64) -> anyhow::Result<Vec<u8>> {
    let source = decode_upright(bytes, max_pixels)?;
    let scale = f64::from(source.width()) / f64::from(size.0.max(1));
    let height = geometry::height_for(spec.preset, width).max(1);
    let framed = match spec.framing {
        Framing::Crop(r) => crop(source, scale, r, width, height),
        Framing::Mat(colour) => mat(source, size, spec, colour, width, height),
    };
    encode_within(framed, MAX_BYTES)
}

fn decode_upright(bytes: &[u8], max_pixels: u64) -> anyhow::Result<DynamicImage> {
    let mut reader = ImageReader::new(Cursor::new(bytes)).with_guessed_format()?;
    reader.limits(decode_limits(max_pixels));
    let mut decoder = reader.into_decoder()?;
    let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder)?;
    image.apply_orientation(orientation);
    Ok(image)
}

fn crop(source: DynamicImage, scale: f64, r: geometry::Rect, width: u32, height: u32) -> RgbaImage {
    let at = |v: u32, limit: u32| ((f64::from(v) * scale).round() as u32).min(limit.saturating_sub(1));
    let (x, y) = (at(r.x, source.width()), at(r.y, source.height()));
    let w = ((f64::from(r.width) * scale).round() as u32).clamp(1, source.width() - x);
    let h = ((f64::from(r.height) * scale).round() as u32).clamp(1, source.height() - y);
    let cut = shrink::cut(source, (x, y, w, h), (width, height));
    over(&cut.resize_exact(width, height, FilterType::Lanczos3).to_rgba8(), [255, 255, 255])
}

/// The whole artwork, scaled to fit and centred on a canvas of the mat colour.
fn mat(source: DynamicImage, size: (u32, u32), spec: Spec, colour: [u8; 3], width: u32, height: u32) -> RgbaImage {
    let (canvas_w, _, _, _) = geometry::mat_canvas(spec.preset, size.0, size.1);
    let k = f64::from(width) / f64::from(canvas_w.max(1));
    let art_w = ((f64::from(size.0) * k).round() as u32).clamp(1, width);
    let art_h = ((f64::from(size.1) * k).round() as u32).clamp(1, height);
    let whole = (0, 0, source.width(), source.height());
    let art = shrink::cut(source, whole, (art_w, art_h));
    let art = over(&art.resize_exact(art_w, art_h, FilterType::Lanczos3).to_rgba8(), colour);
    let [r, g, b] = colour;
    let mut canvas = RgbaImage::from_pixel(width, height, Rgba([r, g, b, 255]));
    image::imageops::overlay(&mut canvas, &art, i64::from((width - art_w) / 2), i64::from((height - art_h) / 2));
    canvas
}

/// Transparent pixels over a background (JPEG has no transparency).
fn over(image: &RgbaImage, background: [u8; 3]) -> RgbaImage {
    let mut out = image.clone();
    for pixel in out.pixels_mut() {
        let [r, g, b, a] = pixel.0;
        let mix = |c: u8, bg: u8| ((u16::from(c) * u16::from(a) + u16::from(bg) * (255 - u16::from(a))) / 255) as u8;
        *pixel = Rgba([mix(r, background[0]), mix(g, background[1]), mix(b, background[2]), 255]);
    }
    out
}

/// A JPEG under `limit` bytes: lower quality first, then fewer pixels.
/// Decoded pixels carry no colour profile, so the JPEG is plain sRGB.
fn encode_within(image: RgbaImage, limit: usize) -> anyhow::Result<Vec<u8>> {
    let mut rgb = DynamicImage::ImageRgba8(image).to_rgb8();
    for _ in 0..8 {
        for quality in [88u8, 80, 70, 60, 50] {
            let mut out = Vec::new();
            JpegEncoder::new_with_quality(&mut out, quality).encode_image(&rgb)?;
            if out.len() <= limit {
                return Ok(out);
            }
        }
        let (w, h) = ((rgb.width() * 4 / 5).max(1), (rgb.height() * 4 / 5).max(1));
        rgb = image::imageops::resize(&rgb, w, h, FilterType::Triangle);
    }
    Err(anyhow!("no JPEG of this rendition fits in {limit} bytes"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::images::presets::Preset;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let image = DynamicImage::ImageRgb8(image::RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
        }));
        let mut out = Cursor::new(Vec::new());
        image.write_to(&mut out, image::ImageFormat::Png).expect("png");
        out.into_inner()
    }

    fn size_of_jpeg(bytes: &[u8]) -> (u32, u32) {
        let image = image::load_from_memory(bytes).expect("jpeg");
        (image.width(), image.height())
    }

    #[test]
    fn a_crop_is_the_preset_shape_and_never_enlarged() {
        let spec =
            Spec { preset: Preset::Portrait, framing: Framing::Crop(geometry::centred(Preset::Portrait, 600, 400)) };
        let width = output_width((600, 400), &spec, false);
        assert_eq!(width, 320, "the frame is only 320 px wide in the original");
        let jpeg = render(&png(600, 400), (600, 400), spec, width, 10_000_000).expect("render");
        assert_eq!(size_of_jpeg(&jpeg), (320, 400));
    }

    #[test]
    fn a_mat_keeps_the_whole_artwork() {
        let spec = Spec { preset: Preset::Square, framing: Framing::Mat([255, 0, 0]) };
        let width = output_width((400, 200), &spec, false);
        let jpeg = render(&png(400, 200), (400, 200), spec, width, 10_000_000).expect("render");
        assert_eq!(size_of_jpeg(&jpeg), (400, 400));
        let image = image::load_from_memory(&jpeg).expect("jpeg").to_rgb8();
        let corner = image.get_pixel(2, 2).0;
        assert!(corner[0] > 200 && corner[1] < 60, "the mat is red: {corner:?}");
    }

    #[test]
    fn an_oversized_jpeg_is_made_smaller() {
        let noisy = RgbaImage::from_fn(300, 300, |x, y| {
            let v = (x.wrapping_mul(7919) ^ y.wrapping_mul(104_729)) as u8;
            Rgba([v, v.wrapping_mul(3), v.wrapping_mul(5), 255])
        });
        let jpeg = encode_within(noisy, 20_000).expect("fits");
        assert!(jpeg.len() <= 20_000);
    }
}

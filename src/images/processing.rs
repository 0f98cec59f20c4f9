//! Recognising artwork by its bytes, and making its large preview and
//! gallery thumbnail. Blocking work: run it on a blocking thread.

use std::{
    fs::File,
    io::{BufReader, Read, Seek, SeekFrom},
    path::Path,
};

use image::{
    DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits, RgbImage, codecs::jpeg::JpegEncoder,
    metadata::Orientation,
};

/// The longest edge of the large preview and of the gallery thumbnail.
pub const LARGE_EDGE: u32 = 1600;
pub const THUMB_EDGE: u32 = 480;
const JPEG_QUALITY: u8 = 82;

/// The kinds of file Easel accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Jpeg,
    Png,
    WebP,
    Gif,
    Tiff,
}

impl Kind {
    fn format(self) -> ImageFormat {
        match self {
            Self::Jpeg => ImageFormat::Jpeg,
            Self::Png => ImageFormat::Png,
            Self::WebP => ImageFormat::WebP,
            Self::Gif => ImageFormat::Gif,
            Self::Tiff => ImageFormat::Tiff,
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::WebP => "image/webp",
            Self::Gif => "image/gif",
            Self::Tiff => "image/tiff",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::Png => "png",
            Self::WebP => "webp",
            Self::Gif => "gif",
            Self::Tiff => "tiff",
        }
    }
}

/// Why a file is not accepted, in words for the person who sent it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("{0}")]
    NotAnImage(&'static str),
    #[error("this image is {width} × {height} pixels; the limit is {megapixels} megapixels")]
    TooManyPixels { width: u32, height: u32, megapixels: u64 },
    #[error("this image is damaged or incomplete and cannot be read")]
    Unreadable,
}

/// A decoded image and the generated sizes, as JPEG bytes.
pub struct Processed {
    pub kind: Kind,
    pub width: u32,
    pub height: u32,
    pub large: Vec<u8>,
    pub thumb: Vec<u8>,
    /// The dominant colours (see `images::palette`).
    pub palette: String,
}

/// Recognises the file by its first bytes, never by its name or declared type.
pub fn sniff(head: &[u8]) -> Result<Kind, Refusal> {
    let text_start = String::from_utf8_lossy(&head[..head.len().min(256)]).trim_start().to_ascii_lowercase();
    if text_start.starts_with("<svg") || text_start.starts_with("<?xml") {
        return Err(Refusal::NotAnImage("SVG files are not accepted; export the artwork as PNG or JPEG"));
    }
    if text_start.starts_with("<!doctype") || text_start.starts_with("<html") {
        return Err(Refusal::NotAnImage("this is a web page (HTML), not an image"));
    }
    if head.starts_with(b"%PDF") {
        return Err(Refusal::NotAnImage("this is a PDF, not an image; export the artwork as PNG or JPEG"));
    }
    if is_heif(head) {
        return Err(Refusal::NotAnImage(HEIC_REFUSAL));
    }
    match image::guess_format(head) {
        Ok(ImageFormat::Jpeg) => Ok(Kind::Jpeg),
        Ok(ImageFormat::Png) => Ok(Kind::Png),
        Ok(ImageFormat::WebP) => Ok(Kind::WebP),
        Ok(ImageFormat::Gif) => Ok(Kind::Gif),
        Ok(ImageFormat::Tiff) => Ok(Kind::Tiff),
        Ok(_) => Err(Refusal::NotAnImage("this image format is not supported; use JPEG, PNG, WebP, GIF or TIFF")),
        Err(_) => Err(Refusal::NotAnImage("this is not an image Easel can read (JPEG, PNG, WebP, GIF or TIFF)")),
    }
}

/// No well-kept pure-Rust HEIC decoder exists, and this build has no system
/// libheif to link, so phone photos in HEIC get told how to send a JPEG.
const HEIC_REFUSAL: &str = "HEIC/HEIF photos cannot be read yet; send a JPEG instead. On an iPhone: Settings → \
     Camera → Formats → Most Compatible, or in Photos choose Share → Options → Most Compatible (or Save as JPEG). \
     On a Mac: open it in Preview, then File → Export… → Format: JPEG";

/// An ISO media file (`ftyp` box) of a HEIF brand: HEIC photos from phones.
fn is_heif(head: &[u8]) -> bool {
    const BRANDS: [&[u8; 4]; 9] = [b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"mif1", b"msf1"];
    head.len() >= 12 && &head[4..8] == b"ftyp" && BRANDS.iter().any(|b| &head[8..12] == *b)
}

/// Checks, decodes (upright, by its EXIF orientation) and resizes the file.
/// The generated sizes carry no metadata at all. The size is read from the
/// header first: an image over `max_pixels` is refused before any decoding.
pub fn process(path: &Path, max_pixels: u64) -> Result<Processed, Refusal> {
    let mut file = File::open(path).map_err(|_| Refusal::Unreadable)?;
    let mut head = [0u8; 512];
    let read = read_up_to(&mut file, &mut head).map_err(|_| Refusal::Unreadable)?;
    let kind = sniff(&head[..read])?;
    if kind == Kind::Jpeg && !jpeg_is_complete(&mut file)? {
        return Err(Refusal::Unreadable);
    }
    let (width, height) = reader(path, kind, max_pixels)?.into_dimensions().map_err(|_| Refusal::Unreadable)?;
    check_pixels(width, height, max_pixels)?;
    let mut decoder = reader(path, kind, max_pixels)?.into_decoder().map_err(|_| Refusal::Unreadable)?;
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let image = DynamicImage::from_decoder(decoder).map_err(|_| Refusal::Unreadable)?;
    // Shrunk first, turned upright after: turning the full decode would copy
    // all of its pixels (72 MB for a 24 MP photograph). The bound is a
    // square, so the sizes come out the same either way.
    let mut large = fit_within(&image, LARGE_EDGE);
    drop(image);
    large.apply_orientation(orientation);
    let thumb = fit_within(&large, THUMB_EDGE);
    let (width, height) = upright(width, height, orientation);
    Ok(Processed {
        kind,
        width,
        height,
        large: encode_jpeg(&large)?,
        thumb: encode_jpeg(&thumb)?,
        palette: super::palette::of(&thumb),
    })
}

/// The size of a `width` × `height` image once turned by `orientation`.
fn upright(width: u32, height: u32, orientation: Orientation) -> (u32, u32) {
    use Orientation::{Rotate90, Rotate90FlipH, Rotate270, Rotate270FlipH};
    if matches!(orientation, Rotate90 | Rotate270 | Rotate90FlipH | Rotate270FlipH) {
        (height, width)
    } else {
        (width, height)
    }
}

fn reader(path: &Path, kind: Kind, max_pixels: u64) -> Result<ImageReader<BufReader<File>>, Refusal> {
    let file = File::open(path).map_err(|_| Refusal::Unreadable)?;
    let mut reader = ImageReader::with_format(BufReader::new(file), kind.format());
    reader.limits(decode_limits(max_pixels));
    Ok(reader)
}

/// The decoder's own limits, a second wall behind [`check_pixels`]: no side
/// longer than the pixel limit allows, and no allocation beyond what an
/// image of that many pixels needs (16-bit RGBA, plus room for metadata).
pub fn decode_limits(max_pixels: u64) -> Limits {
    let mut limits = Limits::default();
    let side = u32::try_from(max_pixels).unwrap_or(u32::MAX);
    limits.max_image_width = Some(side);
    limits.max_image_height = Some(side);
    limits.max_alloc = Some(max_pixels.saturating_mul(8).saturating_add(64 << 20));
    limits
}

/// Refuses an image with more than `max_pixels` pixels.
pub fn check_pixels(width: u32, height: u32, max_pixels: u64) -> Result<(), Refusal> {
    if u64::from(width) * u64::from(height) > max_pixels {
        return Err(Refusal::TooManyPixels { width, height, megapixels: max_pixels / 1_000_000 });
    }
    Ok(())
}

fn read_up_to(file: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

/// JPEG decoders fill a cut-off file with grey instead of failing, so look
/// for the end-of-image marker near the end (it cannot occur inside the
/// compressed data, where every 0xFF byte is escaped).
fn jpeg_is_complete(file: &mut File) -> Result<bool, Refusal> {
    const TAIL: u64 = 64 * 1024;
    let len = file.metadata().map_err(|_| Refusal::Unreadable)?.len();
    file.seek(SeekFrom::Start(len.saturating_sub(TAIL))).map_err(|_| Refusal::Unreadable)?;
    let mut tail = Vec::with_capacity(TAIL as usize);
    file.read_to_end(&mut tail).map_err(|_| Refusal::Unreadable)?;
    Ok(tail.windows(2).any(|w| w == [0xFF, 0xD9]))
}

/// Shrinks to fit `edge` × `edge`; never enlarges.
fn fit_within(image: &DynamicImage, edge: u32) -> DynamicImage {
    if image.width() <= edge && image.height() <= edge { image.clone() } else { image.thumbnail(edge, edge) }
}

/// JPEG has no transparency: transparent pixels become white, as on paper.
fn encode_jpeg(image: &DynamicImage) -> Result<Vec<u8>, Refusal> {
    let rgb: RgbImage = if image.color().has_alpha() {
        let rgba = image.to_rgba8();
        RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
            let [r, g, b, a] = rgba.get_pixel(x, y).0;
            let over_white = |c: u8| ((u16::from(c) * u16::from(a) + 255 * (255 - u16::from(a))) / 255) as u8;
            image::Rgb([over_white(r), over_white(g), over_white(b)])
        })
    } else {
        image.to_rgb8()
    };
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY).encode_image(&rgb).map_err(|_| Refusal::Unreadable)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_recognised_by_their_bytes() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n....").ok(), Some(Kind::Png));
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0....").ok(), Some(Kind::Jpeg));
        assert_eq!(sniff(b"GIF89a....").ok(), Some(Kind::Gif));
        assert!(sniff(b"  <svg xmlns=...>").is_err());
        assert!(sniff(b"<?xml version=\"1.0\"?><svg>").is_err());
        assert!(sniff(b"<!DOCTYPE html><html>").is_err());
        assert!(sniff(b"%PDF-1.7").is_err());
        assert!(sniff(b"just some text").is_err());
        assert!(sniff(b"BM....").is_err(), "BMP is not among the accepted formats");
        let heic = sniff(b"\0\0\0\x18ftypheic\0\0\0\0mif1heic").expect_err("HEIC is refused");
        assert!(heic.to_string().contains("Most Compatible"), "and says how to send a JPEG: {heic}");
    }

    #[test]
    fn sizes_never_grow() {
        let small = DynamicImage::new_rgb8(100, 50);
        assert_eq!(fit_within(&small, 480).width(), 100);
        let big = DynamicImage::new_rgb8(4000, 2000);
        let fitted = fit_within(&big, 480);
        assert_eq!((fitted.width(), fitted.height()), (480, 240));
    }

    #[test]
    fn a_quarter_turn_swaps_the_sides() {
        assert_eq!(upright(6000, 4000, Orientation::Rotate90), (4000, 6000));
        assert_eq!(upright(6000, 4000, Orientation::Rotate270FlipH), (4000, 6000));
        assert_eq!(upright(6000, 4000, Orientation::Rotate180), (6000, 4000));
        assert_eq!(upright(6000, 4000, Orientation::FlipHorizontal), (6000, 4000));
    }
}

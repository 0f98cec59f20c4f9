//! Artwork made up for the tests: small images in every accepted format,
//! each different from the last so none is a duplicate.

use std::io::Cursor;

use image::{DynamicImage, ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};

/// A `width` × `height` picture whose pixels depend on `seed`.
pub fn picture(width: u32, height: u32, seed: u8) -> DynamicImage {
    DynamicImage::ImageRgb8(RgbImage::from_fn(width, height, |x, y| {
        Rgb([(x as u8).wrapping_mul(3).wrapping_add(seed), (y as u8).wrapping_add(seed), seed.wrapping_mul(7)])
    }))
}

pub fn encode(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    let image = match format {
        // The WebP encoder wants RGBA or RGB; the GIF encoder wants RGBA.
        ImageFormat::Gif => DynamicImage::ImageRgba8(image.to_rgba8()),
        _ => image.clone(),
    };
    image.write_to(&mut out, format).expect("encode");
    out.into_inner()
}

/// A tiny picture made unique by a number of any size.
pub fn unique(n: u32) -> DynamicImage {
    let bytes = n.to_be_bytes();
    DynamicImage::ImageRgb8(RgbImage::from_fn(8, 8, |x, y| Rgb([bytes[(x % 4) as usize], bytes[(y % 4) as usize], 7])))
}

pub fn jpeg(seed: u8) -> Vec<u8> {
    encode(&picture(64, 48, seed), ImageFormat::Jpeg)
}

pub fn png(seed: u8) -> Vec<u8> {
    encode(&picture(64, 48, seed), ImageFormat::Png)
}

/// A PNG with a transparent half.
pub fn transparent_png(seed: u8) -> Vec<u8> {
    let image = RgbaImage::from_fn(40, 40, |x, _| Rgba([seed, 0, 0, if x < 20 { 0 } else { 255 }]));
    encode(&DynamicImage::ImageRgba8(image), ImageFormat::Png)
}

/// A JPEG whose EXIF says "rotate 90° clockwise to view" and carries a GPS
/// position that must never reach a thumbnail.
pub fn sideways_jpeg_with_gps() -> Vec<u8> {
    let plain = encode(&picture(200, 100, 9), ImageFormat::Jpeg);
    let mut tiff = Vec::new();
    tiff.extend_from_slice(b"MM\x00\x2a\x00\x00\x00\x08"); // big-endian TIFF, first IFD at 8
    tiff.extend_from_slice(&2u16.to_be_bytes()); // two entries
    tiff.extend_from_slice(&[0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 0x00, 0x00]); // Orientation = 6
    tiff.extend_from_slice(&[0x88, 0x25, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x26]); // GPS IFD at 38
    tiff.extend_from_slice(&0u32.to_be_bytes()); // no next IFD
    tiff.extend_from_slice(&1u16.to_be_bytes()); // GPS IFD: one entry
    tiff.extend_from_slice(&[0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02, b'N', 0, 0, 0]); // GPSLatitudeRef "N"
    tiff.extend_from_slice(&0u32.to_be_bytes());
    let mut app1 = b"Exif\x00\x00".to_vec();
    app1.extend_from_slice(&tiff);
    let mut out = plain[..2].to_vec(); // SOI
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(&plain[2..]);
    out
}

/// A valid PNG header claiming 20,000 × 20,000 pixels (400 megapixels).
pub fn enormous_png_header() -> Vec<u8> {
    png_claiming(20_000, 20_000)
}

/// A tiny PNG whose header claims `width` × `height` pixels: a
/// decompression bomb, if anything believed it and made room.
pub fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    out.extend_from_slice(&(ihdr.len() as u32).to_be_bytes());
    let mut chunk = b"IHDR".to_vec();
    chunk.extend_from_slice(&ihdr);
    out.extend_from_slice(&chunk);
    out.extend_from_slice(&crc32(&chunk).to_be_bytes());
    // A first (tiny) data chunk: decoders read the header up to here.
    let idat = b"IDAT\x78\x9c\x03\x00\x00\x00\x00\x01";
    out.extend_from_slice(&((idat.len() - 4) as u32).to_be_bytes());
    out.extend_from_slice(idat);
    out.extend_from_slice(&crc32(idat).to_be_bytes());
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for byte in bytes {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// A `width` × `height` PNG of noise: it barely compresses, so it weighs
/// about 3 bytes a pixel and takes a while to decode and resize.
pub fn noisy_png(width: u32, height: u32, seed: u64) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = move || {
        // xorshift64
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let image = RgbImage::from_fn(width, height, |_, _| {
        let bits = next().to_le_bytes();
        Rgb([bits[0], bits[1], bits[2]])
    });
    encode(&DynamicImage::ImageRgb8(image), ImageFormat::Png)
}

//! A workspace's logo: checked by its bytes, decoded, resized to fit
//! 600 × 200 and stored as PNG in the workspace's `brand/` folder.

use std::io::Cursor;

use image::{ImageFormat, ImageReader, imageops::FilterType};
use uuid::Uuid;

use crate::{
    images::processing::{check_pixels, decode_limits, sniff},
    storage::{self, Storage},
};

/// The largest logo file accepted.
pub const MAX_BYTES: usize = 2 * 1024 * 1024;

/// The key of a workspace's logo in the store.
pub fn key(workspace: Uuid, name: &str) -> String {
    storage::key(workspace, storage::BRAND, name)
}

/// A file name Easel gave a logo (never a path).
pub fn is_logo_name(name: &str) -> bool {
    name.strip_prefix("logo-").and_then(|rest| rest.strip_suffix(".png")).is_some_and(|id| Uuid::parse_str(id).is_ok())
}

/// Turns uploaded bytes into the stored PNG, or says why not. Under the
/// same rules as artwork: the size is read from the header, and a logo over
/// `max_pixels` is refused before anything is decoded.
pub fn prepare(bytes: &[u8], max_pixels: u64) -> Result<Vec<u8>, String> {
    if bytes.is_empty() {
        return Err("Choose an image file for the logo.".into());
    }
    if bytes.len() > MAX_BYTES {
        return Err("The logo must be under 2 MB.".into());
    }
    sniff(bytes).map_err(|why| format!("The logo was refused: {why}."))?;
    let damaged = || "The logo is damaged or cannot be read.".to_owned();
    let reader = || -> Result<ImageReader<Cursor<&[u8]>>, String> {
        let mut reader = ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(|_| damaged())?;
        reader.limits(decode_limits(max_pixels));
        Ok(reader)
    };
    let (width, height) = reader()?.into_dimensions().map_err(|_| damaged())?;
    check_pixels(width, height, max_pixels).map_err(|why| format!("The logo was refused: {why}."))?;
    if width > 8000 || height > 8000 {
        return Err("The logo is too large; use one under 8000 pixels on each side.".into());
    }
    let image = reader()?.decode().map_err(|_| damaged())?;
    let fitted =
        if image.width() > 600 || image.height() > 200 { image.resize(600, 200, FilterType::Lanczos3) } else { image };
    let mut png = Vec::new();
    fitted
        .write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
        .map_err(|_| "The logo could not be saved.".to_owned())?;
    Ok(png)
}

/// Puts the PNG beside the old logo and returns its name.
pub async fn store(storage: &Storage, workspace: Uuid, png: Vec<u8>) -> std::io::Result<String> {
    let name = format!("logo-{}.png", Uuid::now_v7());
    storage.put_bytes(&key(workspace, &name), png).await?;
    Ok(name)
}

pub async fn remove(storage: &Storage, workspace: Uuid, name: &str) {
    if is_logo_name(name) {
        storage.delete(&[key(workspace, name)]).await;
    }
}

/// The stored logo's bytes, if it is one Easel named and it is there.
pub async fn read(storage: &Storage, workspace: Uuid, name: &str) -> Option<Vec<u8>> {
    if !is_logo_name(name) {
        return None;
    }
    storage.read(&key(workspace, name)).await.ok().flatten()
}

/// The stored logo as a `data:` URL, for pages seen outside the workspace
/// (the invitation page), where `/brand/logo` would not know which one.
pub async fn data_url(storage: &Storage, workspace: Uuid, name: &str) -> Option<String> {
    use base64::{Engine, engine::general_purpose::STANDARD};
    let bytes = read(storage, workspace, name).await?;
    Some(format!("data:image/png;base64,{}", STANDARD.encode(bytes)))
}

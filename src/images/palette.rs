//! An artwork's few dominant colours, for the grid planner's "these two look
//! alike" warning: k-means on the thumbnail's pixels, deterministic (seeded
//! from the image itself), a fixed number of rounds.

use image::DynamicImage;

/// How many colours are kept.
const K: usize = 5;
const ROUNDS: usize = 10;
/// Pixels looked at, at most (an even sample of the thumbnail).
const SAMPLE: usize = 4096;
/// Colours closer than this (squared RGB distance, about 24 levels) are one.
const TWINS: f64 = 24.0 * 24.0;

/// Up to five `#rrggbb` colours, most dominant first, separated by spaces.
pub fn of(image: &DynamicImage) -> String {
    let pixels = sample(image);
    if pixels.is_empty() {
        return String::new();
    }
    let mut centres = seeds(&pixels);
    let mut counts = vec![0usize; centres.len()];
    for _ in 0..ROUNDS {
        let mut sums = vec![[0f64; 3]; centres.len()];
        counts.iter_mut().for_each(|c| *c = 0);
        for p in &pixels {
            let nearest = nearest(&centres, p);
            counts[nearest] += 1;
            (0..3).for_each(|i| sums[nearest][i] += p[i]);
        }
        for (centre, (sum, &count)) in centres.iter_mut().zip(sums.iter().zip(&counts)) {
            if count > 0 {
                *centre = sum.map(|s| s / count as f64);
            }
        }
    }
    let mut ranked: Vec<([f64; 3], usize)> = centres.into_iter().zip(counts).filter(|(_, n)| *n > 0).collect();
    ranked.sort_by_key(|r| std::cmp::Reverse(r.1));
    // k-means splits one flat colour into near-twins; keep the larger of each.
    let mut kept: Vec<[f64; 3]> = Vec::new();
    for (colour, _) in ranked {
        if kept.iter().all(|k| distance(k, &colour) > TWINS) {
            kept.push(colour);
        }
    }
    kept.iter().map(hex).collect::<Vec<_>>().join(" ")
}

fn sample(image: &DynamicImage) -> Vec<[f64; 3]> {
    let rgb = image.to_rgb8();
    let total = rgb.width() as usize * rgb.height() as usize;
    let step = total.div_ceil(SAMPLE).max(1);
    rgb.pixels().step_by(step).map(|p| p.0.map(f64::from)).collect()
}

/// Deterministic seeds spread over the colours present: the first pixel, then
/// each time the pixel farthest from every seed so far (k-means++ without
/// the randomness).
fn seeds(pixels: &[[f64; 3]]) -> Vec<[f64; 3]> {
    let mut seeds = vec![pixels[0]];
    while seeds.len() < K {
        let farthest = pixels
            .iter()
            .map(|p| (p, seeds.iter().map(|s| distance(s, p)).fold(f64::MAX, f64::min)))
            .max_by(|a, b| a.1.total_cmp(&b.1));
        match farthest {
            Some((p, d)) if d > 0.0 => seeds.push(*p),
            _ => break,
        }
    }
    seeds
}

fn nearest(centres: &[[f64; 3]], p: &[f64; 3]) -> usize {
    centres.iter().enumerate().min_by(|a, b| distance(a.1, p).total_cmp(&distance(b.1, p))).map_or(0, |(i, _)| i)
}

fn distance(a: &[f64; 3], b: &[f64; 3]) -> f64 {
    (0..3).map(|i| (a[i] - b[i]).powi(2)).sum()
}

fn hex(c: &[f64; 3]) -> String {
    let byte = |v: f64| v.round().clamp(0.0, 255.0) as u8;
    format!("#{:02x}{:02x}{:02x}", byte(c[0]), byte(c[1]), byte(c[2]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgb, RgbImage};

    #[test]
    fn the_dominant_colour_comes_first() {
        // Three quarters red, one quarter blue.
        let image = RgbImage::from_fn(40, 40, |x, _| if x < 30 { Rgb([200, 20, 20]) } else { Rgb([10, 30, 220]) });
        let palette = of(&DynamicImage::ImageRgb8(image));
        assert_eq!(palette, "#c81414 #0a1edc");
    }

    #[test]
    fn the_same_image_gives_the_same_palette() {
        let image = DynamicImage::ImageRgb8(RgbImage::from_fn(64, 48, |x, y| Rgb([(x * 4) as u8, (y * 5) as u8, 90])));
        let palette = of(&image);
        assert_eq!(palette, of(&image));
        assert_eq!(palette.split(' ').count(), 5);
        assert!(palette.split(' ').all(|c| c.len() == 7 && c.starts_with('#')));
        assert_eq!(of(&DynamicImage::new_rgb8(0, 0)), "");
    }
}

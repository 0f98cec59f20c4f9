//! Telling whether two artworks' palettes are nearly the same, so the grid
//! planner can warn before two look-alike pieces sit side by side.
//!
//! A palette is `images.palette`: up to five `#rrggbb` colours, most dominant
//! first. Two palettes are "nearly the same" when their three most dominant
//! colours are, on average, within [`NEAR`] of the closest colour of the
//! other palette, measured in CIE Lab (ΔE 1976), where equal distances look
//! about equally different. Either way round, so the test is symmetric.

/// The mean ΔE under which two palettes read as the same: about twice the
/// distance at which people tell two flat colours apart side by side.
pub const NEAR: f64 = 12.0;

/// The first three colours of a stored palette, in Lab; junk is skipped.
fn top_three(palette: &str) -> Vec<[f64; 3]> {
    palette.split_whitespace().filter_map(parse_hex).map(lab).take(3).collect()
}

fn parse_hex(raw: &str) -> Option<[u8; 3]> {
    let hex = raw.strip_prefix('#')?;
    if hex.len() != 6 {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok();
    Some([byte(0)?, byte(2)?, byte(4)?])
}

/// sRGB (D65) to CIE Lab.
fn lab([r, g, b]: [u8; 3]) -> [f64; 3] {
    let linear = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.04045 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) }
    };
    let (r, g, b) = (linear(r), linear(g), linear(b));
    let x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
    let y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    let z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
    let f = |t: f64| if t > 0.008856 { t.cbrt() } else { 7.787 * t + 16.0 / 116.0 };
    let (fx, fy, fz) = (f(x), f(y), f(z));
    [116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)]
}

fn delta_e(a: [f64; 3], b: [f64; 3]) -> f64 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)).sqrt()
}

/// Mean distance from each of `a`'s colours to its nearest in `b`.
fn one_way(a: &[[f64; 3]], b: &[[f64; 3]]) -> f64 {
    let nearest = |c: &[f64; 3]| b.iter().map(|d| delta_e(*c, *d)).fold(f64::INFINITY, f64::min);
    a.iter().map(nearest).sum::<f64>() / a.len() as f64
}

/// Whether two stored palettes are nearly the same; never for a palette not
/// computed yet ('').
pub fn nearly_same(a: &str, b: &str) -> bool {
    let (a, b) = (top_three(a), top_three(b));
    if a.is_empty() || b.is_empty() {
        return false;
    }
    one_way(&a, &b).max(one_way(&b, &a)) < NEAR
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn look_alike_palettes_are_nearly_the_same() {
        let cobalt = "#1f3a93 #2c4fb8 #e8e4dc #101010 #ffffff";
        let cobalt_again = "#203b95 #2a4db5 #e6e2da";
        assert!(nearly_same(cobalt, cobalt_again));
        assert!(nearly_same(cobalt_again, cobalt), "symmetric");
        assert!(nearly_same(cobalt, "#2c4fb8 #1f3a93 #e8e4dc"), "the order of the top three does not matter");
    }

    #[test]
    fn different_palettes_are_not() {
        let cobalt = "#1f3a93 #2c4fb8 #e8e4dc";
        assert!(!nearly_same(cobalt, "#c2410c #f59e0b #fef3c7"));
        assert!(!nearly_same(cobalt, "#1f3a93 #2c4fb8 #c2410c"), "one colour apart is enough to differ");
        assert!(!nearly_same(cobalt, ""), "not computed yet: no warning");
        assert!(!nearly_same("", ""));
        assert!(!nearly_same("junk", "junk"));
    }

    #[test]
    fn lab_matches_reference_values() {
        let white = lab([255, 255, 255]);
        assert!((white[0] - 100.0).abs() < 0.1 && white[1].abs() < 0.5 && white[2].abs() < 0.5);
        let red = lab([255, 0, 0]);
        assert!((red[0] - 53.2).abs() < 0.5 && (red[1] - 80.1).abs() < 1.0 && (red[2] - 67.2).abs() < 1.0);
    }
}

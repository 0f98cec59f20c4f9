//! Cutting a frame out of a decoded artwork without holding more pixels
//! than the rendition needs.
//!
//! `image`'s Lanczos resampler first builds a float RGBA buffer as wide as
//! its source and as tall as its result: 16 bytes a pixel, 69 MB for the
//! 3,200 px wide 4:5 frame of a 24-megapixel photograph going to 1,350 px
//! tall, on top of the decode (72 MB) and a copy of the frame (38 MB). Here
//! the frame is read in place (a view, not a copy) and, when it has more
//! than twice the pixels the rendition needs on both sides, averaged down to
//! twice the rendition's size first (an integer box filter: no float
//! buffer). The decode is freed before Lanczos runs, and Lanczos never
//! resamples more than twice the result, so its buffer stays small.

use image::{DynamicImage, imageops};

/// How much larger than the result the source Lanczos sees may be.
const HEADROOM: u32 = 2;

/// The `(x, y, w, h)` part of `source` as its own image, averaged down to
/// twice `target` when it is larger than that on both sides. Takes the
/// source so its pixels are freed as soon as the part is out.
pub fn cut(source: DynamicImage, (x, y, w, h): (u32, u32, u32, u32), target: (u32, u32)) -> DynamicImage {
    let Some((tw, th)) = averaged_size((w, h), target) else {
        if (x, y, w, h) == (0, 0, source.width(), source.height()) {
            return source;
        }
        return source.crop_imm(x, y, w, h);
    };
    macro_rules! average {
        ($($variant:ident),*) => {
            match &source {
                $(DynamicImage::$variant(p) => {
                    DynamicImage::$variant(imageops::thumbnail(&*imageops::crop_imm(p, x, y, w, h), tw, th))
                })*
                other => other.crop_imm(x, y, w, h).thumbnail_exact(tw, th),
            }
        };
    }
    average!(
        ImageLuma8,
        ImageLumaA8,
        ImageRgb8,
        ImageRgba8,
        ImageLuma16,
        ImageLumaA16,
        ImageRgb16,
        ImageRgba16,
        ImageRgb32F,
        ImageRgba32F
    )
}

/// The size to average a `w` × `h` part down to before resampling it to
/// `target`, or `None` when it is not over twice the target on both sides.
fn averaged_size((w, h): (u32, u32), (tw, th): (u32, u32)) -> Option<(u32, u32)> {
    let (aw, ah) = (tw.saturating_mul(HEADROOM), th.saturating_mul(HEADROOM));
    (w > aw && h > ah).then_some((aw, ah))
}

#[cfg(test)]
mod tests {
    use image::{GenericImageView, Rgb, RgbImage};

    use super::*;

    fn striped(width: u32, height: u32) -> DynamicImage {
        DynamicImage::ImageRgb8(RgbImage::from_fn(width, height, |x, _| Rgb([(x % 256) as u8, 0, 200])))
    }

    #[test]
    fn a_large_part_is_averaged_to_twice_the_target() {
        let part = cut(striped(6000, 4000), (1400, 0, 3200, 4000), (1080, 1350));
        assert_eq!(part.dimensions(), (2160, 2700));
        assert_eq!(part.get_pixel(5, 5).0[2], 200, "the colour is kept");
    }

    #[test]
    fn a_small_part_is_cut_as_it_is() {
        let source = striped(600, 400);
        let part = cut(source.clone(), (140, 0, 320, 400), (320, 400));
        assert_eq!(part.dimensions(), (320, 400));
        assert_eq!(part.get_pixel(0, 0), source.get_pixel(140, 0), "the same pixels, not resampled");
        let whole = cut(source.clone(), (0, 0, 600, 400), (300, 200));
        assert_eq!(whole.dimensions(), (600, 400), "not over twice the target: untouched");
    }

    #[test]
    fn only_a_part_over_twice_on_both_sides_is_averaged() {
        assert_eq!(averaged_size((3200, 4000), (1080, 1350)), Some((2160, 2700)));
        assert_eq!(averaged_size((2160, 2700), (1080, 1350)), None);
        assert_eq!(averaged_size((6000, 1000), (1080, 1350)), None);
    }
}

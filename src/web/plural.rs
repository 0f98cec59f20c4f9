//! Counts in words: "1 image", "3 images", never "image(s)".

/// `n` and the word for `n` of them: `count(1, "image", "images")` is "1 image".
pub fn count(n: impl Into<i64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    #[test]
    fn one_is_singular_and_every_other_count_plural() {
        assert_eq!(super::count(1, "image", "images"), "1 image");
        assert_eq!(super::count(0, "image", "images"), "0 images");
        assert_eq!(super::count(2u32, "day", "days"), "2 days");
    }
}

//! Page numbers from query strings, bounded so that no offset can overflow:
//! a page number past the last page answers an ordinary (empty or last)
//! page, never an error.

use serde::{Deserialize, Deserializer};

/// No list is paged further than this; larger numbers mean this page.
pub const MAX_PAGE: u32 = 10_000;

/// A page number as typed: digits count (capped at [`MAX_PAGE`]); anything
/// else, a sign included, is the first page (0).
pub fn parse(raw: &str) -> u32 {
    let raw = raw.trim();
    if raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return 0;
    }
    raw.parse::<u32>().map_or(MAX_PAGE, |n| n.min(MAX_PAGE))
}

/// For `#[serde(default, deserialize_with = "…")]` on a `page` parameter.
pub fn page_number<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    String::deserialize(d).map(|raw| parse(&raw))
}

/// The rows before `page`: two `u32`s multiplied always fit in an `i64`.
pub fn offset(page: u32, size: u32) -> i64 {
    i64::from(page) * i64::from(size)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_numbers_are_bounded() {
        assert_eq!(parse("3"), 3);
        assert_eq!(parse(" 12 "), 12);
        assert_eq!(parse("99999999999999999999"), MAX_PAGE);
        assert_eq!(parse(&i64::MAX.to_string()), MAX_PAGE);
        for odd in ["", "-1", "1e9", "two", "+2"] {
            assert_eq!(parse(odd), 0, "{odd}");
        }
        assert_eq!(offset(MAX_PAGE, u32::MAX), i64::from(MAX_PAGE) * i64::from(u32::MAX));
    }
}

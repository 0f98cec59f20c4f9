//! Gallery search: the images whose title or one of whose tags contains a
//! text, case aside, with `%` and `_` as plain letters. Each backend has its
//! own index (migration 0029) and so its own condition:
//!
//! - SQLite: an FTS5 trigram index over titles and tags ([`sqlite`]);
//! - PostgreSQL: a btree over every suffix of titles and tags ([`postgres`];
//!   pg_trgm's index is not used under forced row-level security, see the
//!   migration).
//!
//! Both need three characters or more; a shorter text (or one that neither
//! index can take) reads the workspace's titles and tags ([`scan`]), which
//! is what every search did before.

use super::{Target, WorkspaceTx};

/// A condition on `i` (a row of `images`) for the gallery's `WHERE`. It
/// names the workspace as `$1` and its own two values as `$2` and `$3`
/// (bound as text; a condition may leave `$3` unused).
#[derive(Debug, PartialEq, Eq)]
pub struct ImageSearch {
    pub condition: &'static str,
    /// The condition to use when the search is the gallery's only filter
    /// (but for paging), if the index can do better then: it picks the
    /// page's `$7` newest matches itself (older than `$6` when that is
    /// set), so only those are read from `images`.
    pub alone: Option<&'static str>,
    pub first: String,
    pub second: String,
}

/// Trigram indexes find nothing shorter than this.
const SHORTEST: usize = 3;
/// PostgreSQL indexes suffixes up to this many characters (see 0029).
const LONGEST_SUFFIX: usize = 32;

/// The condition for `text` on the transaction's backend; `None` when there
/// is nothing to search for.
pub fn images(tx: &mut WorkspaceTx, text: &str) -> Option<ImageSearch> {
    if text.is_empty() {
        return None;
    }
    let on_sqlite = matches!(tx.target(), Target::Sqlite(_) | Target::SqlitePool(_));
    Some(if on_sqlite { sqlite(text) } else { postgres(text) })
}

/// SQLite: an FTS5 phrase, which the trigram tokenizer matches as a
/// substring of the title or of one tag (tags are joined by a line break,
/// which no title, tag or indexed search holds).
pub fn sqlite(text: &str) -> ImageSearch {
    if text.chars().count() < SHORTEST || text.chars().any(char::is_control) {
        return scan(text);
    }
    ImageSearch {
        // CROSS JOIN keeps SQLite's order: the index's matches first, then
        // their rows by rowid. Left to choose, it read every row of the
        // workspace and searched the index once per row (a thousand times
        // slower).
        condition: "i.id IN (SELECT s.image_id FROM image_search_fts f CROSS JOIN image_search s ON s.id = f.rowid \
                      WHERE image_search_fts MATCH $2 AND s.workspace_id = $1)",
        alone: None,
        first: format!("\"{}\"", text.replace('"', "\"\"")),
        second: String::new(),
    }
}

/// PostgreSQL: the suffixes that begin with the lowercased text lie between
/// it and the next string after all strings it begins (code-point order).
pub fn postgres(text: &str) -> ImageSearch {
    let lower = text.to_lowercase();
    let length = lower.chars().count();
    let upper = successor(&lower);
    match upper {
        Some(upper) if (SHORTEST..=LONGEST_SUFFIX).contains(&length) && !lower.contains('\0') => ImageSearch {
            condition: "i.id IN (SELECT s.image_id FROM image_search_suffixes s WHERE s.workspace_id = $1 \
                          AND s.suffix >= $2 AND s.suffix < $3)",
            // "piece 01" matches 1,000 of 10,000 images: the plain condition
            // looked each of them up in `images` to keep 49 (1.4 ms).
            alone: Some(
                "i.id IN (SELECT s.image_id FROM image_search_suffixes s WHERE s.workspace_id = $1 \
                   AND s.suffix >= $2 AND s.suffix < $3 AND ($6 IS NULL OR s.image_id < $6) \
                   GROUP BY s.image_id ORDER BY s.image_id DESC LIMIT $7)",
            ),
            first: lower,
            second: upper,
        },
        _ => scan(text),
    }
}

/// Every title and tag of the workspace, read one by one.
pub fn scan(text: &str) -> ImageSearch {
    ImageSearch {
        condition: "(LOWER(i.title) LIKE $2 ESCAPE '\\' OR i.id IN (SELECT t.image_id FROM image_tags t \
                      WHERE t.workspace_id = $1 AND t.tag LIKE $2 ESCAPE '\\'))",
        alone: None,
        first: format!("%{}%", escape_like(&text.to_lowercase())),
        second: String::new(),
    }
}

/// `%` and `_` in a search are letters, not wildcards.
fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// The least string greater than every string that begins with `text`, in
/// code-point order; `None` when there is none (`text` is all U+10FFFF).
fn successor(text: &str) -> Option<String> {
    let mut chars: Vec<char> = text.chars().collect();
    while let Some(last) = chars.pop() {
        let next = match last {
            '\u{D7FF}' => Some('\u{E000}'),
            c => char::from_u32(u32::from(c) + 1),
        };
        if let Some(next) = next {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_successor_bounds_every_string_that_begins_with_the_text() {
        assert_eq!(successor("piece 01").as_deref(), Some("piece 02"));
        assert_eq!(successor("a\u{D7FF}").as_deref(), Some("a\u{E000}"));
        assert_eq!(successor("ab\u{10FFFF}").as_deref(), Some("ac"));
        assert_eq!(successor("\u{10FFFF}"), None);
    }

    #[test]
    fn short_or_odd_texts_scan() {
        for text in ["ab", "é", "a\nb"] {
            assert_eq!(sqlite(text), scan(text), "{text:?}");
        }
        assert_eq!(postgres("ab"), scan("ab"));
        assert_eq!(postgres(&"x".repeat(33)), scan(&"x".repeat(33)));
        assert!(sqlite("piece 01").condition.contains("MATCH"));
        assert!(postgres(&"x".repeat(32)).condition.contains("image_search_suffixes"));
        assert_eq!(postgres("a\0b"), scan("a\0b"));
    }

    #[test]
    fn indexed_texts_keep_their_letters() {
        assert_eq!(sqlite("say \"hi\"").first, "\"say \"\"hi\"\"\"");
        let pg = postgres("Piece_01%");
        assert_eq!((pg.first.as_str(), pg.second.as_str()), ("piece_01%", "piece_01&"));
        assert_eq!(scan("50%_off\\").first, "%50\\%\\_off\\\\%");
    }
}

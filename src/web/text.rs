//! Text typed into forms, cleaned once where the form is read: control
//! characters never reach the database, a page, a CSV or an iCalendar feed.
//!
//! A one-line field (a title, a name) keeps no line break or tab: each
//! becomes a space, and every other control character is dropped. A
//! multi-line field (a caption, notes, a description) keeps its line breaks
//! (`\r\n` and a bare `\r` become `\n`) and tabs, and drops the rest.

use serde::{Deserialize, Deserializer};

/// One line of text with no control characters.
pub fn one_line(raw: &str) -> String {
    raw.chars()
        .filter_map(|c| match c {
            '\t' | '\n' | '\r' => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect()
}

/// Text that may run over several lines, with no other control characters.
pub fn multi_line(raw: &str) -> String {
    raw.replace("\r\n", "\n")
        .chars()
        .filter_map(|c| match c {
            '\r' => Some('\n'),
            '\n' | '\t' => Some(c),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect()
}

/// For `#[serde(deserialize_with = "…")]` on a one-line form field.
pub fn line<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    String::deserialize(d).map(|raw| one_line(&raw))
}

/// For `#[serde(deserialize_with = "…")]` on a multi-line form field.
pub fn lines<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    String::deserialize(d).map(|raw| multi_line(&raw))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_fields_keep_no_control_character() {
        assert_eq!(one_line("Blue\u{7} heron\r\nat\tdawn\u{1b}[31m\u{85}"), "Blue heron  at dawn[31m");
        assert_eq!(one_line("Café ☕"), "Café ☕");
    }

    #[test]
    fn multi_line_fields_keep_line_breaks_and_tabs_only() {
        assert_eq!(multi_line("a\r\nb\rc\nd\te\u{0}\u{7f}"), "a\nb\nc\nd\te");
    }

    #[test]
    fn form_fields_are_cleaned_as_they_are_read() {
        #[derive(Deserialize)]
        struct F {
            #[serde(default, deserialize_with = "line")]
            title: String,
            #[serde(default, deserialize_with = "lines")]
            caption: String,
        }
        let f: F = serde_json::from_str(r#"{"title": "A\u0007B", "caption": "x\r\ny\rz\u0007"}"#).expect("form");
        assert_eq!((f.title.as_str(), f.caption.as_str()), ("AB", "x\ny\nz"));
        let empty: F = serde_json::from_str("{}").expect("form");
        assert!(empty.title.is_empty() && empty.caption.is_empty());
    }
}

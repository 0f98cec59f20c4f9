//! The social platforms a post can go to, and their limits.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Platform {
    pub key: &'static str,
    pub label: &'static str,
    /// Characters of caption plus hashtags; `None` when there is no limit.
    pub max_chars: Option<usize>,
    pub max_hashtags: Option<usize>,
}

pub const PLATFORMS: [Platform; 9] = [
    Platform { key: "instagram", label: "Instagram", max_chars: Some(2200), max_hashtags: Some(30) },
    Platform { key: "pinterest", label: "Pinterest", max_chars: Some(500), max_hashtags: Some(20) },
    Platform { key: "facebook", label: "Facebook", max_chars: Some(63206), max_hashtags: None },
    Platform { key: "tiktok", label: "TikTok", max_chars: Some(2200), max_hashtags: None },
    Platform { key: "x", label: "X", max_chars: Some(280), max_hashtags: None },
    Platform { key: "threads", label: "Threads", max_chars: Some(500), max_hashtags: Some(1) },
    Platform { key: "bluesky", label: "Bluesky", max_chars: Some(300), max_hashtags: None },
    Platform { key: "linkedin", label: "LinkedIn", max_chars: Some(3000), max_hashtags: None },
    Platform { key: "other", label: "Other", max_chars: None, max_hashtags: None },
];

pub fn find(key: &str) -> Option<&'static Platform> {
    PLATFORMS.iter().find(|p| p.key == key)
}

pub fn label(key: &str) -> &'static str {
    find(key).map_or("Other", |p| p.label)
}

/// The text a post publishes: the caption, a blank line, the hashtags.
pub fn post_text(caption: &str, hashtags: &str) -> String {
    match (caption.trim(), hashtags.trim()) {
        (c, "") => c.to_owned(),
        ("", h) => h.to_owned(),
        (c, h) => format!("{c}\n\n{h}"),
    }
}

pub fn count_hashtags(text: &str) -> usize {
    text.split_whitespace().filter(|w| w.starts_with('#') && w.len() > 1).count()
}

/// Hashtags as typed ("art, #oil  painting") become "#art #oil #painting".
pub fn normalize_hashtags(raw: &str) -> String {
    let mut seen = std::collections::HashSet::new();
    raw.split(|c: char| c.is_whitespace() || c == ',')
        .map(|w| w.trim_start_matches('#'))
        .filter(|w| !w.is_empty())
        .map(|w| format!("#{w}"))
        .filter(|w| seen.insert(w.to_lowercase()))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashtags_are_normalised_and_counted() {
        assert_eq!(normalize_hashtags("art, #oil  painting #Art"), "#art #oil #painting");
        assert_eq!(count_hashtags("Hello #one and #two #"), 2);
        assert_eq!(post_text("Hi", "#a"), "Hi\n\n#a");
    }
}

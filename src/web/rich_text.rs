//! Markdown-lite for comments: text people type, shown safely. Everything is
//! HTML-escaped; line breaks become `<br>`; bare `http(s)://` addresses become
//! links; `@Name` of a member is highlighted. Nothing else is markup.

/// The rel of every link a comment makes: no referrer, no ranking, no opener.
const REL: &str = "nofollow noopener noreferrer";

/// `text` as safe HTML. `members` are the names `@` may mention (matched
/// case-insensitively, the longest first, so "Mia Lund" wins over "Mia").
pub fn render(text: &str, members: &[&str]) -> String {
    let names = longest_first(members);
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if let Some(url) = url_at(rest) {
            let shown = escape(url);
            out.push_str(&format!("<a href=\"{shown}\" rel=\"{REL}\">{shown}</a>"));
            rest = &rest[url.len()..];
            continue;
        }
        if c == '@'
            && starts_word(text, rest)
            && let Some(len) = mention_at(&rest[1..], &names)
        {
            out.push_str(&format!("<mark class=\"mention\">{}</mark>", escape(&rest[..1 + len])));
            rest = &rest[1 + len..];
            continue;
        }
        match c {
            '\n' => out.push_str("<br>\n"),
            '\r' => {}
            _ => out.push_str(&escape(&rest[..c.len_utf8()])),
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// The members `text` mentions, each once, as spelled in `members`.
pub fn mentioned<'a>(text: &str, members: &[&'a str]) -> Vec<&'a str> {
    let names = longest_first(members);
    let mut found: Vec<&'a str> = Vec::new();
    for (at, _) in text.match_indices('@') {
        if !starts_word(text, &text[at..]) {
            continue;
        }
        let after = &text[at + 1..];
        let hit = names.iter().find(|name| matches_name(after, name).is_some());
        if let Some(name) = hit
            && !found.contains(name)
        {
            found.push(name);
        }
    }
    found
}

fn longest_first<'a>(members: &[&'a str]) -> Vec<&'a str> {
    let mut names: Vec<&str> = members.iter().copied().filter(|n| !n.trim().is_empty()).collect();
    names.sort_by_key(|n| std::cmp::Reverse(n.chars().count()));
    names
}

/// An `@` counts only at the start of a word (not inside an email address).
fn starts_word(text: &str, rest: &str) -> bool {
    let before = &text[..text.len() - rest.len()];
    before.chars().next_back().is_none_or(|c| !c.is_alphanumeric())
}

/// The byte length of the longest member name `after` starts with.
fn mention_at(after: &str, names: &[&str]) -> Option<usize> {
    names.iter().find_map(|name| matches_name(after, name))
}

/// `Some(len)` when `after` starts with `name` (any case) and the name
/// ends there: "@Mia" is not a mention inside "@Miami".
fn matches_name(after: &str, name: &str) -> Option<usize> {
    let wanted = name.chars().count();
    let end = after.char_indices().nth(wanted).map_or(after.len(), |(i, _)| i);
    if after[..end].chars().count() != wanted || after[..end].to_lowercase() != name.to_lowercase() {
        return None;
    }
    let next = after[end..].chars().next();
    next.is_none_or(|c| !c.is_alphanumeric()).then_some(end)
}

/// A bare `http://` or `https://` address at the start of `rest`, without
/// the punctuation that usually ends a sentence after it.
fn url_at(rest: &str) -> Option<&str> {
    let starts = |scheme: &[u8]| rest.as_bytes().get(..scheme.len()).is_some_and(|b| b.eq_ignore_ascii_case(scheme));
    let scheme = if starts(b"https://") {
        8
    } else if starts(b"http://") {
        7
    } else {
        return None;
    };
    let end = rest.find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\'' | '`')).unwrap_or(rest.len());
    let url = rest[..end].trim_end_matches(['.', ',', ';', ':', '!', '?', ')', ']']);
    (url.len() > scheme).then_some(url)
}

/// HTML-escapes text for an element or a quoted attribute.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everything_is_escaped() {
        let html = render("<script>alert(1)</script> & <img src=x onerror=alert(1)>", &[]);
        assert_eq!(html, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt;");
        assert_eq!(render("\"quoted\" 'single'", &[]), "&quot;quoted&quot; &#39;single&#39;");
    }

    #[test]
    fn line_breaks_become_br() {
        assert_eq!(render("one\ntwo\r\nthree", &[]), "one<br>\ntwo<br>\nthree");
    }

    #[test]
    fn bare_web_addresses_become_links() {
        let html = render("See https://example.com/a?b=1&c=2. Or http://x.org", &[]);
        assert_eq!(
            html,
            "See <a href=\"https://example.com/a?b=1&amp;c=2\" rel=\"nofollow noopener noreferrer\">\
             https://example.com/a?b=1&amp;c=2</a>. Or <a href=\"http://x.org\" \
             rel=\"nofollow noopener noreferrer\">http://x.org</a>"
        );
        assert_eq!(render("https://", &[]), "https://");
    }

    #[test]
    fn nothing_else_is_a_link_and_quotes_cannot_break_out() {
        for evil in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "data:text/html,<script>",
            "[x](javascript:alert(1))",
            "<a href=\"javascript:alert(1)\">x</a>",
        ] {
            let html = render(evil, &[]);
            assert!(!html.contains("<a"), "{evil} → {html}");
            assert!(!html.contains('<') || html.contains("&lt;"), "{evil} → {html}");
        }
        let html = render("https://x.org/\"onmouseover=alert(1)\" https://y.org/'a'<b>", &[]);
        assert!(!html.contains("\"onmouseover"), "{html}");
        assert!(html.contains("href=\"https://x.org/\""), "{html}");
        assert!(!html.contains("<b>"), "{html}");
    }

    #[test]
    fn members_are_mentioned_longest_name_first_and_any_case() {
        let members = ["Mia", "Mia Lund", "Tom"];
        assert_eq!(mentioned("thanks @mia lund and @TOM!", &members), vec!["Mia Lund", "Tom"]);
        assert_eq!(mentioned("@Mia, @mia again", &members), vec!["Mia"]);
        assert!(mentioned("mail mia@Tom.org or @Miami or @Nobody", &members).is_empty());
        let html = render("Hi @mia lund <b>", &members);
        assert_eq!(html, "Hi <mark class=\"mention\">@mia lund</mark> &lt;b&gt;");
        assert_eq!(render("@Nobody", &members), "@Nobody");
    }

    #[test]
    fn a_member_named_like_markup_is_still_escaped() {
        let members = ["<b>Eve</b>"];
        assert_eq!(mentioned("@<b>eve</b>", &members), vec!["<b>Eve</b>"]);
        assert_eq!(render("@<b>Eve</b>", &members), "<mark class=\"mention\">@&lt;b&gt;Eve&lt;/b&gt;</mark>");
    }
}

//! A word-level diff of two texts (a caption before and after an edit), for
//! pages to mark what was inserted and deleted.

/// One run of the diff: text both share, text only the new one has, or
/// text only the old one had. Whitespace stays with the words it follows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece {
    Same(String),
    Added(String),
    Removed(String),
}

impl Piece {
    pub fn text(&self) -> &str {
        match self {
            Self::Same(t) | Self::Added(t) | Self::Removed(t) => t,
        }
    }

    pub fn is_added(&self) -> bool {
        matches!(self, Self::Added(_))
    }

    pub fn is_removed(&self) -> bool {
        matches!(self, Self::Removed(_))
    }
}

/// Above this many word pairs the middle is shown as replaced whole: the
/// table would cost more than a caption is worth (captions are ≤ 10,000
/// characters, so this is rare).
const MAX_CELLS: usize = 4_000_000;

/// Words with the whitespace after each, so joining them gives the text back.
fn words(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut in_space = false;
    for (i, c) in text.char_indices() {
        if c.is_whitespace() {
            in_space = true;
        } else if in_space {
            out.push(&text[start..i]);
            start = i;
            in_space = false;
        }
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

/// The pieces that turn `before` into `after`, word by word (longest common
/// subsequence of words, compared without their trailing whitespace).
pub fn word_diff(before: &str, after: &str) -> Vec<Piece> {
    let (old, new) = (words(before), words(after));
    let same = |a: &str, b: &str| a.trim_end() == b.trim_end();
    let prefix = old.iter().zip(&new).take_while(|(a, b)| same(a, b)).count();
    let suffix = old[prefix..].iter().rev().zip(new[prefix..].iter().rev()).take_while(|(a, b)| same(a, b)).count();
    let (mid_old, mid_new) = (&old[prefix..old.len() - suffix], &new[prefix..new.len() - suffix]);
    let mut pieces = Vec::new();
    push_all(&mut pieces, &new[..prefix], Piece::Same);
    if mid_old.len().saturating_mul(mid_new.len()) > MAX_CELLS {
        push_all(&mut pieces, mid_old, Piece::Removed);
        push_all(&mut pieces, mid_new, Piece::Added);
    } else {
        middle(&mut pieces, mid_old, mid_new, same);
    }
    push_all(&mut pieces, &new[new.len() - suffix..], Piece::Same);
    pieces
}

fn middle(pieces: &mut Vec<Piece>, old: &[&str], new: &[&str], same: impl Fn(&str, &str) -> bool) {
    let (n, m) = (old.len(), new.len());
    // lcs[i][j]: the longest common run of old[i..] and new[j..].
    let mut lcs = vec![0u32; (n + 1) * (m + 1)];
    let at = |i: usize, j: usize| i * (m + 1) + j;
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[at(i, j)] =
                if same(old[i], new[j]) { lcs[at(i + 1, j + 1)] + 1 } else { lcs[at(i + 1, j)].max(lcs[at(i, j + 1)]) };
        }
    }
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && same(old[i], new[j]) {
            push(pieces, Piece::Same(new[j].to_owned()));
            (i, j) = (i + 1, j + 1);
        } else if i < n && (j == m || lcs[at(i + 1, j)] >= lcs[at(i, j + 1)]) {
            push(pieces, Piece::Removed(old[i].to_owned()));
            i += 1;
        } else {
            push(pieces, Piece::Added(new[j].to_owned()));
            j += 1;
        }
    }
}

fn push_all(pieces: &mut Vec<Piece>, words: &[&str], kind: fn(String) -> Piece) {
    for word in words {
        push(pieces, kind((*word).to_owned()));
    }
}

/// Adds a piece, joining it to the last one when they are of one kind.
fn push(pieces: &mut Vec<Piece>, piece: Piece) {
    match (pieces.last_mut(), piece) {
        (Some(Piece::Same(a)), Piece::Same(b))
        | (Some(Piece::Added(a)), Piece::Added(b))
        | (Some(Piece::Removed(a)), Piece::Removed(b)) => a.push_str(&b),
        (_, piece) => pieces.push(piece),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marked(before: &str, after: &str) -> String {
        word_diff(before, after)
            .iter()
            .map(|p| match p {
                Piece::Same(t) => t.clone(),
                Piece::Added(t) => format!("[+{t}]"),
                Piece::Removed(t) => format!("[-{t}]"),
            })
            .collect()
    }

    #[test]
    fn a_changed_word_is_deleted_and_inserted() {
        assert_eq!(
            marked("A quiet morning by the lake", "A bright morning by the lake"),
            "A [-quiet ][+bright ]morning by the lake"
        );
    }

    #[test]
    fn words_added_at_the_end_and_removed_at_the_start() {
        assert_eq!(marked("Heron at dawn", "Heron at dawn, again"), "Heron at [-dawn][+dawn, again]");
        assert_eq!(marked("New: heron print", "heron print"), "[-New: ]heron print");
    }

    #[test]
    fn equal_texts_have_no_marks_and_empty_ones_are_whole() {
        assert_eq!(word_diff("same words", "same words"), vec![Piece::Same("same words".into())]);
        assert_eq!(word_diff("", "all new"), vec![Piece::Added("all new".into())]);
        assert_eq!(word_diff("all gone", ""), vec![Piece::Removed("all gone".into())]);
        assert!(word_diff("", "").is_empty());
    }

    #[test]
    fn the_new_text_is_the_same_and_added_pieces_in_order() {
        let (before, after) = ("one two three four five", "zero one three four six five");
        let pieces = word_diff(before, after);
        let rebuilt: String = pieces.iter().filter(|p| !p.is_removed()).map(Piece::text).collect();
        assert_eq!(rebuilt, after);
        let old: String = pieces.iter().filter(|p| !p.is_added()).map(Piece::text).collect();
        assert_eq!(old, before);
    }

    #[test]
    fn line_breaks_and_unicode_survive() {
        let pieces = word_diff("Glaze — celadon\nfired twice", "Glaze — céladon\nfired twice");
        assert!(pieces.contains(&Piece::Removed("celadon\n".into())), "{pieces:?}");
        assert!(pieces.contains(&Piece::Added("céladon\n".into())), "{pieces:?}");
    }
}

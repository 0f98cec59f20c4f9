//! What a bulk action did, post by post, told in one sentence.

/// How many posts an action changed, and why it left the others alone.
#[derive(Debug, Default)]
pub struct Tally {
    pub done: usize,
    skipped: Vec<(&'static str, usize)>,
}

impl Tally {
    pub fn done(done: usize) -> Self {
        Self { done, skipped: Vec::new() }
    }

    pub fn skip(&mut self, why: &'static str) {
        match self.skipped.iter_mut().find(|(reason, _)| *reason == why) {
            Some((_, count)) => *count += 1,
            None => self.skipped.push((why, 1)),
        }
    }

    pub fn skipped(&self) -> usize {
        self.skipped.iter().map(|(_, n)| n).sum()
    }

    /// "3 marked ready; 2 skipped: 1 has no artwork, 1 is with Publer."
    pub fn sentence(&self, verb: &str) -> String {
        let posts = if self.done == 1 { "post" } else { "posts" };
        let mut text = format!("{} {posts} {verb}", self.done);
        if !self.skipped.is_empty() {
            let reasons: Vec<String> = self.skipped.iter().map(|(why, n)| format!("{n} {why}")).collect();
            text.push_str(&format!("; {} skipped: {}", self.skipped(), reasons.join(", ")));
        }
        text.push('.');
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sentence_counts_what_was_done_and_why_the_rest_was_skipped() {
        let mut tally = Tally { done: 3, ..Tally::default() };
        tally.skip("without artwork");
        tally.skip("already with Publer");
        tally.skip("without artwork");
        assert_eq!(
            tally.sentence("marked ready"),
            "3 posts marked ready; 3 skipped: 2 without artwork, 1 already with Publer."
        );
        assert_eq!(Tally { done: 1, ..Tally::default() }.sentence("moved"), "1 post moved.");
    }
}

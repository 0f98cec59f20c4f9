//! What the caption writer is told, the offline template, and how a reply
//! becomes a caption and hashtags.

use crate::{
    posts::{
        platforms::{Platform, normalize_hashtags},
        queries::Artwork,
    },
    settings::queries::Settings,
};

/// Everything a caption is written from.
pub struct Brief<'a> {
    pub settings: &'a Settings,
    pub platform: &'static Platform,
    pub artwork: &'a [Artwork],
}

/// A caption ready for the editor; nothing is saved until the person saves.
#[derive(Debug, PartialEq, Eq)]
pub struct Draft {
    pub caption: String,
    pub hashtags: String,
}

impl Brief<'_> {
    /// How many hashtags the brand wants on this platform (never over its limit).
    pub fn hashtag_count(&self) -> usize {
        let wanted = match self.platform.key {
            "instagram" => self.settings.instagram_hashtag_count,
            "pinterest" => self.settings.pinterest_hashtag_count,
            _ => 3,
        };
        let wanted = usize::try_from(wanted.max(0)).unwrap_or(0);
        self.platform.max_hashtags.map_or(wanted, |max| wanted.min(max))
    }

    pub fn system_message(&self) -> String {
        "You write social media captions for a visual artist. Write in the artist's voice, about the artwork \
         described, without inventing facts about it. Answer with the caption only: no quotes, no preamble. \
         Put the hashtags, if any, together on the last line."
            .to_owned()
    }

    pub fn user_message(&self) -> String {
        let s = self.settings;
        let mut lines = vec![format!("Platform: {}.", self.platform.label)];
        if let Some(max) = self.platform.max_chars {
            lines.push(format!("Keep the caption and hashtags within {max} characters in total."));
        }
        lines.push(format!("Use exactly {} hashtags.", self.hashtag_count()));
        let brand = if s.company_name.trim().is_empty() { &s.display_name } else { &s.company_name };
        lines.push(format!("Artist or studio: {}.", brand.trim()));
        if !s.content_tone.trim().is_empty() {
            lines.push(format!("Tone: {}.", s.content_tone.trim()));
        }
        if !s.branded_hashtag.trim().is_empty() {
            lines.push(format!("Always include the branded hashtag {}.", s.branded_hashtag.trim()));
        }
        if !s.shop_url.trim().is_empty() {
            lines.push(format!("Mention the shop: {}.", s.shop_url.trim()));
        }
        if self.artwork.is_empty() {
            lines.push("No artwork is attached yet: write a general post about the studio.".into());
        }
        for (n, art) in self.artwork.iter().enumerate() {
            lines.push(format!("Artwork {}:", n + 1));
            for (label, value) in [
                ("Title", &art.title),
                ("Medium", &art.medium),
                ("Description", &art.description),
                ("Alt text", &art.alt_text),
            ] {
                if !value.trim().is_empty() {
                    lines.push(format!("- {label}: {}", value.trim()));
                }
            }
        }
        lines.join("\n")
    }

    /// A caption made from the settings alone, for workspaces without a key.
    pub fn template(&self) -> Draft {
        let s = self.settings;
        let mut caption = match self.artwork.first() {
            Some(art) => {
                let title = if art.title.trim().is_empty() { "New work" } else { art.title.trim() };
                match art.medium.trim() {
                    "" => format!("{title}."),
                    medium => format!("{title}, {}.", medium.to_lowercase()),
                }
            }
            None => "New work from the studio.".to_owned(),
        };
        if let Some(description) = self.artwork.first().map(|a| a.description.trim()).filter(|d| !d.is_empty()) {
            caption.push_str("\n\n");
            caption.push_str(description);
        }
        if self.artwork.len() > 1 {
            caption.push_str(&format!("\n\nSwipe for {} more.", self.artwork.len() - 1));
        }
        if !s.shop_url.trim().is_empty() {
            caption.push_str(&format!("\n\nAvailable at {}", s.shop_url.trim()));
        }
        let mut tags = vec![s.branded_hashtag.trim().to_owned()];
        tags.extend(
            self.artwork.iter().map(|a| a.medium.trim().to_lowercase().replace(' ', "")).filter(|m| !m.is_empty()),
        );
        tags.extend(["art", "artist", "artwork"].map(String::from));
        let hashtags = normalize_hashtags(&tags.join(" "));
        let hashtags = hashtags.split(' ').take(self.hashtag_count()).collect::<Vec<_>>().join(" ");
        Draft { caption, hashtags }
    }
}

/// Splits a reply into the caption and its trailing hashtag lines.
pub fn split_reply(reply: &str) -> Draft {
    let mut lines: Vec<&str> = reply.trim().lines().collect();
    let mut tag_lines = Vec::new();
    while let Some(last) = lines.last() {
        let words: Vec<&str> = last.split_whitespace().collect();
        if last.trim().is_empty() || !words.iter().all(|w| w.starts_with('#')) {
            break;
        }
        tag_lines.insert(0, *last);
        lines.pop();
    }
    Draft { caption: lines.join("\n").trim().to_owned(), hashtags: normalize_hashtags(&tag_lines.join(" ")) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::posts::platforms;

    fn settings() -> Settings {
        Settings {
            display_name: "Ada's studio".into(),
            time_zone: "UTC".into(),
            company_name: "Heron Prints".into(),
            branded_hashtag: "#heronprints".into(),
            content_tone: "warm and quiet".into(),
            shop_url: "https://shop.example".into(),
            instagram_hashtag_count: 40,
            pinterest_hashtag_count: 5,
            posting_times: "09:00".into(),
        }
    }

    fn heron() -> Artwork {
        Artwork {
            title: "Grey heron".into(),
            medium: "Oil on linen".into(),
            description: "A heron at dawn.".into(),
            alt_text: "A grey bird standing in reeds".into(),
            ..Artwork::default()
        }
    }

    #[test]
    fn the_prompt_carries_the_brand_the_limits_and_the_artwork() {
        let s = settings();
        let art = [heron()];
        let brief = Brief { settings: &s, platform: platforms::find("instagram").expect("instagram"), artwork: &art };
        let prompt = brief.user_message();
        for expected in [
            "Instagram",
            "2200 characters",
            "exactly 30 hashtags",
            "Heron Prints",
            "warm and quiet",
            "#heronprints",
            "https://shop.example",
            "Grey heron",
            "Oil on linen",
            "A heron at dawn.",
            "A grey bird standing in reeds",
        ] {
            assert!(prompt.contains(expected), "{expected} missing from {prompt}");
        }
    }

    #[test]
    fn the_template_uses_the_settings_and_stays_within_the_hashtag_count() {
        let s = settings();
        let art = [heron()];
        let brief = Brief { settings: &s, platform: platforms::find("pinterest").expect("pinterest"), artwork: &art };
        let draft = brief.template();
        assert!(draft.caption.starts_with("Grey heron, oil on linen."));
        assert!(draft.caption.contains("Available at https://shop.example"));
        assert_eq!(draft.hashtags, "#heronprints #oilonlinen #art #artist #artwork");
        let threads = Brief { platform: platforms::find("threads").expect("threads"), ..brief };
        assert_eq!(threads.template().hashtags, "#heronprints");
    }

    #[test]
    fn a_reply_is_split_into_caption_and_hashtags() {
        let draft = split_reply("Morning light.\nOn the river.\n\n#heron #oil\n#art");
        assert_eq!(
            draft,
            Draft { caption: "Morning light.\nOn the river.".into(), hashtags: "#heron #oil #art".into() }
        );
        let plain = split_reply("  Just words #inline here  ");
        assert_eq!(plain.hashtags, "");
        assert_eq!(plain.caption, "Just words #inline here");
    }
}

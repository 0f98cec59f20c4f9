//! What the caption writer is told, the offline template, and how a reply
//! becomes a caption and hashtags.

use crate::{
    posts::{
        platforms::{Platform, normalize_hashtags},
        queries::Artwork,
    },
    settings::queries::{HashtagSet, Settings},
};

/// Everything a caption is written from.
pub struct Brief<'a> {
    pub settings: &'a Settings,
    pub platform: &'static Platform,
    pub artwork: &'a [Artwork],
    /// The workspace's saved hashtag sets (the template picks from them).
    pub hashtag_sets: &'a [HashtagSet],
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

    /// A caption made from everything known, for workspaces without a key:
    /// the tone's opening line, the piece (title, medium, size, year), its
    /// description, whether and for how much it is for sale, the shop, and
    /// hashtags from the brand and its saved sets.
    pub fn template(&self) -> Draft {
        let s = self.settings;
        let mut paragraphs = vec![opening_line(&s.content_tone)];
        match self.artwork.first() {
            Some(art) => {
                paragraphs.push(about(art));
                if !art.description.trim().is_empty() {
                    paragraphs.push(art.description.trim().to_owned());
                }
            }
            None => paragraphs.push("A look inside the studio.".to_owned()),
        }
        if self.artwork.len() > 1 {
            let more = self.artwork.len() - 1;
            paragraphs.push(format!("Swipe for {more} more {}.", if more == 1 { "piece" } else { "pieces" }));
        }
        if let Some(sale) = self.artwork.first().and_then(|art| for_sale(art, s.shop_url.trim())) {
            paragraphs.push(sale);
        } else if !s.shop_url.trim().is_empty() {
            paragraphs.push(format!("More work at {}", s.shop_url.trim()));
        }
        Draft { caption: paragraphs.join("\n\n"), hashtags: self.template_hashtags() }
    }

    /// The branded hashtag, then the sets saved for this platform (those
    /// named after it, else every set), then the media; never more than
    /// the brand's count for the platform.
    fn template_hashtags(&self) -> String {
        let mut tags = vec![self.settings.branded_hashtag.trim().to_owned()];
        let platform = self.platform.label.to_lowercase();
        let named: Vec<&HashtagSet> =
            self.hashtag_sets.iter().filter(|set| set.name.to_lowercase().contains(&platform)).collect();
        let sets: Vec<&HashtagSet> = if named.is_empty() { self.hashtag_sets.iter().collect() } else { named };
        tags.extend(sets.iter().map(|set| set.hashtags.clone()));
        tags.extend(
            self.artwork.iter().map(|a| a.medium.trim().to_lowercase().replace(' ', "")).filter(|m| !m.is_empty()),
        );
        if sets.is_empty() {
            tags.extend(["art", "artist"].map(String::from));
        }
        let hashtags = normalize_hashtags(&tags.join(" "));
        hashtags.split(' ').filter(|t| !t.is_empty()).take(self.hashtag_count()).collect::<Vec<_>>().join(" ")
    }
}

/// The tone's own first sentence when it has one ("Hello from the
/// studio!"), else an opening in the spirit of the tone's words.
fn opening_line(tone: &str) -> String {
    let first = tone.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("");
    if first.ends_with(['.', '!', '?', ':']) && first.split_whitespace().count() > 2 {
        return first.to_owned();
    }
    let tone = tone.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| tone.contains(w));
    if has(&["playful", "fun", "cheer", "bright", "excit"]) {
        "Fresh off the easel!".to_owned()
    } else if has(&["formal", "professional", "gallery", "elegant"]) {
        "New work from the studio.".to_owned()
    } else if has(&["warm", "quiet", "calm", "gentle", "soft", "friendly"]) {
        "Something I have been quietly working on:".to_owned()
    } else {
        "New work:".to_owned()
    }
}

/// "Grey Heron at Dawn: oil on linen, 40 × 50 cm, 2024."
fn about(art: &Artwork) -> String {
    let title = match art.title.trim() {
        "" => "Untitled".to_owned(),
        title => title_cased(title),
    };
    let mut details: Vec<String> = Vec::new();
    if !art.medium.trim().is_empty() {
        details.push(art.medium.trim().to_lowercase());
    }
    if !art.dimensions.trim().is_empty() {
        details.push(art.dimensions.trim().to_owned());
    }
    if let Some(year) = art.year {
        details.push(year.to_string());
    }
    if details.is_empty() { format!("{title}.") } else { format!("{title}: {}.", details.join(", ")) }
}

/// What a buyer needs to know, when the piece is for sale or has sold.
fn for_sale(art: &Artwork, shop: &str) -> Option<String> {
    let at_shop = |text: String| if shop.is_empty() { text } else { format!("{text} {shop}") };
    match (art.availability.as_str(), art.price.trim()) {
        ("available", "") => Some(at_shop("Available now.".to_owned())),
        ("available", price) => Some(at_shop(format!("Available for {price}."))),
        ("sold", _) if !shop.is_empty() => Some(format!("This piece has found a home; more work at {shop}")),
        _ => None,
    }
}

/// A title typed all in small letters (as file names were) gets capitals;
/// one the artist cased is left as it is.
fn title_cased(title: &str) -> String {
    if title.chars().any(char::is_uppercase) {
        return title.to_owned();
    }
    title
        .split(' ')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| first.to_uppercase().chain(chars).collect())
        })
        .collect::<Vec<_>>()
        .join(" ")
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
        let brief = Brief {
            settings: &s,
            platform: platforms::find("instagram").expect("instagram"),
            artwork: &art,
            hashtag_sets: &[],
        };
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

    fn sets() -> Vec<HashtagSet> {
        let set = |name: &str, hashtags: &str| HashtagSet {
            id: uuid::Uuid::now_v7(),
            name: name.into(),
            hashtags: hashtags.into(),
        };
        vec![set("Instagram birds", "#birdart #heronpainting"), set("Pinterest", "#wallart #homedecor")]
    }

    fn for_sale() -> Artwork {
        Artwork {
            title: "study in cobalt".into(),
            medium: "Oil on linen".into(),
            dimensions: "40 × 50 cm".into(),
            year: Some(2024),
            price: "€1,200".into(),
            availability: "available".into(),
            description: "A heron at dawn.".into(),
            ..Artwork::default()
        }
    }

    #[test]
    fn the_template_is_made_from_everything_known() {
        let s = settings();
        let art = [for_sale(), heron()];
        let sets = sets();
        let platform = platforms::find("instagram").expect("instagram");
        let brief = Brief { settings: &s, platform, artwork: &art, hashtag_sets: &sets };
        let draft = brief.template();
        assert_eq!(
            draft.caption,
            "Something I have been quietly working on:\n\n\
             Study In Cobalt: oil on linen, 40 × 50 cm, 2024.\n\n\
             A heron at dawn.\n\n\
             Swipe for 1 more piece.\n\n\
             Available for €1,200. https://shop.example"
        );
        assert_eq!(draft.hashtags, "#heronprints #birdart #heronpainting #oilonlinen");
        assert!(!draft.caption.contains("#art"), "not title and #art");
    }

    #[test]
    fn the_template_follows_availability_the_tone_and_the_platforms_count() {
        let mut s = settings();
        s.content_tone = "Hello from the studio by the sea!\nPlayful".into();
        let sold = Artwork { availability: "sold".into(), title: "Grey Heron".into(), ..Artwork::default() };
        let art = [sold];
        let sets = sets();
        let pinterest = platforms::find("pinterest").expect("pinterest");
        let brief = Brief { settings: &s, platform: pinterest, artwork: &art, hashtag_sets: &sets };
        let draft = brief.template();
        assert!(draft.caption.starts_with("Hello from the studio by the sea!\n\nGrey Heron."), "{}", draft.caption);
        assert!(draft.caption.ends_with("This piece has found a home; more work at https://shop.example"));
        assert_eq!(draft.hashtags, "#heronprints #wallart #homedecor", "the set named after the platform");
        let threads = Brief { platform: platforms::find("threads").expect("threads"), ..brief };
        assert_eq!(threads.template().hashtags, "#heronprints");
        s.content_tone = "playful".into();
        s.shop_url.clear();
        let not_for_sale = Artwork { availability: "not_for_sale".into(), ..for_sale() };
        let art = [not_for_sale];
        let none: Vec<HashtagSet> = Vec::new();
        let brief = Brief { settings: &s, platform: pinterest, artwork: &art, hashtag_sets: &none };
        let draft = brief.template();
        assert_eq!(
            draft.caption,
            "Fresh off the easel!\n\nStudy In Cobalt: oil on linen, 40 × 50 cm, 2024.\n\nA heron at dawn."
        );
        assert_eq!(draft.hashtags, "#heronprints #oilonlinen #art #artist");
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

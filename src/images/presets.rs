//! Crop presets: the shapes each platform shows artwork in. A post uses the
//! preset of its platform everywhere (calendar thumbnail, preview, Publer).

use uuid::Uuid;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Preset {
    Square,
    Portrait,
    ProfileGrid,
    Story,
    Pin,
    Landscape,
    Wide,
}

impl Preset {
    pub const ALL: [Preset; 7] = [
        Preset::Square,
        Preset::Portrait,
        Preset::ProfileGrid,
        Preset::Story,
        Preset::Pin,
        Preset::Landscape,
        Preset::Wide,
    ];

    /// The name in URLs and in `image_crops.preset`.
    pub fn slug(self) -> &'static str {
        match self {
            Preset::Square => "square",
            Preset::Portrait => "portrait",
            Preset::ProfileGrid => "grid",
            Preset::Story => "story",
            Preset::Pin => "pin",
            Preset::Landscape => "landscape",
            Preset::Wide => "wide",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Preset::Square => "Instagram square 1:1",
            Preset::Portrait => "Instagram portrait 4:5",
            Preset::ProfileGrid => "Instagram profile grid 3:4",
            Preset::Story => "Story / reel 9:16",
            Preset::Pin => "Pinterest 2:3",
            Preset::Landscape => "X / LinkedIn / Facebook 1.91:1",
            Preset::Wide => "Landscape 16:9",
        }
    }

    /// Width to height, as whole numbers (1.91:1 is 191:100).
    pub fn ratio(self) -> (u32, u32) {
        match self {
            Preset::Square => (1, 1),
            Preset::Portrait => (4, 5),
            Preset::ProfileGrid => (3, 4),
            Preset::Story => (9, 16),
            Preset::Pin => (2, 3),
            Preset::Landscape => (191, 100),
            Preset::Wide => (16, 9),
        }
    }

    pub fn from_slug(slug: &str) -> Option<Preset> {
        Preset::ALL.into_iter().find(|p| p.slug() == slug)
    }

    /// The preset a post on this platform is shown and sent in; `None` for
    /// "other", which keeps the artwork's own shape.
    pub fn for_platform(platform: &str) -> Option<Preset> {
        match platform {
            "instagram" | "threads" => Some(Preset::Portrait),
            "tiktok" => Some(Preset::Story),
            "pinterest" => Some(Preset::Pin),
            "facebook" | "x" | "bluesky" | "linkedin" => Some(Preset::Landscape),
            _ => None,
        }
    }
}

/// The cropped (or matted) rendition sent to platforms, at least 1080 px wide
/// when the original allows.
pub fn rendition_url(image: Uuid, preset: Preset) -> String {
    format!("/media/{image}/crop/{}", preset.slug())
}

/// A small cropped rendition for calendar chips and grid tiles.
pub fn rendition_thumb_url(image: Uuid, preset: Preset) -> String {
    format!("/media/{image}/crop/{}/thumb", preset.slug())
}

/// The thumbnail a post shows for an artwork: its platform's crop, or the
/// plain thumbnail when the platform has no preset.
pub fn post_thumb_url(image: Uuid, platform: &str) -> String {
    match Preset::for_platform(platform) {
        Some(preset) => rendition_thumb_url(image, preset),
        None => format!("/media/{image}/thumb"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_round_trip_and_platforms_map() {
        for preset in Preset::ALL {
            assert_eq!(Preset::from_slug(preset.slug()), Some(preset));
        }
        assert_eq!(Preset::from_slug("banner"), None);
        assert_eq!(Preset::for_platform("instagram"), Some(Preset::Portrait));
        assert_eq!(Preset::for_platform("other"), None);
        assert!(post_thumb_url(Uuid::nil(), "other").ends_with("/thumb"));
    }
}

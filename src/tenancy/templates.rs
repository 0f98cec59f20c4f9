//! A new workspace made from an existing one: its brand settings, branding,
//! hashtag sets and empty calendars, never its artwork, posts, members or keys.

use uuid::Uuid;

use crate::{
    branding, calendars,
    db::{Databases, WorkspaceTx},
    settings::{self, queries::Settings},
    storage::Storage,
};

/// What is carried over.
pub struct Template {
    settings: Settings,
    branding: branding::queries::Branding,
    hashtag_sets: Vec<(String, String)>,
    calendars: Vec<(String, String, String)>,
    /// The logo, as stored (PNG).
    logo: Option<Vec<u8>>,
}

/// Reads the template from `source`, a workspace the caller checked the
/// person belongs to.
pub async fn read(databases: &Databases, storage: &Storage, source: Uuid) -> anyhow::Result<Template> {
    let mut tx = databases.workspace_tx(source, false).await?;
    let settings = settings::queries::get(&mut tx).await?;
    let branding = branding::queries::get(&mut tx).await?;
    let hashtag_sets =
        settings::queries::hashtag_sets(&mut tx).await?.into_iter().map(|s| (s.name, s.hashtags)).collect();
    let calendars =
        calendars::queries::all(&mut tx).await?.into_iter().map(|c| (c.name, c.colour, c.default_platform)).collect();
    tx.commit().await?;
    let logo = branding::logo::read(storage, source, &branding.logo).await;
    Ok(Template { settings, branding, hashtag_sets, calendars, logo })
}

/// Writes the template into the new workspace `tx` is creating, named `name`.
pub async fn apply(tx: &mut WorkspaceTx, storage: &Storage, template: Template, name: &str) -> anyhow::Result<()> {
    let settings = Settings { display_name: name.to_owned(), ..template.settings };
    settings::queries::update(tx, &settings).await?;
    for (set_name, hashtags) in &template.hashtag_sets {
        settings::queries::create_hashtag_set(tx, set_name, hashtags).await?;
    }
    for (calendar, colour, platform) in &template.calendars {
        let fields = calendars::queries::CalendarFields { name: calendar, colour, default_platform: platform };
        calendars::queries::create(tx, &fields).await?;
    }
    branding::queries::save(tx, &template.branding.brand_colour, template.branding.hide_powered_by).await?;
    if let Some(png) = template.logo {
        let name = branding::logo::store(storage, tx.workspace_id(), png).await?;
        branding::queries::set_logo(tx, &name).await?;
    }
    Ok(())
}

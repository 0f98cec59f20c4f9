//! Viewing and saving a workspace's brand settings and hashtag sets.

use axum::{
    Form,
    extract::{Path, State},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use tower_sessions::Session;

use super::{
    canonical_time_zone, parse_posting_times,
    queries::{self, Settings},
    time_zone_names,
    views::{SettingsErrors, SettingsForm, SettingsView},
};
use crate::{
    audit,
    error::{AppError, AppResult},
    posts::platforms::normalize_hashtags,
    state::AppState,
    tenancy::{AddressSection, Permission, Workspace, clean_workspace_name},
    web::{Layout, flash, ids::parse_id, invalid_form, page},
};

#[derive(Deserialize)]
pub struct HashtagSetForm {
    #[serde(default, deserialize_with = "crate::web::text::line")]
    name: String,
    #[serde(default, deserialize_with = "crate::web::text::lines")]
    hashtags: String,
}

pub async fn view_settings(State(state): State<AppState>, ws: Workspace, layout: Layout) -> AppResult<Response> {
    ws.require(Permission::ViewContent)?;
    let address = AddressSection::load(&state, &ws).await?;
    page_with_address(&ws, layout, address, false).await
}

/// The settings page with this address section; `refused`: the address form
/// came back with an error (422).
pub async fn page_with_address(
    ws: &Workspace,
    layout: Layout,
    address: AddressSection,
    refused: bool,
) -> AppResult<Response> {
    let mut tx = ws.read().await?;
    let current = queries::get(&mut tx).await?;
    let hashtag_sets = queries::hashtag_sets(&mut tx).await?;
    tx.commit().await?;
    let form = SettingsForm {
        display_name: current.display_name,
        company_name: current.company_name,
        branded_hashtag: current.branded_hashtag,
        content_tone: current.content_tone,
        shop_url: current.shop_url,
        instagram_hashtag_count: current.instagram_hashtag_count.to_string(),
        pinterest_hashtag_count: current.pinterest_hashtag_count.to_string(),
        time_zone: current.time_zone,
        posting_times: current.posting_times.replace(',', ", "),
    };
    let view = SettingsView {
        layout,
        form,
        time_zones: time_zone_names(),
        hashtag_sets,
        can_edit: ws.role().can(Permission::ManageSettings),
        errors: SettingsErrors::default(),
        approval: ws.approval(),
        address,
    };
    if refused { invalid_form(view) } else { page(view) }
}

pub async fn save_settings(
    State(state): State<AppState>,
    ws: Workspace,
    session: Session,
    layout: Layout,
    Form(form): Form<SettingsForm>,
) -> AppResult<Response> {
    ws.require(Permission::ManageSettings)?;
    let mut tx = ws.write().await?;
    let settings = match validate(&form) {
        Ok(settings) => settings,
        Err(errors) => {
            let hashtag_sets = queries::hashtag_sets(&mut tx).await?;
            let view = SettingsView {
                layout,
                form,
                time_zones: time_zone_names(),
                hashtag_sets,
                can_edit: true,
                errors: *errors,
                approval: ws.approval(),
                address: AddressSection::load(&state, &ws).await?,
            };
            return invalid_form(view);
        }
    };
    queries::update(&mut tx, &settings).await?;
    audit::record(&mut tx, &ws, "settings.changed", "Brand settings", "").await?;
    tx.commit().await?;
    flash::success(&session, "Settings saved.").await?;
    Ok(Redirect::to("/settings").into_response())
}

fn validate(form: &SettingsForm) -> Result<Settings, Box<SettingsErrors>> {
    let mut errors = SettingsErrors::default();
    let limited = |value: &str, max: usize, error: &mut Option<&'static str>, message: &'static str| {
        let value = value.trim().to_owned();
        if value.chars().count() > max {
            *error = Some(message);
        }
        value
    };
    let display_name = clean_workspace_name(&form.display_name).unwrap_or_else(|e| {
        errors.display_name = Some(e);
        String::new()
    });
    let company_name = limited(&form.company_name, 120, &mut errors.company_name, "Keep it under 120 characters.");
    let content_tone = limited(&form.content_tone, 200, &mut errors.content_tone, "Keep it under 200 characters.");
    let branded_hashtag = normalize_hashtags(&form.branded_hashtag);
    if branded_hashtag.contains(' ') || branded_hashtag.chars().count() > 60 {
        errors.branded_hashtag = Some("Use one hashtag, such as #MaraLindCeramics.");
    }
    let shop_url = form.shop_url.trim().to_owned();
    if !shop_url.is_empty() && !is_web_address(&shop_url) {
        errors.shop_url = Some("Enter a full web address starting with https://.");
    }
    let count = |raw: &str, max: i64, error: &mut Option<&'static str>, message: &'static str| {
        raw.trim().parse::<i64>().ok().filter(|n| (0..=max).contains(n)).unwrap_or_else(|| {
            *error = Some(message);
            0
        })
    };
    let instagram_hashtag_count = count(
        &form.instagram_hashtag_count,
        30,
        &mut errors.instagram_hashtag_count,
        "Choose 0 to 30 (Instagram's limit).",
    );
    let pinterest_hashtag_count =
        count(&form.pinterest_hashtag_count, 20, &mut errors.pinterest_hashtag_count, "Choose 0 to 20.");
    let time_zone = canonical_time_zone(&form.time_zone).unwrap_or_else(|| {
        errors.time_zone = Some("Choose a time zone from the list, such as Europe/Paris.");
        String::new()
    });
    let posting_times = parse_posting_times(&form.posting_times).unwrap_or_else(|e| {
        errors.posting_times = Some(e);
        String::new()
    });
    if errors.any() {
        return Err(Box::new(errors));
    }
    Ok(Settings {
        display_name,
        time_zone,
        company_name,
        branded_hashtag,
        content_tone,
        shop_url,
        instagram_hashtag_count,
        pinterest_hashtag_count,
        posting_times,
    })
}

fn is_web_address(value: &str) -> bool {
    value.len() <= 300
        && url::Url::parse(value).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
}

pub async fn create_hashtag_set(
    ws: Workspace,
    session: Session,
    Form(form): Form<HashtagSetForm>,
) -> AppResult<Redirect> {
    ws.require(Permission::EditContent)?;
    let name = form.name.trim();
    let hashtags = normalize_hashtags(&form.hashtags);
    if name.is_empty() || name.chars().count() > 80 {
        return Err(AppError::bad_request("Give the hashtag set a name of up to 80 characters."));
    }
    if hashtags.is_empty() || hashtags.chars().count() > 2000 {
        return Err(AppError::bad_request("Add at least one hashtag (up to 2,000 characters in all)."));
    }
    let mut tx = ws.write().await?;
    queries::create_hashtag_set(&mut tx, name, &hashtags).await?;
    tx.commit().await?;
    flash::success(&session, format!("Saved the hashtag set {name}.")).await?;
    Ok(Redirect::to("/settings#hashtag-sets"))
}

pub async fn delete_hashtag_set(ws: Workspace, session: Session, Path(id): Path<String>) -> AppResult<Redirect> {
    ws.require(Permission::EditContent)?;
    let id = parse_id(&id)?;
    let mut tx = ws.write().await?;
    if queries::delete_hashtag_set(&mut tx, id).await? == 0 {
        return Err(AppError::NotFound);
    }
    audit::record(&mut tx, &ws, "hashtags.deleted", &id.to_string(), "").await?;
    tx.commit().await?;
    flash::success(&session, "Hashtag set deleted.").await?;
    Ok(Redirect::to("/settings#hashtag-sets"))
}

//! The library's pages and actions.

use askama::Template;
use axum::{
    Form,
    extract::{Multipart, Path, Query, State},
    http::{HeaderMap, StatusCode},
    response::{Html, IntoResponse, Redirect, Response},
};
use tower_sessions::Session;
use uuid::Uuid;

use super::{
    crops, parse_tags,
    presets::Preset,
    queries::{self, Details, Filter},
    upload,
    views::{
        AVAILABILITY, BulkDeleteView, DetailsErrors, DetailsForm, GalleryParams, GridPageView, ImageParams, ImageView,
        LibraryView, UploadResultItems, UploadResultsView,
    },
};
use crate::{
    audit, collections,
    db::WorkspaceTx,
    error::{AppError, AppResult},
    state::AppState,
    storage::{Folder, derived_name, image_key},
    tenancy::{Permission, Workspace},
    usage,
    web::{Layout, PageRead, flash, form::FormFields, ids::parse_id, invalid_form, page},
};

const PAGE_SIZE: i64 = 48;

pub async fn view_library(
    State(state): State<AppState>,
    ws: Workspace,
    PageRead { layout, mut tx }: PageRead,
    Query(params): Query<GalleryParams>,
) -> AppResult<Response> {
    ws.require(Permission::ViewContent)?;
    let filter = Filter {
        search: params.q.trim().to_owned(),
        tag: params.tag.trim().to_lowercase(),
        collection: Uuid::parse_str(&params.collection).ok(),
        unscheduled: !params.unscheduled.is_empty(),
        before: Uuid::parse_str(&params.before).ok(),
        limit: PAGE_SIZE + 1,
    };
    let mut cards = queries::gallery(&mut tx, &filter).await?;
    let next_page = (cards.len() as i64 > PAGE_SIZE).then(|| {
        cards.truncate(PAGE_SIZE as usize);
        cards.last().map(|c| params.next_page(c.id))
    });
    let next_page = next_page.flatten();
    let can_edit = ws.role().can(Permission::EditContent);
    if params.part == "grid" {
        tx.commit().await?;
        return page(GridPageView { cards, next_page, can_edit });
    }
    let queries::Sidebar { tags, collections, image_count } = queries::sidebar(&mut tx).await?;
    tx.commit().await?;
    page(LibraryView {
        layout,
        cards,
        next_page,
        params,
        tags,
        collections,
        can_edit,
        max_upload_mb: state.config.max_upload_bytes / (1024 * 1024),
        image_count,
    })
}

/// Receives one or many files. The uploader script sends one file per
/// request and gets back its result line; a plain form gets a results page.
pub async fn upload_images(
    State(state): State<AppState>,
    ws: Workspace,
    headers: HeaderMap,
    layout: Layout,
    multipart: Multipart,
) -> AppResult<Response> {
    ws.require(Permission::EditContent)?;
    let received = upload::receive(&state, &ws, multipart).await?;
    if received.is_empty() {
        return Err(AppError::bad_request("Choose at least one image to upload."));
    }
    let mut results = Vec::with_capacity(received.len());
    for file in received {
        results.push(upload::ingest(&state, &ws, file).await?);
    }
    // Nothing taken (every file refused: not an image, too many pixels, over
    // the plan): a 422, with the same page saying why for each file.
    let status = match results.iter().all(|r| matches!(r.outcome, upload::Outcome::Refused { .. })) {
        true => StatusCode::UNPROCESSABLE_ENTITY,
        false => StatusCode::OK,
    };
    if headers.contains_key("x-easel-uploader") {
        return Ok((status, Html(UploadResultItems { results }.render()?)).into_response());
    }
    Ok((status, Html(UploadResultsView { layout, results }.render()?)).into_response())
}

pub async fn view_image(
    State(state): State<AppState>,
    ws: Workspace,
    PageRead { layout, mut tx }: PageRead,
    Path(id): Path<String>,
    Query(params): Query<ImageParams>,
) -> AppResult<Response> {
    ws.require(Permission::ViewContent)?;
    let id = parse_id(&id)?;
    let image = queries::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let saved = crops::queries::of_image(&mut tx, id).await?;
    let brand = crate::branding::queries::get(&mut tx).await?.brand_colour;
    let can_edit = ws.role().can(Permission::EditContent);
    let active = Preset::from_slug(&params.crop).unwrap_or(Preset::Portrait);
    let editor = crops::CropEditor::new(&image, &saved, &brand, can_edit, active);
    let missing_palette = image.palette.is_empty();
    let view = image_page(&mut tx, layout, image, can_edit, editor).await?;
    tx.commit().await?;
    if missing_palette {
        fill_palette(&state, &ws, id).await;
    }
    page(view)
}

/// Images uploaded before palettes existed get theirs when their page is
/// first opened, from the stored thumbnail. Best effort: a failure only
/// means the planner shows no warning for this piece yet.
async fn fill_palette(state: &AppState, ws: &Workspace, id: Uuid) {
    let key = image_key(ws.id(), Folder::Thumbs, &derived_name(id));
    let Ok(Some(thumb)) = state.storage.read(&key).await else { return };
    let computed =
        state.decode(move || image::load_from_memory(&thumb).map(|t| super::palette::of(&t)).unwrap_or_default()).await;
    let Ok(palette) = computed else { return };
    if palette.is_empty() {
        return;
    }
    let stored = async {
        let mut tx = ws.write().await?;
        queries::set_palette(&mut tx, id, &palette).await?;
        tx.commit().await?;
        AppResult::Ok(())
    };
    if let Err(e) = stored.await {
        tracing::debug!(%id, error = %e, "could not store an artwork's palette");
    }
}

/// The artwork page around its details form and crop editor.
pub(super) async fn image_page(
    tx: &mut WorkspaceTx,
    layout: Layout,
    image: queries::Image,
    can_edit: bool,
    crops: crops::CropEditor,
) -> AppResult<ImageView> {
    let tags = queries::tags_of(tx, image.id).await?;
    let collections = collections::queries::containing(tx, image.id).await?;
    let form = DetailsForm {
        title: image.title.clone(),
        description: image.description.clone(),
        medium: image.medium.clone(),
        dimensions: image.dimensions.clone(),
        year: image.year.map(|y| y.to_string()).unwrap_or_default(),
        price: image.price.clone(),
        availability: image.availability.clone(),
        tags: tags.join(", "),
        alt_text: image.alt_text.clone(),
    };
    Ok(ImageView { layout, image, form, errors: DetailsErrors::default(), collections, can_edit, crops })
}

pub async fn save_image(
    ws: Workspace,
    session: Session,
    layout: Layout,
    Path(id): Path<String>,
    Form(form): Form<DetailsForm>,
) -> AppResult<Response> {
    ws.require(Permission::EditContent)?;
    let id = parse_id(&id)?;
    let mut tx = ws.write().await?;
    let image = queries::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let (details, tags) = match validate(&form) {
        Ok(valid) => valid,
        Err(errors) => {
            let collections = collections::queries::containing(&mut tx, id).await?;
            let saved = crops::queries::of_image(&mut tx, id).await?;
            let brand = crate::branding::queries::get(&mut tx).await?.brand_colour;
            let crops = crops::CropEditor::new(&image, &saved, &brand, true, Preset::Portrait);
            let view = ImageView { layout, image, form, errors: *errors, collections, can_edit: true, crops };
            return invalid_form(view);
        }
    };
    queries::update_details(&mut tx, id, &details).await?;
    queries::replace_tags(&mut tx, id, &tags).await?;
    tx.commit().await?;
    flash::success(&session, "Saved.").await?;
    Ok(Redirect::to(&format!("/images/{id}")).into_response())
}

fn validate(form: &DetailsForm) -> Result<(Details, Vec<String>), Box<DetailsErrors>> {
    let mut errors = DetailsErrors::default();
    let text = |value: &str, max: usize, error: &mut Option<&'static str>, message: &'static str| {
        let value = value.trim();
        if value.chars().count() > max {
            *error = Some(message);
        }
        value.to_owned()
    };
    let title = text(&form.title, 200, &mut errors.title, "Keep the title under 200 characters.");
    if title.is_empty() {
        errors.title = Some("Give the piece a title.");
    }
    let description =
        text(&form.description, 5000, &mut errors.description, "Keep the description under 5,000 characters.");
    let medium = text(&form.medium, 200, &mut errors.medium, "Keep the medium under 200 characters.");
    let dimensions = text(&form.dimensions, 100, &mut errors.dimensions, "Keep the dimensions under 100 characters.");
    let price = text(&form.price, 40, &mut errors.price, "Keep the price under 40 characters.");
    let alt_text = text(&form.alt_text, 1000, &mut errors.alt_text, "Keep the alt text under 1,000 characters.");
    let year = match form.year.trim() {
        "" => None,
        y => match y.parse::<i32>() {
            Ok(y) if (1000..=2200).contains(&y) => Some(y),
            _ => {
                errors.year = Some("Enter a year such as 2024, or leave it empty.");
                None
            }
        },
    };
    if !AVAILABILITY.iter().any(|(v, _)| *v == form.availability) {
        errors.availability = Some("Choose available, sold or not for sale.");
    }
    let tags = parse_tags(&form.tags).unwrap_or_else(|e| {
        errors.tags = Some(e);
        Vec::new()
    });
    let any = [
        errors.title,
        errors.description,
        errors.medium,
        errors.dimensions,
        errors.year,
        errors.price,
        errors.availability,
        errors.tags,
        errors.alt_text,
    ]
    .iter()
    .any(Option::is_some);
    if any {
        return Err(Box::new(errors));
    }
    let availability = form.availability.clone();
    Ok((Details { title, description, medium, dimensions, year, price, availability, alt_text }, tags))
}

pub async fn delete_image(
    State(state): State<AppState>,
    ws: Workspace,
    session: Session,
    Path(id): Path<String>,
) -> AppResult<Redirect> {
    ws.require(Permission::EditContent)?;
    let id = parse_id(&id)?;
    let deleted = delete_images(&state, &ws, &[id]).await?;
    if deleted == 0 {
        return Err(AppError::NotFound);
    }
    flash::success(&session, "The image was deleted.").await?;
    Ok(Redirect::to("/images"))
}

/// Deletes the rows in one transaction, then their files. A crash between
/// the two leaves only files without rows, which the sweeper removes.
async fn delete_images(state: &AppState, ws: &Workspace, ids: &[Uuid]) -> AppResult<usize> {
    let mut tx = ws.write().await?;
    let mut gone = Vec::new();
    for id in ids {
        if let Some(image) = queries::delete(&mut tx, *id).await? {
            gone.push(image);
        }
    }
    for image in &gone {
        audit::record(&mut tx, ws, "image.deleted", &image.title, &image.original_name).await?;
    }
    let bytes: i64 = gone.iter().map(|i| i.stored_bytes).sum();
    usage::record_storage(&mut tx, -(gone.len() as i64), -bytes).await?;
    tx.commit().await?;
    let files: Vec<String> = gone
        .iter()
        .flat_map(|i| {
            [
                image_key(ws.id(), Folder::Originals, &format!("{}.{}", i.id, i.extension)),
                image_key(ws.id(), Folder::Large, &derived_name(i.id)),
                image_key(ws.id(), Folder::Thumbs, &derived_name(i.id)),
            ]
        })
        .collect();
    state.storage.delete(&files).await;
    Ok(gone.len())
}

/// The most pieces one "Write alt text" asks the model about: each is a
/// model call made while the person waits.
const MAX_ALT_TEXTS: usize = 20;

/// Alt text for each selected piece, one model call at a time; says how
/// many were written and why the others were not.
async fn write_alt_texts(state: &AppState, ws: &Workspace, ids: &[Uuid]) -> AppResult<String> {
    if ids.len() > MAX_ALT_TEXTS {
        return Err(AppError::Unprocessable(format!(
            "Write alt text for at most {MAX_ALT_TEXTS} pieces at a time. Nothing was changed."
        )));
    }
    let (mut written, mut reasons) = (0, Vec::new());
    for id in ids {
        match crate::captions::alt_text::describe(state, ws.id(), *id).await.map_err(AppError::Internal)? {
            Ok(alt_text) => {
                let mut tx = ws.write().await?;
                crate::captions::alt_text::save(&mut tx, *id, &alt_text).await?;
                tx.commit().await?;
                written += 1;
            }
            Err(why) if !reasons.contains(&why) => reasons.push(why),
            Err(_) => {}
        }
    }
    let mut said = format!("Alt text written for {written} of {} pieces.", ids.len());
    for why in reasons {
        said.push(' ');
        said.push_str(&why);
    }
    Ok(said)
}

/// Several selected images at once: add to a collection, tag, write alt
/// text, or delete (after a confirmation page).
pub async fn bulk_action(
    State(state): State<AppState>,
    ws: Workspace,
    session: Session,
    layout: Layout,
    form: FormFields,
) -> AppResult<Response> {
    ws.require(Permission::EditContent)?;
    let wanted = form.bounded_ids("ids")?;
    let mut tx = ws.write().await?;
    if wanted.is_empty() {
        return Err(AppError::bad_request("Select at least one image first."));
    }
    let ids = queries::existing(&mut tx, &wanted).await?;
    if ids.len() != wanted.len() {
        // An id that is not one of this workspace's images names nothing here.
        return Err(AppError::NotFound);
    }
    let message = match form.get("action") {
        "collect" => {
            let collection = parse_id(form.get("collection_id"))?;
            collections::queries::get(&mut tx, collection).await?.ok_or(AppError::NotFound)?;
            let added = collections::queries::add_images(&mut tx, collection, &ids).await?;
            format!("Added {} to the collection.", crate::web::plural::count(added as i64, "image", "images"))
        }
        "tag" => {
            let tags = parse_tags(form.get("tags")).map_err(AppError::bad_request)?;
            if tags.is_empty() {
                return Err(AppError::bad_request("Type at least one tag to add."));
            }
            for id in &ids {
                queries::add_tags(&mut tx, *id, &tags).await?;
            }
            format!("Tagged {}.", crate::web::plural::count(ids.len() as i64, "image", "images"))
        }
        "alt_text" => {
            tx.commit().await?;
            let said = write_alt_texts(&state, &ws, &ids).await?;
            flash::success(&session, said).await?;
            return Ok(Redirect::to("/images").into_response());
        }
        "delete" if form.get("confirm") == "yes" => {
            tx.commit().await?;
            let deleted = delete_images(&state, &ws, &ids).await?;
            flash::success(
                &session,
                format!("Deleted {}.", crate::web::plural::count(deleted as i64, "image", "images")),
            )
            .await?;
            return Ok(Redirect::to("/images").into_response());
        }
        "delete" => {
            let mut cards = Vec::new();
            for id in &ids {
                if let Some(image) = queries::get(&mut tx, *id).await? {
                    cards.push(queries::ImageCard {
                        id: image.id,
                        title: image.title,
                        alt_text: image.alt_text,
                        width: image.width,
                        height: image.height,
                    });
                }
            }
            tx.commit().await?;
            return page(BulkDeleteView { layout, cards });
        }
        _ => return Err(AppError::bad_request("Choose what to do with the selected images.")),
    };
    tx.commit().await?;
    flash::success(&session, message).await?;
    Ok(Redirect::to("/images").into_response())
}

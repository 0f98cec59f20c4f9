//! Collection pages and actions.

use axum::{
    Form,
    extract::{Path, Query},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use tower_sessions::Session;
use uuid::Uuid;

use super::{
    CollectionErrors, clean, queries,
    views::{CollectionView, CollectionsView, PickerView},
};
use crate::{
    audit,
    db::WorkspaceTx,
    error::{AppError, AppResult},
    images::{
        ordering,
        queries::{self as images, Filter},
    },
    tenancy::{Permission, Workspace},
    web::{Layout, PageRead, flash, form::FormFields, ids::parse_id, invalid_form, page},
};

#[derive(Deserialize)]
pub struct CollectionForm {
    #[serde(default, deserialize_with = "crate::web::text::line")]
    name: String,
    #[serde(default, deserialize_with = "crate::web::text::lines")]
    description: String,
}

#[derive(Deserialize)]
pub struct PickerQuery {
    #[serde(default)]
    q: String,
}

#[derive(Deserialize)]
pub struct MoveForm {
    #[serde(default)]
    direction: String,
}

pub async fn view_collections(ws: Workspace, PageRead { layout, mut tx }: PageRead) -> AppResult<Response> {
    ws.require(Permission::ViewContent)?;
    let cards = queries::cards(&mut tx).await?;
    tx.commit().await?;
    let can_edit = ws.role().can(Permission::EditContent);
    page(CollectionsView {
        layout,
        cards,
        can_edit,
        name: String::new(),
        description: String::new(),
        errors: CollectionErrors::default(),
    })
}

pub async fn create_collection(
    ws: Workspace,
    session: Session,
    layout: Layout,
    Form(form): Form<CollectionForm>,
) -> AppResult<Response> {
    ws.require(Permission::EditContent)?;
    let mut tx = ws.write().await?;
    let (name, description) = match clean(&form.name, &form.description) {
        Ok(valid) => valid,
        Err(errors) => {
            let cards = queries::cards(&mut tx).await?;
            let view = CollectionsView {
                layout,
                cards,
                can_edit: true,
                name: form.name,
                description: form.description,
                errors,
            };
            return invalid_form(view);
        }
    };
    let id = queries::create(&mut tx, &name, &description).await?;
    tx.commit().await?;
    flash::success(&session, format!("Created the collection {name}.")).await?;
    Ok(Redirect::to(&format!("/collections/{id}")).into_response())
}

/// The collection, or 404 when it is not this workspace's.
async fn find(tx: &mut WorkspaceTx, raw_id: &str) -> AppResult<queries::Collection> {
    let id = parse_id(raw_id)?;
    queries::get(tx, id).await?.ok_or(AppError::NotFound)
}

pub async fn view_collection(
    ws: Workspace,
    PageRead { layout, mut tx }: PageRead,
    Path(id): Path<String>,
) -> AppResult<Response> {
    ws.require(Permission::ViewContent)?;
    let collection = find(&mut tx, &id).await?;
    let members = queries::members(&mut tx, collection.id).await?;
    tx.commit().await?;
    let (name, description) = (collection.name.clone(), collection.description.clone());
    let can_edit = ws.role().can(Permission::EditContent);
    page(CollectionView {
        layout,
        collection,
        members,
        can_edit,
        name,
        description,
        errors: CollectionErrors::default(),
    })
}

pub async fn save_collection(
    ws: Workspace,
    session: Session,
    layout: Layout,
    Path(id): Path<String>,
    Form(form): Form<CollectionForm>,
) -> AppResult<Response> {
    ws.require(Permission::EditContent)?;
    let mut tx = ws.write().await?;
    let collection = find(&mut tx, &id).await?;
    let (name, description) = match clean(&form.name, &form.description) {
        Ok(valid) => valid,
        Err(errors) => {
            let members = queries::members(&mut tx, collection.id).await?;
            let view = CollectionView {
                layout,
                collection,
                members,
                can_edit: true,
                name: form.name,
                description: form.description,
                errors,
            };
            return invalid_form(view);
        }
    };
    queries::update(&mut tx, collection.id, &name, &description).await?;
    tx.commit().await?;
    flash::success(&session, "Saved.").await?;
    Ok(Redirect::to(&format!("/collections/{}", collection.id)).into_response())
}

pub async fn delete_collection(ws: Workspace, session: Session, Path(id): Path<String>) -> AppResult<Redirect> {
    ws.require(Permission::EditContent)?;
    let mut tx = ws.write().await?;
    let collection = find(&mut tx, &id).await?;
    queries::delete(&mut tx, collection.id).await?;
    audit::record(&mut tx, &ws, "collection.deleted", &collection.name, "").await?;
    tx.commit().await?;
    flash::success(
        &session,
        format!("Deleted the collection {}. Its images are still in the library.", collection.name),
    )
    .await?;
    Ok(Redirect::to("/collections"))
}

/// A picker over the library, with search, to add images.
pub async fn view_picker(
    ws: Workspace,
    layout: Layout,
    Path(id): Path<String>,
    Query(query): Query<PickerQuery>,
) -> AppResult<Response> {
    ws.require(Permission::EditContent)?;
    let mut tx = ws.read().await?;
    let collection = find(&mut tx, &id).await?;
    let filter = Filter { search: query.q.trim().to_owned(), limit: 200, ..Filter::default() };
    let cards = images::gallery(&mut tx, &filter).await?;
    let in_collection = queries::members(&mut tx, collection.id).await?.into_iter().map(|m| m.id).collect();
    tx.commit().await?;
    page(PickerView { layout, collection, cards, q: query.q, in_collection })
}

pub async fn add_images(
    ws: Workspace,
    session: Session,
    Path(id): Path<String>,
    form: FormFields,
) -> AppResult<Redirect> {
    ws.require(Permission::EditContent)?;
    let wanted = form.bounded_ids("ids")?;
    let mut tx = ws.write().await?;
    let collection = find(&mut tx, &id).await?;
    let found = images::existing(&mut tx, &wanted).await?;
    if found.len() != wanted.len() || found.is_empty() {
        // An id that is not one of this workspace's images names nothing here.
        return Err(AppError::NotFound);
    }
    let added = queries::add_images(&mut tx, collection.id, &found).await?;
    tx.commit().await?;
    flash::success(&session, format!("Added {added} image(s).")).await?;
    Ok(Redirect::to(&format!("/collections/{}", collection.id)))
}

/// The collection and one of its images, both of this workspace.
async fn find_member(tx: &mut WorkspaceTx, id: &str, image_id: &str) -> AppResult<(queries::Collection, Uuid)> {
    let collection = find(tx, id).await?;
    let image = parse_id(image_id)?;
    let members = queries::members(tx, collection.id).await?;
    if !members.iter().any(|m| m.id == image) {
        return Err(AppError::NotFound);
    }
    Ok((collection, image))
}

pub async fn remove_image(ws: Workspace, Path((id, image_id)): Path<(String, String)>) -> AppResult<Redirect> {
    ws.require(Permission::EditContent)?;
    let mut tx = ws.write().await?;
    let (collection, image) = find_member(&mut tx, &id, &image_id).await?;
    queries::remove_image(&mut tx, collection.id, image).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/collections/{}", collection.id)))
}

/// One step earlier or later: the keyboard way to reorder.
pub async fn move_image(
    ws: Workspace,
    Path((id, image_id)): Path<(String, String)>,
    Form(form): Form<MoveForm>,
) -> AppResult<Redirect> {
    ws.require(Permission::EditContent)?;
    let mut tx = ws.write().await?;
    let (collection, image) = find_member(&mut tx, &id, &image_id).await?;
    let order: Vec<Uuid> = queries::members(&mut tx, collection.id).await?.into_iter().map(|m| m.id).collect();
    let order = ordering::step(order, image, &form.direction)?;
    queries::set_order(&mut tx, collection.id, &order).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/collections/{}#image-{image}", collection.id)))
}

/// A whole new order, from drag and drop: it must name exactly the images
/// the collection holds.
pub async fn reorder(ws: Workspace, Path(id): Path<String>, form: FormFields) -> AppResult<Response> {
    ws.require(Permission::EditContent)?;
    let mut tx = ws.write().await?;
    let collection = find(&mut tx, &id).await?;
    let order = form.ids("ids");
    let current: Vec<Uuid> = queries::members(&mut tx, collection.id).await?.into_iter().map(|m| m.id).collect();
    ordering::check_same(&current, &order)?;
    queries::set_order(&mut tx, collection.id, &order).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/collections/{}", collection.id)).into_response())
}

pub async fn choose_cover(
    ws: Workspace,
    session: Session,
    Path(id): Path<String>,
    form: FormFields,
) -> AppResult<Redirect> {
    ws.require(Permission::EditContent)?;
    let mut tx = ws.write().await?;
    let (collection, image) = find_member(&mut tx, &id, form.get("image_id")).await?;
    queries::set_cover(&mut tx, collection.id, image).await?;
    tx.commit().await?;
    flash::success(&session, "Cover chosen.").await?;
    Ok(Redirect::to(&format!("/collections/{}", collection.id)))
}

//! A post's artwork: the picker, adding pieces, and removing or reordering
//! them in the carousel.

use axum::{
    Form,
    extract::{Path, Query},
    response::{Redirect, Response},
};
use serde::Deserialize;
use tower_sessions::Session;
use uuid::Uuid;

use super::{
    handlers::{MoveForm, post},
    queries::{self, Post},
    views::PickerView,
};
use crate::{
    approvals,
    collections::queries as collections,
    db::WorkspaceTx,
    error::{AppError, AppResult},
    images::{
        ordering,
        queries::{self as images, Filter},
    },
    tenancy::{Permission, Workspace},
    web::{Layout, flash, form::FormFields, ids::parse_id, page},
};

#[derive(Deserialize, Default)]
pub struct PickerQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    collection: String,
}

pub async fn view_picker(
    ws: Workspace,
    layout: Layout,
    Path(id): Path<String>,
    Query(q): Query<PickerQuery>,
) -> AppResult<Response> {
    ws.require(Permission::EditContent)?;
    let mut tx = ws.read().await?;
    let post = post(&mut tx, &id).await?;
    let filter = Filter {
        search: q.q.trim().to_owned(),
        collection: Uuid::parse_str(&q.collection).ok(),
        limit: 200,
        ..Filter::default()
    };
    let cards = images::gallery(&mut tx, &filter).await?;
    let collections = collections::all(&mut tx).await?;
    let scheduled = queries::scheduled_image_ids(&mut tx, None).await?;
    let in_post = queries::images(&mut tx, post.id).await?.into_iter().map(|i| i.id).collect();
    tx.commit().await?;
    page(PickerView {
        layout,
        post_id: post.id,
        cards,
        collections,
        q: q.q,
        collection: q.collection,
        scheduled,
        in_post,
    })
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
    let post = post(&mut tx, &id).await?;
    let found = images::existing(&mut tx, &wanted).await?;
    if found.is_empty() || found.len() != wanted.len() {
        // An image that is not this workspace's (or no longer exists) names nothing here.
        return Err(AppError::NotFound);
    }
    let added = queries::add_images(&mut tx, post.id, &found).await?;
    approvals::after_edit(&mut tx, &ws, &[post.id]).await?;
    tx.commit().await?;
    flash::success(&session, format!("Added {}.", crate::web::plural::count(added as i64, "image", "images"))).await?;
    Ok(Redirect::to(&format!("/events/{}", post.id)))
}

/// The post and one of its images, both of this workspace.
async fn post_image(tx: &mut WorkspaceTx, id: &str, image_id: &str) -> AppResult<(Post, Vec<Uuid>, Uuid)> {
    let post = post(tx, id).await?;
    let image = parse_id(image_id)?;
    let order: Vec<Uuid> = queries::images(tx, post.id).await?.into_iter().map(|i| i.id).collect();
    if !order.contains(&image) {
        return Err(AppError::NotFound);
    }
    Ok((post, order, image))
}

pub async fn remove_image(ws: Workspace, Path((id, image_id)): Path<(String, String)>) -> AppResult<Redirect> {
    ws.require(Permission::EditContent)?;
    let mut tx = ws.write().await?;
    let (post, _, image) = post_image(&mut tx, &id, &image_id).await?;
    queries::remove_image(&mut tx, post.id, image).await?;
    approvals::after_edit(&mut tx, &ws, &[post.id]).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/events/{}#artwork", post.id)))
}

pub async fn move_image(
    ws: Workspace,
    Path((id, image_id)): Path<(String, String)>,
    Form(form): Form<MoveForm>,
) -> AppResult<Redirect> {
    ws.require(Permission::EditContent)?;
    let mut tx = ws.write().await?;
    let (post, order, image) = post_image(&mut tx, &id, &image_id).await?;
    let order = ordering::step(order, image, &form.direction)?;
    queries::set_image_order(&mut tx, post.id, &order).await?;
    approvals::after_edit(&mut tx, &ws, &[post.id]).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/events/{}#artwork", post.id)))
}

pub async fn reorder_images(ws: Workspace, Path(id): Path<String>, form: FormFields) -> AppResult<Redirect> {
    ws.require(Permission::EditContent)?;
    let mut tx = ws.write().await?;
    let post = post(&mut tx, &id).await?;
    let order = form.ids("ids");
    let current: Vec<Uuid> = queries::images(&mut tx, post.id).await?.into_iter().map(|i| i.id).collect();
    ordering::check_same(&current, &order)?;
    queries::set_image_order(&mut tx, post.id, &order).await?;
    approvals::after_edit(&mut tx, &ws, &[post.id]).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/events/{}#artwork", post.id)))
}

//! The parts of a workspace archive for people rather than for Easel:
//! `people.jsonl` (who was in it, by email) and the CSV copies of the
//! artwork and the posts, with the CSV export's defused cells.

use futures_util::TryStreamExt;
use serde_json::json;
use uuid::Uuid;

use super::{
    ArchiveError,
    canonical::{Cell, time_text},
    catalogue::Kind,
    source::{Query, Snapshot},
    writer::Writer,
};
use crate::web::csv;

pub const PEOPLE: &str = "people.jsonl";
pub const ARTWORK: &str = "artwork.csv";
pub const POSTS: &str = "posts.csv";

/// One person per line: email, name and role in the workspace.
pub async fn people(snapshot: &mut Snapshot, writer: &mut Writer, ws: Uuid) -> Result<(), ArchiveError> {
    writer.start(PEOPLE).await?;
    let order = if snapshot.is_postgres() { "u.email COLLATE \"C\"" } else { "u.email" };
    let sql = format!(
        "SELECT u.email, u.name, m.role FROM memberships m JOIN users u ON u.id = m.user_id \
         WHERE m.workspace_id = $1 ORDER BY {order}"
    );
    let query = Query::global_sql(sql, Some(ws), vec![Kind::Text; 3]);
    let mut stream = snapshot.rows(&query);
    while let Some(cells) = stream.try_next().await? {
        let [email, name, role] = texts(cells);
        let mut text = json!({ "email": email, "name": name, "role": role }).to_string();
        text.push('\n');
        writer.write(text.as_bytes()).await?;
    }
    Ok(())
}

pub async fn artwork_csv(snapshot: &mut Snapshot, writer: &mut Writer, ws: Uuid) -> Result<(), ArchiveError> {
    writer.start(ARTWORK).await?;
    writer
        .write(
            csv::line(&[
                "title",
                "medium",
                "dimensions",
                "year",
                "price",
                "availability",
                "tags",
                "description",
                "alt_text",
                "original_name",
                "width",
                "height",
                "file",
            ])
            .as_bytes(),
        )
        .await?;
    let tags = if snapshot.is_postgres() {
        "(SELECT string_agg(t.tag, ', ' ORDER BY t.tag) FROM image_tags t \
          WHERE t.workspace_id = i.workspace_id AND t.image_id = i.id)"
    } else {
        "(SELECT group_concat(tag, ', ') FROM (SELECT t.tag FROM image_tags t \
          WHERE t.workspace_id = i.workspace_id AND t.image_id = i.id ORDER BY t.tag))"
    };
    let sql = format!(
        "SELECT i.title, i.medium, i.dimensions, CAST(i.year AS TEXT), i.price, i.availability, {tags}, \
         i.description, i.alt_text, i.original_name, CAST(i.width AS TEXT), CAST(i.height AS TEXT), i.id, \
         i.extension FROM images i WHERE i.workspace_id = $1 ORDER BY i.created_at, i.id"
    );
    let mut kinds = vec![Kind::Text; 14];
    kinds[12] = Kind::Uuid;
    let query = Query::sql(sql, Some(ws), kinds);
    let mut stream = snapshot.rows(&query);
    while let Some(cells) = stream.try_next().await? {
        let mut row: Vec<String> = cells.iter().take(12).map(text).collect();
        row.push(format!("files/{ws}/originals/{}.{}", text(&cells[12]), text(&cells[13])));
        writer.write(csv::line(&row).as_bytes()).await?;
    }
    Ok(())
}

pub async fn posts_csv(snapshot: &mut Snapshot, writer: &mut Writer, ws: Uuid) -> Result<(), ArchiveError> {
    writer.start(POSTS).await?;
    let header = ["calendar", "starts_at_utc", "platform", "status", "caption", "hashtags", "notes", "artwork"];
    writer.write(csv::line(&header).as_bytes()).await?;
    let titles = if snapshot.is_postgres() {
        "(SELECT string_agg(im.title, '; ' ORDER BY ei.position) FROM event_images ei JOIN images im \
          ON im.workspace_id = ei.workspace_id AND im.id = ei.image_id \
          WHERE ei.workspace_id = e.workspace_id AND ei.event_id = e.id)"
    } else {
        "(SELECT group_concat(title, '; ') FROM (SELECT im.title FROM event_images ei JOIN images im \
          ON im.workspace_id = ei.workspace_id AND im.id = ei.image_id \
          WHERE ei.workspace_id = e.workspace_id AND ei.event_id = e.id ORDER BY ei.position))"
    };
    let sql = format!(
        "SELECT c.name, e.starts_at, e.platform, e.status, e.caption, e.hashtags, e.notes, {titles} \
         FROM events e JOIN calendars c ON c.workspace_id = e.workspace_id AND c.id = e.calendar_id \
         WHERE e.workspace_id = $1 ORDER BY e.starts_at, e.id"
    );
    let mut kinds = vec![Kind::Text; 8];
    kinds[1] = Kind::Time;
    let query = Query::sql(sql, Some(ws), kinds);
    let mut stream = snapshot.rows(&query);
    while let Some(cells) = stream.try_next().await? {
        let row: Vec<String> = cells.iter().map(text).collect();
        writer.write(csv::line(&row).as_bytes()).await?;
    }
    Ok(())
}

fn text(cell: &Cell) -> String {
    match cell {
        Cell::Null => String::new(),
        Cell::Text(text) => text.clone(),
        Cell::Uuid(id) => id.to_string(),
        Cell::Int(n) => n.to_string(),
        Cell::Bool(b) => b.to_string(),
        Cell::Time(at) => time_text(*at),
    }
}

fn texts<const N: usize>(cells: Vec<Cell>) -> [String; N] {
    std::array::from_fn(|i| cells.get(i).map(text).unwrap_or_default())
}

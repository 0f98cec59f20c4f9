//! The catalogue against the migrated schema.

use std::collections::BTreeSet;

use super::*;

/// Every table and column of the migrated schema is in the catalogue
/// (and nothing else is), so a new migration cannot be left out of
/// backups and copies.
#[tokio::test]
async fn the_catalogue_matches_the_schema() {
    let db = crate::db::Db::connect("sqlite::memory:").await.expect("db");
    db.migrate().await.expect("migrate");
    let crate::db::Db::Sqlite(pool) = &db else { panic!("sqlite") };
    let tables: Vec<(String,)> = sqlx::query_as(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .fetch_all(pool)
    .await
    .expect("tables");
    let mut schema = BTreeSet::new();
    for (table,) in tables.into_iter().filter(|(t,)| !NEVER.contains(&t.as_str())) {
        let columns: Vec<(String,)> = sqlx::query_as(&format!("SELECT name FROM pragma_table_info('{table}')"))
            .fetch_all(pool)
            .await
            .expect("columns");
        schema.extend(columns.into_iter().map(|(c,)| format!("{table}.{c}")));
    }
    let catalogue: BTreeSet<String> =
        TABLES.iter().flat_map(|t| t.columns.iter().map(move |c| format!("{}.{}", t.name, c.name))).collect();
    assert_eq!(schema.difference(&catalogue).collect::<Vec<_>>(), Vec::<&String>::new(), "missing from the catalogue");
    assert_eq!(catalogue.difference(&schema).collect::<Vec<_>>(), Vec::<&String>::new(), "not in the schema");
}

#[test]
fn parents_come_before_children() {
    let position = |name: &str| TABLES.iter().position(|t| t.name == name).expect(name);
    for (parent, child) in [
        ("users", "workspaces"),
        ("workspaces", "memberships"),
        ("images", "image_tags"),
        ("images", "image_crops"),
        ("collections", "collection_images"),
        ("calendars", "events"),
        ("events", "event_images"),
        ("publer_accounts", "publer_routes"),
        ("events", "publer_sends"),
        ("memberships", "calendar_feeds"),
    ] {
        assert!(position(parent) < position(child), "{parent} before {child}");
    }
}

//! The active workspace's home: the next two weeks of posts, drafts that
//! need work, recent uploads, and counts.

use askama::Template;
use axum::response::Response;
use jiff::ToSpan;
use time::OffsetDateTime;

use crate::{
    calendars::clock::{Clock, hhmm},
    collections,
    error::AppResult,
    images::queries::{self as images, Filter, ImageCard},
    posts::{platforms, queries as posts},
    settings::{self, queries::Settings},
    tenancy::{Permission, Workspace},
    usage,
    web::{Layout, page},
};

#[derive(Template)]
#[template(path = "home/index.html")]
struct HomeView {
    layout: Layout,
    settings: Settings,
    can_edit: bool,
    upcoming: Vec<HomeDay>,
    drafts: Vec<HomePost>,
    recent: Vec<ImageCard>,
    image_count: i64,
    collection_count: usize,
    scheduled_count: i64,
}

struct HomeDay {
    label: String,
    posts: Vec<HomePost>,
}

struct HomePost {
    id: uuid::Uuid,
    when: String,
    platform: &'static str,
    calendar: String,
    status: String,
    caption: String,
    first_image: Option<uuid::Uuid>,
}

pub async fn view_home(ws: Workspace, layout: Layout) -> AppResult<Response> {
    ws.require(Permission::ViewContent)?;
    let mut tx = ws.read().await?;
    let settings = settings::queries::get(&mut tx).await?;
    let clock = Clock::new(&settings.time_zone);
    let today = clock.today();
    let end = today.checked_add(14.days()).unwrap_or(today);
    let now = OffsetDateTime::now_utc();
    let coming = posts::cards_between(&mut tx, None, now, clock.start_of(end)).await?;
    let drafts = posts::drafts_needing_work(&mut tx, 8).await?;
    let recent = images::gallery(&mut tx, &Filter { limit: 8, ..Filter::default() }).await?;
    let image_count = usage::storage(&mut tx).await?.image_count;
    let collection_count = collections::queries::cards(&mut tx).await?.len();
    let scheduled_count = posts::count_upcoming(&mut tx, now).await?;
    tx.commit().await?;

    let to_post = |card: posts::PostCard| {
        let (date, time) = clock.local(card.starts_at);
        HomePost {
            id: card.id,
            when: format!("{} {}", date.strftime("%a %-d %b"), hhmm(time)),
            platform: platforms::label(&card.platform),
            calendar: card.calendar_name,
            status: card.status,
            caption: card.caption.chars().take(90).collect(),
            first_image: card.first_image,
        }
    };
    let mut upcoming: Vec<HomeDay> = Vec::new();
    for card in coming {
        let label = clock.local(card.starts_at).0.strftime("%A %-d %B").to_string();
        let post = to_post(card);
        match upcoming.last_mut() {
            Some(day) if day.label == label => day.posts.push(post),
            _ => upcoming.push(HomeDay { label, posts: vec![post] }),
        }
    }
    page(HomeView {
        layout,
        settings,
        can_edit: ws.role().can(Permission::EditContent),
        upcoming,
        drafts: drafts.into_iter().map(to_post).collect(),
        recent,
        image_count,
        collection_count,
        scheduled_count,
    })
}

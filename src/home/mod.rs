//! The active workspace's home: the first-run checklist, the next two weeks
//! of posts, drafts that need work, recent uploads, and counts.

pub mod checklist;

use askama::Template;
use axum::response::Response;
use jiff::ToSpan;
use time::OffsetDateTime;

use crate::{
    calendars::clock::Clock,
    error::AppResult,
    images::queries::{self as images, Filter, ImageCard},
    posts::{platforms, queries as posts},
    settings::queries::Settings,
    tenancy::{Permission, Workspace},
    web::{Layout, PageRead, dates, page},
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
    counts: checklist::Counts,
    steps: Vec<checklist::Step>,
}

impl HomeView {
    fn steps_done(&self) -> usize {
        self.steps.iter().filter(|s| s.done).count()
    }

    /// The first step not done yet: the checklist's call to action.
    fn next_step(&self) -> Option<&checklist::Step> {
        self.steps.iter().find(|s| !s.done)
    }
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

pub async fn view_home(ws: Workspace, PageRead { layout, mut tx }: PageRead) -> AppResult<Response> {
    ws.require(Permission::ViewContent)?;
    let now = OffsetDateTime::now_utc();
    // The list ends where the 15th local day starts, at most 14 days (and a
    // daylight-saving hour) after now: posts within 15 days tell whether to
    // read it, in the statement that reads the time zone.
    let (counts, settings) = checklist::counts_and_settings(&mut tx, now, now + time::Duration::days(15)).await?;
    let clock = Clock::new(&settings.time_zone);
    let today = clock.today();
    let end = today.checked_add(14.days()).unwrap_or(today);
    let soon = clock.start_of(end);
    // A new workspace has no posts or artwork, and a quiet one nothing in
    // the next days: skip the queries that would find none.
    let coming = match counts.soon {
        0 => Vec::new(),
        _ => posts::cards_between(&mut tx, None, now, soon).await?,
    };
    let drafts = match counts.drafts {
        0 => Vec::new(),
        _ => posts::drafts_needing_work(&mut tx, 8).await?,
    };
    let recent = match counts.images {
        0 => Vec::new(),
        _ => images::gallery(&mut tx, &Filter { limit: 8, ..Filter::default() }).await?,
    };
    tx.commit().await?;

    let to_post = |card: posts::PostCard| {
        let (date, time) = clock.local(card.starts_at);
        HomePost {
            id: card.id,
            when: dates::day_and_time(date, time),
            platform: platforms::label(&card.platform),
            calendar: card.calendar_name,
            status: card.status,
            caption: card.caption.chars().take(90).collect(),
            first_image: card.first_image,
        }
    };
    let mut upcoming: Vec<HomeDay> = Vec::new();
    for card in coming {
        let label = dates::day(clock.local(card.starts_at).0);
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
        steps: checklist::steps(&counts),
        counts,
    })
}

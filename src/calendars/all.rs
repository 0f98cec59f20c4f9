//! "All calendars": every calendar's posts together, coloured by calendar,
//! filtered by calendar, platform and status (a plain GET form).

use axum::{extract::RawQuery, response::Response};
use url::form_urlencoded;
use uuid::Uuid;

use super::{
    clock::{Clock, parse_date},
    grid::{self, ViewKind},
    queries,
    views::AllView,
};
use crate::{
    error::AppResult,
    posts::{platforms, queries as posts},
    settings,
    tenancy::{Permission, Workspace},
    web::{Layout, page},
};

/// What the filter form asked for.
#[derive(Default)]
pub struct AllFilter {
    pub view: String,
    pub date: String,
    /// Calendars ticked; none ticked means every calendar.
    pub calendars: Vec<Uuid>,
    pub platform: String,
    pub status: String,
}

impl AllFilter {
    pub fn parse(raw: &str) -> Self {
        let mut f = AllFilter::default();
        for (key, value) in form_urlencoded::parse(raw.as_bytes()) {
            match key.as_ref() {
                "view" => f.view = value.into_owned(),
                "date" => f.date = value.into_owned(),
                "calendar" => f.calendars.extend(Uuid::parse_str(value.trim()).ok()),
                "platform" if platforms::find(&value).is_some() => f.platform = value.into_owned(),
                "status" if posts::STATUSES.iter().any(|(k, _)| *k == value) => f.status = value.into_owned(),
                _ => {}
            }
        }
        f.calendars.truncate(100);
        f
    }

    /// The filters as the start of a query string, for the view's links.
    pub fn query(&self) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        for id in &self.calendars {
            q.append_pair("calendar", &id.to_string());
        }
        if !self.platform.is_empty() {
            q.append_pair("platform", &self.platform);
        }
        if !self.status.is_empty() {
            q.append_pair("status", &self.status);
        }
        q.finish()
    }

    /// The same filter, for the statements that read posts.
    fn posts(&self) -> posts::PostFilter<'_> {
        fn set(value: &str) -> Option<&str> {
            (!value.is_empty()).then_some(value)
        }
        posts::PostFilter { calendars: &self.calendars, platform: set(&self.platform), status: set(&self.status) }
    }

    fn keeps(&self, card: &posts::PostCard) -> bool {
        (self.calendars.is_empty() || self.calendars.contains(&card.calendar_id))
            && (self.platform.is_empty() || self.platform == card.platform)
            && (self.status.is_empty() || self.status == card.status)
    }
}

pub async fn view(ws: Workspace, layout: Layout, RawQuery(raw): RawQuery) -> AppResult<Response> {
    ws.require(Permission::ViewContent)?;
    let filter = AllFilter::parse(raw.as_deref().unwrap_or(""));
    let mut tx = ws.read().await?;
    let calendars = queries::all(&mut tx).await?;
    let time_zone = settings::queries::get(&mut tx).await?.time_zone;
    let clock = Clock::new(&time_zone);
    let today = clock.today();
    let anchor = parse_date(&filter.date).unwrap_or(today);
    let kind = ViewKind::parse(&filter.view);
    let span = grid::span(kind, anchor);
    let (mut cards, more) = grid::posts_for(&mut tx, (kind, &span), &clock, filter.posts()).await?;
    tx.commit().await?;
    cards.retain(|c| filter.keeps(c));
    grid::review_states(&mut cards, ws.approval().is_on(), "");
    let days = grid::days(&span, kind, (anchor, today), &clock, cards, &more);
    let query = filter.query();
    let base = if query.is_empty() { "/calendars/all?".to_owned() } else { format!("/calendars/all?{query}&") };
    page(AllView {
        previous: format!("{base}view={}&date={}", kind.key(), span.previous),
        next: format!("{base}view={}&date={}", kind.key(), span.next),
        title: span.title,
        can_edit: ws.role().can(Permission::EditContent),
        layout,
        kind,
        days,
        time_zone,
        calendars,
        filter,
        base,
        new_post_base: None,
        anchor: anchor.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_are_read_strictly_and_written_back() {
        let id = Uuid::now_v7();
        let f = AllFilter::parse(&format!("calendar={id}&calendar=junk&platform=myspace&status=ready&view=week"));
        assert_eq!(f.calendars, vec![id]);
        assert_eq!(f.platform, "");
        assert_eq!(f.status, "ready");
        assert_eq!(f.view, "week");
        assert_eq!(f.query(), format!("calendar={id}&status=ready"));
    }
}

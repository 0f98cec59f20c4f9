//! The reviewer's page at `/review/{token}`: no sign-in, the workspace's
//! branding and nothing else of it, each post of the link as it will look,
//! and the logo and artwork served under the token (never the member routes).

use std::collections::HashMap;

use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{Html, IntoResponse, Response},
};
use serde::Deserialize;
use uuid::Uuid;

use super::{
    door::{Door, Shut, nonce_or_new},
    queries::{self, Standing},
    scope::{self, ClientComment, ScopedPost},
    views::{Card, CardImage, Chrome, ClosedPage, CommentView, ReviewPage},
};
use crate::{
    branding,
    error::{AppError, AppResult},
    images::{
        crops::{self, rendition},
        media,
        presets::Preset,
    },
    posts::{platforms, queries as posts},
    state::AppState,
    storage::{Folder, derived_name, image_key},
    tenancy::approval::Review,
    web::{assets, dates, ids::parse_id},
};

/// What the last plain-form action did, named in the address it returned to.
#[derive(Deserialize, Default)]
pub struct Said {
    #[serde(default)]
    done: String,
    #[serde(default)]
    n: u32,
}

impl Said {
    fn notice(&self) -> Option<String> {
        Some(match self.done.as_str() {
            "approved" => "Approved. Thank you!".to_owned(),
            "changes" => "Your request for changes was sent.".to_owned(),
            "comment" => "Your comment was added.".to_owned(),
            "all" => format!("Approved {}.", crate::web::plural::count(self.n, "post", "posts")),
            "none" => "Nothing was waiting for your approval.".to_owned(),
            _ => return None,
        })
    }
}

pub async fn view_page(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(said): Query<Said>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let mut door = match Door::open(&state, &token, true).await? {
        Ok(door) => door,
        Err(shut) => return refusal(&token, shut),
    };
    if !door.front.frozen {
        queries::mark_opened(&mut door.tx, door.link.id).await?;
    }
    let (nonce, cookie) = nonce_or_new(&headers, state.config.secure_cookies());
    let page = page(&state, &mut door, &token, &nonce, said.notice(), None).await?;
    door.tx.commit().await?;
    let mut response = private(Html(page.render()?).into_response());
    if let Some(cookie) = cookie {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    Ok(response)
}

/// The whole page of an open link.
pub async fn page(
    state: &AppState,
    door: &mut Door,
    token: &str,
    nonce: &str,
    notice: Option<String>,
    error: Option<String>,
) -> AppResult<ReviewPage> {
    let posts = scope::posts(&mut door.tx, &door.scope).await?;
    let comments = scope::client_comments(&mut door.tx, &door.scope).await?;
    let mut by_post: HashMap<Uuid, Vec<ClientComment>> = HashMap::new();
    for comment in comments {
        by_post.entry(comment.event_id).or_default().push(comment);
    }
    let form_token = door.form_token(state, nonce);
    let mut cards = Vec::with_capacity(posts.len());
    for post in &posts {
        let thread = by_post.remove(&post.id).unwrap_or_default();
        cards.push(card(door, token, &form_token, post, thread).await?);
    }
    let waiting = cards.iter().filter(|c| c.can_answer).count();
    let (date, time) = door.clock.local(door.link.expires_at);
    Ok(ReviewPage {
        chrome: chrome(door, token, form_token),
        reviewer: door.link.reviewer_name.clone(),
        cards,
        approval_on: door.front.approval.is_on(),
        frozen: door.front.frozen,
        waiting,
        expires: dates::day_and_time(date, time),
        notice,
        error,
    })
}

/// One post's card, with its client comments.
pub async fn card(
    door: &mut Door,
    token: &str,
    form_token: &str,
    post: &ScopedPost,
    thread: Vec<ClientComment>,
) -> AppResult<Card> {
    let images = posts::images(&mut door.tx, post.id).await?;
    let review = Review::parse(&post.review).unwrap_or_default();
    let (date, time) = door.clock.local(post.starts_at);
    let open = door.standing == Standing::Active && !door.front.frozen;
    Ok(Card {
        id: post.id,
        token: token.to_owned(),
        form_token: form_token.to_owned(),
        when: dates::day_and_time(date, time),
        platform: platforms::label(&post.platform),
        text: platforms::post_text(&post.caption, &post.hashtags),
        images: images
            .iter()
            .map(|i| CardImage {
                url: media_url(token, i.id, &post.platform),
                alt: if i.alt_text.is_empty() { i.title.clone() } else { i.alt_text.clone() },
            })
            .collect(),
        review,
        can_answer: open && door.front.approval.is_on() && review == Review::Client,
        can_comment: open,
        comments: thread
            .into_iter()
            .map(|c| {
                let (date, time) = door.clock.local(c.created_at);
                CommentView {
                    author: c.author_name,
                    when: dates::day_and_time(date, time),
                    html: crate::web::rich_text::render(&c.body, &[]),
                }
            })
            .collect(),
        notice: None,
        error: None,
    })
}

/// The artwork in its platform's crop, under the token.
fn media_url(token: &str, image: Uuid, platform: &str) -> String {
    let preset = Preset::for_platform(platform).map_or("large", |p| p.slug());
    format!("/review/{token}/media/{image}/{preset}")
}

pub fn chrome(door: &Door, token: &str, form_token: String) -> Chrome {
    let front = &door.front;
    Chrome {
        token: token.to_owned(),
        display_name: door.display_name.clone(),
        brand_css: branding::parse_colour(&front.brand_colour).map(|c| format!("/brand.css?c={}", &c[1..])),
        logo_version: branding::logo::is_logo_name(&front.logo).then(|| front.logo.clone()),
        powered_by: !front.hide_powered_by,
        asset_version: assets::version(),
        form_token,
    }
}

/// Easel's own chrome, for a token that opens nothing.
fn plain_chrome() -> Chrome {
    Chrome {
        token: String::new(),
        display_name: "Easel".into(),
        brand_css: None,
        logo_version: None,
        powered_by: true,
        asset_version: assets::version(),
        form_token: String::new(),
    }
}

/// The page for a token that opens nothing (404) or a link that no longer
/// opens (410, on the workspace's branding). Nothing is changed.
pub fn refusal(token: &str, shut: Shut) -> AppResult<Response> {
    let (status, view) = match shut {
        Shut::Unknown => (
            StatusCode::NOT_FOUND,
            ClosedPage {
                chrome: plain_chrome(),
                title: "This review link does not exist".into(),
                message: "Check that the whole address was copied from the mail. If it was, ask whoever sent it \
                          for a new one."
                    .into(),
            },
        ),
        Shut::Closed(door) => {
            let title = match door.standing {
                Standing::Revoked => "This review link was turned off",
                _ => "This review link has expired",
            };
            let message = format!("Ask {} for a new one. Nothing was changed.", door.maker);
            let chrome = chrome(&door, token, String::new());
            (StatusCode::GONE, ClosedPage { chrome, title: title.into(), message })
        }
    };
    Ok(private((status, Html(view.render()?)).into_response()))
}

/// Too many actions from one address on one link: a friendly 429.
pub fn too_many(door: &Door, token: &str) -> AppResult<Response> {
    let view = ClosedPage {
        chrome: chrome(door, token, String::new()),
        title: "Too many answers at once".into(),
        message: "Please wait a few minutes, then reload the page and carry on. Nothing more was changed.".into(),
    };
    Ok(private((StatusCode::TOO_MANY_REQUESTS, Html(view.render()?)).into_response()))
}

/// Pages of a link are the reviewer's alone: never cached by a proxy.
fn private(mut response: Response) -> Response {
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    response.headers_mut().insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    response
}

/// The workspace's logo, for its link pages (open or not).
pub async fn logo(State(state): State<AppState>, Path(token): Path<String>) -> AppResult<Response> {
    let door = match Door::open(&state, &token, false).await? {
        Ok(door) => door,
        Err(Shut::Closed(door)) => *door,
        Err(Shut::Unknown) => return Err(AppError::NotFound),
    };
    let workspace = door.tx.workspace_id();
    door.tx.commit().await?;
    let bytes = branding::logo::read(&state.storage, workspace, &door.front.logo).await.ok_or(AppError::NotFound)?;
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/png"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=86400"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    Ok(response)
}

/// An in-scope post's artwork, in a crop preset (or `large` for posts whose
/// platform keeps the artwork's own shape). Anything else is a 404.
pub async fn media(
    State(state): State<AppState>,
    Path((token, image, preset)): Path<(String, String, String)>,
) -> AppResult<Response> {
    let mut door = match Door::open(&state, &token, false).await? {
        Ok(door) => door,
        Err(shut) => return refusal(&token, shut),
    };
    let image = parse_id(&image)?;
    if !scope::shows_image(&mut door.tx, &door.scope, image).await? {
        return Err(AppError::NotFound);
    }
    let workspace = door.tx.workspace_id();
    let framed = match preset.as_str() {
        "large" => None,
        slug => {
            let preset = Preset::from_slug(slug).ok_or(AppError::NotFound)?;
            Some(crops::load(&mut door.tx, image, preset).await?.ok_or(AppError::NotFound)?)
        }
    };
    door.tx.commit().await?;
    let key = match framed {
        None => image_key(workspace, Folder::Large, &derived_name(image)),
        Some((art, spec)) => {
            rendition::ensure(&state, workspace, &art, spec, false).await.map_err(AppError::Internal)?
        }
    };
    if state.config.storage.redirect {
        return media::presigned(&state, &key).await;
    }
    let mut response = media::stream(&state, &key, "image/jpeg").await?;
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    Ok(response)
}

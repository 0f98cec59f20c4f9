//! Turns every error response into a friendly page (or, for HTMX, a toast),
//! with the request id to quote; handlers only say what went wrong.

use askama::Template;
use axum::{
    body::Body,
    extract::Request,
    http::{HeaderValue, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

use super::layout::Layout;
use crate::{
    error::{ErrorPage, FullPageRedirect},
    state::AppState,
};

/// The chrome of the page that failed, for a signed-in person's error page
/// (their navbar rather than a stranger's).
#[derive(Clone)]
struct ErrorLayout(Layout);

/// Sits inside the session layer: when a full-page request fails, gathers
/// the person's page chrome for `render` (which runs outside the session).
pub async fn signed_in_chrome(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    use axum::extract::FromRequestParts;
    let htmx = request.headers().contains_key("hx-request");
    let (parts, body) = request.into_parts();
    let mut saved = parts.clone();
    let mut response = next.run(Request::from_parts(parts, body)).await;
    let status = response.status();
    let failed = status.is_client_error() || status.is_server_error();
    if !failed || htmx || is_html(&response) || response.extensions().get::<FullPageRedirect>().is_some() {
        return response;
    }
    // A stranger gets the bare page (and no session made for it); so does
    // everyone when the database is down, as it cannot draw a navbar either.
    let signed_in = matches!(
        crate::auth::MaybeUser::from_request_parts(&mut saved, &state).await,
        Ok(crate::auth::MaybeUser(Some(_)))
    );
    if !signed_in {
        return response;
    }
    if let Ok(layout) = Layout::from_request_parts(&mut saved, &state).await {
        response.extensions_mut().insert(ErrorLayout(layout));
    }
    response
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorView {
    layout: Layout,
    status: u16,
    title: &'static str,
    message: String,
    request_id: String,
}

#[derive(Template)]
#[template(path = "partials/toast.html")]
struct ToastView {
    title: &'static str,
    message: String,
    request_id: String,
}

pub async fn render(request: Request, next: Next) -> Response {
    let htmx = request.headers().contains_key("hx-request");
    let request_id = request.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let response = next.run(request).await;
    if let Some(FullPageRedirect(location)) = response.extensions().get::<FullPageRedirect>() {
        return if htmx { hx_redirect(location) } else { response };
    }
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) || is_html(&response) {
        return response;
    }
    let page = response.extensions().get::<ErrorPage>().cloned().unwrap_or_else(|| default_page(status));
    let (mut parts, _) = response.into_parts();
    let body = if htmx {
        parts.headers.insert("hx-retarget", HeaderValue::from_static("#toasts"));
        parts.headers.insert("hx-reswap", HeaderValue::from_static("beforeend"));
        ToastView { title: page.title, message: page.message, request_id }.render()
    } else {
        ErrorView {
            layout: parts.extensions.remove::<ErrorLayout>().map_or_else(Layout::bare, |l| l.0),
            status: status.as_u16(),
            title: page.title,
            message: page.message,
            request_id,
        }
        .render()
    };
    let body = body.unwrap_or_else(|_| "Something went wrong.".to_owned());
    parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(body))
}

/// HTMX follows redirects inside its request; this makes it load the page.
fn hx_redirect(location: &str) -> Response {
    let mut response = StatusCode::OK.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert("hx-redirect", value);
    }
    response
}

fn is_html(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/html"))
}

/// Pages for errors raised outside our handlers (routing, body parsing, panics).
fn default_page(status: StatusCode) -> ErrorPage {
    let (title, message) = match status {
        StatusCode::NOT_FOUND => ("Not found", "There is nothing here. Check the address, or go back home."),
        StatusCode::METHOD_NOT_ALLOWED => ("Not possible here", "This address does not accept that kind of request."),
        StatusCode::PAYLOAD_TOO_LARGE => ("Too large", "What you sent is larger than Easel accepts."),
        StatusCode::UNSUPPORTED_MEDIA_TYPE | StatusCode::UNPROCESSABLE_ENTITY | StatusCode::BAD_REQUEST => (
            "That did not work",
            "The form was incomplete or held values Easel could not read. Go back, check it and try again.",
        ),
        StatusCode::SERVICE_UNAVAILABLE => ("Easel is briefly unavailable", "Please try again in a moment."),
        _ if status.is_client_error() => ("That did not work", "Easel could not handle that request."),
        _ => ("Something went wrong", "Easel hit an unexpected error. It has been logged; please try again."),
    };
    ErrorPage { title, message: message.to_owned() }
}

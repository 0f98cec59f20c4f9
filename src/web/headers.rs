//! Response headers every answer gets: HSTS under https, no storing of
//! pages by browsers or proxies, and request ids that are really UUIDs.

use axum::{
    extract::{Request, State},
    http::{HeaderName, HeaderValue, header},
    middleware::Next,
    response::Response,
};
use uuid::Uuid;

/// A year, subdomains included: what an instance served only over https asks.
const HSTS: &str = "max-age=31536000; includeSubDomains";

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Adds `Strict-Transport-Security` when `https` (the base URL's scheme) and
/// `Cache-Control: no-store` to every answer that did not choose its own
/// caching. Static assets, media, brand styles and feeds set theirs; all the
/// rest (pages of a signed-in person, forms with their CSRF token, redirects
/// and error pages) must not be kept by a browser or a shared cache.
pub async fn harden(State(https): State<bool>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if https {
        headers.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static(HSTS));
    }
    response
}

/// Keeps a client's `x-request-id` only when it is a UUID (written the usual
/// way); anything else is dropped, so the next layer makes a fresh one and no
/// client text reaches the logs or the error page as an id.
pub async fn only_uuid_request_ids(mut request: Request, next: Next) -> Response {
    let sent = request.headers().get(&REQUEST_ID).and_then(|v| v.to_str().ok()).and_then(as_uuid);
    match sent {
        Some(id) => {
            if let Ok(value) = HeaderValue::from_str(&id.hyphenated().to_string()) {
                request.headers_mut().insert(REQUEST_ID.clone(), value);
            }
        }
        None => {
            request.headers_mut().remove(&REQUEST_ID);
        }
    }
    next.run(request).await
}

/// A UUID in its 36-character hyphenated form, and nothing else.
fn as_uuid(text: &str) -> Option<Uuid> {
    (text.len() == 36).then(|| Uuid::try_parse(text).ok()).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hyphenated_uuids_count() {
        assert!(as_uuid("0192f0c4-5b7e-7a3e-9c1d-2f4e6a8b0c1d").is_some());
        assert!(as_uuid("0192F0C4-5B7E-7A3E-9C1D-2F4E6A8B0C1D").is_some());
        for bad in ["", "abc", "0192f0c45b7e7a3e9c1d2f4e6a8b0c1d", "{0192f0c4-5b7e-7a3e-9c1d-2f4e6a8b0c1d}", "x\r\ny"] {
            assert!(as_uuid(bad).is_none(), "{bad}");
        }
    }
}

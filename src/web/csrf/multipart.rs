//! The form guards of a multipart upload, read from the start of its body.
//!
//! A plain HTML upload form cannot send headers, so its `csrf_token` and
//! `page_workspace` travel as the first parts, before any file. Only that
//! prefix is read here; the body is then handed on whole, prefix included.

use axum::body::{Body, Bytes};
use futures_util::StreamExt;
use http_body_util::BodyExt;

use crate::error::{AppError, AppResult};

/// The guards must arrive within this many bytes.
const PREFIX_LIMIT: usize = 64 * 1024;

pub async fn leading_fields(body: Body, boundary: &str) -> AppResult<(Vec<(String, String)>, Body)> {
    let mut body = body;
    let mut prefix = Vec::new();
    loop {
        let parsed = parse(&prefix, boundary);
        if parsed.finished || prefix.len() >= PREFIX_LIMIT {
            let rest = body.into_data_stream();
            let stream =
                futures_util::stream::once(async move { Ok::<_, axum::Error>(Bytes::from(prefix)) }).chain(rest);
            return Ok((parsed.fields, Body::from_stream(stream)));
        }
        match body.frame().await {
            Some(Ok(frame)) => {
                if let Ok(data) = frame.into_data() {
                    prefix.extend_from_slice(&data);
                }
            }
            Some(Err(_)) => return Err(AppError::bad_request("The upload was interrupted. Nothing was stored.")),
            None => {
                let parsed = parse(&prefix, boundary);
                return Ok((parsed.fields, Body::from(prefix)));
            }
        }
    }
}

struct Parsed {
    fields: Vec<(String, String)>,
    /// True once a file part (or the end) is reached: no more text fields lead.
    finished: bool,
}

fn parse(buf: &[u8], boundary: &str) -> Parsed {
    let delimiter = format!("--{boundary}");
    let mut fields = Vec::new();
    let unfinished = |fields| Parsed { fields, finished: false };
    let Some(start) = find(buf, delimiter.as_bytes()) else { return unfinished(fields) };
    let mut pos = start + delimiter.len();
    loop {
        if buf.len() < pos + 2 {
            return unfinished(fields);
        }
        if &buf[pos..pos + 2] == b"--" {
            return Parsed { fields, finished: true };
        }
        pos += 2;
        let Some(headers_len) = find(&buf[pos..], b"\r\n\r\n") else { return unfinished(fields) };
        let headers = String::from_utf8_lossy(&buf[pos..pos + headers_len]).to_string();
        if headers.contains("filename=") {
            return Parsed { fields, finished: true };
        }
        let value_start = pos + headers_len + 4;
        let end_marker = format!("\r\n{delimiter}");
        let Some(value_len) = find(&buf[value_start..], end_marker.as_bytes()) else { return unfinished(fields) };
        if let Some(name) = field_name(&headers) {
            let value = String::from_utf8_lossy(&buf[value_start..value_start + value_len]).into_owned();
            fields.push((name, value));
        }
        pos = value_start + value_len + end_marker.len();
    }
}

fn field_name(headers: &str) -> Option<String> {
    let disposition = headers.lines().find(|l| l.to_ascii_lowercase().starts_with("content-disposition:"))?;
    let start = disposition.find("name=\"")? + 6;
    let len = disposition[start..].find('"')?;
    Some(disposition[start..start + len].to_owned())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str = "--XyZ\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\ntok123\r\n\
--XyZ\r\nContent-Disposition: form-data; name=\"page_workspace\"\r\n\r\nws-1\r\n\
--XyZ\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\nPNGDATA\r\n--XyZ--\r\n";

    #[test]
    fn reads_the_text_fields_before_the_first_file() {
        let parsed = parse(BODY.as_bytes(), "XyZ");
        assert!(parsed.finished);
        assert_eq!(
            parsed.fields,
            vec![("csrf_token".to_owned(), "tok123".to_owned()), ("page_workspace".to_owned(), "ws-1".to_owned())]
        );
    }

    #[test]
    fn an_incomplete_prefix_asks_for_more() {
        let parsed = parse(&BODY.as_bytes()[..40], "XyZ");
        assert!(!parsed.finished);
    }

    #[tokio::test]
    async fn the_body_is_passed_on_whole() {
        let (fields, body) = leading_fields(Body::from(BODY), "XyZ").await.expect("fields");
        assert_eq!(fields.len(), 2);
        let bytes = body.collect().await.expect("body").to_bytes();
        assert_eq!(bytes, BODY.as_bytes());
    }
}

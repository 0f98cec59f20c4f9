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
    let mut scan = Scan::new(boundary);
    loop {
        scan.resume(&prefix);
        if scan.finished || prefix.len() >= PREFIX_LIMIT {
            let rest = body.into_data_stream();
            let stream =
                futures_util::stream::once(async move { Ok::<_, axum::Error>(Bytes::from(prefix)) }).chain(rest);
            return Ok((scan.fields, Body::from_stream(stream)));
        }
        match body.frame().await {
            Some(Ok(frame)) => {
                if let Ok(data) = frame.into_data() {
                    prefix.extend_from_slice(&data);
                }
            }
            Some(Err(_)) => return Err(AppError::bad_request("The upload was interrupted. Nothing was stored.")),
            None => return Ok((scan.fields, Body::from(prefix))),
        }
    }
}

/// Where the scan of the growing prefix stands. Each call to
/// [`Scan::resume`] goes on from where the last one stopped, so a body sent
/// one byte a frame costs linear work, not a re-read of the whole prefix
/// for every frame.
struct Scan {
    delimiter: Vec<u8>,
    /// `\r\n--boundary`: the end of a part's value.
    end_marker: Vec<u8>,
    stage: Stage,
    /// The start of what is still to be parsed at this stage.
    pos: usize,
    /// How far the current search has already looked without a match.
    searched: usize,
    fields: Vec<(String, String)>,
    /// True once a file part (or the end) is reached: no more text fields lead.
    finished: bool,
    /// Window positions compared so far (the work done, for tests).
    #[cfg_attr(not(test), allow(dead_code))]
    examined: usize,
}

enum Stage {
    /// Looking for the first delimiter.
    Preamble,
    /// Just past a delimiter: `--` ends the body, else a part follows.
    AfterDelimiter,
    /// Looking for the blank line that ends a part's headers.
    Headers,
    /// Looking for the end of a text part's value.
    Value { name: Option<String>, start: usize },
}

impl Scan {
    fn new(boundary: &str) -> Self {
        let delimiter = format!("--{boundary}").into_bytes();
        let end_marker = [b"\r\n".as_slice(), &delimiter].concat();
        Self {
            delimiter,
            end_marker,
            stage: Stage::Preamble,
            pos: 0,
            searched: 0,
            fields: Vec::new(),
            finished: false,
            examined: 0,
        }
    }

    /// Parses as far as `buf` (the prefix so far, only ever appended to) allows.
    fn resume(&mut self, buf: &[u8]) {
        while !self.finished {
            match std::mem::replace(&mut self.stage, Stage::Preamble) {
                Stage::Preamble => {
                    let needle = self.delimiter.clone();
                    let Some(at) = self.search(buf, &needle) else { return };
                    self.enter(Stage::AfterDelimiter, at + needle.len());
                }
                Stage::AfterDelimiter => {
                    if buf.len() < self.pos + 2 {
                        self.stage = Stage::AfterDelimiter;
                        return;
                    }
                    if &buf[self.pos..self.pos + 2] == b"--" {
                        self.finished = true;
                        return;
                    }
                    self.enter(Stage::Headers, self.pos + 2);
                }
                Stage::Headers => {
                    self.stage = Stage::Headers;
                    let Some(at) = self.search(buf, b"\r\n\r\n") else { return };
                    let headers = String::from_utf8_lossy(&buf[self.pos..at]);
                    if headers.contains("filename=") {
                        self.finished = true;
                        return;
                    }
                    let name = field_name(&headers);
                    self.enter(Stage::Value { name, start: at + 4 }, at + 4);
                }
                Stage::Value { name, start } => {
                    let needle = self.end_marker.clone();
                    self.stage = Stage::Value { name, start };
                    let Some(at) = self.search(buf, &needle) else { return };
                    if let Stage::Value { name: Some(name), .. } = &self.stage {
                        let value = String::from_utf8_lossy(&buf[start..at]).into_owned();
                        self.fields.push((name.clone(), value));
                    }
                    self.enter(Stage::AfterDelimiter, at + needle.len());
                }
            }
        }
    }

    fn enter(&mut self, stage: Stage, pos: usize) {
        self.stage = stage;
        self.pos = pos;
        self.searched = pos;
    }

    /// Finds `needle` at or after `pos`, looking only at what earlier calls
    /// have not looked at yet.
    fn search(&mut self, buf: &[u8], needle: &[u8]) -> Option<usize> {
        let from = self.searched.max(self.pos);
        if buf.len() < from + needle.len() {
            return None;
        }
        let windows = buf.len() - from - needle.len() + 1;
        match find(&buf[from..], needle) {
            Some(at) => {
                self.examined += at + 1;
                Some(from + at)
            }
            None => {
                self.examined += windows;
                // A match may still start in the last `needle.len() - 1` bytes.
                self.searched = from + windows;
                None
            }
        }
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

    fn parse(buf: &[u8], boundary: &str) -> Scan {
        let mut scan = Scan::new(boundary);
        scan.resume(buf);
        scan
    }

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

    #[test]
    fn one_byte_at_a_time_reads_the_same_fields() {
        let mut scan = Scan::new("XyZ");
        for end in 1..=BODY.len() {
            scan.resume(&BODY.as_bytes()[..end]);
        }
        assert!(scan.finished);
        assert_eq!(scan.fields, parse(BODY.as_bytes(), "XyZ").fields);
    }

    #[test]
    fn a_prefix_sent_byte_by_byte_is_scanned_in_linear_work() {
        // A text field whose value never ends, up to the prefix limit.
        let mut body = b"--XyZ\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n".to_vec();
        body.resize(PREFIX_LIMIT, b'a');
        let mut scan = Scan::new("XyZ");
        for end in 1..=body.len() {
            scan.resume(&body[..end]);
        }
        assert!(!scan.finished);
        // Re-reading the prefix for every byte would be about 2 billion.
        assert!(scan.examined <= 2 * PREFIX_LIMIT, "examined {} positions", scan.examined);
    }

    #[tokio::test]
    async fn one_byte_frames_pass_the_body_on_whole() {
        let frames = BODY.as_bytes().iter().map(|b| Ok::<_, std::io::Error>(Bytes::copy_from_slice(&[*b])));
        let body = Body::from_stream(futures_util::stream::iter(frames.collect::<Vec<_>>()));
        let (fields, body) = leading_fields(body, "XyZ").await.expect("fields");
        assert_eq!(fields.len(), 2);
        let bytes = body.collect().await.expect("body").to_bytes();
        assert_eq!(bytes, BODY.as_bytes());
    }
}

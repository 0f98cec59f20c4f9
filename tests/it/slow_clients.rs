//! Bounds checked on Easel as a real process (issue 13 §4): a slow-loris
//! client is cut off by the header timeout, a stalled upload by the idle
//! body timeout (its temporary file gone at once), a slow but steady upload
//! still completes, and 30 parallel decompression bombs keep the server's
//! peak memory bounded. Every wait is bounded; nothing asserts a duration.

use std::{ffi::OsString, path::Path, time::Duration};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

use crate::harness::{
    art,
    process::{RawUpload, Server, sign_up},
};

fn temp_dir(prefix: &str) -> tempfile::TempDir {
    tempfile::Builder::new().prefix(prefix).tempdir().expect("temp dir")
}

/// Starts Easel on SQLite in `dir` with extra environment variables (set
/// through `env`, which then `exec`s the binary).
async fn server_with(dir: &Path, vars: &[&str]) -> Server {
    let database_url = format!("sqlite://{}", dir.join("easel.db").display());
    let mut wrapper: Vec<OsString> = vec!["env".into()];
    wrapper.extend(vars.iter().map(OsString::from));
    Server::start_wrapped(dir, &database_url, &wrapper).await
}

/// Reads until the server closes the connection (at most 60 s); what it
/// sent, or `None` if it kept the connection open all that time.
async fn read_until_closed(stream: &mut TcpStream) -> Option<Vec<u8>> {
    let read = async {
        let mut raw = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return raw,
                Ok(n) => raw.extend_from_slice(&buf[..n]),
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(60), read).await.ok()
}

/// Files left in any workspace's `tmp/`.
fn temporary_files(uploads: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for workspace in std::fs::read_dir(uploads).into_iter().flatten().flatten() {
        for file in std::fs::read_dir(workspace.path().join("tmp")).into_iter().flatten().flatten() {
            found.push(file.path().display().to_string());
        }
    }
    found
}

/// With a 2 s header timeout and a 2 s idle-body limit: half a request line
/// gets the connection closed; an upload whose body stops half-way is cut
/// off and its temporary file removed; an upload sent in pieces half a
/// second apart, for longer than the header timeout, completes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_loris_is_cut_off_and_a_slow_steady_upload_completes() {
    let dir = temp_dir("easel-slow-");
    let server = server_with(dir.path(), &["EASEL_HEADER_TIMEOUT_SECS=2", "EASEL_BODY_IDLE_SECS=2"]).await;
    let ada = sign_up(server.url(""), "Ada", "ada@example.com").await;

    // Half a request line, then silence.
    let mut loris = TcpStream::connect(server.addr).await.expect("connect");
    loris.write_all(b"GET /healthz HT").await.expect("send half a line");
    let sent_back = read_until_closed(&mut loris).await;
    assert!(sent_back.is_some(), "the slow-loris connection was still open after 60 s");

    // A body that stops half-way: the server gives up on it and removes
    // what it had written.
    let picture = art::noisy_png(300, 200, 11);
    let stalled = RawUpload::new(&ada, &server.url(""), &[("stalled.png", &picture)]);
    let mut stream = TcpStream::connect(server.addr).await.expect("connect");
    stream.write_all(&stalled.head).await.expect("head");
    stream.write_all(&stalled.body[..stalled.body.len() / 2]).await.expect("half the body");
    let answer = read_until_closed(&mut stream).await.expect("the stalled upload was cut off");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.is_empty() || answer.starts_with("HTTP/1.1 4"), "{answer}");
    let uploads = dir.path().join("uploads");
    let mut left = temporary_files(&uploads);
    for _ in 0..100 {
        if left.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        left = temporary_files(&uploads);
    }
    assert!(left.is_empty(), "the cut-off upload left {left:?}");

    // Slow but alive: 12 pieces 0.5 s apart (5.5 s, past both limits' 2 s).
    let steady = RawUpload::new(&ada, &server.url(""), &[("steady.png", &art::noisy_png(300, 200, 12))]);
    let response =
        steady.send_slowly(server.addr, 12, Duration::from_millis(500), None).await.expect("the steady upload");
    assert_eq!(response.status, 200, "{}", response.body);
    assert!(response.body.contains("upload-added"), "{}", response.body);
}

/// The server's peak resident memory (VmHWM), in kB.
fn peak_memory_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc status");
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).expect("VmHWM");
    line.split_whitespace().nth(1).and_then(|kb| kb.parse().ok()).expect("VmHWM in kB")
}

/// 30 uploads at once of tiny PNGs that claim 10,000 × 10,000 pixels (100
/// MP, 300 MB once decoded): each is refused with a 422 from its header,
/// and the server's peak memory stays under 600 MB.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_decompression_bombs_keep_peak_memory_bounded() {
    let dir = temp_dir("easel-bombs-");
    let server = server_with(dir.path(), &[]).await;
    let ada = sign_up(server.url(""), "Ada", "ada@example.com").await;
    let uploads: Vec<_> = (0..30u32)
        .map(|n| {
            let bomb = art::png_claiming(10_000 + n, 10_000);
            let upload = RawUpload::new(&ada, &server.url(""), &[(&format!("bomb-{n}.png"), &bomb)]);
            let addr = server.addr;
            tokio::spawn(async move { upload.send_slowly(addr, 1, Duration::ZERO, None).await })
        })
        .collect();
    for upload in uploads {
        let response = upload.await.expect("upload task").expect("an answer");
        assert_eq!(response.status, 422, "{}", response.body);
        assert!(response.body.contains("the limit is 50 megapixels"), "{}", response.body);
    }
    let peak = peak_memory_kb(server.pid());
    println!("peak resident memory after 30 bombs: {} MB", peak / 1024);
    assert!(peak < 600 * 1024, "peak resident memory {} MB", peak / 1024);
}

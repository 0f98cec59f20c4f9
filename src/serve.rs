//! The HTTP/1.1 server loop: accepting connections up to a cap, a deadline
//! for each request's head, a limit on how long a request body may stall,
//! and a graceful shutdown that lets requests in flight finish.
//!
//! `axum::serve` has none of the three bounds, so a slow-loris client could
//! hold sockets (and half-written upload files) for ever.

use std::{
    future::Future,
    pin::Pin,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    task::{Context, Poll},
    time::Duration,
};

use axum::{Router, body::Bytes, extract::ConnectInfo};
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    server::graceful::GracefulShutdown,
};
use tokio::{net::TcpListener, sync::Semaphore, time::Sleep};
use tower::ServiceExt;

use crate::config::Bounds;

/// Serves `app` on `listener` until `shutdown` resolves; then stops
/// accepting (new connections are refused), lets every request in flight
/// finish, and returns once every connection has closed.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    bounds: &Bounds,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let connections = Arc::new(Semaphore::new(bounds.max_connections));
    let requests = Arc::new(AtomicU64::new(0));
    let trimmer = tokio::spawn(trim_when_idle(requests.clone()));
    let graceful = GracefulShutdown::new();
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(bounds.header_timeout);
    tokio::pin!(shutdown);
    loop {
        // A connection is accepted only with a permit: past the cap, new
        // clients wait in the kernel's backlog instead of costing memory.
        let permit = tokio::select! {
            permit = connections.clone().acquire_owned() => permit.map_err(std::io::Error::other)?,
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    // Out of file descriptors and the like: wait, do not spin.
                    tracing::warn!(error = %err, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Each request learns the peer's address (for `ConnectInfo`) and has
        // its body wrapped in the idle limit.
        let (app, body_idle, requests) = (app.clone(), bounds.body_idle, requests.clone());
        let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
            requests.fetch_add(1, Ordering::Relaxed);
            let mut request = request.map(|body| axum::body::Body::new(IdleLimited::new(body, body_idle)));
            request.extensions_mut().insert(ConnectInfo(peer));
            app.clone().oneshot(request)
        });
        let connection = builder.serve_connection(TokioIo::new(stream), service);
        let watched = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(err) = watched.await {
                tracing::debug!(error = %err, "connection ended with an error");
            }
            drop(permit);
        });
    }
    // Closing the listener refuses new connections at once.
    drop(listener);
    graceful.shutdown().await;
    trimmer.abort();
    Ok(())
}

/// How often the server looks whether requests have stopped.
const IDLE_CHECK: Duration = Duration::from_secs(5);

/// Hands the memory freed after a burst of requests back to the kernel,
/// once, when a whole `IDLE_CHECK` passed without a request. glibc keeps
/// freed memory in each thread's arena; after the benchmark the server held
/// 67 MB idle, 58 MB with two arenas, but two arenas cost 7–25% of the
/// throughput (docs/PERFORMANCE.md). Trimming only while idle costs nothing
/// under load.
async fn trim_when_idle(requests: Arc<AtomicU64>) {
    let (mut seen, mut trimmed) = (0, 0);
    let mut tick = tokio::time::interval(IDLE_CHECK);
    loop {
        tick.tick().await;
        let count = requests.load(Ordering::Relaxed);
        if quiet_after_work(count, seen, trimmed) {
            crate::allocator::return_freed_memory();
            trimmed = count;
        }
        seen = count;
    }
}

/// No request since the last look (`seen`), but some since the last trim.
fn quiet_after_work(count: u64, seen: u64, trimmed: u64) -> bool {
    count == seen && count != trimmed
}

/// The body stalled: no byte arrived within the idle limit.
#[derive(Debug, thiserror::Error)]
#[error("the request body sent nothing for {0:?}")]
pub struct BodyStalled(Duration);

/// A request body that fails once the client sends nothing for `idle`
/// while Easel waits for it. Only waiting counts: time the handler spends
/// on other work between two reads does not.
pub struct IdleLimited<B> {
    inner: B,
    idle: Duration,
    waiting: bool,
    deadline: Pin<Box<Sleep>>,
}

impl<B> IdleLimited<B> {
    pub fn new(inner: B, idle: Duration) -> Self {
        Self { inner, idle, waiting: false, deadline: Box::pin(tokio::time::sleep(idle)) }
    }
}

impl<B> Body for IdleLimited<B>
where
    B: Body<Data = Bytes> + Unpin,
    B::Error: Into<axum::BoxError>,
{
    type Data = Bytes;
    type Error = axum::BoxError;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(frame) => {
                this.waiting = false;
                Poll::Ready(frame.map(|f| f.map_err(Into::into)))
            }
            Poll::Pending => {
                if !this.waiting {
                    this.waiting = true;
                    let deadline = tokio::time::Instant::now() + this.idle;
                    this.deadline.as_mut().reset(deadline);
                }
                match this.deadline.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Some(Err(Box::new(BodyStalled(this.idle))))),
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use http_body_util::BodyExt;

    use super::*;

    #[test]
    fn memory_is_trimmed_once_when_requests_stop() {
        assert!(!quiet_after_work(0, 0, 0), "nothing served yet");
        assert!(!quiet_after_work(9, 4, 0), "still serving");
        assert!(quiet_after_work(9, 9, 0), "quiet after work");
        assert!(!quiet_after_work(9, 9, 9), "already trimmed");
        assert!(quiet_after_work(12, 12, 9), "quiet after more work");
    }

    /// A body that sends one frame, then nothing ever again.
    struct Stalls(bool);

    impl Body for Stalls {
        type Data = Bytes;
        type Error = Infallible;
        fn poll_frame(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
            if std::mem::replace(&mut self.0, true) {
                Poll::Pending
            } else {
                Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(b"first")))))
            }
        }
    }

    #[tokio::test]
    async fn a_stalled_body_fails_after_the_idle_limit() {
        let mut body = IdleLimited::new(Stalls(false), Duration::from_millis(50));
        let first = body.frame().await.expect("a frame").expect("data");
        assert_eq!(first.into_data().ok(), Some(Bytes::from_static(b"first")));
        let stalled = body.frame().await.expect("an end");
        assert!(stalled.is_err_and(|e| e.is::<BodyStalled>()));
    }

    #[tokio::test]
    async fn time_not_spent_waiting_does_not_count() {
        let full = http_body_util::Full::new(Bytes::from_static(b"all"));
        let mut body = IdleLimited::new(full, Duration::from_millis(20));
        tokio::time::sleep(Duration::from_millis(100)).await;
        let frame = body.frame().await.expect("a frame").expect("data");
        assert_eq!(frame.into_data().ok(), Some(Bytes::from_static(b"all")));
    }
}

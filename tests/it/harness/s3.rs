//! A real S3 server for the tests: `s3s-fs` serving a temporary folder on
//! 127.0.0.1, with SigV4 signatures checked against one access key. One is
//! shared by the whole test binary (like the PostgreSQL cluster), each test
//! under a prefix of its own; a test that must stop its server starts one.

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
    sync::OnceLock,
};

use tempfile::TempDir;
use tokio::sync::oneshot;

/// Like `on_both_backends!`, plus a third variant on PostgreSQL whose files
/// live in the test S3 server (for the features that store files).
#[macro_export]
macro_rules! on_every_store {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::harness::Backend::Sqlite).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::harness::Backend::Postgres).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres_s3() {
                    $crate::harness::s3::ON_S3.scope(true, super::$name($crate::harness::Backend::Postgres)).await
                }
            }
        )*
    };
}

pub const BUCKET: &str = "easel";
pub const ACCESS_KEY: &str = "easel-test-key";
pub const SECRET_KEY: &str = "easel-test-secret-0123456789";

tokio::task_local! {
    /// Set by `on_every_store!` for its S3 variant: the app of the test
    /// stores its files in the shared S3 server.
    pub static ON_S3: bool;
}

/// Whether the running test asked for S3 storage.
pub fn wanted() -> bool {
    ON_S3.try_with(|on| *on).unwrap_or(false)
}

pub struct S3Server {
    pub addr: SocketAddr,
    /// The folder s3s-fs serves: an object is the file `<root>/<bucket>/<key>`.
    pub root: PathBuf,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    _dir: Option<TempDir>,
}

impl S3Server {
    /// Starts a server (on a thread and runtime of its own, so it outlives
    /// any one test's runtime) with the bucket `easel` made.
    pub fn start() -> Self {
        let dir = tempfile::Builder::new().prefix("easel-s3-").tempdir().expect("s3 folder");
        let mut server = Self::start_in(dir.path());
        server._dir = Some(dir);
        server
    }

    pub fn start_in(root: &Path) -> Self {
        std::fs::create_dir_all(root.join(BUCKET)).expect("bucket folder");
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind the s3 server");
        let addr = listener.local_addr().expect("s3 address");
        listener.set_nonblocking(true).expect("nonblocking");
        let (stop, stopped) = oneshot::channel();
        let served = root.to_owned();
        let thread = std::thread::spawn(move || {
            let runtime =
                tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("s3 runtime");
            runtime.block_on(serve(listener, &served, stopped));
        });
        Self { addr, root: root.to_owned(), stop: Some(stop), thread: Some(thread), _dir: None }
    }

    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The environment that points Easel at `s3://easel/<prefix>` here.
    pub fn env(&self, prefix: &str) -> Vec<(String, String)> {
        [
            ("EASEL_STORAGE", format!("s3://{BUCKET}/{prefix}")),
            ("EASEL_S3_ENDPOINT", self.endpoint()),
            ("EASEL_S3_REGION", "us-east-1".to_owned()),
            ("EASEL_S3_PATH_STYLE", "1".to_owned()),
            ("AWS_ACCESS_KEY_ID", ACCESS_KEY.to_owned()),
            ("AWS_SECRET_ACCESS_KEY", SECRET_KEY.to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
    }

    /// Where the objects under `prefix` are, as files.
    pub fn folder(&self, prefix: &str) -> PathBuf {
        self.root.join(BUCKET).join(prefix)
    }

    /// Stops answering (connections are refused from now on).
    pub fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The server the whole test binary shares.
pub fn shared() -> &'static S3Server {
    static SERVER: OnceLock<S3Server> = OnceLock::new();
    SERVER.get_or_init(S3Server::start)
}

async fn serve(listener: std::net::TcpListener, root: &Path, mut stopped: oneshot::Receiver<()>) {
    use s3s::{auth::SimpleAuth, service::S3ServiceBuilder};
    let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
    let fs = s3s_fs::FileSystem::new(root).expect("s3s-fs");
    let mut builder = S3ServiceBuilder::new(fs);
    builder.set_auth(SimpleAuth::from_single(ACCESS_KEY, SECRET_KEY));
    let service = builder.build();
    let mut connections = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((socket, _)) = accepted else { continue };
                let service = service.clone();
                connections.spawn(async move {
                    let io = hyper_util::rt::TokioIo::new(socket);
                    let _ = hyper::server::conn::http1::Builder::new().serve_connection(io, service).await;
                });
            }
            _ = &mut stopped => break,
        }
    }
    connections.abort_all();
}

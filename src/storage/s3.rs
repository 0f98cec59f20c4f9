//! The S3 backend, through Apache Arrow's `object_store` (it signs every
//! request with SigV4): a bucket, an optional key prefix, presigned URLs.

use std::{io, path::Path, sync::Arc, time::Duration};

use object_store::{
    BackoffConfig, ClientOptions, ObjectStore, ObjectStoreExt, RetryConfig, WriteMultipart,
    aws::{AmazonS3, AmazonS3Builder},
    path::Path as ObjectPath,
    prefix::PrefixStore,
    signer::Signer,
};
use tokio::io::AsyncReadExt;

use super::S3Setting;

/// Files up to this size go up in one request; larger ones in parts.
const ONE_REQUEST: u64 = 16 * 1024 * 1024;
const PART: usize = 8 * 1024 * 1024;

#[derive(Debug)]
pub struct Bucket {
    s3: Arc<AmazonS3>,
    name: String,
    prefix: String,
}

impl Bucket {
    pub fn open(setting: &S3Setting) -> io::Result<Self> {
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(&setting.bucket)
            .with_region(&setting.region)
            .with_access_key_id(&setting.access_key_id)
            .with_secret_access_key(&setting.secret_access_key)
            .with_virtual_hosted_style_request(!setting.path_style)
            // A store that is down must fail a request in seconds, not retry for minutes.
            .with_retry(RetryConfig {
                backoff: BackoffConfig::default(),
                max_retries: 3,
                retry_timeout: Duration::from_secs(10),
            })
            .with_client_options(
                ClientOptions::new()
                    .with_connect_timeout(Duration::from_secs(5))
                    .with_timeout(Duration::from_secs(300))
                    .with_allow_http(setting.endpoint.as_ref().is_some_and(|e| e.scheme() == "http")),
            );
        if let Some(endpoint) = &setting.endpoint {
            builder = builder.with_endpoint(endpoint_for(endpoint, &setting.bucket, setting.path_style));
        }
        let s3 = builder.build().map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        Ok(Self { s3: Arc::new(s3), name: setting.bucket.clone(), prefix: setting.prefix.clone() })
    }

    /// The store the rest of Easel uses: keys relative to the prefix.
    pub fn store(&self) -> Arc<dyn ObjectStore> {
        if self.prefix.is_empty() {
            self.s3.clone()
        } else {
            Arc::new(PrefixStore::new(self.s3.clone(), self.prefix.as_str()))
        }
    }

    pub fn url(&self) -> String {
        if self.prefix.is_empty() {
            format!("s3://{}", self.name)
        } else {
            format!("s3://{}/{}", self.name, self.prefix)
        }
    }

    pub async fn presign(&self, key: &ObjectPath, lifetime: Duration) -> io::Result<url::Url> {
        let full = if self.prefix.is_empty() {
            key.clone()
        } else {
            ObjectPath::parse(format!("{}/{key}", self.prefix))
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?
        };
        self.s3.signed_url(object_store::signer::Method::GET, &full, lifetime).await.map_err(io::Error::from)
    }
}

/// With virtual-hosted addressing the bucket is part of the host name.
fn endpoint_for(endpoint: &url::Url, bucket: &str, path_style: bool) -> String {
    let mut url = endpoint.clone();
    if !path_style && let Some(host) = endpoint.host_str() {
        let _ = url.set_host(Some(&format!("{bucket}.{host}")));
    }
    url.as_str().trim_end_matches('/').to_owned()
}

/// Uploads a local file under `key`: one request for most, parts for big
/// ones, so memory stays bounded.
pub async fn upload(store: &dyn ObjectStore, local: &Path, key: &ObjectPath) -> io::Result<()> {
    let size = tokio::fs::metadata(local).await?.len();
    if size <= ONE_REQUEST {
        store.put(key, super::payload(local).await?).await?;
        return Ok(());
    }
    let mut file = tokio::fs::File::open(local).await?;
    let mut upload = WriteMultipart::new_with_chunk_size(store.put_multipart(key).await?, PART);
    let mut buffer = vec![0u8; 1024 * 1024];
    loop {
        let read = file.read(&mut buffer).await?;
        if read == 0 {
            break;
        }
        upload.wait_for_capacity(2).await?;
        upload.write(&buffer[..read]);
    }
    upload.finish().await?;
    Ok(())
}

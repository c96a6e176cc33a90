//! Uploads: one call from a local file to a GEN content resource.
//!
//! [`Agent::upload`] takes an [`UploadSource`] (a path, bytes, or an async
//! reader with a known length) and returns the created content resource,
//! whose id the creation cards take as `*_resource_id`:
//!
//! ```no_run
//! use genpro_sdk::upload::{UploadOptions, UploadSource};
//!
//! # async fn run(client: genpro_sdk::GenClient) -> Result<(), genpro_sdk::Error> {
//! let options = UploadOptions::new().on_progress(|sent, total| {
//!     eprintln!("{sent}/{total} bytes");
//! });
//! let agent = client.agent(genpro_sdk::steps::AgentId::new(42));
//! let uploaded = agent.upload(UploadSource::path("hero.mp4"), options).await?;
//! println!("content resource {}", uploaded.id);
//! # Ok(()) }
//! ```
//!
//! ## Sizes
//!
//! Sizes are in bytes; "MB" and "GB" in GEN's documentation are read as
//! binary units here: MiB = 1024 × 1024 bytes, GiB = 1024 MiB.
//!
//! | size | way |
//! |---|---|
//! | 0 bytes | refused before any request ([`ErrorKind::Validation`](crate::ErrorKind::Validation), field `file`) |
//! | 1 byte ..= 50 MiB ([`DIRECT_UPLOAD_THRESHOLD`]) | one `multipart/form-data` `POST /v1/content_resources?agent_id=` with the file in `content_resource[file]` |
//! | 50 MiB + 1 ..= 1 GiB ([`MAX_UPLOAD_BYTES`]) | direct upload (below) |
//! | over 1 GiB | refused before any request ([`ErrorKind::Validation`](crate::ErrorKind::Validation), field `file`) |
//!
//! The threshold can be changed per call
//! ([`UploadOptions::direct_upload_threshold`]).
//!
//! ## Direct upload
//!
//! 1. The MD5 of the file is computed while reading it once (a 1 MiB buffer;
//!    the file is never held in memory whole) and encoded as standard padded
//!    base64: exactly what `openssl md5 -binary FILE | base64` prints
//!    ([`md5_base64`]).
//! 2. `POST /v1/direct_upload` with
//!    `{blob: {filename, byte_size, checksum, content_type}}`.
//! 3. `PUT` the bytes, streamed from the source, to the returned
//!    `direct_upload.url` with exactly the returned `direct_upload.headers`
//!    (plus `Content-Length`). This request goes to a storage host, so it is
//!    sent by a separate HTTP client **without** the API key or any
//!    `Authorization` header.
//! 4. `POST /v1/content_resources?agent_id=` as `multipart/form-data` with
//!    the `signed_id` in the text field `content_resource[file]` (seed 001:
//!    "3. POST /v1/content_resources with signed_id as
//!    `content_resource[file]`", an endpoint it marks "(multipart)").
//!
//! An async reader cannot be read twice, and the checksum is needed before
//! the `PUT`: a reader source above the threshold is therefore **spooled to
//! a temporary file** while it is hashed (in [`UploadOptions::spool_dir`],
//! default the system temporary directory; deleted afterwards). Pass a path
//! to avoid the copy.
//!
//! ## Retries
//!
//! - The storage `PUT` is idempotent: it is retried on connect errors,
//!   timeouts, 408, 429 and 5xx with the client's [`RetryPolicy`]
//!   (bounded attempts, backoff). Each attempt re-reads the source from its
//!   start (the file is re-opened; bytes are re-sent from the shared buffer);
//!   a file whose size or modification time changed since it was hashed is
//!   refused instead of being sent with a stale checksum.
//! - `POST /v1/direct_upload` and `POST /v1/content_resources` create
//!   something (free of credits), so they are retried only when GEN did not
//!   act on the request: connect errors, 429 and 503
//!   ([`Idempotency::NonIdempotent`]); never after a 500/502/504 or a
//!   timeout, after which a duplicate resource could appear.
//! - A multipart upload from an async reader is sent once (a reader cannot
//!   be rewound).
//!
//! ## Progress and cancellation
//!
//! [`UploadOptions::on_progress`] takes a callback `Fn(sent, total)` called
//! as bytes are handed to the connection (suitable for a progress bar; it
//! restarts from 0 when the `PUT` is retried). [`UploadOptions::progress_channel`]
//! gives a `tokio::sync::watch` receiver of [`UploadProgress`], which also
//! reports the hashing phase of a direct upload.
//!
//! Dropping the future cancels the upload (the connection is closed, a
//! running checksum stops). [`UploadOptions::cancel_token`] does the same
//! from elsewhere and makes the call return [`ErrorKind::Cancelled`](crate::ErrorKind::Cancelled).
//!
//! [`RetryPolicy`]: crate::retry::RetryPolicy
//! [`Idempotency::NonIdempotent`]: crate::retry::Idempotency::NonIdempotent
//! [`Agent::upload`]: crate::steps::Agent::upload

mod checksum;
mod direct;
mod source;
mod storage;

pub use checksum::{md5_base64, md5_base64_file};
use direct::direct_upload;
pub use source::UploadSource;
pub(crate) use source::{Described, io_error};
pub(crate) use storage::{CountingStream, build_storage_client};

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use genpro_api::types;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use crate::client::GenClient;
use crate::error::Error;

/// Files larger than this many bytes (50 MiB = 50 × 1024 × 1024) are sent
/// with a direct upload; smaller ones in one multipart request.
pub const DIRECT_UPLOAD_THRESHOLD: u64 = 50 * 1024 * 1024;

/// The largest upload GEN accepts, in bytes (1 GiB = 1024 × 1024 × 1024).
pub const MAX_UPLOAD_BYTES: u64 = 1024 * 1024 * 1024;

/// Chunk size of the request bodies streamed from a source.
pub(crate) const CHUNK_SIZE: usize = 256 * 1024;

/// The phase an [`UploadProgress`] reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum UploadPhase {
    /// Computing the checksum of a direct upload (or spooling a reader).
    Hashing,
    /// Sending the bytes (multipart body or storage `PUT`). Restarts from 0
    /// when the `PUT` is retried.
    Sending,
}

/// Progress of an upload, as sent on [`UploadOptions::progress_channel`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct UploadProgress {
    /// What is being done.
    pub phase: UploadPhase,
    /// Bytes done in this phase.
    pub bytes: u64,
    /// Size of the file in bytes.
    pub total: u64,
}

type ProgressFn = Arc<dyn Fn(u64, u64) + Send + Sync>;

/// Where progress goes: the callback (sending only) and the watch channel
/// (both phases).
#[derive(Clone, Default)]
pub(crate) struct ProgressSink {
    callback: Option<ProgressFn>,
    watch: Option<watch::Sender<UploadProgress>>,
}

impl ProgressSink {
    pub(crate) fn report(&self, phase: UploadPhase, bytes: u64, total: u64) {
        if phase == UploadPhase::Sending
            && let Some(callback) = &self.callback
        {
            callback(bytes, total);
        }
        if let Some(watch) = &self.watch {
            watch.send_replace(UploadProgress {
                phase,
                bytes,
                total,
            });
        }
    }
}

/// Options of [`Agent::upload`](crate::steps::Agent::upload). `UploadOptions::default()` uses the 50 MiB
/// threshold, no progress, no cancellation token, a size-based timeout and
/// the system temporary directory for spooling.
#[derive(Clone, Default)]
pub struct UploadOptions {
    threshold: Option<u64>,
    progress: ProgressSink,
    cancel: Option<CancellationToken>,
    timeout: Option<Duration>,
    spool_dir: Option<PathBuf>,
    storage_client: Option<reqwest::Client>,
}

impl fmt::Debug for UploadOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UploadOptions")
            .field("direct_upload_threshold", &self.threshold())
            .field("on_progress", &self.progress.callback.is_some())
            .field("progress_channel", &self.progress.watch.is_some())
            .field("cancel", &self.cancel.is_some())
            .field("timeout", &self.timeout)
            .field("spool_dir", &self.spool_dir)
            .field("storage_client", &self.storage_client.is_some())
            .finish()
    }
}

impl UploadOptions {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Files strictly larger than `bytes` use a direct upload; default
    /// [`DIRECT_UPLOAD_THRESHOLD`] (50 MiB). Values above
    /// [`MAX_UPLOAD_BYTES`] are capped to it.
    pub fn direct_upload_threshold(mut self, bytes: u64) -> Self {
        self.threshold = Some(bytes.min(MAX_UPLOAD_BYTES));
        self
    }

    /// The threshold in effect.
    pub fn threshold(&self) -> u64 {
        self.threshold.unwrap_or(DIRECT_UPLOAD_THRESHOLD)
    }

    /// Calls `callback(sent, total)` as the file's bytes are sent (from 0
    /// again if the `PUT` is retried). Keep it quick: it runs on the
    /// connection's task.
    pub fn on_progress(mut self, callback: impl Fn(u64, u64) + Send + Sync + 'static) -> Self {
        self.progress.callback = Some(Arc::new(callback));
        self
    }

    /// Reports progress (hashing and sending) on a `tokio::sync::watch`
    /// channel; returns the options and the receiver.
    pub fn progress_channel(mut self) -> (Self, watch::Receiver<UploadProgress>) {
        let (tx, rx) = watch::channel(UploadProgress {
            phase: UploadPhase::Sending,
            bytes: 0,
            total: 0,
        });
        self.progress.watch = Some(tx);
        (self, rx)
    }

    /// Cancels the upload when `token` is cancelled; the call then returns
    /// [`ErrorKind::Cancelled`](crate::ErrorKind::Cancelled). (Dropping the future cancels it too.)
    pub fn cancel_token(mut self, token: CancellationToken) -> Self {
        self.cancel = Some(token);
        self
    }

    /// Time limit of each request carrying the file (multipart `POST` or
    /// storage `PUT`). Default: the client's request timeout, raised to
    /// 2 minutes plus 1 second per 512 KiB of file (≈ 4 Mbit/s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Directory of the temporary file a large reader source is spooled to
    /// (default: the system temporary directory).
    pub fn spool_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.spool_dir = Some(dir.into());
        self
    }

    /// The HTTP client of the storage `PUT`. It must not carry the API key
    /// or an `Authorization` default header. Default: a client built for
    /// the call with the GEN client's connect timeout and user agent, and no
    /// default headers.
    pub fn storage_client(mut self, client: reqwest::Client) -> Self {
        self.storage_client = Some(client);
        self
    }

    pub(crate) fn progress_sink(&self) -> &ProgressSink {
        &self.progress
    }

    pub(crate) fn file_timeout(&self, client: &GenClient, len: u64) -> Duration {
        self.timeout
            .unwrap_or_else(|| default_file_timeout(client.config().request_timeout(), len))
    }
}

/// The client's request timeout, raised to 2 minutes + 1 s per 512 KiB.
pub(crate) fn default_file_timeout(request_timeout: Duration, len: u64) -> Duration {
    let by_size = Duration::from_secs(120 + len / (512 * 1024));
    request_timeout.max(by_size)
}

/// [`crate::steps::Agent::upload`]: multipart up to the threshold, a
/// direct upload above it.
pub(crate) async fn upload(
    client: &GenClient,
    agent_id: i64,
    source: UploadSource,
    options: UploadOptions,
) -> Result<types::ContentResource, Error> {
    {
        let token = options
            .cancel
            .as_ref()
            .map(CancellationToken::child_token)
            .unwrap_or_default();
        // Dropping the future cancels the token: a running checksum stops.
        let _guard = token.clone().drop_guard();
        tokio::select! {
            biased;
            () = token.cancelled() => Err(Error::cancelled()),
            result = upload_inner(client, agent_id, &source, &options, &token) => result,
        }
    }
}

async fn upload_inner(
    client: &GenClient,
    agent_id: i64,
    source: &UploadSource,
    options: &UploadOptions,
    token: &CancellationToken,
) -> Result<types::ContentResource, Error> {
    let described = source.describe().await?;
    if described.len <= options.threshold() {
        tracing::debug!(
            bytes = described.len,
            "uploading a content resource (multipart)"
        );
        return crate::multipart::post_content_resource(
            client,
            agent_id,
            source,
            &described,
            options.progress_sink(),
            options.file_timeout(client, described.len),
        )
        .await;
    }
    tracing::debug!(
        bytes = described.len,
        "uploading a content resource (direct upload)"
    );
    direct_upload(client, agent_id, source, &described, options, token).await
}

#[cfg(test)]
mod tests {
    use super::source::check_size;
    use super::*;

    #[test]
    fn md5_known_vectors() {
        assert_eq!(md5_base64(b""), "1B2M2Y8AsgTpgAmY7PhCfg==");
        assert_eq!(md5_base64(b"abc"), "kAFQmDzST7DWlj99KOF/cg==");
        assert_eq!(
            md5_base64(b"The quick brown fox jumps over the lazy dog"),
            "nhB9nTcrtoJr2B01QqQZ1g=="
        );
    }

    #[test]
    fn size_limits() {
        assert!(check_size(0).is_err());
        assert!(check_size(1).is_ok());
        assert!(check_size(MAX_UPLOAD_BYTES).is_ok());
        assert!(check_size(MAX_UPLOAD_BYTES + 1).is_err());
    }

    #[test]
    fn content_type_guess() {
        assert_eq!(
            UploadSource::path("/x/hero.mp4").content_type(),
            "video/mp4"
        );
        assert_eq!(
            UploadSource::bytes(vec![1], "a.png").content_type(),
            "image/png"
        );
        assert_eq!(
            UploadSource::bytes(vec![1], "a.unknownext").content_type(),
            "application/octet-stream"
        );
        assert_eq!(
            UploadSource::bytes(vec![1], "a.mp4")
                .with_content_type("video/quicktime")
                .content_type(),
            "video/quicktime"
        );
    }

    #[test]
    fn default_timeout_grows_with_size() {
        let base = Duration::from_secs(30);
        assert_eq!(default_file_timeout(base, 1), Duration::from_secs(120));
        assert_eq!(
            default_file_timeout(base, MAX_UPLOAD_BYTES),
            Duration::from_secs(120 + 2048)
        );
        assert_eq!(
            default_file_timeout(Duration::from_secs(600), 1),
            Duration::from_secs(600)
        );
    }
}

//! Uploads: one call from a local file to a GEN content resource.
//!
//! [`Edit::upload`] takes an [`UploadSource`] (a path, bytes, or an async
//! reader with a known length) and returns the created
//! [`types::ContentResource`], whose `id` the creation cards take as
//! `*_resource_id`:
//!
//! ```no_run
//! use gen_sdk::upload::{UploadOptions, UploadSource};
//!
//! # async fn run(client: gen_sdk::GenClient) -> Result<(), gen_sdk::Error> {
//! let options = UploadOptions::new().on_progress(|sent, total| {
//!     eprintln!("{sent}/{total} bytes");
//! });
//! let resource = client
//!     .edit()
//!     .upload(42, UploadSource::path("hero.mp4"), options)
//!     .await?;
//! println!("content resource {}", resource.id.unwrap_or_default());
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
//! | 0 bytes | refused before any request ([`Error::Validation`], field `file`) |
//! | 1 byte ..= 50 MiB ([`DIRECT_UPLOAD_THRESHOLD`]) | one `multipart/form-data` `POST /v1/content_resources?agent_id=` with the file in `content_resource[file]` |
//! | 50 MiB + 1 ..= 1 GiB ([`MAX_UPLOAD_BYTES`]) | direct upload (below) |
//! | over 1 GiB | refused before any request ([`Error::Validation`], field `file`) |
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
//! from elsewhere and makes the call return [`Error::Cancelled`].
//!
//! [`RetryPolicy`]: crate::retry::RetryPolicy
//! [`Edit::upload`]: crate::phases::Edit::upload

use std::fmt;
use std::io::{self, Read};
use std::num::NonZeroU64;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};

use base64::Engine as _;
use bytes::Bytes;
use futures::Stream;
use gen_api::prelude::*;
use gen_api::types;
use md5::{Digest, Md5};
use reqwest::header::{CONTENT_LENGTH, HeaderMap, HeaderName, HeaderValue};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::sync::watch;
use tokio_util::io::ReaderStream;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use crate::client::GenClient;
use crate::error::{Error, from_reqwest};
use crate::phases::Edit;
use crate::retry::{Idempotency, Retrier};
use crate::transport::with_retry_class;

/// Files larger than this many bytes (50 MiB = 50 × 1024 × 1024) are sent
/// with a direct upload; smaller ones in one multipart request.
pub const DIRECT_UPLOAD_THRESHOLD: u64 = 50 * 1024 * 1024;

/// The largest upload GEN accepts, in bytes (1 GiB = 1024 × 1024 × 1024).
pub const MAX_UPLOAD_BYTES: u64 = 1024 * 1024 * 1024;

/// Chunk size of the request bodies streamed from a source.
pub(crate) const CHUNK_SIZE: usize = 256 * 1024;

/// Buffer size of the checksum pass over a file.
const HASH_BUFFER: usize = 1024 * 1024;

/// The base64 (standard alphabet, padded) of the MD5 of `bytes`: the
/// `checksum` of a direct upload, equal to
/// `openssl md5 -binary FILE | base64`.
///
/// ```
/// assert_eq!(gen_sdk::upload::md5_base64(b""), "1B2M2Y8AsgTpgAmY7PhCfg==");
/// ```
pub fn md5_base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(Md5::digest(bytes))
}

/// [`md5_base64`] of a file, read in 1 MiB blocks on a blocking thread
/// (never held in memory whole).
pub async fn md5_base64_file(path: impl AsRef<Path>) -> Result<String, Error> {
    let path = path.as_ref().to_path_buf();
    let token = CancellationToken::new();
    let (checksum, _) = tokio::task::spawn_blocking(move || {
        hash_file_blocking(&path, &ProgressSink::default(), &token)
    })
    .await
    .map_err(join_error)??;
    Ok(checksum)
}

type BoxReader = Box<dyn AsyncRead + Send + Unpin>;

/// What to upload: a file path, bytes in memory, or an async reader with a
/// known length; with an optional file name and content type.
///
/// The file name defaults to the path's last component (bytes and readers
/// take one); the content type is guessed from the file name's extension
/// (`video/mp4`, `image/png`, ...; `application/octet-stream` when unknown)
/// unless set with [`Self::with_content_type`].
pub struct UploadSource {
    kind: SourceKind,
    filename: Option<String>,
    content_type: Option<String>,
}

enum SourceKind {
    Path(PathBuf),
    Bytes(Bytes),
    Reader {
        len: u64,
        reader: Mutex<Option<BoxReader>>,
    },
}

impl fmt::Debug for UploadSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("UploadSource");
        match &self.kind {
            SourceKind::Path(p) => d.field("path", p),
            SourceKind::Bytes(b) => d.field("bytes", &b.len()),
            SourceKind::Reader { len, .. } => d.field("reader", len),
        };
        d.field("filename", &self.filename)
            .field("content_type", &self.content_type)
            .finish()
    }
}

impl From<PathBuf> for UploadSource {
    fn from(path: PathBuf) -> Self {
        Self::path(path)
    }
}

impl From<&Path> for UploadSource {
    fn from(path: &Path) -> Self {
        Self::path(path)
    }
}

impl From<&PathBuf> for UploadSource {
    fn from(path: &PathBuf) -> Self {
        Self::path(path)
    }
}

impl UploadSource {
    /// A file on disk. It is opened when the upload starts (and again for
    /// each retry), never read into memory whole.
    pub fn path(path: impl Into<PathBuf>) -> Self {
        Self {
            kind: SourceKind::Path(path.into()),
            filename: None,
            content_type: None,
        }
    }

    /// Bytes in memory, uploaded under `filename`.
    pub fn bytes(bytes: impl Into<Bytes>, filename: impl Into<String>) -> Self {
        Self {
            kind: SourceKind::Bytes(bytes.into()),
            filename: Some(filename.into()),
            content_type: None,
        }
    }

    /// An async reader that yields exactly `len` bytes, uploaded under
    /// `filename`. Above the direct-upload threshold it is spooled to a
    /// temporary file while hashed (the checksum is needed before the
    /// `PUT`); below it, it is streamed in one request that is not retried.
    /// A reader yielding more or fewer than `len` bytes fails the upload.
    pub fn reader(
        reader: impl AsyncRead + Send + Unpin + 'static,
        len: u64,
        filename: impl Into<String>,
    ) -> Self {
        Self {
            kind: SourceKind::Reader {
                len,
                reader: Mutex::new(Some(Box::new(reader))),
            },
            filename: Some(filename.into()),
            content_type: None,
        }
    }

    /// Sets the file name sent to GEN.
    pub fn with_filename(mut self, filename: impl Into<String>) -> Self {
        self.filename = Some(filename.into());
        self
    }

    /// Sets the content type instead of guessing it from the extension.
    pub fn with_content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// The file name sent to GEN: the one set, or the path's last
    /// component.
    pub fn filename(&self) -> Option<String> {
        self.filename.clone().or_else(|| match &self.kind {
            SourceKind::Path(p) => p.file_name().map(|n| n.to_string_lossy().into_owned()),
            _ => None,
        })
    }

    /// The content type sent to GEN: the one set, or the guess from the
    /// file name's extension (`application/octet-stream` when unknown).
    pub fn content_type(&self) -> String {
        self.content_type.clone().unwrap_or_else(|| {
            self.filename()
                .map(|name| {
                    mime_guess::from_path(name)
                        .first_or_octet_stream()
                        .essence_str()
                        .to_owned()
                })
                .unwrap_or_else(|| "application/octet-stream".to_owned())
        })
    }

    /// True when the source can be read again from its start (paths and
    /// bytes), which retries need.
    pub fn is_rewindable(&self) -> bool {
        !matches!(self.kind, SourceKind::Reader { .. })
    }

    /// The size in bytes (a path's current size).
    pub async fn byte_len(&self) -> Result<u64, Error> {
        match &self.kind {
            SourceKind::Path(path) => {
                let meta = tokio::fs::metadata(path)
                    .await
                    .map_err(|e| io_error(path, e))?;
                if !meta.is_file() {
                    return Err(Error::validation(
                        "file",
                        format!("{} is not a regular file", path.display()),
                        None,
                    ));
                }
                Ok(meta.len())
            }
            SourceKind::Bytes(b) => Ok(b.len() as u64),
            SourceKind::Reader { len, .. } => Ok(*len),
        }
    }

    /// Opens the source from its start. A reader can be opened once.
    pub(crate) async fn open(&self) -> Result<BoxReader, Error> {
        match &self.kind {
            SourceKind::Path(path) => Ok(Box::new(
                tokio::fs::File::open(path)
                    .await
                    .map_err(|e| io_error(path, e))?,
            )),
            SourceKind::Bytes(b) => Ok(Box::new(io::Cursor::new(b.clone()))),
            SourceKind::Reader { reader, .. } => reader
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .take()
                .ok_or_else(|| {
                    Error::validation(
                        "file",
                        "the reader was already consumed by an earlier attempt; pass a path or bytes to allow retries",
                        None,
                    )
                }),
        }
    }

    /// Checks everything that can be checked without a request: size
    /// limits, file name, content type. Returns the resolved metadata.
    pub(crate) async fn describe(&self) -> Result<Described, Error> {
        let len = self.byte_len().await?;
        check_size(len)?;
        let filename = self
            .filename()
            .filter(|n| !n.trim().is_empty())
            .ok_or_else(|| Error::validation("filename", "must not be empty", None))?;
        let content_type = self.content_type();
        if content_type.parse::<mime_guess::Mime>().is_err()
            || HeaderValue::from_str(&content_type).is_err()
        {
            return Err(Error::validation(
                "content_type",
                format!("{content_type:?} is not a valid media type"),
                None,
            ));
        }
        Ok(Described {
            len,
            filename,
            content_type,
        })
    }
}

/// Resolved metadata of a source.
#[derive(Clone, Debug)]
pub(crate) struct Described {
    pub(crate) len: u64,
    pub(crate) filename: String,
    pub(crate) content_type: String,
}

fn check_size(len: u64) -> Result<(), Error> {
    if len == 0 {
        return Err(Error::validation(
            "file",
            "is empty (0 bytes); GEN needs at least 1 byte",
            None,
        ));
    }
    if len > MAX_UPLOAD_BYTES {
        return Err(Error::validation(
            "file",
            format!(
                "is {len} bytes, over the 1 GiB upload limit ({MAX_UPLOAD_BYTES} bytes = 1024 × 1024 × 1024)"
            ),
            None,
        ));
    }
    Ok(())
}

pub(crate) fn io_error(path: &Path, source: io::Error) -> Error {
    Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn join_error(e: tokio::task::JoinError) -> Error {
    Error::Io {
        path: PathBuf::new(),
        source: io::Error::other(format!("the checksum task failed: {e}")),
    }
}

/// The phase an [`UploadProgress`] reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UploadPhase {
    /// Computing the checksum of a direct upload (or spooling a reader).
    Hashing,
    /// Sending the bytes (multipart body or storage `PUT`). Restarts from 0
    /// when the `PUT` is retried.
    Sending,
}

/// Progress of an upload, as sent on [`UploadOptions::progress_channel`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
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

/// Options of [`Edit::upload`]. `UploadOptions::default()` uses the 50 MiB
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
    /// [`Error::Cancelled`]. (Dropping the future cancels it too.)
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

/// A client without default headers for storage and CDN hosts: the API key
/// never goes there.
pub(crate) fn build_storage_client(client: &GenClient) -> Result<reqwest::Client, Error> {
    crate::init_tls();
    reqwest::Client::builder()
        .user_agent(client.config().user_agent().to_owned())
        .connect_timeout(client.config().connect_timeout())
        .build()
        .map_err(|e| Error::config(format!("could not build the storage HTTP client: {e}")))
}

/// A request body stream over a source: counts the bytes, reports progress
/// and fails when the source yields more or fewer bytes than announced
/// (the request is then aborted rather than sent short).
pub(crate) struct CountingStream {
    inner: ReaderStream<tokio::io::Take<BoxReader>>,
    sent: u64,
    total: u64,
    progress: ProgressSink,
    done: bool,
}

impl CountingStream {
    pub(crate) fn new(reader: BoxReader, total: u64, progress: ProgressSink) -> Self {
        // One byte more than announced, to notice a longer source.
        let reader = reader.take(total.saturating_add(1));
        progress.report(UploadPhase::Sending, 0, total);
        Self {
            inner: ReaderStream::with_capacity(reader, CHUNK_SIZE),
            sent: 0,
            total,
            progress,
            done: false,
        }
    }
}

impl Stream for CountingStream {
    type Item = io::Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.done {
            return Poll::Ready(None);
        }
        match Pin::new(&mut this.inner).poll_next(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Some(Ok(chunk))) => {
                this.sent += chunk.len() as u64;
                if this.sent > this.total {
                    this.done = true;
                    return Poll::Ready(Some(Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!(
                            "the source has more than the {} bytes announced",
                            this.total
                        ),
                    ))));
                }
                this.progress
                    .report(UploadPhase::Sending, this.sent, this.total);
                Poll::Ready(Some(Ok(chunk)))
            }
            Poll::Ready(Some(Err(e))) => {
                this.done = true;
                Poll::Ready(Some(Err(e)))
            }
            Poll::Ready(None) => {
                this.done = true;
                if this.sent < this.total {
                    Poll::Ready(Some(Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        format!(
                            "the source ended after {} of the {} bytes announced",
                            this.sent, this.total
                        ),
                    ))))
                } else {
                    Poll::Ready(None)
                }
            }
        }
    }
}

/// Size and modification time of a hashed file: a retry refuses a file
/// that changed since its checksum was computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Fingerprint {
    len: u64,
    modified: Option<SystemTime>,
}

impl Fingerprint {
    fn of(meta: &std::fs::Metadata) -> Self {
        Self {
            len: meta.len(),
            modified: meta.modified().ok(),
        }
    }
}

fn hash_file_blocking(
    path: &Path,
    progress: &ProgressSink,
    cancel: &CancellationToken,
) -> Result<(String, Fingerprint), Error> {
    let mut file = std::fs::File::open(path).map_err(|e| io_error(path, e))?;
    let meta = file.metadata().map_err(|e| io_error(path, e))?;
    let total = meta.len();
    let mut hasher = Md5::new();
    let mut buf = vec![0u8; HASH_BUFFER];
    let mut done = 0u64;
    progress.report(UploadPhase::Hashing, 0, total);
    loop {
        if cancel.is_cancelled() {
            return Err(Error::Cancelled);
        }
        let n = match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(io_error(path, e)),
        };
        hasher.update(&buf[..n]);
        done += n as u64;
        progress.report(UploadPhase::Hashing, done, total);
    }
    let after = std::fs::metadata(path).map_err(|e| io_error(path, e))?;
    let fingerprint = Fingerprint::of(&meta);
    if done != total || Fingerprint::of(&after) != fingerprint {
        return Err(Error::validation(
            "file",
            format!("{} changed while its checksum was computed", path.display()),
            None,
        ));
    }
    Ok((
        base64::engine::general_purpose::STANDARD.encode(hasher.finalize()),
        fingerprint,
    ))
}

/// What the `PUT` reads from: a hashed file (re-opened per attempt) or
/// bytes.
enum PutSource {
    File {
        path: PathBuf,
        fingerprint: Fingerprint,
    },
    Bytes(Bytes),
}

impl PutSource {
    async fn open(&self) -> Result<BoxReader, Error> {
        match self {
            Self::File { path, fingerprint } => {
                let file = tokio::fs::File::open(path)
                    .await
                    .map_err(|e| io_error(path, e))?;
                let meta = file.metadata().await.map_err(|e| io_error(path, e))?;
                if Fingerprint::of(&meta) != *fingerprint {
                    return Err(Error::validation(
                        "file",
                        format!(
                            "{} changed (size or modification time) since its checksum was computed; upload it again",
                            path.display()
                        ),
                        None,
                    ));
                }
                Ok(Box::new(file))
            }
            Self::Bytes(b) => Ok(Box::new(io::Cursor::new(b.clone()))),
        }
    }
}

/// Copies a reader to a temporary file while hashing it.
async fn spool(
    mut reader: BoxReader,
    len: u64,
    dir: Option<&Path>,
    progress: &ProgressSink,
) -> Result<(tempfile::TempPath, String, Fingerprint), Error> {
    let temp_dir = dir
        .map(Path::to_path_buf)
        .unwrap_or_else(std::env::temp_dir);
    let temp = tempfile::Builder::new()
        .prefix(".gen-sdk-upload-")
        .tempfile_in(&temp_dir)
        .map_err(|e| io_error(&temp_dir, e))?;
    let (file, path) = temp.into_parts();
    let mut file = tokio::fs::File::from_std(file);
    let mut limited = (&mut reader).take(len.saturating_add(1));
    let mut hasher = Md5::new();
    let mut buf = vec![0u8; CHUNK_SIZE];
    let mut done = 0u64;
    progress.report(UploadPhase::Hashing, 0, len);
    loop {
        let n = limited
            .read(&mut buf)
            .await
            .map_err(|e| io_error(&path, e))?;
        if n == 0 {
            break;
        }
        done += n as u64;
        if done > len {
            break;
        }
        hasher.update(&buf[..n]);
        file.write_all(&buf[..n])
            .await
            .map_err(|e| io_error(&path, e))?;
        progress.report(UploadPhase::Hashing, done, len);
    }
    if done != len {
        return Err(Error::validation(
            "file",
            if done > len {
                format!("the reader has more than the {len} bytes announced")
            } else {
                format!("the reader ended after {done} of the {len} bytes announced")
            },
            None,
        ));
    }
    file.flush().await.map_err(|e| io_error(&path, e))?;
    let meta = file.metadata().await.map_err(|e| io_error(&path, e))?;
    drop(file);
    let fingerprint = Fingerprint::of(&meta);
    Ok((
        path,
        base64::engine::general_purpose::STANDARD.encode(hasher.finalize()),
        fingerprint,
    ))
}

/// The `direct_upload.headers` as a header map; `Content-Length` is set by
/// gen-sdk from the size.
fn storage_headers(
    headers: &std::collections::HashMap<String, String>,
) -> Result<HeaderMap, Error> {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        let header_name =
            HeaderName::from_bytes(name.as_bytes()).map_err(|_| Error::InvalidRequest {
                message: format!("direct_upload.headers has an invalid header name {name:?}"),
            })?;
        if header_name == CONTENT_LENGTH {
            continue;
        }
        let header_value = HeaderValue::from_str(value).map_err(|_| Error::InvalidRequest {
            message: format!("direct_upload.headers has an invalid value for {name}"),
        })?;
        map.append(header_name, header_value);
    }
    Ok(map)
}

impl<'a> Edit<'a> {
    /// Uploads a file (up to 1 GiB) and returns the content resource:
    /// multipart up to the threshold (50 MiB), a checksummed direct upload
    /// above it. See the [module documentation](crate::upload) for the
    /// steps, retries, progress and cancellation.
    ///
    /// Errors: [`Error::Validation`] (field `file`) for an empty file or
    /// one over 1 GiB, before any request; [`Error::Io`] when the file
    /// cannot be read; [`Error::Cancelled`]; and the API / storage errors
    /// of the requests ([`Error::Api`] with the status).
    pub async fn upload(
        &self,
        agent_id: i64,
        source: impl Into<UploadSource>,
        options: UploadOptions,
    ) -> Result<types::ContentResource, Error> {
        let source = source.into();
        let token = options
            .cancel
            .as_ref()
            .map(CancellationToken::child_token)
            .unwrap_or_default();
        // Dropping the future cancels the token: a running checksum stops.
        let _guard = token.clone().drop_guard();
        tokio::select! {
            biased;
            () = token.cancelled() => Err(Error::Cancelled),
            result = upload_inner(self.client(), agent_id, &source, &options, &token) => result,
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

async fn direct_upload(
    client: &GenClient,
    agent_id: i64,
    source: &UploadSource,
    described: &Described,
    options: &UploadOptions,
    token: &CancellationToken,
) -> Result<types::ContentResource, Error> {
    let len = described.len;
    let progress = options.progress_sink();

    // 1. Checksum (and, for a reader, a re-readable copy).
    let mut _spooled: Option<tempfile::TempPath> = None;
    let (put_source, checksum) = match &source.kind {
        SourceKind::Path(path) => {
            let path = path.clone();
            let progress = progress.clone();
            let token = token.clone();
            let (checksum, fingerprint) = {
                let path = path.clone();
                tokio::task::spawn_blocking(move || hash_file_blocking(&path, &progress, &token))
                    .await
                    .map_err(join_error)??
            };
            if fingerprint.len != len {
                return Err(Error::validation(
                    "file",
                    format!("{} changed size before its checksum", path.display()),
                    None,
                ));
            }
            (PutSource::File { path, fingerprint }, checksum)
        }
        SourceKind::Bytes(bytes) => {
            let bytes = bytes.clone();
            let for_hash = bytes.clone();
            progress.report(UploadPhase::Hashing, 0, len);
            let checksum = tokio::task::spawn_blocking(move || md5_base64(&for_hash))
                .await
                .map_err(join_error)?;
            progress.report(UploadPhase::Hashing, len, len);
            (PutSource::Bytes(bytes), checksum)
        }
        SourceKind::Reader { .. } => {
            let reader = source.open().await?;
            let (path, checksum, fingerprint) =
                spool(reader, len, options.spool_dir.as_deref(), progress).await?;
            let put = PutSource::File {
                path: path.to_path_buf(),
                fingerprint,
            };
            _spooled = Some(path);
            (put, checksum)
        }
    };

    // 2. The upload slot.
    let byte_size =
        NonZeroU64::new(len).ok_or_else(|| Error::validation("file", "is empty", None))?;
    let body = types::DirectUploadRequest {
        blob: types::DirectUploadBlob {
            byte_size,
            checksum,
            content_type: described.content_type.clone(),
            filename: described.filename.clone(),
        },
    };
    // Not retried once it may have reached GEN, although openapi.yaml calls
    // the operation idempotent: it may have been created (test
    // `direct_upload_post_500_is_not_retried`).
    let call = client.raw().create_direct_upload().body(body);
    let slot = with_retry_class(Idempotency::NonIdempotent, call.send())
        .await?
        .into_inner();

    // 3. The bytes, to storage, without our credentials.
    let storage = match &options.storage_client {
        Some(c) => c.clone(),
        None => build_storage_client(client)?,
    };
    let headers = storage_headers(&slot.direct_upload.headers)?;
    let timeout = options.file_timeout(client, len);
    put_with_retries(
        client.retrier(),
        &storage,
        &slot.direct_upload.url,
        &headers,
        &put_source,
        len,
        progress,
        timeout,
    )
    .await?;

    // 4. The content resource: multipart, the signed id as `content_resource[file]`.
    crate::multipart::post_signed_content_resource(client, agent_id, &slot.signed_id).await
}

#[allow(clippy::too_many_arguments)]
async fn put_with_retries(
    retrier: &Retrier,
    storage: &reqwest::Client,
    url: &str,
    headers: &HeaderMap,
    source: &PutSource,
    len: u64,
    progress: &ProgressSink,
    timeout: Duration,
) -> Result<(), Error> {
    let span = tracing::info_span!(
        "storage_put",
        host = reqwest::Url::parse(url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
            .unwrap_or_default(),
        bytes = len,
        attempt = tracing::field::Empty,
        status = tracing::field::Empty,
    );
    let outer = span.clone();
    retrier
        .run(Idempotency::Idempotent, |attempt| {
            span.record("attempt", attempt);
            let span = span.clone();
            async move {
                let reader = source.open().await?;
                let body =
                    reqwest::Body::wrap_stream(CountingStream::new(reader, len, progress.clone()));
                let response = storage
                    .put(url)
                    .headers(headers.clone())
                    .header(CONTENT_LENGTH, len)
                    .timeout(timeout)
                    .body(body)
                    .send()
                    .await
                    // The pre-signed URL carries a signature: keep it out of errors.
                    .map_err(|e| from_reqwest(e.without_url()))?;
                let status = response.status();
                span.record("status", status.as_u16());
                let response_headers = response.headers().clone();
                let bytes = read_limited(response, crate::error::MAX_ERROR_BODY * 4)
                    .await
                    .unwrap_or_default();
                if !status.is_success() {
                    return Err(Error::from_response_parts(
                        status,
                        &response_headers,
                        &bytes,
                    ));
                }
                Ok(())
            }
        })
        .instrument(outer)
        .await
}

/// Reads at most `limit` bytes of a response body.
pub(crate) async fn read_limited(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| from_reqwest(e.without_url()))?
    {
        let room = limit.saturating_sub(out.len());
        out.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if out.len() >= limit {
            break;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
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

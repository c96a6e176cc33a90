//! Downloads: stream a public output URL (a render's
//! `output_resources[0].url`, any generation output, a content resource) to
//! a file.
//!
//! ```no_run
//! use genpro_sdk::download::DownloadOptions;
//!
//! # async fn run(client: genpro_sdk::GenClient) -> Result<(), genpro_sdk::Error> {
//! use genpro_sdk::steps::GenerationId;
//! let generation = client.generation(GenerationId::new(56789)).get().await?;
//! if let Some(output) = generation.output_resources.first() {
//!     let options = DownloadOptions::new().on_progress(|done, total| {
//!         eprintln!("{done}/{}", total.map_or("?".into(), |t| t.to_string()));
//!     });
//!     client.download(&output.url, "final_video.mp4", options).await?;
//! }
//! # Ok(()) }
//! ```
//!
//! - Output URLs are public CDN URLs: the request is sent by a separate
//!   HTTP client **without** the API key or an `Authorization` header, and
//!   follows redirects (like `curl -L`).
//! - The body is streamed to a temporary file in the target's directory,
//!   flushed and synced, then renamed over the target: readers never see a
//!   partial file, and a failed download leaves nothing behind.
//! - A non-2xx answer is an [`ErrorKind::Api`](crate::ErrorKind::Api) with the status (and the start of
//!   the body).
//! - Connect errors, timeouts, 408, 429 and 5xx are retried from the start
//!   with the client's retry policy (a download is idempotent).
//! - A stall (no bytes for [`DownloadOptions::idle_timeout`], default 60 s)
//!   fails the attempt with [`ErrorKind::Timeout`](crate::ErrorKind::Timeout).
//! - Progress: a callback `Fn(done, total)` (`total` is `None` when the
//!   server sends no `Content-Length`) or a `tokio::sync::watch` channel.
//!   Cancellation: drop the future, or cancel
//!   [`DownloadOptions::cancel_token`] ([`ErrorKind::Cancelled`](crate::ErrorKind::Cancelled)).

use std::fmt;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use crate::client::GenClient;
use crate::error::read_capped;
use crate::error::{Error, from_reqwest};
use crate::retry::{Idempotency, Retrier};
use crate::upload::{build_storage_client, io_error};

/// Default [`DownloadOptions::idle_timeout`].
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// Progress of a download, as sent on [`DownloadOptions::progress_channel`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct DownloadProgress {
    /// Bytes written so far (from 0 again when a retry restarts).
    pub bytes: u64,
    /// The `Content-Length`, when the server sent one.
    pub total: Option<u64>,
}

type ProgressFn = Arc<dyn Fn(u64, Option<u64>) + Send + Sync>;

/// Options of a download. `DownloadOptions::default()`: overwrite the
/// target, 60 s idle timeout, no progress, no cancellation token.
#[derive(Clone)]
pub struct DownloadOptions {
    callback: Option<ProgressFn>,
    watch: Option<watch::Sender<DownloadProgress>>,
    cancel: Option<CancellationToken>,
    idle_timeout: Duration,
    timeout: Option<Duration>,
    overwrite: bool,
    http: Option<reqwest::Client>,
    retrier: Option<Retrier>,
}

impl Default for DownloadOptions {
    fn default() -> Self {
        Self {
            callback: None,
            watch: None,
            cancel: None,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            timeout: None,
            overwrite: true,
            http: None,
            retrier: None,
        }
    }
}

impl fmt::Debug for DownloadOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DownloadOptions")
            .field("on_progress", &self.callback.is_some())
            .field("progress_channel", &self.watch.is_some())
            .field("cancel", &self.cancel.is_some())
            .field("idle_timeout", &self.idle_timeout)
            .field("timeout", &self.timeout)
            .field("overwrite", &self.overwrite)
            .field("http", &self.http.is_some())
            .field("retrier", &self.retrier)
            .finish()
    }
}

impl DownloadOptions {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Calls `callback(done, total)` as bytes are written.
    pub fn on_progress(
        mut self,
        callback: impl Fn(u64, Option<u64>) + Send + Sync + 'static,
    ) -> Self {
        self.callback = Some(Arc::new(callback));
        self
    }

    /// Reports progress on a `tokio::sync::watch` channel; returns the
    /// options and the receiver.
    pub fn progress_channel(mut self) -> (Self, watch::Receiver<DownloadProgress>) {
        let (tx, rx) = watch::channel(DownloadProgress::default());
        self.watch = Some(tx);
        (self, rx)
    }

    /// Cancels the download when `token` is cancelled ([`ErrorKind::Cancelled`](crate::ErrorKind::Cancelled);
    /// the temporary file is removed).
    pub fn cancel_token(mut self, token: CancellationToken) -> Self {
        self.cancel = Some(token);
        self
    }

    /// Fails an attempt when no byte arrives for this long (default 60 s).
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.idle_timeout = timeout;
        self
    }

    /// Limits each attempt's total time (default: none, only the idle
    /// timeout).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// False refuses to replace an existing target ([`ErrorKind::Io`](crate::ErrorKind::Io),
    /// `AlreadyExists`). Default true.
    pub fn overwrite(mut self, overwrite: bool) -> Self {
        self.overwrite = overwrite;
        self
    }

    /// The HTTP client to download with. It must not carry the API key.
    /// Default: a client without default headers.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// The retry loop (default: the GEN client's, or
    /// [`Retrier::default`] for [`download`]).
    pub fn retrier(mut self, retrier: Retrier) -> Self {
        self.retrier = Some(retrier);
        self
    }

    fn report(&self, bytes: u64, total: Option<u64>) {
        if let Some(callback) = &self.callback {
            callback(bytes, total);
        }
        if let Some(watch) = &self.watch {
            watch.send_replace(DownloadProgress { bytes, total });
        }
    }
}

/// A finished download.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Downloaded {
    /// The file written.
    pub path: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
    /// The `Content-Type` the server sent.
    pub content_type: Option<String>,
}

/// Downloads `url` to `path` without any GEN client (no credentials are
/// involved); see the [module documentation](self).
pub async fn download(
    url: &str,
    path: impl AsRef<Path>,
    options: DownloadOptions,
) -> Result<Downloaded, Error> {
    crate::init_tls();
    let http = match &options.http {
        Some(c) => c.clone(),
        None => reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| Error::config(format!("could not build the HTTP client: {e}")))?,
    };
    let retrier = options.retrier.clone().unwrap_or_default();
    run_cancellable(
        &options,
        download_inner(&http, &retrier, url, path.as_ref(), &options),
    )
    .await
}

/// [`GenClient::download`]: the client's retry policy, connect timeout and
/// user agent, without its key.
pub(crate) async fn download_with(
    client: &GenClient,
    url: &str,
    path: &Path,
    options: DownloadOptions,
) -> Result<Downloaded, Error> {
    let http = match &options.http {
        Some(c) => c.clone(),
        None => build_storage_client(client)?,
    };
    let retrier = options
        .retrier
        .clone()
        .unwrap_or_else(|| client.retrier().clone());
    run_cancellable(
        &options,
        download_inner(&http, &retrier, url, path, &options),
    )
    .await
}

async fn run_cancellable<T>(
    options: &DownloadOptions,
    fut: impl Future<Output = Result<T, Error>>,
) -> Result<T, Error> {
    match &options.cancel {
        Some(token) => tokio::select! {
            biased;
            () = token.cancelled() => Err(Error::cancelled()),
            result = fut => result,
        },
        None => fut.await,
    }
}

async fn download_inner(
    http: &reqwest::Client,
    retrier: &Retrier,
    url: &str,
    path: &Path,
    options: &DownloadOptions,
) -> Result<Downloaded, Error> {
    let parsed = reqwest::Url::parse(url)
        .map_err(|e| Error::validation("url", format!("{url:?} is not a URL: {e}"), None))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(Error::validation(
            "url",
            format!("scheme {:?} is not downloadable", parsed.scheme()),
            Some(vec!["https".into(), "http".into()]),
        ));
    }
    let file_name = path
        .file_name()
        .ok_or_else(|| Error::validation("path", "must name a file", None))?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !options.overwrite && tokio::fs::try_exists(path).await.unwrap_or(false) {
        return Err(io_error(
            path,
            std::io::Error::new(std::io::ErrorKind::AlreadyExists, "the file exists"),
        ));
    }
    let mut builder = tempfile::Builder::new();
    let prefix = format!(".{}.", file_name.to_string_lossy());
    builder.prefix(&prefix).suffix(".part");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o644));
    }
    // Removed on drop unless persisted: an error or a cancellation leaves
    // nothing behind.
    let temp = builder
        .tempfile_in(&dir)
        .map_err(|e| io_error(&dir, e))?
        .into_temp_path();

    let span = tracing::info_span!(
        "download",
        host = parsed.host_str().unwrap_or_default(),
        attempt = tracing::field::Empty,
        status = tracing::field::Empty,
    );
    let inner_span = span.clone();
    let temp_ref: &Path = &temp;
    let (bytes, content_type) = retrier
        .run(Idempotency::Idempotent, |attempt| {
            inner_span.record("attempt", attempt);
            let span = inner_span.clone();
            let parsed = parsed.clone();
            async move {
                let idle = options.idle_timeout;
                let mut request = http.get(parsed);
                if let Some(timeout) = options.timeout {
                    request = request.timeout(timeout);
                }
                let mut response = tokio::time::timeout(idle, request.send())
                    .await
                    .map_err(|_| Error::timeout(false, None))?
                    .map_err(from_reqwest)?;
                let status = response.status();
                span.record("status", status.as_u16());
                if !status.is_success() {
                    let headers = response.headers().clone();
                    let (body, _) = read_capped(response, crate::error::MAX_ERROR_BODY as u64)
                        .await
                        .unwrap_or_default();
                    return Err(Error::from_response_parts(status, &headers, &body));
                }
                let total = response.content_length();
                let content_type = response
                    .headers()
                    .get(reqwest::header::CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                let mut file = tokio::fs::OpenOptions::new()
                    .write(true)
                    .truncate(true)
                    .open(temp_ref)
                    .await
                    .map_err(|e| io_error(temp_ref, e))?;
                let mut done = 0u64;
                options.report(0, total);
                loop {
                    let chunk = tokio::time::timeout(idle, response.chunk())
                        .await
                        .map_err(|_| Error::timeout(false, None))?
                        .map_err(from_reqwest)?;
                    let Some(chunk) = chunk else { break };
                    file.write_all(&chunk)
                        .await
                        .map_err(|e| io_error(temp_ref, e))?;
                    done += chunk.len() as u64;
                    options.report(done, total);
                }
                file.flush().await.map_err(|e| io_error(temp_ref, e))?;
                file.sync_all().await.map_err(|e| io_error(temp_ref, e))?;
                Ok((done, content_type))
            }
        })
        .instrument(span)
        .await?;

    let result = if options.overwrite {
        temp.persist(path)
    } else {
        temp.persist_noclobber(path)
    };
    result.map_err(|e| io_error(path, e.error))?;
    Ok(Downloaded {
        path: path.to_path_buf(),
        bytes,
        content_type,
    })
}

//! The storage host: a client without the key, the streamed `PUT` of a
//! direct upload (retried, re-reading its source) and capped reads.

use std::io;
use std::path::PathBuf;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures_util::Stream;
use reqwest::header::{CONTENT_LENGTH, HeaderMap, HeaderName, HeaderValue};
use tokio::io::AsyncReadExt;
use tokio_util::io::ReaderStream;
use tracing::Instrument;

use crate::client::GenClient;
use crate::error::{Error, MAX_ERROR_BODY, from_reqwest, read_capped};
use crate::retry::{Idempotency, Retrier};

use super::checksum::Fingerprint;
use super::source::{BoxReader, io_error};
use super::{CHUNK_SIZE, ProgressSink, UploadPhase};

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

/// What the `PUT` reads from: a hashed file (re-opened per attempt) or
/// bytes.
pub(crate) enum PutSource {
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

/// The `direct_upload.headers` as a header map; `Content-Length` is set by
/// genpro-sdk from the size.
pub(crate) fn storage_headers(
    headers: &std::collections::BTreeMap<String, String>,
) -> Result<HeaderMap, Error> {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        let header_name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
            Error::invalid_request(format!(
                "direct_upload.headers has an invalid header name {name:?}"
            ))
        })?;
        if header_name == CONTENT_LENGTH {
            continue;
        }
        let header_value = HeaderValue::from_str(value).map_err(|_| {
            Error::invalid_request(format!(
                "direct_upload.headers has an invalid value for {name}"
            ))
        })?;
        map.append(header_name, header_value);
    }
    Ok(map)
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn put_with_retries(
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
                let (bytes, _) = read_capped(response, MAX_ERROR_BODY as u64 * 4)
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

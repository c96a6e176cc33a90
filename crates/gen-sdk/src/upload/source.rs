//! What to upload: [`UploadSource`] (a path, bytes or a reader), its
//! resolved size, name and type, and the size limits.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use bytes::Bytes;
use reqwest::header::HeaderValue;
use tokio::io::AsyncRead;

use crate::error::Error;

use super::MAX_UPLOAD_BYTES;

pub(crate) type BoxReader = Box<dyn AsyncRead + Send + Unpin>;

/// What to upload: a file path, bytes in memory, or an async reader with a
/// known length; with an optional file name and content type.
///
/// The file name defaults to the path's last component (bytes and readers
/// take one); the content type is guessed from the file name's extension
/// (`video/mp4`, `image/png`, ...; `application/octet-stream` when unknown)
/// unless set with [`Self::with_content_type`].
pub struct UploadSource {
    pub(crate) kind: SourceKind,
    filename: Option<String>,
    content_type: Option<String>,
}

pub(crate) enum SourceKind {
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

pub(crate) fn check_size(len: u64) -> Result<(), Error> {
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
    Error::io(path.to_path_buf(), source)
}

pub(crate) fn join_error(e: tokio::task::JoinError) -> Error {
    Error::io(
        PathBuf::new(),
        io::Error::other(format!("the checksum task failed: {e}")),
    )
}

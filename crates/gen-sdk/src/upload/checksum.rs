//! The MD5 checksum of a direct upload, computed while reading the source
//! once (a file in 1 MiB blocks; a reader spooled to a temporary file).

use std::io::{self, Read};
use std::path::Path;
use std::time::SystemTime;

use base64::Engine as _;
use md5::{Digest, Md5};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_util::sync::CancellationToken;

use crate::error::Error;

use super::source::{BoxReader, io_error, join_error};
use super::{CHUNK_SIZE, ProgressSink, UploadPhase};

/// Buffer size of the checksum pass over a file.
pub(crate) const HASH_BUFFER: usize = 1024 * 1024;

/// The base64 (standard alphabet, padded) of the MD5 of `bytes`: the
/// `checksum` of a direct upload, equal to
/// `openssl md5 -binary FILE | base64`.
///
/// ```
/// assert_eq!(genpro_sdk::upload::md5_base64(b""), "1B2M2Y8AsgTpgAmY7PhCfg==");
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

/// Size and modification time of a hashed file: a retry refuses a file
/// that changed since its checksum was computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Fingerprint {
    pub(crate) len: u64,
    modified: Option<SystemTime>,
}

impl Fingerprint {
    pub(crate) fn of(meta: &std::fs::Metadata) -> Self {
        Self {
            len: meta.len(),
            modified: meta.modified().ok(),
        }
    }
}

pub(crate) fn hash_file_blocking(
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
            return Err(Error::cancelled());
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

/// Copies a reader to a temporary file while hashing it.
pub(crate) async fn spool(
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

//! A direct upload: checksum, `POST /v1/direct_upload`, the storage `PUT`,
//! then the content resource from the signed id.

use std::num::NonZeroU64;

use genpro_api::prelude::*;
use genpro_api::types;
use tokio_util::sync::CancellationToken;

use crate::client::GenClient;
use crate::error::Error;

use super::checksum::{hash_file_blocking, md5_base64, spool};
use super::source::{Described, SourceKind, UploadSource, join_error};
use super::storage::{PutSource, build_storage_client, put_with_retries, storage_headers};
use super::{UploadOptions, UploadPhase};

pub(crate) async fn direct_upload(
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
    // Each call creates an upload: openapi.yaml's `x-retry: free_create`, so
    // not retried once it may have reached GEN (test
    // `direct_upload_post_500_is_not_retried`).
    let call = client.raw().create_direct_upload().body(body);
    let slot = call.send().await?.into_inner();
    // No seed shows this answer with values (seed 001: "2. PUT file to
    // returned direct_upload.url", "3. POST /v1/content_resources with
    // signed_id as content_resource[file]"): all three are optional in
    // openapi.yaml, and checked here before any byte is sent.
    const OP: &str = "create_direct_upload";
    let target = slot
        .direct_upload
        .ok_or_else(|| Error::missing(OP, "direct_upload"))?;
    let url = target
        .url
        .ok_or_else(|| Error::missing(OP, "direct_upload.url"))?;
    let signed_id = slot
        .signed_id
        .ok_or_else(|| Error::missing(OP, "signed_id"))?;

    // 3. The bytes, to storage, without our credentials.
    let storage = match &options.storage_client {
        Some(c) => c.clone(),
        None => build_storage_client(client)?,
    };
    let headers = storage_headers(&target.headers)?;
    let timeout = options.file_timeout(client, len);
    put_with_retries(
        client.retrier(),
        &storage,
        &url,
        &headers,
        &put_source,
        len,
        progress,
        timeout,
    )
    .await?;

    // 4. The content resource: multipart, the signed id as `content_resource[file]`.
    crate::multipart::post_signed_content_resource(client, agent_id, &signed_id).await
}

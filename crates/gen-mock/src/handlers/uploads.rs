//! Uploads and assets: content resources, asset library and folders, direct upload, the
//! storage PUT target and the public CDN.

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query as Q, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use base64::Engine as _;
use futures_util::StreamExt;
use md5::{Digest, Md5};
use serde_json::{Value, json};

use super::{agent_q, is_multipart, multipart_parts, page_of};
use crate::error::*;
use crate::model::{Folder, Resource};
use crate::state::{MockState, StoragePutRecord};
use crate::store::uploads::NewResource;

/// Largest direct upload: 1 GiB.
const MAX_DIRECT_UPLOAD: i64 = 1024 * 1024 * 1024;

fn sanitize(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() { "upload.bin".into() } else { s }
}

fn guess_type(filename: &str) -> String {
    mime_guess::from_path(filename)
        .first_raw()
        .unwrap_or("application/octet-stream")
        .to_string()
}

/// `POST /v1/content_resources?agent_id=`: multipart. A file part `content_resource[file]` stores
/// the bytes; a text part (no filename) `content_resource[file]` is the `signed_id` of a finished
/// direct upload and attaches it (seed 001: "3. POST /v1/content_resources with signed_id as
/// `content_resource[file]`"). The JSON form `{content_resource: {file: <signed_id>}}` is accepted
/// too. 422 when the blob is unknown or was not uploaded.
pub(crate) async fn create_resource(
    State(s): State<MockState>,
    Q(q): Q<Query>,
    headers: HeaderMap,
    req: Request,
) -> ApiResult {
    let agent = agent_q(&s.data(), &q)?;
    if is_multipart(&headers) {
        let parts = multipart_parts(req).await?;
        let mut folder_id = None;
        let mut file = None;
        for part in parts {
            match part.name.as_str() {
                "content_resource[file]" | "file" => file = Some(part),
                "content_resource[folder_id]" => {
                    folder_id = String::from_utf8_lossy(&part.bytes)
                        .trim()
                        .parse::<i64>()
                        .ok();
                }
                _ => {}
            }
        }
        let file =
            file.ok_or_else(|| ApiError::validation("`content_resource[file]` is required"))?;
        if file.filename.is_none() {
            // a text field: the signed id of a direct upload
            let signed = String::from_utf8_lossy(&file.bytes).trim().to_owned();
            return attach_signed(&s, agent, &signed);
        }
        let filename = sanitize(file.filename.as_deref().unwrap_or("upload.bin"));
        let content_type = file
            .content_type
            .clone()
            .filter(|c| c != "application/octet-stream")
            .unwrap_or_else(|| guess_type(&filename));
        let mut d = s.data();
        if let Some(f) = folder_id
            && !d.uploads.folders.contains_key(&f)
        {
            return Err(ApiError::validation("Unknown folder_id"));
        }
        let new = NewResource {
            agent_id: agent,
            filename,
            content_type,
            byte_size: file.bytes.len() as u64,
            folder_id,
        };
        let d = &mut *d;
        let now = d.now_str();
        let r = d
            .uploads
            .add_resource(&mut d.ids, &d.base_url, new, now, Some(file.bytes));
        return ok(r.json());
    }
    let body = axum::body::to_bytes(req.into_body(), crate::MAX_BUFFERED_BODY)
        .await
        .map_err(|e| ApiError::validation(format!("Bad body: {e}")))?;
    let b = json_object(&body)?;
    let cr = wrapped(&b, "content_resource")?;
    let signed = req_str(&cr, "file")?;
    attach_signed(&s, agent, &signed)
}

/// Creates the content resource of a finished direct upload from its `signed_id`.
fn attach_signed(s: &MockState, agent: i64, signed: &str) -> ApiResult {
    let mut d = s.data();
    let blob = d
        .uploads
        .blobs
        .values()
        .find(|bl| bl.signed_id == signed)
        .cloned()
        .ok_or_else(|| ApiError::validation("Unknown signed_id"))?;
    if !blob.uploaded {
        return Err(ApiError::validation(
            "The direct upload has not been completed (PUT the file first)",
        ));
    }
    let new = NewResource {
        agent_id: agent,
        filename: sanitize(&blob.filename),
        content_type: blob.content_type.clone(),
        byte_size: blob.byte_size,
        folder_id: None,
    };
    let d = &mut *d;
    let now = d.now_str();
    let r = d
        .uploads
        .add_resource(&mut d.ids, &d.base_url, new, now, None);
    ok(r.json())
}

fn paginate<T: Clone>(items: Vec<T>, page: usize, per_page: usize) -> (Vec<T>, Value) {
    let total = items.len();
    let pages = total.div_ceil(per_page).max(1);
    let slice = items
        .into_iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .collect();
    (
        slice,
        json!({"page": page, "per_page": per_page, "total_pages": pages, "total_count": total}),
    )
}

/// `GET /v1/content_resources?agent_id=&type=&page=` → `{content_resources, meta}` (25 per page).
pub(crate) async fn list_resources(State(s): State<MockState>, Q(q): Q<Query>) -> ApiResult {
    let d = s.data();
    let agent = agent_q(&d, &q)?;
    let (page, per_page) = page_of(&q)?;
    let items: Vec<Value> = d
        .uploads
        .resources
        .values()
        .filter(|r| r.agent_id == agent)
        .filter(|r| q.get("type").is_none_or(|t| *t == r.object_type))
        .map(Resource::json)
        .collect();
    let (items, meta) = paginate(items, page, per_page);
    ok(json!({"content_resources": items, "meta": meta}))
}

fn resource_id(s: &MockState, p: &Params, q: &Query) -> Result<i64, ApiError> {
    let id = id_param(p, "id", "Content resource")?;
    let d = s.data();
    let agent = agent_q(&d, q)?;
    d.uploads
        .resources
        .get(&id)
        .filter(|r| r.agent_id == agent)
        .map(|r| r.id)
        .ok_or_else(|| ApiError::not_found("Content resource"))
}

/// `GET /v1/content_resources/{id}?agent_id=`
pub(crate) async fn get_resource(
    State(s): State<MockState>,
    Path(p): Path<Params>,
    Q(q): Q<Query>,
) -> ApiResult {
    let id = resource_id(&s, &p, &q)?;
    ok(s.data().uploads.resources[&id].json())
}

/// `PATCH /v1/content_resources/{id}?agent_id=` `{content_resource: {filename?, folder_id?}}`
pub(crate) async fn update_resource(
    State(s): State<MockState>,
    Path(p): Path<Params>,
    Q(q): Q<Query>,
    body: Bytes,
) -> ApiResult {
    let id = resource_id(&s, &p, &q)?;
    let b = json_object(&body)?;
    let cr = wrapped(&b, "content_resource")?;
    let filename = opt_str(&cr, "filename")?;
    let folder = cr.get("folder_id").cloned();
    let mut d = s.data();
    let folder_id = match folder {
        None => None,
        Some(Value::Null) => Some(None),
        Some(v) => {
            let f = v
                .as_i64()
                .ok_or_else(|| ApiError::validation("`folder_id` must be an integer or null"))?;
            if !d.uploads.folders.contains_key(&f) {
                return Err(ApiError::validation("Unknown folder_id"));
            }
            Some(Some(f))
        }
    };
    let r = d.uploads.resources.get_mut(&id).expect("resource");
    if let Some(f) = filename {
        r.filename = sanitize(&f);
    }
    if let Some(f) = folder_id {
        r.folder_id = f;
    }
    ok(r.json())
}

/// `DELETE /v1/content_resources/{id}?agent_id=`
pub(crate) async fn delete_resource(
    State(s): State<MockState>,
    Path(p): Path<Params>,
    Q(q): Q<Query>,
) -> ApiResult {
    let id = resource_id(&s, &p, &q)?;
    s.data().uploads.resources.remove(&id);
    no_content()
}

/// `GET /v1/asset_libraries?agent_id=&folder_id=&asset_type=&search=&page=` →
/// `{asset_folders, content_resources, meta}` of one folder level (root without `folder_id`).
pub(crate) async fn list_asset_libraries(State(s): State<MockState>, Q(q): Q<Query>) -> ApiResult {
    let d = s.data();
    let agent = agent_q(&d, &q)?;
    let (page, per_page) = page_of(&q)?;
    let folder = match q.get("folder_id") {
        Some(f) => Some(
            f.parse::<i64>()
                .ok()
                .filter(|f| d.uploads.folders.contains_key(f))
                .ok_or_else(|| ApiError::not_found("Asset folder"))?,
        ),
        None => None,
    };
    let search = q.get("search").map(|s| s.to_lowercase());
    let folders: Vec<Value> = d
        .uploads
        .folders
        .values()
        .filter(|f| f.agent_id == agent && f.parent_id == folder)
        .filter(|f| {
            search
                .as_ref()
                .is_none_or(|s| f.name.to_lowercase().contains(s))
        })
        .map(Folder::json)
        .collect();
    let items: Vec<Value> = d
        .uploads
        .resources
        .values()
        .filter(|r| r.agent_id == agent && r.folder_id == folder)
        .filter(|r| q.get("asset_type").is_none_or(|t| *t == r.object_type))
        .filter(|r| {
            search
                .as_ref()
                .is_none_or(|s| r.filename.to_lowercase().contains(s))
        })
        .map(Resource::json)
        .collect();
    let (items, meta) = paginate(items, page, per_page);
    ok(json!({"asset_folders": folders, "content_resources": items, "meta": meta}))
}

/// `POST /v1/asset_folders?agent_id=` `{asset_folder: {name, parent_id?}}`
pub(crate) async fn create_folder(
    State(s): State<MockState>,
    Q(q): Q<Query>,
    body: Bytes,
) -> ApiResult {
    let b = json_object(&body)?;
    let f = wrapped(&b, "asset_folder")?;
    let name = req_str(&f, "name")?;
    let parent = opt_i64(&f, "parent_id")?;
    let mut d = s.data();
    let agent = agent_q(&d, &q)?;
    if let Some(pid) = parent
        && d.uploads
            .folders
            .get(&pid)
            .is_none_or(|p| p.agent_id != agent)
    {
        return Err(ApiError::validation("Unknown parent_id"));
    }
    let id = d.next(|i| &mut i.folder);
    let folder = Folder {
        id,
        agent_id: agent,
        name,
        parent_id: parent,
        created_at: d.now_str(),
    };
    let v = folder.json();
    d.uploads.folders.insert(id, folder);
    ok(v)
}

/// `PATCH /v1/asset_folders/{id}?agent_id=` `{asset_folder: {name?, parent_id?}}`
pub(crate) async fn update_folder(
    State(s): State<MockState>,
    Path(p): Path<Params>,
    Q(q): Q<Query>,
    body: Bytes,
) -> ApiResult {
    let id = id_param(&p, "id", "Asset folder")?;
    let b = json_object(&body)?;
    let f = wrapped(&b, "asset_folder")?;
    let name = opt_str(&f, "name")?;
    let parent = f.get("parent_id").cloned();
    let mut d = s.data();
    let agent = agent_q(&d, &q)?;
    if d.uploads
        .folders
        .get(&id)
        .is_none_or(|f| f.agent_id != agent)
    {
        return Err(ApiError::not_found("Asset folder"));
    }
    let parent = match parent {
        None => None,
        Some(Value::Null) => Some(None),
        Some(v) => {
            let pid = v
                .as_i64()
                .ok_or_else(|| ApiError::validation("`parent_id` must be an integer or null"))?;
            if pid == id || !d.uploads.folders.contains_key(&pid) {
                return Err(ApiError::validation("Invalid parent_id"));
            }
            Some(Some(pid))
        }
    };
    let folder = d.uploads.folders.get_mut(&id).expect("folder");
    if let Some(n) = name {
        folder.name = n;
    }
    if let Some(pid) = parent {
        folder.parent_id = pid;
    }
    ok(folder.json())
}

/// `DELETE /v1/asset_folders/{id}?agent_id=` (its resources and sub-folders move to the root).
pub(crate) async fn delete_folder(
    State(s): State<MockState>,
    Path(p): Path<Params>,
    Q(q): Q<Query>,
) -> ApiResult {
    let id = id_param(&p, "id", "Asset folder")?;
    let mut d = s.data();
    let agent = agent_q(&d, &q)?;
    if d.uploads
        .folders
        .get(&id)
        .is_none_or(|f| f.agent_id != agent)
    {
        return Err(ApiError::not_found("Asset folder"));
    }
    d.uploads.folders.remove(&id);
    for f in d
        .uploads
        .folders
        .values_mut()
        .filter(|f| f.parent_id == Some(id))
    {
        f.parent_id = None;
    }
    for r in d
        .uploads
        .resources
        .values_mut()
        .filter(|r| r.folder_id == Some(id))
    {
        r.folder_id = None;
    }
    no_content()
}

/// `POST /v1/direct_upload` `{blob: {filename, byte_size, checksum, content_type}}` →
/// `{signed_id, direct_upload: {url: <base>/storage/<key>, headers}}`. `byte_size` must be
/// 1..=1 GiB and `checksum` the base64 of a 16-byte MD5 (else 422).
pub(crate) async fn create_direct_upload(State(s): State<MockState>, body: Bytes) -> ApiResult {
    let b = json_object(&body)?;
    let blob = wrapped(&b, "blob")?;
    let filename = req_str(&blob, "filename")?;
    let checksum = req_str(&blob, "checksum")?;
    let content_type = req_str(&blob, "content_type")?;
    let size = opt_i64(&blob, "byte_size")?
        .ok_or_else(|| ApiError::validation("`byte_size` is required"))?;
    if size < 1 {
        return Err(ApiError::validation("`byte_size` must be at least 1"));
    }
    if size > MAX_DIRECT_UPLOAD {
        return Err(ApiError::validation(
            "File too large: the maximum is 1 GB (1073741824 bytes)",
        ));
    }
    let digest_ok = base64::engine::general_purpose::STANDARD
        .decode(checksum.as_bytes())
        .is_ok_and(|d| d.len() == 16);
    if !digest_ok {
        return Err(ApiError::validation(
            "`checksum` must be the base64-encoded MD5 digest of the file",
        ));
    }
    let mut d = s.data();
    let n = d.next(|i| &mut i.misc) as u64;
    let key = format!(
        "{:016x}",
        n.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ d.cfg.seed.rotate_left(17)
    );
    let signed_id = format!("mock-signed-{key}--{}", n);
    let url = format!("{}/storage/{key}", d.base_url);
    d.uploads.blobs.insert(
        key,
        crate::model::Blob {
            signed_id: signed_id.clone(),
            filename,
            byte_size: size as u64,
            checksum: checksum.clone(),
            content_type: content_type.clone(),
            uploaded: false,
        },
    );
    ok(json!({
        "signed_id": signed_id,
        "direct_upload": {"url": url, "headers": {"Content-Type": content_type, "Content-MD5": checksum}}
    }))
}

/// `PUT /storage/{key}` (no auth, like a pre-signed S3 URL): streams the body (nothing is
/// buffered), hashes it with MD5 and counts bytes. 404 for an unknown key; 400 when the MD5
/// (base64) differs from the declared checksum, a `Content-MD5` header differs from it, or the
/// length differs from `byte_size`. On success the blob is marked uploaded (200, `ETag`).
pub(crate) async fn storage_put(
    State(s): State<MockState>,
    Path(p): Path<Params>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult {
    let key = str_param(&p, "key");
    let blob = s.raw().uploads.blobs.get(&key).cloned();
    let mut hasher = Md5::new();
    let mut count: u64 = 0;
    let mut stream = body.into_data_stream();
    let mut read_error = None;
    while let Some(chunk) = stream.next().await {
        match chunk {
            Ok(c) => {
                hasher.update(&c);
                count += c.len() as u64;
            }
            Err(e) => {
                read_error = Some(e.to_string());
                break;
            }
        }
    }
    let digest = hasher.finalize();
    let md5_b64 = base64::engine::general_purpose::STANDARD.encode(digest.as_slice());
    let header_str = |n: header::HeaderName| {
        headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let content_md5 = header_str(header::HeaderName::from_static("content-md5"));
    let mut record = StoragePutRecord {
        key: key.clone(),
        bytes: count,
        expected_bytes: blob.as_ref().map(|b| b.byte_size),
        checksum_ok: blob.as_ref().is_some_and(|b| b.checksum == md5_b64),
        length_ok: blob.as_ref().is_some_and(|b| b.byte_size == count),
        has_api_key: headers.contains_key("x-api-key"),
        has_authorization: headers.contains_key(header::AUTHORIZATION),
        content_type: header_str(header::CONTENT_TYPE),
        content_md5: content_md5.clone(),
        status: 200,
    };
    let result: ApiResult = match (&blob, read_error) {
        (_, Some(e)) => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "validation_error",
            format!("Upload interrupted: {e}"),
        )),
        (None, None) => Err(ApiError::not_found("Upload target")),
        (Some(b), None) => {
            if content_md5.as_ref().is_some_and(|h| *h != b.checksum) {
                Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "validation_error",
                    "BadDigest: the Content-MD5 header does not match the checksum of the direct upload",
                ))
            } else if !record.length_ok {
                Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "validation_error",
                    format!(
                        "IncompleteBody: received {count} bytes, expected {}",
                        b.byte_size
                    ),
                ))
            } else if !record.checksum_ok {
                Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "validation_error",
                    "BadDigest: the MD5 of the body does not match the checksum",
                ))
            } else {
                let etag = format!(
                    "\"{}\"",
                    digest
                        .iter()
                        .map(|b| format!("{b:02x}"))
                        .collect::<String>()
                );
                Ok(([(header::ETAG, etag)], StatusCode::OK).into_response())
            }
        }
    };
    record.status = match &result {
        Ok(r) => r.status().as_u16(),
        Err(e) => e.status.as_u16(),
    };
    let mut d = s.raw();
    if record.status == 200
        && let Some(b) = d.uploads.blobs.get_mut(&key)
    {
        b.uploaded = true;
    }
    d.log.storage_puts.push(record);
    result
}

/// Placeholder bytes for a CDN file of this name.
fn placeholder(path: &str) -> Vec<u8> {
    let ext = path.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    let mut out = match ext.as_str() {
        "mp4" | "mov" => {
            let mut v = vec![0, 0, 0, 0x18];
            v.extend_from_slice(b"ftypmp42\0\0\0\0mp42isom");
            v
        }
        "jpg" | "jpeg" => vec![0xFF, 0xD8, 0xFF, 0xE0],
        "png" => vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A],
        "mp3" => b"ID3\x04\0\0\0\0\0\0".to_vec(),
        _ => Vec::new(),
    };
    let filler = format!("genpro-mock placeholder for /cdn/{path}\n");
    while out.len() < 1024 {
        out.extend_from_slice(filler.as_bytes());
    }
    out.truncate(1024);
    out
}

/// `GET /cdn/{*path}` (public): uploaded bytes for multipart uploads, deterministic placeholder
/// media (1 KiB, with the right magic bytes) for everything else.
pub(crate) async fn cdn_get(State(s): State<MockState>, Path(p): Path<Params>) -> ApiResult {
    let path = str_param(&p, "path");
    let stored = s.raw().uploads.files.get(&path).cloned();
    let bytes = stored.unwrap_or_else(|| Bytes::from(placeholder(&path)));
    let ct = mime_guess::from_path(&path)
        .first_raw()
        .unwrap_or("application/octet-stream");
    Ok(([(header::CONTENT_TYPE, ct.to_string())], bytes).into_response())
}

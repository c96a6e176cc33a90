//! Uploads and assets: direct-upload blobs, content resources, the files the CDN serves, asset
//! folders.

use std::collections::{BTreeMap, HashMap};

use crate::model::{Blob, Folder, Resource};

/// Everything uploaded, and where it is filed.
#[derive(Default)]
pub(crate) struct UploadStore {
    /// Direct-upload blobs by storage key.
    pub blobs: HashMap<String, Blob>,
    /// Content resources by id.
    pub resources: BTreeMap<i64, Resource>,
    /// Uploaded bytes by CDN path.
    pub files: HashMap<String, bytes::Bytes>,
    /// Asset folders by id.
    pub folders: BTreeMap<i64, Folder>,
}

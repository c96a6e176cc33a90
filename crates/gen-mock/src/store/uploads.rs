//! Uploads and assets: direct-upload blobs, content resources, the files the CDN serves, asset
//! folders.

use std::collections::{BTreeMap, HashMap};

use super::Ids;
use crate::model::{Blob, Folder, Resource, object_type_of};

/// A content resource to add: everything but its id, URLs and time.
pub(crate) struct NewResource {
    pub agent_id: i64,
    /// Already sanitized.
    pub filename: String,
    pub content_type: String,
    pub byte_size: u64,
    pub folder_id: Option<i64>,
}

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

impl UploadStore {
    /// Add a content resource served at `{base_url}/cdn/uploads/{id}/{filename}` (with a
    /// thumbnail URL for videos and images); `bytes` are what the CDN serves there (None: a
    /// direct upload, whose bytes the storage route did not keep).
    pub fn add_resource(
        &mut self,
        ids: &mut Ids,
        base_url: &str,
        new: NewResource,
        created_at: String,
        bytes: Option<bytes::Bytes>,
    ) -> &Resource {
        let id = super::bump(&mut ids.resource);
        let path = format!("uploads/{id}/{}", new.filename);
        let object_type = object_type_of(&new.content_type);
        let r = Resource {
            id,
            agent_id: new.agent_id,
            url: format!("{base_url}/cdn/{path}"),
            thumbnail_url: matches!(object_type, "video" | "image")
                .then(|| format!("{base_url}/cdn/thumbnails/upload_{id}.jpg")),
            object_type: object_type.into(),
            filename: new.filename,
            content_type: new.content_type,
            byte_size: new.byte_size,
            folder_id: new.folder_id,
            created_at,
        };
        if let Some(bytes) = bytes {
            self.files.insert(path, bytes);
        }
        self.resources.insert(id, r);
        &self.resources[&id]
    }
}

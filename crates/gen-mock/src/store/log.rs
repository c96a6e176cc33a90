//! The request log: every request the mock received and every PUT to the storage route.

use crate::state::{RequestRecord, StoragePutRecord};

/// What the server saw, for tests to inspect.
#[derive(Default)]
pub(crate) struct RequestLog {
    /// Every request received so far, in order.
    pub requests: Vec<RequestRecord>,
    /// Every PUT to the storage route, in order.
    pub storage_puts: Vec<StoragePutRecord>,
}

impl RequestLog {
    /// Requests whose path equals `path`.
    pub fn to_path(&self, path: &str) -> Vec<RequestRecord> {
        self.requests
            .iter()
            .filter(|r| r.path == path)
            .cloned()
            .collect()
    }
}

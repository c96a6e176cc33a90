//! Paginated lists as a [`Stream`](futures_util::Stream) of items.
//!
//! Content resources, templates and the asset library are paginated
//! (`?page=`). These methods fetch lazily, one page at a time and only when
//! the consumer wants more items, each page through the client's retries and
//! error conversion. A failed page ends the stream with that error after the
//! items already fetched.
//!
//! ```no_run
//! use futures_util::TryStreamExt;
//! use genpro_sdk::pagination::ContentResourceFilter;
//!
//! # async fn run(client: genpro_sdk::GenClient) -> Result<(), genpro_sdk::Error> {
//! let videos: Vec<_> = client
//!     .agent(genpro_sdk::steps::AgentId::new(42))
//!     .content_resources(ContentResourceFilter::default().object_type("video"))
//!     .try_collect()
//!     .await?;
//! # Ok(()) }
//! ```
//!
//! When a page says how many pages there are (`meta.total_pages`), the
//! stream stops after the last one; otherwise it stops at the first empty
//! (or, for templates, short) page.

use std::collections::VecDeque;
use std::future::Future;
use std::num::NonZeroU64;

use futures_util::stream::{self, BoxStream, StreamExt};
use genpro_api::prelude::*;
use genpro_api::types;

use crate::Error;
use crate::client::GenClient;

/// A stream of items from a paginated list.
pub type ItemStream<T> = BoxStream<'static, Result<T, Error>>;

/// Templates asked for per page by [`GenClient::templates_stream`].
pub const TEMPLATES_PER_PAGE: u64 = 50;

/// One fetched page: its items, and whether it is the last.
struct Page<T> {
    items: Vec<T>,
    last: bool,
}

/// Turns `fetch(page_number)` (1-based) into a lazy stream of items.
fn paginate<T, F, Fut>(fetch: F) -> ItemStream<T>
where
    T: Send + 'static,
    F: FnMut(u64) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Page<T>, Error>> + Send,
{
    struct State<T, F> {
        fetch: F,
        next: Option<u64>,
        buffer: VecDeque<T>,
    }
    let state = State {
        fetch,
        next: Some(1),
        buffer: VecDeque::new(),
    };
    stream::unfold(state, |mut st| async move {
        loop {
            if let Some(item) = st.buffer.pop_front() {
                return Some((Ok(item), st));
            }
            let page = st.next?;
            match (st.fetch)(page).await {
                Ok(p) => {
                    st.next = (!p.last && !p.items.is_empty()).then_some(page + 1);
                    st.buffer.extend(p.items);
                }
                Err(e) => {
                    st.next = None;
                    return Some((Err(e), st));
                }
            }
        }
    })
    .boxed()
}

fn nonzero(page: u64) -> NonZeroU64 {
    NonZeroU64::new(page).unwrap_or(NonZeroU64::MIN)
}

fn is_last(page: u64, meta: Option<&types::PaginationMeta>) -> bool {
    meta.and_then(|m| m.total_pages)
        .is_some_and(|total| i64::try_from(page).unwrap_or(i64::MAX) >= total)
}

/// Filters of [`Agent::content_resources`](crate::steps::Agent::content_resources).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ContentResourceFilter {
    /// Only resources of this `type` (e.g. `video`, `image`, `audio`).
    pub object_type: Option<String>,
}

impl ContentResourceFilter {
    /// Only resources of this type.
    pub fn object_type(mut self, object_type: impl Into<String>) -> Self {
        self.object_type = Some(object_type.into());
        self
    }
}

/// Filters of [`Agent::asset_library`](crate::steps::Agent::asset_library).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AssetFilter {
    /// Only the content of this folder.
    pub folder_id: Option<i64>,
    /// Only assets of this type.
    pub asset_type: Option<String>,
    /// A search text.
    pub search: Option<String>,
}

impl AssetFilter {
    /// Only the content of this folder.
    pub fn folder_id(mut self, folder_id: i64) -> Self {
        self.folder_id = Some(folder_id);
        self
    }

    /// Only assets of this type.
    pub fn asset_type(mut self, asset_type: impl Into<String>) -> Self {
        self.asset_type = Some(asset_type.into());
        self
    }

    /// Only assets matching this search text.
    pub fn search(mut self, search: impl Into<String>) -> Self {
        self.search = Some(search.into());
        self
    }
}

/// An entry of the asset library: a folder or a content resource.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum AssetItem {
    /// A folder.
    Folder(types::AssetFolder),
    /// A content resource.
    Resource(types::ContentResource),
}

/// [`crate::steps::Agent::content_resources`].
pub(crate) fn content_resources(
    client: &GenClient,
    agent_id: i64,
    filter: ContentResourceFilter,
) -> ItemStream<types::ContentResource> {
    {
        let client = client.clone();
        paginate(move |page| {
            let client = client.clone();
            let filter = filter.clone();
            async move {
                let api = client.raw();
                let list = client
                    .send({
                        let mut b = api
                            .list_content_resources()
                            .agent_id(agent_id)
                            .page(nonzero(page));
                        if let Some(t) = &filter.object_type {
                            b = b.type_(t.clone());
                        }
                        b.send()
                    })
                    .await?;
                // a bare array (no meta) ends at the first empty page
                Ok(match list {
                    types::ContentResourcePage::Array(items) => Page { items, last: false },
                    types::ContentResourcePage::ContentResourceList(list) => Page {
                        last: is_last(page, list.meta.as_ref()),
                        items: list.content_resources,
                    },
                })
            }
        })
    }
}

/// [`crate::steps::Agent::asset_library`].
pub(crate) fn asset_library(
    client: &GenClient,
    agent_id: i64,
    filter: AssetFilter,
) -> ItemStream<AssetItem> {
    {
        let client = client.clone();
        paginate(move |page| {
            let client = client.clone();
            let filter = filter.clone();
            async move {
                let api = client.raw();
                let list = client
                    .send({
                        let mut b = api
                            .list_asset_libraries()
                            .agent_id(agent_id)
                            .page(nonzero(page));
                        if let Some(f) = filter.folder_id {
                            b = b.folder_id(f);
                        }
                        if let Some(t) = &filter.asset_type {
                            b = b.asset_type(t.clone());
                        }
                        if let Some(s) = &filter.search {
                            b = b.search(s.clone());
                        }
                        b.send()
                    })
                    .await?;
                // a bare array (no meta) ends at the first empty page
                Ok(match list {
                    types::AssetLibraryPage::Array(items) => Page {
                        items: items.into_iter().map(AssetItem::Resource).collect(),
                        last: false,
                    },
                    types::AssetLibraryPage::AssetLibraryList(list) => Page {
                        last: is_last(page, list.meta.as_ref()),
                        items: list
                            .asset_folders
                            .into_iter()
                            .map(AssetItem::Folder)
                            .chain(list.content_resources.into_iter().map(AssetItem::Resource))
                            .collect(),
                    },
                })
            }
        })
    }
}

/// [`GenClient::templates_stream`]: [`TEMPLATES_PER_PAGE`] a page; the
/// list is a bare array, so a short page is the last.
pub(crate) fn templates(client: &GenClient) -> ItemStream<types::Template> {
    {
        let client = client.clone();
        paginate(move |page| {
            let client = client.clone();
            async move {
                let call = client
                    .raw()
                    .list_templates()
                    .page(nonzero(page))
                    .per_page(nonzero(TEMPLATES_PER_PAGE));
                let items = call.send().await?.into_inner();
                Ok(Page {
                    last: (items.len() as u64) < TEMPLATES_PER_PAGE,
                    items,
                })
            }
        })
    }
}

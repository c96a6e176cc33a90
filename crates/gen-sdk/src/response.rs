//! What a successful answer says besides its body: the status and GEN's
//! request id (the `x-request-id` header, [`crate::error::REQUEST_ID_HEADER`],
//! the same one an [`Error`] reports), to quote to GEN support or to log.
//!
//! Any call, whatever returns it (a step handle's method, a generated
//! builder, [`crate::dynamic::call`], a waiter), keeps them with
//! [`WithMeta::with_meta`]:
//!
//! ```no_run
//! # async fn f(client: genpro_sdk::GenClient) -> Result<(), genpro_sdk::Error> {
//! use genpro_sdk::response::WithMeta as _;
//! let me = client.me().with_meta().await?;
//! println!("request id {:?}, status {:?}", me.request_id(), me.status());
//! let me = me.into_inner();
//! # Ok(()) }
//! ```
//!
//! A generated builder's answer (`genpro_api::ResponseValue`) has its
//! headers already: [`Response::from`] reads them. Every call also records
//! its request id in its `genpro_api_call` tracing span.

use std::cell::RefCell;
use std::future::Future;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use crate::error::{Error, REQUEST_ID_HEADER, header_str};

/// The status and request id of a successful answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Meta {
    status: u16,
    request_id: Option<String>,
}

impl Meta {
    /// The metadata of an answer with `status` and `headers`.
    pub fn from_parts(status: StatusCode, headers: &HeaderMap) -> Self {
        Self {
            status: status.as_u16(),
            request_id: header_str(headers, REQUEST_ID_HEADER),
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// GEN's request id (`x-request-id`), when the answer had one.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }
}

impl<T> From<&genpro_api::ResponseValue<T>> for Meta {
    fn from(value: &genpro_api::ResponseValue<T>) -> Self {
        Self::from_parts(value.status(), value.headers())
    }
}

impl From<&reqwest::Response> for Meta {
    fn from(response: &reqwest::Response) -> Self {
        Self::from_parts(response.status(), response.headers())
    }
}

/// A call's value with the [`Meta`] of the answer it came from (`None`
/// when the call received no answer itself: it sent nothing, or sent
/// through another task).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response<T> {
    value: T,
    meta: Option<Meta>,
}

impl<T> Response<T> {
    /// `value` with `meta`.
    pub fn new(value: T, meta: Option<Meta>) -> Self {
        Self { value, meta }
    }

    /// The value.
    pub fn value(&self) -> &T {
        &self.value
    }

    /// The value, without the metadata.
    pub fn into_inner(self) -> T {
        self.value
    }

    /// The value and the metadata.
    pub fn into_parts(self) -> (T, Option<Meta>) {
        (self.value, self.meta)
    }

    /// The metadata.
    pub fn meta(&self) -> Option<&Meta> {
        self.meta.as_ref()
    }

    /// The answer's status.
    pub fn status(&self) -> Option<u16> {
        self.meta.as_ref().map(Meta::status)
    }

    /// GEN's request id, when the answer had one.
    pub fn request_id(&self) -> Option<&str> {
        self.meta.as_ref().and_then(Meta::request_id)
    }
}

impl<T> From<genpro_api::ResponseValue<T>> for Response<T> {
    fn from(value: genpro_api::ResponseValue<T>) -> Self {
        let meta = Meta::from(&value);
        Self::new(value.into_inner(), Some(meta))
    }
}

tokio::task_local! {
    static LAST: RefCell<Option<Meta>>;
}

/// Records the answer of a successful request for [`WithMeta::with_meta`]
/// (nothing outside one), its request id scrubbed of `secret`.
pub(crate) fn record(status: StatusCode, headers: &HeaderMap, secret: &str) {
    let _ = LAST.try_with(|last| {
        let mut meta = Meta::from_parts(status, headers);
        if let Some(id) = &mut meta.request_id
            && !secret.is_empty()
            && id.contains(secret)
        {
            *id = id.replace(secret, "***");
        }
        *last.borrow_mut() = Some(meta);
    });
}

/// Keeps the [`Meta`] of a call's answer: `.with_meta()` on any future
/// genpro-sdk returns (`Result<T, Error>`).
pub trait WithMeta<T>: Future<Output = Result<T, Error>> + Sized {
    /// Runs the call and returns its value with the [`Meta`] of the last
    /// successful answer the client received during it (the call's own;
    /// for a helper that sends several requests, such as a wait, the last
    /// one). An [`Error`] has its own ([`Error::request_id`]). A call that
    /// received no answer itself (nothing sent, or sent from another task)
    /// gives no [`Meta`].
    fn with_meta(self) -> impl Future<Output = Result<Response<T>, Error>> {
        LAST.scope(RefCell::new(None), async move {
            let value = self.await?;
            let meta = LAST.with(|last| last.borrow_mut().take());
            Ok(Response::new(value, meta))
        })
    }
}

impl<T, F: Future<Output = Result<T, Error>>> WithMeta<T> for F {}

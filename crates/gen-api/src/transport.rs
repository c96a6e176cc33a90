//! The one seam under every generated call.
//!
//! gen-api is generated with progenitor's `HooksMode::Expected`: each
//! builder's `send()` builds a `reqwest::Request` and hands it to
//! `ClientHooks::exec`. This module implements those hooks once, by
//! delegating to the [`Transport`] stored in the [`Client`](crate::Client)
//! (its "inner" value), together with the generated
//! [`Operation`] of the call.
//!
//! - [`PlainTransport`] sends the request as it is (no auth, no retries):
//!   what a bare progenitor client does.
//! - gen-sdk installs its own transport (auth, `api-version`, retries by
//!   retry class, `Retry-After`, tracing, key redaction, redirect policy,
//!   body caps, error normalisation), so every one of the operations gets
//!   the same behaviour whichever way it is called.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};

use crate::operations::{self, Operation};

/// A boxed, `Send` future (the return type of [`Transport`]'s methods).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What a [`Client`](crate::Client) holds to send its requests.
pub type SharedTransport = Arc<dyn Transport>;

/// Sends the requests of the generated client.
pub trait Transport: fmt::Debug + Send + Sync + 'static {
    /// Sends `request` for `operation` with `http` (the client's
    /// `reqwest::Client`) and returns the answer.
    fn exec<'a>(
        &'a self,
        http: &'a reqwest::Client,
        request: reqwest::Request,
        operation: &'static Operation,
    ) -> BoxFuture<'a, reqwest::Result<reqwest::Response>>;
}

/// Sends each request once, as it is.
#[derive(Debug, Clone, Copy, Default)]
pub struct PlainTransport;

impl Transport for PlainTransport {
    fn exec<'a>(
        &'a self,
        http: &'a reqwest::Client,
        request: reqwest::Request,
        _operation: &'static Operation,
    ) -> BoxFuture<'a, reqwest::Result<reqwest::Response>> {
        Box::pin(http.execute(request))
    }
}

/// A [`SharedTransport`] holding [`PlainTransport`].
pub fn plain() -> SharedTransport {
    Arc::new(PlainTransport)
}

impl crate::Client {
    /// A client of `baseurl` that sends requests as they are
    /// ([`PlainTransport`]) with a default `reqwest::Client`.
    pub fn plain(baseurl: &str) -> Self {
        Self::new(baseurl, plain())
    }

    /// The transport the client sends with.
    pub fn transport(&self) -> &SharedTransport {
        &self.inner
    }
}

// `pre` and `post` keep their defaults (nothing): everything happens in
// `exec`, with one look-up of the operation per call.
impl ClientHooks<SharedTransport> for crate::Client {
    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        match operations::find(info.operation_id) {
            Some(op) => self.inner().exec(self.client(), request, op).await,
            // Unreachable with a table generated from the same spec.
            None => self.client().execute(request).await,
        }
    }
}

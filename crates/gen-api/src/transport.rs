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

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo, ResponseValue};

use crate::operations::{self, Operation};

/// The `api-version` header's name, built at compile time (the generated
/// builders set it with [`API_VERSION_VALUE`]).
pub const API_VERSION: reqwest::header::HeaderName =
    reqwest::header::HeaderName::from_static("api-version");

/// The `api-version` header's value: openapi.yaml's `info.version`
/// ([`crate::operations::API_VERSION`]), built at compile time.
///
/// ```
/// use gen_api::ClientInfo as _;
/// assert_eq!(
///     gen_api::transport::API_VERSION_VALUE,
///     <gen_api::Client as gen_api::ClientInfo<gen_api::transport::SharedTransport>>::api_version()
/// );
/// ```
pub const API_VERSION_VALUE: reqwest::header::HeaderValue =
    reqwest::header::HeaderValue::from_static(crate::operations::API_VERSION);

/// `application/json`, built at compile time: the generated builders'
/// `Accept` (a `HeaderValue::from_static` in a function checks its bytes
/// on every call).
pub const APPLICATION_JSON: reqwest::header::HeaderValue =
    reqwest::header::HeaderValue::from_static("application/json");

/// A path parameter written straight into a URL (`format!`), percent-encoded
/// exactly as `progenitor_client::encode_path` does, without building the
/// parameter's string and its encoded copy first. The generated builders
/// use it for every path parameter.
///
/// ```
/// use gen_api::transport::PathParam;
/// assert_eq!(format!("/v1/agents/{}", PathParam(&42)), "/v1/agents/42");
/// assert_eq!(format!("/v1/x/{}", PathParam(&"a/b c%")), "/v1/x/a%2Fb%20c%25");
/// assert_eq!(
///     PathParam(&"é?#{}").to_string(),
///     progenitor_client::encode_path("é?#{}")
/// );
/// ```
#[derive(Debug, Clone, Copy)]
pub struct PathParam<'a, T: ?Sized>(pub &'a T);

/// progenitor's set for path segments (`progenitor_client::encode_path`).
const PATH_SET: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'/')
    .add(b'%');

impl<T: fmt::Display + ?Sized> fmt::Display for PathParam<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Encodes what `T` writes as it writes it: percent-encoding works
        // byte by byte, so pieces encode as the whole would.
        struct Encode<'a, 'b>(&'a mut fmt::Formatter<'b>);
        impl fmt::Write for Encode<'_, '_> {
            fn write_str(&mut self, s: &str) -> fmt::Result {
                for part in percent_encoding::utf8_percent_encode(s, PATH_SET) {
                    self.0.write_str(part)?;
                }
                Ok(())
            }
        }
        fmt::write(&mut Encode(f), format_args!("{}", self.0))
    }
}

/// Adds an optional query parameter only when it is set. The generated
/// builders use it for every optional query parameter: progenitor's
/// `.query(&QueryParam::new(name, &None))` sends nothing either, but still
/// opens the URL's query for writing (a `?` pushed, the URL string grown)
/// and closes it again on every call.
///
/// ```
/// use gen_api::transport::QueryOpt as _;
/// let http = reqwest::Client::new();
/// let none: Option<i64> = None;
/// let request = http.get("http://localhost/v1/x").query_opt("a", &none).build().unwrap();
/// assert_eq!(request.url().as_str(), "http://localhost/v1/x");
/// let request = http
///     .get("http://localhost/v1/x")
///     .query_opt("a", &Some(5))
///     .query_opt("tags", &Some(vec!["x y", "z"]))
///     .build()
///     .unwrap();
/// assert_eq!(request.url().as_str(), "http://localhost/v1/x?a=5&tags=x+y&tags=z");
/// ```
pub trait QueryOpt {
    /// `self` with `name=value` (as progenitor's `QueryParam` writes it)
    /// when `value` is `Some`, unchanged when it is `None`.
    fn query_opt<T: serde::Serialize>(self, name: &str, value: &Option<T>) -> Self;
}

impl QueryOpt for reqwest::RequestBuilder {
    fn query_opt<T: serde::Serialize>(self, name: &str, value: &Option<T>) -> Self {
        match value {
            Some(value) => self.query(&progenitor_client::QueryParam::new(name, value)),
            None => self,
        }
    }
}

/// Decodes a JSON answer into a [`ResponseValue`], as progenitor's
/// `ResponseValue::from_response` does, but moving the answer's headers
/// into it rather than cloning them. The generated builders use it.
pub async fn decode<T: serde::de::DeserializeOwned, E>(
    mut response: reqwest::Response,
) -> Result<ResponseValue<T>, progenitor_client::Error<E>> {
    let status = response.status();
    // The body is read without them (decoding was set up with the answer).
    let headers = std::mem::take(response.headers_mut());
    let full = response
        .bytes()
        .await
        .map_err(progenitor_client::Error::ResponseBodyError)?;
    let inner = serde_json::from_slice(&full)
        .map_err(|e| progenitor_client::Error::InvalidResponsePayload(full, e))?;
    Ok(ResponseValue::new(inner, status, headers))
}

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
//
// `exec` is a plain function returning the transport's boxed future: an
// `async fn` would keep its `request` argument (264 bytes) in every call's
// future although the request is handed over at once.
impl ClientHooks<SharedTransport> for crate::Client {
    #[allow(refining_impl_trait)]
    fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> BoxFuture<'_, reqwest::Result<reqwest::Response>> {
        match operations::find(info.operation_id) {
            Some(op) => self.inner().exec(self.client(), request, op),
            // Unreachable with a table generated from the same spec.
            None => Box::pin(self.client().execute(request)),
        }
    }
}

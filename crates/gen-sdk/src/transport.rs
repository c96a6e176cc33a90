//! The one transport: every request genpro-sdk sends to GEN goes through
//! [`GenTransport`].
//!
//! It is installed as the inner transport of both generated
//! [`genpro_api::Client`]s (progenitor's `ClientHooks::exec`), so the generated
//! builders of all operations, the ready-made methods of the phase handles,
//! the waiter's polls, the multipart uploads and `gen api` share one code
//! path that owns:
//!
//! - **auth**: `X-API-Key` (or `Authorization: Bearer`) in a sensitive
//!   header, added here and nowhere else; the `reqwest::Client` itself holds
//!   no credentials;
//! - **redirects**: none are followed: a 3xx answer is a final
//!   [`Error::Api`] (the key never travels to another host, a paid body is
//!   never re-sent elsewhere);
//! - **retries** by the operation's generated retry class
//!   ([`genpro_api::operations::RetryClass`], `x-retry` in openapi.yaml),
//!   honouring `Retry-After`;
//! - **path checks**: a path parameter that would change the endpoint
//!   (`.`, `..`, empty) is refused before anything is sent;
//! - **answers**: non-2xx answers (GEN error objects, bodies without
//!   `error_code`, a gateway's HTML) become [`Error::Api`] with status,
//!   request id, `Retry-After` and the cut body; success bodies are capped
//!   while streaming ([`crate::GenClientBuilder::max_response_body`]);
//! - **tracing**: one `genpro_api_call` span per call (`operation_id`,
//!   `method`, `host`, `attempt`, `status`), never the key;
//! - **redaction**: every error is scrubbed of the key.
//!
//! Errors that are not transport failures travel through the generated code
//! inside a synthesized answer whose body fails with a [`Carried`] error;
//! [`Error`]'s `From<genpro_api::Error<_>>` takes them out again, so callers of
//! the generated builders get the same typed [`Error`] as everyone else.

use std::cell::Cell;
use std::fmt;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures::{FutureExt as _, StreamExt};
use genpro_api::operations::{Host, Operation, ParamLocation, RetryClass};
use genpro_api::transport::{
    API_VERSION, API_VERSION_VALUE, APPLICATION_JSON, BoxFuture, Transport,
};
use reqwest::header::{HeaderName, HeaderValue};
use tracing::Instrument;

use crate::error::{Error, from_reqwest};
use crate::retry::{Idempotency, Retrier};

/// How much of an error answer is read (the [`Error::Api`] body keeps less).
pub const MAX_ERROR_READ: usize = 64 * 1024;

/// The default cap on a success body (16 MiB).
pub use crate::error::DEFAULT_MAX_BODY;

tokio::task_local! {
    static CLASS: Idempotency;
}

/// Runs `fut` with `class` as the retry class of every request the
/// transport sends inside it, instead of each operation's own class (e.g.
/// a call that must never be repeated).
pub async fn with_retry_class<F: std::future::Future>(class: Idempotency, fut: F) -> F::Output {
    CLASS.scope(class, fut).await
}

/// What the transport saw of the attempts of one call, read with
/// [`recording_attempts`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Attempts {
    /// Requests sent (1 when the first attempt was the last).
    pub sent: u32,
    /// True when an attempt before the last may have reached GEN and been
    /// acted on: it failed other than by failing to connect (an error
    /// answer, a connection reset, a timeout after the request was written).
    pub earlier_may_have_landed: bool,
}

impl Default for Attempts {
    fn default() -> Self {
        Self {
            sent: 1,
            earlier_may_have_landed: false,
        }
    }
}

tokio::task_local! {
    static ATTEMPTS: Cell<Attempts>;
}

/// Runs `fut` and returns its output with the [`Attempts`] of the last call
/// the transport sent inside it (e.g. to tell an answer to a retry from an
/// answer to the first request).
pub async fn recording_attempts<F: std::future::Future>(fut: F) -> (F::Output, Attempts) {
    ATTEMPTS
        .scope(Cell::new(Attempts::default()), async move {
            let output = fut.await;
            (output, ATTEMPTS.with(Cell::get))
        })
        .await
}

/// Records a call's attempts for [`recording_attempts`] (nothing outside
/// one).
fn record_attempts(sent: u32, earlier_may_have_landed: bool) {
    let _ = ATTEMPTS.try_with(|cell| {
        cell.set(Attempts {
            sent,
            earlier_may_have_landed,
        })
    });
}

/// The retry class of genpro-sdk's retrier for an operation's generated class.
pub fn idempotency(class: RetryClass) -> Idempotency {
    match class {
        RetryClass::Idempotent => Idempotency::Idempotent,
        RetryClass::FreeCreate => Idempotency::NonIdempotent,
        _ => Idempotency::PaidPost,
    }
}

/// A typed [`Error`] riding inside a `reqwest::Error`'s source chain, out of
/// the generated code and back to genpro-sdk.
pub struct Carried(Mutex<Option<Error>>);

impl Carried {
    fn new(error: Error) -> Self {
        Self(Mutex::new(Some(error)))
    }

    fn take(&self) -> Option<Error> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
    }
}

impl fmt::Debug for Carried {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for Carried {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
        {
            Some(e) => write!(f, "{e}"),
            None => f.write_str("genpro-sdk error (already taken)"),
        }
    }
}

impl std::error::Error for Carried {}

/// Takes the typed [`Error`] out of a `reqwest::Error` produced by
/// [`GenTransport`], if it carries one.
pub(crate) fn take_carried(e: &reqwest::Error) -> Option<Error> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(c) = err.downcast_ref::<Carried>() {
            return c.take();
        }
        cur = err.source();
    }
    None
}

/// An answer whose body fails with `error`: the generated code reads it and
/// returns `ResponseBodyError`, from which [`take_carried`] recovers `error`.
fn carrier(error: Error) -> reqwest::Response {
    // Never 2xx (a no-content operation would not read the body) and always
    // a status the generated code decodes (4XX / 5XX).
    let status = error
        .status()
        .filter(|s| (400..=599).contains(s))
        .unwrap_or(400);
    let stream = futures::stream::once(async move {
        Err::<Bytes, Box<dyn std::error::Error + Send + Sync>>(Box::new(Carried::new(error)))
    });
    let response = http::Response::builder()
        .status(status)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(reqwest::Body::wrap_stream(stream))
        .unwrap_or_else(|_| http::Response::new(reqwest::Body::from(Vec::new())));
    reqwest::Response::from(response)
}

/// A call prepared by [`GenTransport::prepare`]: what its attempts need.
struct Call {
    /// What the attempts after the first are built from, and when the
    /// first started (`None`: one attempt only).
    template: Option<(Template, std::time::SystemTime)>,
    class: Idempotency,
    span: tracing::Span,
}

/// The transport of a [`crate::GenClient`].
pub struct GenTransport {
    auth_name: HeaderName,
    auth_value: HeaderValue,
    secret: crate::config::Secret,
    retrier: Retrier,
    max_body: u64,
    /// Base URL per host; the first is the one the generated client builds
    /// its URLs with.
    bases: Vec<(Host, String)>,
}

impl fmt::Debug for GenTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GenTransport")
            .field("auth", &self.auth_name)
            .field("max_body", &self.max_body)
            .field("bases", &self.bases)
            .finish_non_exhaustive()
    }
}

impl GenTransport {
    pub(crate) fn new(
        auth_name: HeaderName,
        auth_value: HeaderValue,
        secret: crate::config::Secret,
        retrier: Retrier,
        max_body: u64,
        bases: Vec<(Host, String)>,
    ) -> Self {
        Self {
            auth_name,
            auth_value,
            secret,
            retrier,
            max_body,
            bases,
        }
    }

    /// Moves `request` to the base URL of `host` when it was built on
    /// another host's base (the generated client has one base URL).
    fn route(&self, request: &mut reqwest::Request, host: Host) -> Result<(), Error> {
        let Some((_, target)) = self.bases.iter().find(|(h, _)| *h == host) else {
            return Ok(());
        };
        if request.url().as_str().starts_with(target.as_str()) {
            return Ok(());
        }
        self.reroute(request, host, target)
    }

    /// [`Self::route`] for a request built on another host's base.
    #[cold]
    #[inline(never)]
    fn reroute(
        &self,
        request: &mut reqwest::Request,
        host: Host,
        target: &str,
    ) -> Result<(), Error> {
        let url = request.url().as_str();
        let Some(rest) = self
            .bases
            .iter()
            .find_map(|(_, base)| url.strip_prefix(base.as_str()))
        else {
            return Ok(());
        };
        let routed = format!("{target}{rest}");
        *request.url_mut() = reqwest::Url::parse(&routed).map_err(|e| Error::InvalidRequest {
            message: format!("cannot route {} to {host}: {e}", operation_path(rest)),
        })?;
        Ok(())
    }

    /// The cap on success bodies, in bytes.
    pub fn max_body(&self) -> u64 {
        self.max_body
    }

    /// The retrier (policy, sleep, clock).
    pub fn retrier(&self) -> &Retrier {
        &self.retrier
    }

    /// Sends `request` for `operation` with `http` and returns the answer,
    /// or a typed error. Non-2xx answers are errors; retries follow
    /// `class` (`None`: the operation's own class). The body of a 2xx answer
    /// is not read here; it fails with [`Error::BodyTooLarge`] past the cap.
    pub async fn send(
        &self,
        http: &reqwest::Client,
        request: reqwest::Request,
        operation: &'static Operation,
        class: Option<Idempotency>,
    ) -> Result<reqwest::Response, Error> {
        let mut request = request;
        let call = self.prepare(&mut request, operation, class, true, false)?;
        self.attempts(http, http.execute(request), call).await
    }

    /// Like [`Self::send`] with exactly one attempt (the caller retries,
    /// e.g. a waiter that polls anyway).
    pub async fn send_once(
        &self,
        http: &reqwest::Client,
        request: reqwest::Request,
        operation: &'static Operation,
    ) -> Result<reqwest::Response, Error> {
        let mut request = request;
        let call = self.prepare(&mut request, operation, None, false, false)?;
        self.attempts(http, http.execute(request), call).await
    }

    /// Everything done once per call, before any await: path check,
    /// routing, auth and `api-version` headers, retry class, span, and the
    /// template of a second attempt. Kept out of the call's future (a
    /// smaller future is a cheaper allocation for every generated call).
    ///
    /// `typed`: the request comes from a generated builder, which writes
    /// integer path parameters as digits and always sets `api-version`.
    fn prepare(
        &self,
        request: &mut reqwest::Request,
        operation: &'static Operation,
        class: Option<Idempotency>,
        retries: bool,
        typed: bool,
    ) -> Result<Call, Error> {
        // A generated builder writes an integer path parameter as digits:
        // nothing to check. Strings, and every path built elsewhere
        // (`gen api`, the waiter, multipart), are checked.
        if !(typed && integer_path_params(operation)) {
            check_path(request, operation)?;
        }
        self.route(request, operation.host)?;
        let headers = request.headers_mut();
        // Both values are built once (the key's marked sensitive); a clone
        // is a reference count.
        headers.insert(self.auth_name.clone(), self.auth_value.clone());
        // The generated builders set it already; the other paths may not.
        if !typed {
            headers.entry(API_VERSION).or_insert(API_VERSION_VALUE);
        }
        let class = match class {
            Some(class) => class,
            None => CLASS
                .try_with(|c| *c)
                .unwrap_or_else(|_| idempotency(operation.retry)),
        };
        // a new call: one attempt so far
        record_attempts(1, false);
        // No span at all when neither a tracing subscriber nor a `log`
        // logger lets INFO through (two atomic loads): building a disabled
        // span still costs, and with `tracing`'s `log` feature on (axum
        // turns it on) a disabled span keeps its metadata for `log` and
        // every use of it costs.
        let span = if tracing::level_enabled!(tracing::Level::INFO)
            || log::max_level() >= log::LevelFilter::Info
        {
            call_span(operation)
        } else {
            tracing::Span::none()
        };
        // What a second attempt needs, kept only when one may follow.
        let template = if retries && self.retrier.policy().attempts() > 1 {
            // None: a streamed body cannot be sent twice.
            Template::of(request, &self.auth_name).map(|t| (t, self.retrier.clock().now()))
        } else {
            None
        };
        Ok(Call {
            template,
            class,
            span,
        })
    }

    /// The first attempt of a prepared call, already handed to reqwest
    /// (`first`, so the request itself is not part of this future). A
    /// success ends here; anything else goes on in [`Self::retry`] (the
    /// retrier's decisions, `Retrier::next_delay`, and the attempts after
    /// the first, in one loop).
    async fn attempts<F>(
        &self,
        http: &reqwest::Client,
        first: F,
        call: Call,
    ) -> Result<reqwest::Response, Error>
    where
        F: std::future::Future<Output = reqwest::Result<reqwest::Response>>,
    {
        match first.instrument(call.span.clone()).await {
            Ok(response) if response.status().is_success() => {
                call.span.record("status", response.status().as_u16());
                self.cap(response)
            }
            // Anything else (an error answer, a failure to send) goes on in
            // its own boxed future, which records the status itself: the
            // retry loop's code and state stay off the path of every
            // successful call.
            result => self.retry(http, result, call).await,
        }
    }

    /// The rest of a call whose first attempt did not succeed: the
    /// retrier's decisions and the attempts after the first, in one loop.
    fn retry<'a>(
        &'a self,
        http: &'a reqwest::Client,
        mut result: reqwest::Result<reqwest::Response>,
        call: Call,
    ) -> BoxFuture<'a, Result<reqwest::Response, Error>> {
        let secret = self.secret.expose();
        let span = call.span.clone();
        let attempts = async move {
            let mut n = 1;
            // whether an attempt before attempt `n` may have reached GEN
            let mut landed = false;
            loop {
                record_attempts(n, landed);
                // Where the failed attempt went: a bare template keeps no
                // copy of the URL, every answer and reqwest error has it.
                let url = match &result {
                    Err(e) => e.url().cloned(),
                    Ok(response) => Some(response.url().clone()),
                };
                let error = match result {
                    Err(e) => from_reqwest(e),
                    Ok(response) => {
                        let status = response.status();
                        call.span.record("status", status.as_u16());
                        if status.is_success() {
                            return Ok(response);
                        }
                        read_error(response).await.redact(secret)
                    }
                };
                let Some((template, started)) = &call.template else {
                    return Err(error);
                };
                let Some(delay) = self.retrier.next_delay(call.class, n, &error, *started) else {
                    return Err(error);
                };
                landed |= !error.is_connect();
                self.retrier.sleep().sleep(delay).await;
                n += 1;
                call.span.record("attempt", n);
                let request = match template.request(self, url) {
                    Some(request) => request,
                    // No URL to send to again (not seen from reqwest).
                    None if matches!(template, Template::Bare(_)) => return Err(error),
                    None => {
                        return Err(Error::InvalidRequest {
                            message: "the request body cannot be sent again".into(),
                        });
                    }
                };
                result = http.execute(request).await;
            }
        };
        Box::pin(async move {
            let response = attempts.instrument(span).await;
            self.cap(response.map_err(|e| e.redact(secret))?)
        })
    }

    /// Caps a success body at `max_body` while it streams.
    fn cap(&self, response: reqwest::Response) -> Result<reqwest::Response, Error> {
        let limit = self.max_body;
        let status = response.status();
        match response.content_length() {
            // hyper reads exactly Content-Length bytes: nothing to watch.
            Some(len) if len <= limit => Ok(response),
            Some(_) => Err(Error::BodyTooLarge {
                limit,
                status: Some(status.as_u16()),
            }),
            None => {
                let mut builder = http::Response::builder().status(status);
                if let Some(headers) = builder.headers_mut() {
                    *headers = response.headers().clone();
                }
                let mut seen = 0u64;
                let stream = response.bytes_stream().map(move |chunk| {
                    let chunk = chunk
                        .map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)?;
                    seen += chunk.len() as u64;
                    if seen > limit {
                        return Err(Box::new(Carried::new(Error::BodyTooLarge {
                            limit,
                            status: Some(status.as_u16()),
                        }))
                            as Box<dyn std::error::Error + Send + Sync>);
                    }
                    Ok(chunk)
                });
                builder
                    .body(reqwest::Body::wrap_stream(stream))
                    .map(reqwest::Response::from)
                    .map_err(|_| Error::InvalidRequest {
                        message: "could not rebuild the answer".into(),
                    })
            }
        }
    }

    /// Reads a success body (capped) and decodes it as JSON into `T`.
    pub async fn json<T: serde::de::DeserializeOwned>(
        &self,
        response: reqwest::Response,
    ) -> Result<T, Error> {
        let status = response.status().as_u16();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| take_carried(&e).unwrap_or_else(|| from_reqwest(e)))?;
        serde_json::from_slice(&bytes).map_err(|source| {
            Error::Decode {
                status: Some(status),
                body: crate::error::truncate_body(&String::from_utf8_lossy(&bytes)),
                source,
            }
            .redact(self.secret.expose())
        })
    }
}

/// The `genpro_api_call` span of a call, `Span::none()` when it is disabled
/// (no subscriber interested): recording on it, entering and leaving it
/// then do nothing, even with `tracing`'s `log` feature on. The fields are
/// recorded on the span itself (no lookup of the current span). Out of line:
/// its code is only run when tracing or `log` lets INFO through.
#[cold]
#[inline(never)]
fn call_span(operation: &Operation) -> tracing::Span {
    let span = tracing::info_span!(
        "genpro_api_call",
        operation_id = operation.operation_id,
        method = operation.method,
        host = operation.host.as_str(),
        attempt = tracing::field::Empty,
        status = tracing::field::Empty,
    );
    if span.is_disabled() {
        return tracing::Span::none();
    }
    span.record("attempt", 1);
    span
}

/// What another attempt of a request is built from.
enum Template {
    /// A bodyless request whose headers are exactly the ones the transport
    /// sets again (`Accept: application/json`, `api-version` and the
    /// credential), as every generated GET/DELETE has: its method is
    /// enough, the URL is the failed attempt's (every answer and reqwest
    /// error carries it). No copy of the header map or the URL on every call.
    Bare(reqwest::Method),
    /// Any other request: a full copy (`reqwest::Request::try_clone`
    /// without the extension map).
    Copy(Box<reqwest::Request>),
}

impl Template {
    /// The template of `request`, `None` when its body is a stream (it
    /// cannot be sent twice).
    fn of(request: &reqwest::Request, auth: &HeaderName) -> Option<Self> {
        if request.body().is_some() {
            return request.try_clone().map(|r| Self::Copy(Box::new(r)));
        }
        let headers = request.headers();
        // Three entries, compared in place (no hashing): `Accept`,
        // `api-version` and the credential, which is added last.
        let bare = request.timeout().is_none()
            && request.version() == reqwest::Version::default()
            && headers.len() == 3
            && headers.iter().all(|(name, value)| {
                (*name == reqwest::header::ACCEPT && *value == APPLICATION_JSON)
                    || (*name == API_VERSION && *value == API_VERSION_VALUE)
                    || *name == auth
            });
        if bare {
            return Some(Self::Bare(request.method().clone()));
        }
        Some(Self::copy(request))
    }

    /// A full copy of a bodyless `request` that is not bare.
    #[cold]
    #[inline(never)]
    fn copy(request: &reqwest::Request) -> Self {
        let headers = request.headers();
        // Field by field: the same request as `try_clone` gives, without
        // copying the extension map reqwest keeps the timeout in.
        let mut copy = reqwest::Request::new(request.method().clone(), request.url().clone());
        *copy.headers_mut() = headers.clone();
        *copy.version_mut() = request.version();
        if let Some(timeout) = request.timeout() {
            *copy.timeout_mut() = Some(*timeout);
        }
        Self::Copy(Box::new(copy))
    }

    /// The request of another attempt after one that went to `url`
    /// (`None`: it cannot be built).
    fn request(
        &self,
        transport: &GenTransport,
        url: Option<reqwest::Url>,
    ) -> Option<reqwest::Request> {
        match self {
            Self::Bare(method) => {
                let mut request = reqwest::Request::new(method.clone(), url?);
                let headers = request.headers_mut();
                headers.insert(reqwest::header::ACCEPT, APPLICATION_JSON);
                headers.insert(API_VERSION, API_VERSION_VALUE);
                headers.insert(transport.auth_name.clone(), transport.auth_value.clone());
                Some(request)
            }
            Self::Copy(request) => request.try_clone(),
        }
    }
}

/// Reads at most [`MAX_ERROR_READ`] bytes of an error answer and turns it
/// into [`Error::Api`].
async fn read_error(response: reqwest::Response) -> Error {
    let status = response.status();
    let headers = response.headers().clone();
    let mut body = Vec::new();
    let mut stream = response.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let Ok(chunk) = chunk else { break };
        let room = MAX_ERROR_READ - body.len();
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() >= MAX_ERROR_READ {
            break;
        }
    }
    Error::from_response_parts(status, &headers, &body)
}

/// Refuses a URL whose path no longer has the shape of the operation's
/// template: a `.`/`..` parameter collapsed by URL normalisation, or an
/// empty parameter. Compared from the end, so a base URL with a path prefix
/// works. The error names the template's parameter.
#[inline(never)]
pub(crate) fn check_path(request: &reqwest::Request, operation: &Operation) -> Result<(), Error> {
    let path = request.url().path();
    // The fast path allocates nothing. Compared from the end (a base URL
    // may have a path prefix), the first refused segment counted from the
    // start.
    let wanted = operation.path.split('/').skip(1);
    let (want_len, got_len) = (wanted.clone().count(), path.split('/').skip(1).count());
    let mut refused = None;
    if got_len < want_len {
        refused = Some(None);
    } else {
        let tail = path.split('/').skip(1 + got_len - want_len);
        for (want, got) in wanted.zip(tail) {
            match want.strip_prefix('{').and_then(|w| w.strip_suffix('}')) {
                Some(name) if got.is_empty() || is_dot_segment(got) => {
                    refused = Some(Some(name));
                    break;
                }
                Some(_) => {}
                None if want != got => {
                    refused = Some(None);
                    break;
                }
                None => {}
            }
        }
    }
    let Some(field) = refused else {
        return Ok(());
    };
    let field = field.map_or_else(
        || {
            operation
                .path
                .split('/')
                .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
                .collect::<Vec<_>>()
                .join(", ")
        },
        str::to_owned,
    );
    Err(Error::Validation {
        field,
        message: format!(
            "must not be empty, `.` or `..`: `{}` would be sent to {path} instead of {}; refused before sending",
            operation.operation_id, operation.path
        ),
        allowed: None,
    })
}

/// True when every path parameter of `operation` is an integer (its
/// generated builder takes an `i64`).
fn integer_path_params(operation: &Operation) -> bool {
    operation
        .params
        .iter()
        .filter(|p| p.location == ParamLocation::Path)
        .all(|p| p.kind == "integer")
}

/// `.` or `..`, plainly or percent-encoded (any case), which URL
/// normalisation would collapse.
fn is_dot_segment(segment: &str) -> bool {
    [".", "..", "%2e", "%2e%2e", ".%2e", "%2e."]
        .iter()
        .any(|dot| segment.eq_ignore_ascii_case(dot))
}

// The path check runs inside `send`, where its error stays typed
// (`Error::Validation`).
impl Transport for GenTransport {
    fn exec<'a>(
        &'a self,
        http: &'a reqwest::Client,
        request: reqwest::Request,
        operation: &'static Operation,
    ) -> BoxFuture<'a, reqwest::Result<reqwest::Response>> {
        let mut request = request;
        let call = match self.prepare(&mut request, operation, None, true, true) {
            Ok(call) => call,
            Err(error) => return Box::pin(std::future::ready(Ok(carrier(error)))),
        };
        // `map`, not an `async` block holding `call` beside the attempts:
        // the boxed future stays small.
        Box::pin(
            self.attempts(http, http.execute(request), call)
                .map(|result| match result {
                    Ok(response) => Ok(response),
                    Err(error) => to_reqwest(error),
                }),
        )
    }
}

/// A failed call as `ClientHooks::exec` returns it: reqwest's own errors as
/// they are, every other error carried in an answer (see [`carrier`]).
#[cold]
#[inline(never)]
fn to_reqwest(error: Error) -> reqwest::Result<reqwest::Response> {
    match error {
        Error::Transport { source, .. } => Err(source),
        Error::Timeout {
            source: Some(source),
            ..
        } => Err(source),
        other => Ok(carrier(other)),
    }
}

/// A [`genpro_api::transport::SharedTransport`] holding `transport`.
pub(crate) fn shared(transport: Arc<GenTransport>) -> genpro_api::transport::SharedTransport {
    transport
}

/// The `api-version` header value (the spec's `info.version`).
pub fn api_version() -> &'static str {
    <genpro_api::Client as genpro_api::ClientInfo<genpro_api::transport::SharedTransport>>::api_version()
}

fn operation_path(rest: &str) -> &str {
    rest.split('?').next().unwrap_or(rest)
}

//! The one error type of genpro-sdk.
//!
//! Every failure — an error answer from GEN (`{"error", "error_code"}`), a
//! network problem, a timeout, an undecodable body, a request refused by the
//! client before sending — is an [`Error`]. [`Error::hint`] gives the
//! documented fix for each error code, [`Error::is_retryable`] says whether
//! trying again can help.
//!
//! An [`Error`] never holds the API key or bearer token: requests carry it in
//! a sensitive header only, and bodies echoed by a server are scrubbed of it
//! before they reach an [`Error`].

use std::fmt;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use crate::retry::RetryAfter;

/// Result alias for genpro-sdk.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Maximum number of bytes of a response body kept in an [`Error`].
pub const MAX_ERROR_BODY: usize = 4 * 1024;

/// The largest JSON answer genpro-sdk reads by default (16 MiB); a larger one
/// is an [`Error::BodyTooLarge`], cut while streaming.
pub const DEFAULT_MAX_BODY: u64 = 16 * 1024 * 1024;

/// The machine-readable `error_code` of a GEN error answer
/// (`{"error": "...", "error_code": "..."}`): genpro-api's open enum,
/// generated from openapi.yaml's `ErrorCode` (seed 001's "Common codes");
/// any other code decodes into [`ErrorCode::Other`]. Its documented fixes
/// are [`ErrorCodeExt::hint`].
pub use genpro_api::open_enums::ErrorCode;

/// The documented fix of an [`ErrorCode`] (`use genpro_sdk::ErrorCodeExt as _;`).
///
/// ```
/// use genpro_sdk::{ErrorCode, ErrorCodeExt as _};
/// assert!(ErrorCode::Unauthorized.hint().unwrap().contains("X-API-Key"));
/// assert_eq!(ErrorCode::from("teapot").hint(), None);
/// ```
pub trait ErrorCodeExt {
    /// The documented fix for this error code, if there is one.
    fn hint(&self) -> Option<&'static str>;
}

impl ErrorCodeExt for ErrorCode {
    fn hint(&self) -> Option<&'static str> {
        Some(match self {
            Self::Unauthorized => {
                "check GEN_API_KEY (sent as X-API-Key) or the bearer token; create a personal access token in the GEN dashboard: log in > select agent > API page in the sidebar > Create API Key"
            }
            Self::Forbidden => {
                "the key has no permission for this resource: check that the agent / workspace / engine belongs to the key's user (GET /v1/me, GET /v1/workspaces)"
            }
            Self::NotFound => {
                "the resource does not exist or is not visible with this key: check the id (and agent_id) in the request"
            }
            Self::UsableGenCreditRequired => {
                "the workspace has no active credits: read GET /v1/organizations/{id} available_credit and add credits in the GEN dashboard"
            }
            Self::AgentNotFound => {
                "invalid agent_id: check the agent_id you passed (GET /v1/agents?workspace_id=... lists the agents of a workspace)"
            }
            Self::InsufficientCreditsForJob => {
                "not enough credits for this generation: read GET /v1/organizations/{id} available_credit.generic and top up, or lower the batch"
            }
            Self::ValidationError => {
                "the request was rejected: check field names and values (unknown Agent Core fields return 422, description max 500 chars, personality max 20000 chars; a generation can only be stopped while running and continued once stopped)"
            }
            _ => return None,
        })
    }
}

/// Everything that can go wrong calling GEN through genpro-sdk.
///
/// `Display`, `Debug` and [`std::error::Error::source`] are written so that
/// no text of an [`Error`] carries the API key: strings a server echoes
/// (bodies, messages, request ids) are scrubbed of it by the client, and a
/// decoding error shows a cleaned message in which no value quoted from the
/// answer appears ([`Error::Decode`]).
#[non_exhaustive]
pub enum Error {
    /// GEN answered with an error status (4xx/5xx), or with a redirect
    /// (3xx) that a client carrying credentials does not follow.
    Api {
        /// HTTP status code.
        status: u16,
        /// The `error_code` of the body; `Other("")` when the body had none.
        code: ErrorCode,
        /// The human-readable `error` of the body, or the status reason when
        /// the body was not a GEN error object.
        message: String,
        /// The `x-request-id` response header, when present: quote it to GEN
        /// support.
        request_id: Option<String>,
        /// The `Retry-After` response header, when present and valid.
        retry_after: Option<RetryAfter>,
        /// The raw response body, truncated to [`MAX_ERROR_BODY`] bytes.
        body: String,
    },
    /// The request could not be carried out on the network. When `connect`
    /// is true no connection was established, so the request provably never
    /// reached GEN.
    Transport {
        /// True when the failure happened while connecting (nothing sent).
        connect: bool,
        /// The underlying error.
        source: reqwest::Error,
    },
    /// The request timed out (`connect_timeout` / `request_timeout` or a
    /// waiting helper's deadline). When `connect` is true it timed out while
    /// connecting, so nothing was sent.
    Timeout {
        /// True when the timeout happened while connecting (nothing sent).
        connect: bool,
        /// The underlying error, if the timeout came from the HTTP client.
        source: Option<reqwest::Error>,
    },
    /// A response body could not be decoded into the expected type.
    ///
    /// serde's own text quotes the offending value (`invalid type: string
    /// "<whatever the server sent>"`), which a hostile answer can fill with
    /// the key. An [`Error::Decode`] therefore never shows it: `Display`
    /// and `Debug` give a cleaned message (the kind of value, what was
    /// expected, the position; no value from the answer), and
    /// [`std::error::Error::source`] is `None`. Errors built by genpro-sdk
    /// replace `source` with that cleaned message (scrubbed of the key).
    Decode {
        /// HTTP status code, when known.
        status: Option<u16>,
        /// The raw body, truncated to [`MAX_ERROR_BODY`] bytes (scrubbed of
        /// the key).
        body: String,
        /// The decoding error; read it through `Display`
        /// ([`Error::decode_message`]), which cleans it.
        source: serde_json::Error,
    },
    /// The request was refused by genpro-sdk before anything was sent.
    Validation {
        /// The offending field, as a JSON path (`data.duration`).
        field: String,
        /// What is wrong with it.
        message: String,
        /// The allowed values, when there is a closed list.
        allowed: Option<Vec<String>>,
    },
    /// The client configuration is invalid (missing key, insecure URL...).
    Config {
        /// What is wrong.
        message: String,
    },
    /// The raw client refused to build the request (a parameter is missing
    /// or could not be converted); a bug in the calling code.
    InvalidRequest {
        /// What is wrong.
        message: String,
    },
    /// GEN answered with a status the API does not document (1xx/3xx).
    UnexpectedResponse {
        /// HTTP status code.
        status: u16,
        /// The `x-request-id` response header, when present.
        request_id: Option<String>,
    },
    /// An answer's body was larger than the client accepts (16 MiB by
    /// default); reading stopped at the limit, nothing was buffered beyond
    /// it. Not retried: the same request gets the same answer.
    BodyTooLarge {
        /// The limit, in bytes.
        limit: u64,
        /// The answer's status, when known.
        status: Option<u16>,
    },
    /// A local file could not be read or written (an upload source, a
    /// download target, a temporary spool file).
    Io {
        /// The file concerned.
        path: std::path::PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The operation was cancelled through its
    /// `tokio_util::sync::CancellationToken` (uploads, downloads).
    Cancelled,
    /// A successful answer lacks a value genpro-sdk needs to go on (e.g. the
    /// `direct_upload.url` to PUT a file to). No seed pins these fields, so
    /// openapi.yaml reads them as optional; an answer without one decodes,
    /// and only the step that needs it stops here.
    MissingField {
        /// The operation whose answer it is (`create_direct_upload`).
        operation: &'static str,
        /// The missing value, as a JSON path (`direct_upload.url`).
        field: &'static str,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Api {
                status,
                code,
                message,
                request_id,
                ..
            } => write!(
                f,
                "GEN API error {status} ({code}): {message}{}",
                fmt_request_id(request_id.as_deref())
            ),
            Self::Transport { connect, source } => write!(
                f,
                "{} the GEN API: {source}",
                if *connect {
                    "could not connect to"
                } else {
                    "network error talking to"
                }
            ),
            Self::Timeout { connect, .. } => write!(
                f,
                "the GEN API request timed out{}",
                if *connect { " while connecting" } else { "" }
            ),
            Self::Decode { status, source, .. } => write!(
                f,
                "could not decode the GEN API response{}: {}",
                status.map(|s| format!(" (status {s})")).unwrap_or_default(),
                clean_decode_error(source)
            ),
            Self::Validation {
                field,
                message,
                allowed,
            } => write!(
                f,
                "invalid `{field}`: {message}{}",
                fmt_allowed(allowed.as_deref())
            ),
            Self::Config { message } => write!(f, "invalid genpro-sdk configuration: {message}"),
            Self::InvalidRequest { message } => write!(f, "invalid request: {message}"),
            Self::UnexpectedResponse { status, request_id } => write!(
                f,
                "unexpected response status {status} from the GEN API{}",
                fmt_request_id(request_id.as_deref())
            ),
            Self::BodyTooLarge { limit, status } => write!(
                f,
                "the GEN API answer{} is larger than the {limit}-byte limit; nothing beyond it was read",
                status.map(|s| format!(" (status {s})")).unwrap_or_default()
            ),
            Self::Io { path, source } => write!(f, "I/O error on {}: {source}", path.display()),
            Self::Cancelled => f.write_str("the operation was cancelled"),
            Self::MissingField { operation, field } => write!(
                f,
                "the GEN API answer of `{operation}` has no `{field}`, which is needed to go on"
            ),
        }
    }
}

/// Like a derived `Debug`, except that [`Error::Decode`] shows its cleaned
/// message instead of serde's raw text.
impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Api {
                status,
                code,
                message,
                request_id,
                retry_after,
                body,
            } => f
                .debug_struct("Api")
                .field("status", status)
                .field("code", code)
                .field("message", message)
                .field("request_id", request_id)
                .field("retry_after", retry_after)
                .field("body", body)
                .finish(),
            Self::Transport { connect, source } => f
                .debug_struct("Transport")
                .field("connect", connect)
                .field("source", source)
                .finish(),
            Self::Timeout { connect, source } => f
                .debug_struct("Timeout")
                .field("connect", connect)
                .field("source", source)
                .finish(),
            Self::Decode {
                status,
                body,
                source,
            } => f
                .debug_struct("Decode")
                .field("status", status)
                .field("body", body)
                .field("message", &clean_decode_error(source))
                .finish(),
            Self::Validation {
                field,
                message,
                allowed,
            } => f
                .debug_struct("Validation")
                .field("field", field)
                .field("message", message)
                .field("allowed", allowed)
                .finish(),
            Self::Config { message } => f.debug_struct("Config").field("message", message).finish(),
            Self::InvalidRequest { message } => f
                .debug_struct("InvalidRequest")
                .field("message", message)
                .finish(),
            Self::UnexpectedResponse { status, request_id } => f
                .debug_struct("UnexpectedResponse")
                .field("status", status)
                .field("request_id", request_id)
                .finish(),
            Self::BodyTooLarge { limit, status } => f
                .debug_struct("BodyTooLarge")
                .field("limit", limit)
                .field("status", status)
                .finish(),
            Self::Io { path, source } => f
                .debug_struct("Io")
                .field("path", path)
                .field("source", source)
                .finish(),
            Self::Cancelled => f.write_str("Cancelled"),
            Self::MissingField { operation, field } => f
                .debug_struct("MissingField")
                .field("operation", operation)
                .field("field", field)
                .finish(),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Transport { source, .. } => Some(source),
            Self::Timeout {
                source: Some(source),
                ..
            } => Some(source),
            Self::Io { source, .. } => Some(source),
            // serde's raw text may quote the key: never exposed.
            _ => None,
        }
    }
}

fn fmt_request_id(request_id: Option<&str>) -> String {
    request_id
        .map(|id| format!(" (request id {id})"))
        .unwrap_or_default()
}

fn fmt_allowed(allowed: Option<&[String]>) -> String {
    match allowed {
        Some(values) if !values.is_empty() => format!(" (allowed: {})", values.join(", ")),
        _ => String::new(),
    }
}

impl Error {
    /// The HTTP status of the answer, when there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api { status, .. } | Self::UnexpectedResponse { status, .. } => Some(*status),
            Self::Decode { status, .. } | Self::BodyTooLarge { status, .. } => *status,
            Self::Transport { source, .. } => source.status().map(|s| s.as_u16()),
            _ => None,
        }
    }

    /// The GEN `error_code`, for [`Error::Api`].
    pub fn code(&self) -> Option<&ErrorCode> {
        match self {
            Self::Api { code, .. } => Some(code),
            _ => None,
        }
    }

    /// The `x-request-id` of the answer, when GEN sent one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Self::Api { request_id, .. } | Self::UnexpectedResponse { request_id, .. } => {
                request_id.as_deref()
            }
            _ => None,
        }
    }

    /// The `Retry-After` of the answer, when GEN sent one.
    pub fn retry_after(&self) -> Option<&RetryAfter> {
        match self {
            Self::Api { retry_after, .. } => retry_after.as_ref(),
            _ => None,
        }
    }

    /// True when the request provably never reached GEN: the connection
    /// could not be established (refused, DNS failure, connect timeout).
    /// Only these failures are retried for requests that spend credits.
    pub fn is_connect(&self) -> bool {
        matches!(
            self,
            Self::Transport { connect: true, .. } | Self::Timeout { connect: true, .. }
        )
    }

    /// True when trying the same request again may succeed: connection
    /// failures, timeouts, 408, 429 and 5xx. Whether genpro-sdk actually retries
    /// also depends on the operation (see [`crate::retry::Idempotency`]).
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Transport { .. } | Self::Timeout { .. } => true,
            Self::Api { status, .. } | Self::UnexpectedResponse { status, .. } => {
                is_retryable_status(*status)
            }
            _ => false,
        }
    }

    /// The documented fix for this error, if there is one.
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            Self::Api { code, status, .. } => code.hint().or(match *status {
                401 => ErrorCode::Unauthorized.hint(),
                403 => ErrorCode::Forbidden.hint(),
                404 => ErrorCode::NotFound.hint(),
                429 => Some("rate limited: slow down (genpro-sdk retries idempotent calls after Retry-After)"),
                500..=599 => Some("GEN had a server error: retry later; quote the request id to GEN support if it persists"),
                _ => None,
            }),
            Self::Transport { connect: true, .. } => Some(
                "could not connect: check the network and the base URLs (GEN_API_URL / GEN_AGENT_URL)",
            ),
            Self::Timeout { .. } => Some(
                "the request took too long: raise request_timeout, or poll long jobs instead of waiting",
            ),
            _ => None,
        }
    }

    /// Builds an [`Error`] from an error answer's status, headers and body.
    /// Never panics; bodies that are not GEN error objects keep the status
    /// and give `code = Other("")`.
    pub fn from_response_parts(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> Self {
        let value = serde_json::from_slice::<serde_json::Value>(body).ok();
        api_error(
            status,
            headers,
            value.as_ref(),
            &String::from_utf8_lossy(body),
        )
    }

    /// Removes every occurrence of `secret` from the strings this error
    /// carries (bodies echoed by a server, messages, request ids, the URL
    /// of a transport error) and reduces a decoding error to its cleaned
    /// message. Empty secrets are ignored.
    pub(crate) fn redact(self, secret: &str) -> Self {
        if secret.is_empty() {
            return self;
        }
        let scrub = |s: &mut String| {
            if s.contains(secret) {
                *s = s.replace(secret, "***");
            }
        };
        // The reqwest errors are taken by value: one whose URL holds the
        // key loses its URL.
        let mut this = match self {
            Self::Transport { connect, source } => Self::Transport {
                connect,
                source: scrub_url(source, secret),
            },
            Self::Timeout { connect, source } => Self::Timeout {
                connect,
                source: source.map(|s| scrub_url(s, secret)),
            },
            other => other,
        };
        // Every other text the error carries is scrubbed in place.
        match &mut this {
            Self::Api {
                code,
                message,
                request_id,
                body,
                ..
            } => {
                if code.as_str().contains(secret) {
                    *code = ErrorCode::from(code.as_str().replace(secret, "***"));
                }
                scrub(message);
                request_id.iter_mut().for_each(scrub);
                scrub(body);
            }
            Self::Decode { body, source, .. } => {
                scrub(body);
                *source = cleaned_serde_error(source, secret);
            }
            Self::InvalidRequest { message } | Self::Config { message } => scrub(message),
            Self::UnexpectedResponse { request_id, .. } => request_id.iter_mut().for_each(scrub),
            Self::Validation {
                field,
                message,
                allowed,
            } => {
                scrub(field);
                scrub(message);
                allowed.iter_mut().flatten().for_each(scrub);
            }
            _ => {}
        }
        this
    }

    /// The cleaned message of an [`Error::Decode`]: what was wrong (kind
    /// of value, what was expected, where), without any value quoted from
    /// the answer.
    pub fn decode_message(&self) -> Option<String> {
        match self {
            Self::Decode { source, .. } => Some(clean_decode_error(source)),
            _ => None,
        }
    }

    /// An [`Error::Decode`] for `body` (kept truncated to
    /// [`MAX_ERROR_BODY`]), holding only the cleaned message of `source`.
    pub(crate) fn decode(status: Option<u16>, body: &[u8], source: &serde_json::Error) -> Self {
        Self::Decode {
            status,
            body: truncate_body(&String::from_utf8_lossy(body)),
            source: cleaned_serde_error(source, ""),
        }
    }

    pub(crate) fn validation(
        field: impl Into<String>,
        message: impl Into<String>,
        allowed: Option<Vec<String>>,
    ) -> Self {
        Self::Validation {
            field: field.into(),
            message: message.into(),
            allowed,
        }
    }

    /// An [`Error::MissingField`]: the answer of `operation` has no `field`.
    pub(crate) fn missing(operation: &'static str, field: &'static str) -> Self {
        Self::MissingField { operation, field }
    }

    pub(crate) fn config(message: impl Into<String>) -> Self {
        Self::Config {
            message: message.into(),
        }
    }
}

pub(crate) fn is_retryable_status(status: u16) -> bool {
    status == 408 || status == 429 || (500..=599).contains(&status)
}

/// Truncates `s` to at most [`MAX_ERROR_BODY`] bytes on a character
/// boundary, marking the cut.
pub(crate) fn truncate_body(s: &str) -> String {
    if s.len() <= MAX_ERROR_BODY {
        return s.to_owned();
    }
    let mut end = MAX_ERROR_BODY;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…[truncated, {} bytes total]", &s[..end], s.len())
}

fn header_str(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

fn api_error(
    status: StatusCode,
    headers: &HeaderMap,
    value: Option<&serde_json::Value>,
    raw: &str,
) -> Error {
    let field = |name: &str| {
        value
            .and_then(|v| v.get(name))
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    };
    let message = field("error")
        .or_else(|| field("message"))
        .unwrap_or_else(|| status.canonical_reason().unwrap_or("error").to_owned());
    Error::Api {
        status: status.as_u16(),
        code: ErrorCode::from(field("error_code").unwrap_or_default()),
        message,
        request_id: header_str(headers, "x-request-id"),
        retry_after: header_str(headers, "retry-after").and_then(|v| RetryAfter::parse(&v)),
        body: truncate_body(raw),
    }
}

/// Reads at most `limit` bytes of `response`'s body while streaming; the
/// flag is false when the body was longer (the rest is not read and the
/// connection is dropped). A success answer announcing more than `limit`
/// bytes is not read at all.
pub(crate) async fn read_capped(
    mut response: reqwest::Response,
    limit: u64,
) -> Result<(Vec<u8>, bool), Error> {
    if response.status().is_success() && response.content_length().is_some_and(|len| len > limit) {
        return Ok((Vec::new(), false));
    }
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(from_reqwest)? {
        let room = limit - body.len();
        if chunk.len() > room {
            body.extend_from_slice(&chunk[..room]);
            return Ok((body, false));
        }
        body.extend_from_slice(&chunk);
    }
    Ok((body, true))
}

/// Reads a success answer's body for decoding, at most `limit` bytes while
/// streaming; a longer body is [`Error::BodyTooLarge`]. Error answers never
/// get here: the transport has already turned them into [`Error`]s.
pub(crate) async fn read_success_body(
    response: reqwest::Response,
    limit: u64,
) -> Result<Vec<u8>, Error> {
    let status = response.status();
    let (bytes, complete) = read_capped(response, limit).await?;
    if !complete {
        return Err(Error::BodyTooLarge {
            limit,
            status: Some(status.as_u16()),
        });
    }
    Ok(bytes)
}

/// Maps a `reqwest::Error` to [`Error::Timeout`] or [`Error::Transport`].
pub(crate) fn from_reqwest(e: reqwest::Error) -> Error {
    // A typed error the one transport sent through a body (body cap,
    // refusals) comes back as itself.
    if let Some(carried) = crate::transport::take_carried(&e) {
        return carried;
    }
    let connect = e.is_connect();
    if e.is_timeout() {
        Error::Timeout {
            connect,
            source: Some(e),
        }
    } else {
        Error::Transport { connect, source: e }
    }
}

impl From<reqwest::Error> for Error {
    fn from(e: reqwest::Error) -> Self {
        from_reqwest(e)
    }
}

/// Converts any error of the raw client. The error payload type only needs
/// to be serialisable: its `error` / `error_code` fields are read when
/// present, and the whole payload is kept as the body.
/// The keys of the live [`crate::GenClient`]s, so that an error converted
/// without its client at hand (`Error::from` on a generated builder's
/// error, whose decode body may echo the key) is scrubbed all the same.
static LIVE_KEYS: std::sync::Mutex<Vec<std::sync::Weak<str>>> = std::sync::Mutex::new(Vec::new());

/// Registers a client's key for [`scrub_live_keys`]; the entry lives as long
/// as the returned `Arc`.
pub(crate) fn register_key(key: &str) -> std::sync::Arc<str> {
    let key: std::sync::Arc<str> = std::sync::Arc::from(key);
    let mut keys = LIVE_KEYS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    keys.retain(|k| k.strong_count() > 0);
    keys.push(std::sync::Arc::downgrade(&key));
    key
}

/// Scrubs every live client's key from `error`.
pub(crate) fn scrub_live_keys(mut error: Error) -> Error {
    let keys: Vec<std::sync::Arc<str>> = LIVE_KEYS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .iter()
        .filter_map(std::sync::Weak::upgrade)
        .collect();
    for key in keys {
        error = error.redact(&key);
    }
    error
}

impl<E: serde::Serialize> From<genpro_api::Error<E>> for Error {
    fn from(e: genpro_api::Error<E>) -> Self {
        scrub_live_keys(from_gen_api(e))
    }
}

fn from_gen_api<E: serde::Serialize>(e: genpro_api::Error<E>) -> Error {
    {
        match e {
            genpro_api::Error::InvalidRequest(message) | genpro_api::Error::Custom(message) => {
                Error::InvalidRequest { message }
            }
            // The one transport sends typed errors through the generated code
            // inside the body of a synthesized answer (see crate::transport).
            genpro_api::Error::CommunicationError(e)
            | genpro_api::Error::InvalidUpgrade(e)
            | genpro_api::Error::ResponseBodyError(e) => from_reqwest(e),
            genpro_api::Error::ErrorResponse(rv) => {
                let status = rv.status();
                let headers = rv.headers().clone();
                let value = serde_json::to_value(rv.into_inner()).ok();
                let raw = value
                    .as_ref()
                    .and_then(|v| serde_json::to_string(v).ok())
                    .unwrap_or_default();
                api_error(status, &headers, value.as_ref(), &raw)
            }
            genpro_api::Error::InvalidResponsePayload(bytes, source) => {
                Error::decode(None, &bytes, &source)
            }
            genpro_api::Error::UnexpectedResponse(response) => Error::UnexpectedResponse {
                status: response.status().as_u16(),
                request_id: header_str(response.headers(), "x-request-id"),
            },
        }
    }
}

/// Drops the URL of a transport error when it carries the secret (a
/// hostile redirect can put it there).
fn scrub_url(error: reqwest::Error, secret: &str) -> reqwest::Error {
    if error.url().is_some_and(|u| u.as_str().contains(secret)) {
        error.without_url()
    } else {
        error
    }
}

/// A serde_json error holding only the cleaned message of `error` (with
/// its position), scrubbed of `secret` when not empty.
fn cleaned_serde_error(error: &serde_json::Error, secret: &str) -> serde_json::Error {
    let mut message = clean_decode_error(error);
    if !secret.is_empty() && message.contains(secret) {
        message = message.replace(secret, "***");
    }
    <serde_json::Error as serde::de::Error>::custom(message)
}

/// serde_json's message for `error` without any value it quotes from the
/// input, plus its position. Idempotent: cleaning a cleaned message gives
/// it back.
///
/// Syntax and end-of-input messages are fixed texts and kept. Data
/// messages keep what comes from the target type (`expected i64`, the
/// list of variants, a missing field's name) and drop what comes from the
/// answer: `invalid type: string "…"` becomes `invalid type: string`,
/// `unknown variant `…`` keeps no variant, and any other message has
/// the content of its quotes removed.
pub(crate) fn clean_decode_error(error: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let raw = error.to_string();
    let position = format!(" at line {} column {}", error.line(), error.column());
    let (message, position) = match raw.strip_suffix(&position) {
        Some(message) if error.line() != 0 => (message, position.as_str()),
        _ => (raw.as_str(), ""),
    };
    let cleaned = match error.classify() {
        Category::Syntax | Category::Eof | Category::Io => message.to_owned(),
        Category::Data => clean_data_message(message),
    };
    format!("{cleaned}{position}")
}

/// What serde calls an unexpected value's kind, longest first.
const UNEXPECTED_KINDS: &[&str] = &[
    "floating point",
    "newtype variant",
    "newtype struct",
    "struct variant",
    "tuple variant",
    "Option value",
    "unit variant",
    "byte array",
    "unit value",
    "character",
    "sequence",
    "boolean",
    "integer",
    "string",
    "enum",
    "null",
    "unit",
    "map",
];

fn clean_data_message(message: &str) -> String {
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some(rest) = message.strip_prefix(prefix) {
            let kind = UNEXPECTED_KINDS.iter().find(|k| rest.starts_with(**k));
            if let Some(kind) = kind
                && let Some(after) = skip_literal(&rest[kind.len()..])
                && let Some(expected) = after.strip_prefix(", expected ")
            {
                return format!("{prefix}{kind}, expected {expected}");
            }
            return format!("{prefix}{}", strip_quoted(rest));
        }
    }
    for (prefix, none) in [
        ("unknown variant `", ", there are no variants"),
        ("unknown field `", ", there are no fields"),
    ] {
        if message.starts_with(prefix) {
            let what = &prefix[..prefix.len() - 2];
            if message.ends_with(none) {
                return format!("{what} `…`{none}");
            }
            // The value comes first and the expected list last: the last
            // `, expected ` starts the part that comes from the type.
            return match message.rfind(", expected ") {
                Some(i) => format!("{what} `…`{}", &message[i..]),
                None => format!("{what} `…`"),
            };
        }
    }
    if message.starts_with("missing field `") || message.starts_with("duplicate field `") {
        // The field's name comes from the type.
        return message.to_owned();
    }
    if let Some(rest) = message.strip_prefix("invalid length ") {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && rest[digits..].starts_with(", expected ") {
            return message.to_owned();
        }
    }
    strip_quoted(message)
}

/// Skips a literal serde prints after a kind (` "..."` with escapes,
/// `` `...` ``, ` '...'`); `Some(rest)` also when there is none.
fn skip_literal(s: &str) -> Option<&str> {
    let (open, body) = if let Some(b) = s.strip_prefix(" \"") {
        ('"', b)
    } else if let Some(b) = s.strip_prefix(" `") {
        ('`', b)
    } else if let Some(b) = s.strip_prefix(" '") {
        ('\'', b)
    } else {
        return Some(s);
    };
    let mut escaped = false;
    for (i, c) in body.char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' && open == '"' {
            escaped = true;
        } else if c == open {
            return Some(&body[i + c.len_utf8()..]);
        }
    }
    None
}

/// Replaces the content of every `"..."` and `` `...` `` with `…`; an
/// unclosed quote drops the rest. At most 300 characters are kept.
fn strip_quoted(message: &str) -> String {
    let mut out = String::with_capacity(message.len().min(300));
    let mut open: Option<char> = None;
    for c in message.chars() {
        match open {
            Some(q) if c == q => {
                out.push('…');
                out.push(c);
                open = None;
            }
            Some(_) => {}
            None => {
                out.push(c);
                if c == '"' || c == '`' {
                    open = Some(c);
                }
            }
        }
        if out.chars().count() >= 300 {
            break;
        }
    }
    if open.is_some() {
        out.push('…');
    }
    out
}

/// Display-only wrapper used in tracing fields.
pub(crate) struct DisplayStatus(pub Option<u16>);

impl fmt::Display for DisplayStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(s) => write!(f, "{s}"),
            None => f.write_str("-"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "sk-gen-SECRET-42";

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    enum Kind {
        Alpha,
        Beta,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Strict {
        id: i64,
    }

    fn cleaned<T: serde::de::DeserializeOwned + fmt::Debug>(json: &str) -> String {
        let e = serde_json::from_str::<T>(json).unwrap_err();
        let once = clean_decode_error(&e);
        let twice = clean_decode_error(&cleaned_serde_error(&e, ""));
        assert_eq!(once, twice, "cleaning is idempotent");
        once
    }

    #[test]
    fn invalid_type_keeps_the_kind_and_the_expectation_not_the_value() {
        let m = cleaned::<Strict>(&format!(r#"{{"id":"{KEY}"}}"#));
        assert_eq!(m, "invalid type: string, expected i64 at line 1 column 24");
        let m = cleaned::<Strict>(&format!(r#"{{"id":"a\"b, expected {KEY}"}}"#));
        assert!(
            !m.contains(KEY) && m.starts_with("invalid type: string, expected i64"),
            "{m}"
        );
        let m = cleaned::<Strict>(r#"{"id":1.5}"#);
        assert!(
            m.starts_with("invalid type: floating point, expected i64"),
            "{m}"
        );
    }

    #[test]
    fn unknown_variants_and_fields_lose_the_value_even_with_backticks() {
        let m = cleaned::<Kind>(&format!(r#""x` {KEY} `y, expected z""#));
        assert_eq!(
            m,
            "unknown variant `…`, expected `Alpha` or `Beta` at line 1 column 36"
        );
        let m = cleaned::<Strict>(&format!(r#"{{"{KEY}":1}}"#));
        assert!(!m.contains(KEY), "{m}");
        assert!(m.starts_with("unknown field `…`, expected `id`"), "{m}");
    }

    #[test]
    fn syntax_errors_and_type_derived_messages_are_kept() {
        assert_eq!(
            cleaned::<Strict>(&format!("{{\"id\": {KEY}}}")),
            "expected value at line 1 column 8"
        );
        assert_eq!(
            cleaned::<Strict>("{}"),
            "missing field `id` at line 1 column 2"
        );
        assert_eq!(
            cleaned::<Strict>(r#"{"id":"#),
            "EOF while parsing a value at line 1 column 6"
        );
    }

    #[test]
    fn other_messages_lose_the_content_of_their_quotes() {
        assert_eq!(
            strip_quoted(&format!("bad \"{KEY}\" and `{KEY}` and \"open {KEY}")),
            "bad \"…\" and `…` and \"…"
        );
        assert_eq!(strip_quoted("bad \"…\""), "bad \"…\"");
    }

    #[test]
    fn decode_errors_never_show_the_key_and_redact_scrubs_the_rest() {
        let body = format!(r#"{{"id":"{KEY}"}}"#);
        let source = serde_json::from_str::<Strict>(&body).unwrap_err();
        // Built by hand with serde's raw error, as older code does:
        let raw = Error::Decode {
            status: Some(200),
            body: body.clone(),
            source,
        };
        // The body is scrubbed by `redact` (it needs the key); the message
        // never shows the value at all.
        assert!(!raw.to_string().contains(KEY), "{raw}");
        assert!(!raw.decode_message().unwrap().contains(KEY));
        assert!(!format!("{raw:?}").contains(r#"string \"sk"#), "{raw:?}");
        assert!(std::error::Error::source(&raw).is_none());
        let redacted = raw.redact(KEY);
        assert!(!format!("{redacted:?}").contains(KEY));
        assert_eq!(
            redacted.decode_message().unwrap(),
            "invalid type: string, expected i64 at line 1 column 24"
        );
        let Error::Decode { body, source, .. } = &redacted else {
            panic!()
        };
        assert_eq!(body, r#"{"id":"***"}"#);
        assert!(!source.to_string().contains(KEY));
    }

    #[test]
    fn errors_can_cross_threads() {
        fn send_sync_static<T: Send + Sync + 'static>() {}
        send_sync_static::<Error>();
    }

    #[test]
    fn body_too_large_has_its_status_and_is_not_retryable() {
        let e = Error::BodyTooLarge {
            limit: 16 << 20,
            status: Some(200),
        };
        assert_eq!(e.status(), Some(200));
        assert!(!e.is_retryable());
        assert!(e.to_string().contains("16777216-byte limit"), "{e}");
    }
}

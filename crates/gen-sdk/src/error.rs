//! The one error type of genpro-sdk.
//!
//! Every failure — an error answer from GEN (`{"error", "error_code"}`), a
//! network problem, a timeout, an undecodable body, a request refused by the
//! client before sending — is an [`Error`]: [`Error::kind`] says which
//! ([`ErrorKind`]), its accessors give the details. [`Error::hint`] gives the
//! documented fix for each error code, [`Error::is_retryable`] says whether
//! trying again can help.
//!
//! An [`Error`] never holds the API key or bearer token: requests carry it in
//! a sensitive header only, and bodies echoed by a server are scrubbed of it
//! before they reach an [`Error`].

use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

/// Result alias for genpro-sdk.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Maximum number of bytes of a response body kept in an [`Error`].
pub const MAX_ERROR_BODY: usize = 4 * 1024;

/// The largest JSON answer genpro-sdk reads by default (16 MiB); a larger one
/// is an [`ErrorKind::BodyTooLarge`] error, cut while streaming.
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

/// The name of the response header carrying GEN's request id, on error
/// answers ([`Error::request_id`]) and successful ones
/// ([`crate::response::Meta::request_id`]).
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// A `Retry-After` header value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RetryAfter {
    /// `Retry-After: <delta-seconds>`.
    Delay(Duration),
    /// `Retry-After: <HTTP-date>`.
    At(SystemTime),
}

impl RetryAfter {
    /// Parses delta-seconds or an HTTP-date; `None` when it is neither.
    pub fn parse(value: &str) -> Option<Self> {
        let value = value.trim();
        if let Ok(seconds) = value.parse::<u64>() {
            return Some(Self::Delay(Duration::from_secs(seconds)));
        }
        httpdate::parse_http_date(value).ok().map(Self::At)
    }

    /// How long to wait from `now`; zero for a date in the past.
    pub fn delay_from(&self, now: SystemTime) -> Duration {
        match self {
            Self::Delay(d) => *d,
            Self::At(at) => at.duration_since(now).unwrap_or(Duration::ZERO),
        }
    }
}

/// What kind of failure an [`Error`] is ([`Error::kind`]); match on it,
/// then read the details through [`Error`]'s accessors.
///
/// ```
/// use genpro_sdk::{Error, ErrorKind};
/// fn describe(error: &Error) -> String {
///     match error.kind() {
///         ErrorKind::Api => format!("GEN said {}", error.status().unwrap_or_default()),
///         ErrorKind::Validation => format!("fix `{}`", error.field().unwrap_or_default()),
///         _ => error.to_string(),
///     }
/// }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// GEN answered with an error status (4xx/5xx), or with a redirect
    /// (3xx) that a client carrying credentials does not follow:
    /// [`Error::status`], [`Error::error_code`], [`Error::message`],
    /// [`Error::request_id`], [`Error::retry_after`] and [`Error::body`]
    /// describe it.
    Api,
    /// The request could not be carried out on the network
    /// ([`Error::is_connect`]: nothing reached GEN).
    Transport,
    /// The request timed out (`connect_timeout` / `request_timeout` or a
    /// waiting helper's deadline; [`Error::is_connect`]: while connecting).
    Timeout,
    /// A response body could not be decoded into the expected type
    /// ([`Error::decode_message`], [`Error::body`]).
    Decode,
    /// The request was refused by genpro-sdk before anything was sent
    /// ([`Error::field`], [`Error::message`], [`Error::allowed`]).
    Validation,
    /// The client configuration is invalid (missing key, insecure URL...).
    Config,
    /// The raw client refused to build the request (a parameter is missing
    /// or could not be converted); a bug in the calling code.
    InvalidRequest,
    /// GEN answered with a status the API does not document (1xx/3xx).
    UnexpectedResponse,
    /// An answer's body was larger than the client accepts
    /// ([`Error::limit`]); not retried.
    BodyTooLarge,
    /// A local file could not be read or written ([`Error::path`],
    /// [`Error::io_error`]).
    Io,
    /// The operation was cancelled through its
    /// `tokio_util::sync::CancellationToken` (uploads, downloads).
    Cancelled,
    /// A successful answer lacks a value genpro-sdk needs to go on
    /// ([`Error::operation`], [`Error::field`]).
    MissingField,
}

impl ErrorKind {
    /// The kind's name in snake case (`"api"`, `"body_too_large"`...), for
    /// logs and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Api => "api",
            Self::Transport => "transport",
            Self::Timeout => "timeout",
            Self::Decode => "decode",
            Self::Validation => "validation",
            Self::Config => "config",
            Self::InvalidRequest => "invalid_request",
            Self::UnexpectedResponse => "unexpected_response",
            Self::BodyTooLarge => "body_too_large",
            Self::Io => "io",
            Self::Cancelled => "cancelled",
            Self::MissingField => "missing_field",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Everything that can go wrong calling GEN through genpro-sdk.
///
/// An opaque value: [`Error::kind`] says what kind of failure it is
/// ([`ErrorKind`], non-exhaustive), and accessors give the details
/// ([`Error::status`], [`Error::error_code`], [`Error::request_id`],
/// [`Error::hint`], [`Error::is_retryable`]...), so new kinds and new
/// details can be added without breaking callers.
///
/// `Display` is one line (the message). `Debug` is what `?` in `main`
/// prints: the message, then the documented fix on its own line when there
/// is one; `{:#?}` shows every detail, field by field.
///
/// ```
/// let error = genpro_sdk::Error::from_response_parts(
///     reqwest::StatusCode::UNAUTHORIZED,
///     &reqwest::header::HeaderMap::new(),
///     br#"{"error": "Invalid API key", "error_code": "unauthorized"}"#,
/// );
/// assert_eq!(error.to_string(), "GEN API error 401 (unauthorized): Invalid API key");
/// assert!(format!("{error:?}").contains("\nhint: check GEN_API_KEY"));
/// ```
///
/// No text of an [`Error`] carries the API key: strings a server echoes
/// (bodies, messages, request ids) are scrubbed of it by the client, and a
/// decoding error shows a cleaned message in which no value quoted from the
/// answer appears ([`ErrorKind::Decode`]).
pub struct Error {
    repr: Box<Repr>,
}

/// The details of an [`Error`], private to the crate.
pub(crate) enum Repr {
    Api {
        status: u16,
        /// `Other("")` when the body had none.
        code: ErrorCode,
        /// The body's `error`, or the status reason.
        message: String,
        request_id: Option<String>,
        retry_after: Option<RetryAfter>,
        /// Truncated to [`MAX_ERROR_BODY`] bytes.
        body: String,
    },
    Transport {
        connect: bool,
        source: reqwest::Error,
    },
    Timeout {
        connect: bool,
        source: Option<reqwest::Error>,
    },
    /// serde's own text quotes the offending value, which a hostile answer
    /// can fill with the key: `source` only ever holds the cleaned message
    /// once built by [`Error::decode`] or redacted.
    Decode {
        status: Option<u16>,
        body: String,
        source: serde_json::Error,
    },
    Validation {
        field: String,
        message: String,
        allowed: Option<Vec<String>>,
    },
    Config {
        message: String,
    },
    InvalidRequest {
        message: String,
    },
    UnexpectedResponse {
        status: u16,
        request_id: Option<String>,
    },
    BodyTooLarge {
        limit: u64,
        status: Option<u16>,
    },
    Io {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    Cancelled,
    MissingField {
        operation: &'static str,
        field: &'static str,
    },
}

impl From<Repr> for Error {
    fn from(repr: Repr) -> Self {
        Self {
            repr: Box::new(repr),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.repr {
            Repr::Api {
                status,
                code,
                message,
                request_id,
                ..
            } => {
                write!(f, "GEN API error {status}")?;
                if !code.as_str().is_empty() {
                    write!(f, " ({code})")?;
                }
                write!(f, ": {message}{}", fmt_request_id(request_id.as_deref()))
            }
            Repr::Transport { connect, source } => write!(
                f,
                "{} the GEN API: {source}",
                if *connect {
                    "could not connect to"
                } else {
                    "network error talking to"
                }
            ),
            Repr::Timeout { connect, .. } => write!(
                f,
                "the GEN API request timed out{}",
                if *connect { " while connecting" } else { "" }
            ),
            Repr::Decode { status, source, .. } => write!(
                f,
                "could not decode the GEN API response{}: {}",
                status.map(|s| format!(" (status {s})")).unwrap_or_default(),
                clean_decode_error(source)
            ),
            Repr::Validation {
                field,
                message,
                allowed,
            } => write!(
                f,
                "invalid `{field}`: {message}{}",
                fmt_allowed(allowed.as_deref())
            ),
            Repr::Config { message } => write!(f, "invalid genpro-sdk configuration: {message}"),
            Repr::InvalidRequest { message } => write!(f, "invalid request: {message}"),
            Repr::UnexpectedResponse { status, request_id } => write!(
                f,
                "unexpected response status {status} from the GEN API{}",
                fmt_request_id(request_id.as_deref())
            ),
            Repr::BodyTooLarge { limit, status } => write!(
                f,
                "the GEN API answer{} is larger than the {limit}-byte limit; nothing beyond it was read",
                status.map(|s| format!(" (status {s})")).unwrap_or_default()
            ),
            Repr::Io { path, source } => write!(f, "I/O error on {}: {source}", path.display()),
            Repr::Cancelled => f.write_str("the operation was cancelled"),
            Repr::MissingField { operation, field } => write!(
                f,
                "the GEN API answer of `{operation}` has no `{field}`, which is needed to go on"
            ),
        }
    }
}

/// `{:?}` (what `fn main() -> Result<(), genpro_sdk::Error>` prints) is the
/// message, then `hint: ` and the documented fix on the next line when
/// there is one. `{:#?}` lists the kind and every detail; a decoding error
/// shows its cleaned message, never serde's raw text.
impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !f.alternate() {
            fmt::Display::fmt(self, f)?;
            if let Some(hint) = self.hint() {
                write!(f, "\nhint: {hint}")?;
            }
            return Ok(());
        }
        let mut d = f.debug_struct("Error");
        d.field("kind", &self.kind());
        match &*self.repr {
            Repr::Api {
                status,
                code,
                message,
                request_id,
                retry_after,
                body,
            } => d
                .field("status", status)
                .field("error_code", code)
                .field("message", message)
                .field("request_id", request_id)
                .field("retry_after", retry_after)
                .field("body", body),
            Repr::Transport { connect, source } => {
                d.field("connect", connect).field("source", source)
            }
            Repr::Timeout { connect, source } => {
                d.field("connect", connect).field("source", source)
            }
            Repr::Decode {
                status,
                body,
                source,
            } => d
                .field("status", status)
                .field("body", body)
                .field("message", &clean_decode_error(source)),
            Repr::Validation {
                field,
                message,
                allowed,
            } => d
                .field("field", field)
                .field("message", message)
                .field("allowed", allowed),
            Repr::Config { message } | Repr::InvalidRequest { message } => {
                d.field("message", message)
            }
            Repr::UnexpectedResponse { status, request_id } => {
                d.field("status", status).field("request_id", request_id)
            }
            Repr::BodyTooLarge { limit, status } => d.field("limit", limit).field("status", status),
            Repr::Io { path, source } => d.field("path", path).field("source", source),
            Repr::Cancelled => &mut d,
            Repr::MissingField { operation, field } => {
                d.field("operation", operation).field("field", field)
            }
        };
        d.field("hint", &self.hint()).finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &*self.repr {
            Repr::Transport { source, .. } => Some(source),
            Repr::Timeout {
                source: Some(source),
                ..
            } => Some(source),
            Repr::Io { source, .. } => Some(source),
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
    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        match &*self.repr {
            Repr::Api { .. } => ErrorKind::Api,
            Repr::Transport { .. } => ErrorKind::Transport,
            Repr::Timeout { .. } => ErrorKind::Timeout,
            Repr::Decode { .. } => ErrorKind::Decode,
            Repr::Validation { .. } => ErrorKind::Validation,
            Repr::Config { .. } => ErrorKind::Config,
            Repr::InvalidRequest { .. } => ErrorKind::InvalidRequest,
            Repr::UnexpectedResponse { .. } => ErrorKind::UnexpectedResponse,
            Repr::BodyTooLarge { .. } => ErrorKind::BodyTooLarge,
            Repr::Io { .. } => ErrorKind::Io,
            Repr::Cancelled => ErrorKind::Cancelled,
            Repr::MissingField { .. } => ErrorKind::MissingField,
        }
    }

    /// The details, for the crate's own tests.
    #[cfg(test)]
    pub(crate) fn repr(&self) -> &Repr {
        &self.repr
    }

    /// The HTTP status of the answer, when there was one.
    pub fn status(&self) -> Option<u16> {
        match &*self.repr {
            Repr::Api { status, .. } | Repr::UnexpectedResponse { status, .. } => Some(*status),
            Repr::Decode { status, .. } | Repr::BodyTooLarge { status, .. } => *status,
            Repr::Transport { source, .. } => source.status().map(|s| s.as_u16()),
            _ => None,
        }
    }

    /// The GEN `error_code` of an [`ErrorKind::Api`] error
    /// (`ErrorCode::Other("")` when the body had none).
    pub fn error_code(&self) -> Option<&ErrorCode> {
        match &*self.repr {
            Repr::Api { code, .. } => Some(code),
            _ => None,
        }
    }

    /// The human-readable message: the `error` of a GEN error answer (or
    /// the status reason when the body was not a GEN error object), what is
    /// wrong with a refused field ([`ErrorKind::Validation`]), a bad
    /// configuration or request. `None` for the other kinds (their
    /// `Display` says it).
    pub fn message(&self) -> Option<&str> {
        match &*self.repr {
            Repr::Api { message, .. }
            | Repr::Validation { message, .. }
            | Repr::Config { message }
            | Repr::InvalidRequest { message } => Some(message),
            _ => None,
        }
    }

    /// The `x-request-id` ([`REQUEST_ID_HEADER`]) of the answer, when GEN
    /// sent one: quote it to GEN support.
    pub fn request_id(&self) -> Option<&str> {
        match &*self.repr {
            Repr::Api { request_id, .. } | Repr::UnexpectedResponse { request_id, .. } => {
                request_id.as_deref()
            }
            _ => None,
        }
    }

    /// The raw body of an error answer ([`ErrorKind::Api`]) or of an answer
    /// that did not decode ([`ErrorKind::Decode`]), truncated to
    /// [`MAX_ERROR_BODY`] bytes and scrubbed of the key.
    pub fn body(&self) -> Option<&str> {
        match &*self.repr {
            Repr::Api { body, .. } | Repr::Decode { body, .. } => Some(body),
            _ => None,
        }
    }

    /// The `Retry-After` of the answer, when GEN sent a valid one.
    pub fn retry_after(&self) -> Option<&RetryAfter> {
        match &*self.repr {
            Repr::Api { retry_after, .. } => retry_after.as_ref(),
            _ => None,
        }
    }

    /// The field concerned: the refused field of an
    /// [`ErrorKind::Validation`] error, as a JSON path (`data.duration`),
    /// or the missing value of an [`ErrorKind::MissingField`] error
    /// (`direct_upload.url`).
    pub fn field(&self) -> Option<&str> {
        match &*self.repr {
            Repr::Validation { field, .. } => Some(field),
            Repr::MissingField { field, .. } => Some(field),
            _ => None,
        }
    }

    /// The allowed values of a refused field, when there is a closed list
    /// ([`ErrorKind::Validation`]).
    pub fn allowed(&self) -> Option<&[String]> {
        match &*self.repr {
            Repr::Validation { allowed, .. } => allowed.as_deref(),
            _ => None,
        }
    }

    /// The operation whose answer lacks a value ([`ErrorKind::MissingField`],
    /// e.g. `create_direct_upload`).
    pub fn operation(&self) -> Option<&'static str> {
        match &*self.repr {
            Repr::MissingField { operation, .. } => Some(operation),
            _ => None,
        }
    }

    /// The size limit, in bytes, an answer went over
    /// ([`ErrorKind::BodyTooLarge`]).
    pub fn limit(&self) -> Option<u64> {
        match &*self.repr {
            Repr::BodyTooLarge { limit, .. } => Some(*limit),
            _ => None,
        }
    }

    /// The local file of an [`ErrorKind::Io`] error.
    pub fn path(&self) -> Option<&std::path::Path> {
        match &*self.repr {
            Repr::Io { path, .. } => Some(path),
            _ => None,
        }
    }

    /// The underlying I/O error of an [`ErrorKind::Io`] error.
    pub fn io_error(&self) -> Option<&std::io::Error> {
        match &*self.repr {
            Repr::Io { source, .. } => Some(source),
            _ => None,
        }
    }

    /// True when the request provably never reached GEN: the connection
    /// could not be established (refused, DNS failure, connect timeout).
    /// Only these failures are retried for requests that spend credits.
    pub fn is_connect(&self) -> bool {
        matches!(
            &*self.repr,
            Repr::Transport { connect: true, .. } | Repr::Timeout { connect: true, .. }
        )
    }

    /// True for a timeout ([`ErrorKind::Timeout`]).
    pub fn is_timeout(&self) -> bool {
        self.kind() == ErrorKind::Timeout
    }

    /// True when trying the same request again may succeed: connection
    /// failures, timeouts, 408, 429 and 5xx. Whether genpro-sdk actually retries
    /// also depends on the operation (see [`crate::retry::Idempotency`]).
    pub fn is_retryable(&self) -> bool {
        match &*self.repr {
            Repr::Transport { .. } | Repr::Timeout { .. } => true,
            Repr::Api { status, .. } | Repr::UnexpectedResponse { status, .. } => {
                is_retryable_status(*status)
            }
            _ => false,
        }
    }

    /// The documented fix for this error, if there is one.
    pub fn hint(&self) -> Option<&'static str> {
        match &*self.repr {
            Repr::Api { code, status, .. } => code.hint().or(match *status {
                401 => ErrorCode::Unauthorized.hint(),
                403 => ErrorCode::Forbidden.hint(),
                404 => ErrorCode::NotFound.hint(),
                429 => Some("rate limited: slow down (genpro-sdk retries idempotent calls after Retry-After)"),
                500..=599 => Some("GEN had a server error: retry later; quote the request id to GEN support if it persists"),
                _ => None,
            }),
            Repr::Transport { connect: true, .. } => Some(
                "could not connect: check the network and the base URLs (GEN_API_URL / GEN_AGENT_URL)",
            ),
            Repr::Timeout { .. } => Some(
                "the request took too long: raise request_timeout, or poll long jobs instead of waiting",
            ),
            _ => None,
        }
    }

    /// The cleaned message of an [`ErrorKind::Decode`] error: what was
    /// wrong (kind of value, what was expected, where), without any value
    /// quoted from the answer.
    pub fn decode_message(&self) -> Option<String> {
        match &*self.repr {
            Repr::Decode { source, .. } => Some(clean_decode_error(source)),
            _ => None,
        }
    }

    /// Builds an [`ErrorKind::Api`] error from an error answer's status,
    /// headers and body. Never panics; bodies that are not GEN error
    /// objects keep the status and give `ErrorCode::Other("")`.
    pub fn from_response_parts(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> Self {
        let value = serde_json::from_slice::<serde_json::Value>(body).ok();
        api_error(
            status,
            headers,
            value.as_ref(),
            &String::from_utf8_lossy(body),
        )
    }

    /// An [`ErrorKind::Validation`] error: `field` (a JSON path) is refused
    /// because of `message`; `allowed` lists the allowed values when there
    /// is a closed list. For checks an application adds before calling GEN.
    pub fn validation(
        field: impl Into<String>,
        message: impl Into<String>,
        allowed: Option<Vec<String>>,
    ) -> Self {
        Repr::Validation {
            field: field.into(),
            message: message.into(),
            allowed,
        }
        .into()
    }

    /// An [`ErrorKind::Io`] error on the local file `path`.
    pub fn io(path: impl Into<std::path::PathBuf>, source: std::io::Error) -> Self {
        Repr::Io {
            path: path.into(),
            source,
        }
        .into()
    }

    /// An [`ErrorKind::Cancelled`] error.
    pub fn cancelled() -> Self {
        Repr::Cancelled.into()
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
        let mut repr = match *self.repr {
            Repr::Transport { connect, source } => Repr::Transport {
                connect,
                source: scrub_url(source, secret),
            },
            Repr::Timeout { connect, source } => Repr::Timeout {
                connect,
                source: source.map(|s| scrub_url(s, secret)),
            },
            other => other,
        };
        // Every other text the error carries is scrubbed in place.
        match &mut repr {
            Repr::Api {
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
            Repr::Decode { body, source, .. } => {
                scrub(body);
                *source = cleaned_serde_error(source, secret);
            }
            Repr::InvalidRequest { message } | Repr::Config { message } => scrub(message),
            Repr::UnexpectedResponse { request_id, .. } => request_id.iter_mut().for_each(scrub),
            Repr::Validation {
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
        repr.into()
    }

    /// An [`ErrorKind::Decode`] error for `body` (kept truncated to
    /// [`MAX_ERROR_BODY`]), holding only the cleaned message of `source`.
    pub(crate) fn decode(status: Option<u16>, body: &[u8], source: &serde_json::Error) -> Self {
        Repr::Decode {
            status,
            body: truncate_body(&String::from_utf8_lossy(body)),
            source: cleaned_serde_error(source, ""),
        }
        .into()
    }

    /// An [`ErrorKind::MissingField`] error: the answer of `operation` has
    /// no `field`.
    pub(crate) fn missing(operation: &'static str, field: &'static str) -> Self {
        Repr::MissingField { operation, field }.into()
    }

    pub(crate) fn config(message: impl Into<String>) -> Self {
        Repr::Config {
            message: message.into(),
        }
        .into()
    }

    pub(crate) fn invalid_request(message: impl Into<String>) -> Self {
        Repr::InvalidRequest {
            message: message.into(),
        }
        .into()
    }

    pub(crate) fn timeout(connect: bool, source: Option<reqwest::Error>) -> Self {
        Repr::Timeout { connect, source }.into()
    }

    pub(crate) fn body_too_large(limit: u64, status: Option<u16>) -> Self {
        Repr::BodyTooLarge { limit, status }.into()
    }

    /// The reqwest error of a [`ErrorKind::Transport`] or
    /// [`ErrorKind::Timeout`] error, given back; any other error as it is.
    pub(crate) fn into_reqwest(self) -> Result<reqwest::Error, Self> {
        match *self.repr {
            Repr::Transport { source, .. }
            | Repr::Timeout {
                source: Some(source),
                ..
            } => Ok(source),
            other => Err(other.into()),
        }
    }
}

/// A decoding error of the caller's own (e.g. reading
/// [`crate::dynamic::Answer::body`] into a type): an
/// [`ErrorKind::Decode`] error without status or body, whose message is
/// cleaned of any value quoted from the input.
impl From<serde_json::Error> for Error {
    fn from(source: serde_json::Error) -> Self {
        Self::decode(None, b"", &source)
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

pub(crate) fn header_str(headers: &HeaderMap, name: &str) -> Option<String> {
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
    Repr::Api {
        status: status.as_u16(),
        code: ErrorCode::from(field("error_code").unwrap_or_default()),
        message,
        request_id: header_str(headers, REQUEST_ID_HEADER),
        retry_after: header_str(headers, "retry-after").and_then(|v| RetryAfter::parse(&v)),
        body: truncate_body(raw),
    }
    .into()
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
/// streaming; a longer body is an [`ErrorKind::BodyTooLarge`] error. Error answers never
/// get here: the transport has already turned them into [`Error`]s.
pub(crate) async fn read_success_body(
    response: reqwest::Response,
    limit: u64,
) -> Result<Vec<u8>, Error> {
    let status = response.status();
    let (bytes, complete) = read_capped(response, limit).await?;
    if !complete {
        return Err(Error::body_too_large(limit, Some(status.as_u16())));
    }
    Ok(bytes)
}

/// Maps a `reqwest::Error` to an [`ErrorKind::Timeout`] or
/// [`ErrorKind::Transport`] error, or to the typed error it carries (see
/// [`Carried`]).
pub(crate) fn from_reqwest(e: reqwest::Error) -> Error {
    // A typed error the one transport sent through a body (body cap,
    // refusals) comes back as itself.
    if let Some(carried) = take_carried(&e) {
        return carried;
    }
    let connect = e.is_connect();
    if e.is_timeout() {
        Error::timeout(connect, Some(e))
    } else {
        Repr::Transport { connect, source: e }.into()
    }
}

impl From<reqwest::Error> for Error {
    fn from(e: reqwest::Error) -> Self {
        from_reqwest(e)
    }
}

/// A typed [`Error`] riding inside a `reqwest::Error`'s source chain: the
/// one transport (`crate::transport`) sends the errors that are not
/// network failures through the generated code as the failing body of a
/// synthesized answer, and [`from_reqwest`] takes them out again.
pub(crate) struct Carried(Mutex<Option<Error>>);

impl Carried {
    pub(crate) fn new(error: Error) -> Self {
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

/// Takes the typed [`Error`] out of a `reqwest::Error`, if it carries one
/// ([`Carried`]).
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

/// Converts any error of the raw client. The error payload type only needs
/// to be serialisable: its `error` / `error_code` fields are read when
/// present, and the whole payload is kept as the body.
///
/// Every error the one transport makes (error answers, refusals, network
/// failures) is already scrubbed of the key. The one text it cannot see is
/// the body of a success answer that did not decode, which a hostile server
/// can fill with the key: without the key at hand, this conversion drops
/// that body (its cleaned message is kept).
/// [`crate::GenClient::error`] converts with the key and keeps the body,
/// scrubbed.
impl<E: serde::Serialize> From<genpro_api::Error<E>> for Error {
    fn from(e: genpro_api::Error<E>) -> Self {
        from_gen_api(e, None)
    }
}

/// Converts an error of the raw client; with `secret`, a decode error keeps
/// its body and the result is scrubbed of `secret`, without it a decode
/// error's body is dropped.
pub(crate) fn from_gen_api<E: serde::Serialize>(
    e: genpro_api::Error<E>,
    secret: Option<&str>,
) -> Error {
    let error = match e {
        genpro_api::Error::InvalidRequest(message) | genpro_api::Error::Custom(message) => {
            Error::invalid_request(message)
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
            let body: &[u8] = if secret.is_some() { &bytes } else { b"" };
            Error::decode(None, body, &source)
        }
        genpro_api::Error::UnexpectedResponse(response) => Repr::UnexpectedResponse {
            status: response.status().as_u16(),
            request_id: header_str(response.headers(), REQUEST_ID_HEADER),
        }
        .into(),
    };
    match secret {
        Some(secret) => error.redact(secret),
        None => error,
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
        // Built with serde's raw error, as a caller's `?` on serde_json does:
        let raw = Error::from(Repr::Decode {
            status: Some(200),
            body: body.clone(),
            source,
        });
        // The body is scrubbed by `redact` (it needs the key); the message
        // never shows the value at all.
        assert!(!raw.to_string().contains(KEY), "{raw}");
        assert!(!raw.decode_message().unwrap().contains(KEY));
        assert!(!format!("{raw:?}").contains(r#"string \"sk"#), "{raw:?}");
        assert!(!format!("{raw:#?}").contains(r#"string \"sk"#), "{raw:#?}");
        assert!(std::error::Error::source(&raw).is_none());
        let redacted = raw.redact(KEY);
        assert!(!format!("{redacted:?}").contains(KEY));
        assert!(!format!("{redacted:#?}").contains(KEY));
        assert_eq!(
            redacted.decode_message().unwrap(),
            "invalid type: string, expected i64 at line 1 column 24"
        );
        assert_eq!(redacted.kind(), ErrorKind::Decode);
        assert_eq!(redacted.body(), Some(r#"{"id":"***"}"#));
        let Repr::Decode { source, .. } = redacted.repr() else {
            panic!()
        };
        assert!(!source.to_string().contains(KEY));
    }

    #[test]
    fn a_raw_decode_error_keeps_its_body_only_when_the_key_is_known() {
        let body = format!(r#"{{"id":"{KEY}"}}"#);
        let raw = || {
            let source = serde_json::from_str::<Strict>(&body).unwrap_err();
            genpro_api::Error::<()>::InvalidResponsePayload(body.clone().into(), source)
        };
        // `Error::from` cannot scrub the body: it drops it.
        let unknown = Error::from(raw());
        assert_eq!(unknown.kind(), ErrorKind::Decode);
        assert_eq!(unknown.body(), Some(""));
        assert_eq!(
            unknown.to_string(),
            "could not decode the GEN API response: invalid type: string, expected i64 at line 1 column 24"
        );
        // With the key (`GenClient::error`), the body is kept, scrubbed.
        let known = from_gen_api(raw(), Some(KEY));
        assert_eq!(known.body(), Some(r#"{"id":"***"}"#));
        // A serde_json error of the caller's own is cleaned the same way.
        let own = Error::from(serde_json::from_str::<Strict>(&body).unwrap_err());
        assert_eq!(own.kind(), ErrorKind::Decode);
        assert!(!format!("{own} {own:?} {own:#?}").contains(KEY));
    }

    #[test]
    fn debug_is_the_message_and_the_hint() {
        let mut headers = HeaderMap::new();
        headers.insert(REQUEST_ID_HEADER, "req-7".parse().unwrap());
        let e = Error::from_response_parts(
            StatusCode::UNAUTHORIZED,
            &headers,
            br#"{"error": "Invalid API key", "error_code": "unauthorized"}"#,
        );
        assert_eq!(
            format!("{e:?}"),
            "GEN API error 401 (unauthorized): Invalid API key (request id req-7)\n\
             hint: check GEN_API_KEY (sent as X-API-Key) or the bearer token; create a personal access token in the GEN dashboard: log in > select agent > API page in the sidebar > Create API Key"
        );
        // What `fn main() -> Result<(), Error>` prints: `Error: ` and the Debug form.
        assert!(format!("Error: {e:?}").starts_with("Error: GEN API error 401"));
        // No hint: the message alone.
        let e = Error::validation("data.duration", "must be 5 or 10", None);
        assert_eq!(format!("{e:?}"), "invalid `data.duration`: must be 5 or 10");
        // A body that is not a GEN error object: no empty code in brackets.
        let e = Error::from_response_parts(StatusCode::BAD_GATEWAY, &HeaderMap::new(), b"<html>");
        assert_eq!(
            format!("{e:?}"),
            "GEN API error 502: Bad Gateway\n\
             hint: GEN had a server error: retry later; quote the request id to GEN support if it persists"
        );
        // `{:#?}` lists the details.
        assert_eq!(
            format!("{e:#?}"),
            "Error {\n    kind: Api,\n    status: 502,\n    error_code: Other(\n        \"\",\n    ),\n    message: \"Bad Gateway\",\n    request_id: None,\n    retry_after: None,\n    body: \"<html>\",\n    hint: Some(\n        \"GEN had a server error: retry later; quote the request id to GEN support if it persists\",\n    ),\n}"
        );
    }

    #[test]
    fn kinds_and_accessors() {
        let e = Error::validation("type", "unknown", Some(vec!["a".into(), "b".into()]));
        assert_eq!(e.kind(), ErrorKind::Validation);
        assert_eq!(e.kind().to_string(), "validation");
        assert_eq!(e.field(), Some("type"));
        assert_eq!(e.message(), Some("unknown"));
        assert_eq!(e.allowed(), Some(&["a".to_owned(), "b".to_owned()][..]));
        assert_eq!(e.status(), None);
        assert_eq!(e.to_string(), "invalid `type`: unknown (allowed: a, b)");
        let io = Error::io("/x", std::io::Error::from(std::io::ErrorKind::NotFound));
        assert_eq!(io.kind(), ErrorKind::Io);
        assert_eq!(io.path(), Some(std::path::Path::new("/x")));
        assert_eq!(
            io.io_error().map(std::io::Error::kind),
            Some(std::io::ErrorKind::NotFound)
        );
        assert!(std::error::Error::source(&io).is_some());
        let missing = Error::missing("create_direct_upload", "direct_upload.url");
        assert_eq!(missing.kind(), ErrorKind::MissingField);
        assert_eq!(missing.operation(), Some("create_direct_upload"));
        assert_eq!(missing.field(), Some("direct_upload.url"));
        assert_eq!(Error::cancelled().kind(), ErrorKind::Cancelled);
        let mut headers = HeaderMap::new();
        headers.insert("retry-after", "7".parse().unwrap());
        let e = Error::from_response_parts(
            StatusCode::TOO_MANY_REQUESTS,
            &headers,
            br#"{"error": "slow down", "error_code": "rate_limited"}"#,
        );
        assert_eq!(e.error_code().map(ErrorCode::as_str), Some("rate_limited"));
        assert_eq!(
            e.retry_after(),
            Some(&RetryAfter::Delay(Duration::from_secs(7)))
        );
        assert_eq!(e.message(), Some("slow down"));
        assert_eq!(
            e.body(),
            Some(r#"{"error": "slow down", "error_code": "rate_limited"}"#)
        );
        assert!(e.is_retryable());
        assert!(!e.is_connect());
    }

    #[test]
    fn errors_can_cross_threads() {
        fn send_sync_static<T: Send + Sync + 'static>() {}
        send_sync_static::<Error>();
    }

    #[test]
    fn body_too_large_has_its_status_and_is_not_retryable() {
        let e = Error::body_too_large(16 << 20, Some(200));
        assert_eq!(e.status(), Some(200));
        assert_eq!(e.limit(), Some(16 << 20));
        assert_eq!(e.kind(), ErrorKind::BodyTooLarge);
        assert!(!e.is_retryable());
        assert!(e.to_string().contains("16777216-byte limit"), "{e}");
    }
}

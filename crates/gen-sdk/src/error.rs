//! The one error type of gen-sdk.
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

use crate::open_enum::open_enum;
use crate::retry::RetryAfter;

/// Result alias for gen-sdk.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Maximum number of bytes of a response body kept in an [`Error`].
pub const MAX_ERROR_BODY: usize = 4 * 1024;

open_enum! {
    /// The machine-readable `error_code` of a GEN error answer
    /// (`{"error": "...", "error_code": "..."}`).
    pub enum ErrorCode {
        /// 401: missing or invalid API key.
        Unauthorized => "unauthorized",
        /// 403: no permission for this resource.
        Forbidden => "forbidden",
        /// 404: the resource does not exist.
        NotFound => "not_found",
        /// 422: the workspace has no active credits.
        UsableGenCreditRequired => "usable_gen_credit_required",
        /// 422: invalid `agent_id`.
        AgentNotFound => "agent_not_found",
        /// 422: not enough credits for this generation.
        InsufficientCreditsForJob => "insufficient_credits_for_job",
        /// 422: invalid request body (also: a generation that cannot be
        /// stopped or continued in its current state).
        ValidationError => "validation_error",
    }
}

impl ErrorCode {
    /// The documented fix for this error code, if there is one.
    pub fn hint(&self) -> Option<&'static str> {
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
            Self::Other(_) => return None,
        })
    }
}

/// Everything that can go wrong calling GEN through gen-sdk.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// GEN answered with an error status (4xx/5xx).
    #[error("GEN API error {status} ({code}): {message}{}", fmt_request_id(request_id.as_deref()))]
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
    #[error("{} the GEN API: {source}", if *connect { "could not connect to" } else { "network error talking to" })]
    Transport {
        /// True when the failure happened while connecting (nothing sent).
        connect: bool,
        /// The underlying error.
        #[source]
        source: reqwest::Error,
    },
    /// The request timed out (`connect_timeout` / `request_timeout` or a
    /// waiting helper's deadline). When `connect` is true it timed out while
    /// connecting, so nothing was sent.
    #[error("the GEN API request timed out{}", if *connect { " while connecting" } else { "" })]
    Timeout {
        /// True when the timeout happened while connecting (nothing sent).
        connect: bool,
        /// The underlying error, if the timeout came from the HTTP client.
        #[source]
        source: Option<reqwest::Error>,
    },
    /// A response body could not be decoded into the expected type.
    #[error("could not decode the GEN API response{}: {source}", status.map(|s| format!(" (status {s})")).unwrap_or_default())]
    Decode {
        /// HTTP status code, when known.
        status: Option<u16>,
        /// The raw body, truncated to [`MAX_ERROR_BODY`] bytes.
        body: String,
        /// The decoding error.
        #[source]
        source: serde_json::Error,
    },
    /// The request was refused by gen-sdk before anything was sent.
    #[error("invalid `{field}`: {message}{}", fmt_allowed(allowed.as_deref()))]
    Validation {
        /// The offending field, as a JSON path (`data.duration`).
        field: String,
        /// What is wrong with it.
        message: String,
        /// The allowed values, when there is a closed list.
        allowed: Option<Vec<String>>,
    },
    /// The client configuration is invalid (missing key, insecure URL...).
    #[error("invalid gen-sdk configuration: {message}")]
    Config {
        /// What is wrong.
        message: String,
    },
    /// The raw client refused to build the request (a parameter is missing
    /// or could not be converted); a bug in the calling code.
    #[error("invalid request: {message}")]
    InvalidRequest {
        /// What is wrong.
        message: String,
    },
    /// GEN answered with a status the API does not document (1xx/3xx).
    #[error("unexpected response status {status} from the GEN API{}", fmt_request_id(request_id.as_deref()))]
    UnexpectedResponse {
        /// HTTP status code.
        status: u16,
        /// The `x-request-id` response header, when present.
        request_id: Option<String>,
    },
    /// A local file could not be read or written (an upload source, a
    /// download target, a temporary spool file).
    #[error("I/O error on {}: {source}", path.display())]
    Io {
        /// The file concerned.
        path: std::path::PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The operation was cancelled through its
    /// `tokio_util::sync::CancellationToken` (uploads, downloads).
    #[error("the operation was cancelled")]
    Cancelled,
    /// The answer's body was larger than the client accepts
    /// ([`crate::GenClientBuilder::max_response_body`]); reading stopped at
    /// the limit.
    #[error("the GEN API answer is larger than {limit} bytes{}; reading stopped", status.map(|s| format!(" (status {s})")).unwrap_or_default())]
    BodyTooLarge {
        /// The limit, in bytes.
        limit: u64,
        /// The answer's status.
        status: Option<u16>,
    },
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
    /// failures, timeouts, 408, 429 and 5xx. Whether gen-sdk actually retries
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
                429 => Some("rate limited: slow down (gen-sdk retries idempotent calls after Retry-After)"),
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
    /// carries (bodies echoed by a server, messages). Empty secrets are
    /// ignored.
    pub(crate) fn redact(self, secret: &str) -> Self {
        if secret.is_empty() {
            return self;
        }
        let scrub = |s: String| {
            if s.contains(secret) {
                s.replace(secret, "***")
            } else {
                s
            }
        };
        match self {
            Self::Api {
                status,
                code,
                message,
                request_id,
                retry_after,
                body,
            } => Self::Api {
                status,
                code: ErrorCode::from(scrub(code.into())),
                message: scrub(message),
                request_id: request_id.map(scrub),
                retry_after,
                body: scrub(body),
            },
            Self::Decode {
                status,
                body,
                source,
            } => Self::Decode {
                status,
                body: scrub(body),
                source,
            },
            Self::InvalidRequest { message } => Self::InvalidRequest {
                message: scrub(message),
            },
            Self::Config { message } => Self::Config {
                message: scrub(message),
            },
            other => other,
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

/// Maps a `reqwest::Error` to [`Error::Timeout`] or [`Error::Transport`].
pub(crate) fn from_reqwest(e: reqwest::Error) -> Error {
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
impl<E: serde::Serialize> From<gen_api::Error<E>> for Error {
    fn from(e: gen_api::Error<E>) -> Self {
        match e {
            gen_api::Error::InvalidRequest(message) | gen_api::Error::Custom(message) => {
                Error::InvalidRequest { message }
            }
            // The one transport sends typed errors through the generated code
            // inside the body of a synthesized answer (see crate::transport).
            gen_api::Error::CommunicationError(e)
            | gen_api::Error::InvalidUpgrade(e)
            | gen_api::Error::ResponseBodyError(e) => {
                crate::transport::take_carried(&e).unwrap_or_else(|| from_reqwest(e))
            }
            gen_api::Error::ErrorResponse(rv) => {
                let status = rv.status();
                let headers = rv.headers().clone();
                let value = serde_json::to_value(rv.into_inner()).ok();
                let raw = value
                    .as_ref()
                    .and_then(|v| serde_json::to_string(v).ok())
                    .unwrap_or_default();
                api_error(status, &headers, value.as_ref(), &raw)
            }
            gen_api::Error::InvalidResponsePayload(bytes, source) => Error::Decode {
                status: None,
                body: truncate_body(&String::from_utf8_lossy(&bytes)),
                source,
            },
            gen_api::Error::UnexpectedResponse(response) => Error::UnexpectedResponse {
                status: response.status().as_u16(),
                request_id: header_str(response.headers(), "x-request-id"),
            },
        }
    }
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

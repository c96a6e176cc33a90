//! Any operation by name, with JSON arguments: what `gen api` and `gen mcp`
//! call.
//!
//! The operation's method, path template, host, parameters and retry class
//! come from the generated table ([`genpro_api::operations`]); the request goes
//! through the one transport like every other call. A new operation in
//! openapi.yaml is callable here after `cargo xtask generate`, with no edit.
//!
//! ```no_run
//! # async fn f(client: genpro_sdk::GenClient) -> Result<(), genpro_sdk::Error> {
//! use serde_json::json;
//! let args = json!({"id": 9000});
//! let answer = genpro_sdk::dynamic::call(&client, "get_generation", args.as_object().unwrap()).await?;
//! println!("{} {}", answer.status, answer.body);
//! # Ok(()) }
//! ```
//!
//! The answer is kept exactly: its raw bytes ([`Answer::bytes`]) and
//! `Content-Type` sit next to the decoded body, and [`Answer::kind`] tells
//! JSON, text, binary and empty answers apart (a binary answer is never
//! turned into lossy text).

use bytes::Bytes;
use genpro_api::operations::{self, Operation, ParamLocation};
use serde_json::{Map, Value};

use crate::client::GenClient;
use crate::error::Error;

/// The answer of [`call`], kept exactly as it came.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// The answer's `Content-Type` header, as sent (`None` when absent or
    /// not visible ASCII).
    pub content_type: Option<String>,
    /// The body, decoded by its [`kind`](Answer::kind): the JSON value of a
    /// [`AnswerKind::Json`] answer, the text of a [`AnswerKind::Text`]
    /// answer as a JSON string, and `null` for an [`AnswerKind::Empty`] or
    /// [`AnswerKind::Binary`] answer (its data is in [`bytes`](Answer::bytes)).
    pub body: Value,
    /// The body's bytes, exactly as received, whatever the kind.
    pub bytes: Bytes,
    kind: AnswerKind,
}

/// What an [`Answer`]'s body is, from its `Content-Type` and its bytes.
///
/// A content type is read by its media type (before any `;`, case
/// insensitive) and its parameters:
///
/// | answer                                                       | kind     |
/// |--------------------------------------------------------------|----------|
/// | no bytes                                                     | `Empty`  |
/// | `application/json`, `*/*+json` or no content type: blank     | `Empty`  |
/// | `application/json`, `*/*+json` or no content type: valid JSON | `Json`   |
/// | `text/*`, a `charset` parameter, or a JSON type that does not parse: valid UTF-8 | `Text` |
/// | anything else (including text that is not valid UTF-8)       | `Binary` |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AnswerKind {
    /// No body (a `204`, or a blank JSON body): [`Answer::body`] is `null`.
    Empty,
    /// A JSON body: [`Answer::body`] is its value.
    Json,
    /// A text body, valid UTF-8: [`Answer::body`] is the text as a JSON
    /// string, [`Answer::text`] the text itself.
    Text,
    /// Anything else (`application/octet-stream`, images, video, text
    /// that is not UTF-8): only [`Answer::bytes`] holds it;
    /// [`Answer::body`] is `null`.
    Binary,
}

impl AnswerKind {
    /// `"empty"`, `"json"`, `"text"` or `"binary"`.
    pub fn as_str(self) -> &'static str {
        match self {
            AnswerKind::Empty => "empty",
            AnswerKind::Json => "json",
            AnswerKind::Text => "text",
            AnswerKind::Binary => "binary",
        }
    }
}

impl std::fmt::Display for AnswerKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Answer {
    /// An answer from its status, `Content-Type` and body bytes, classified
    /// as described on [`AnswerKind`].
    pub fn from_parts(status: u16, content_type: Option<String>, bytes: Bytes) -> Self {
        let (kind, body) = classify(content_type.as_deref(), &bytes);
        Answer {
            status,
            content_type,
            body,
            bytes,
            kind,
        }
    }

    /// What the body is: empty, JSON, text or binary.
    pub fn kind(&self) -> AnswerKind {
        self.kind
    }

    /// The body as text, for a [`AnswerKind::Text`] answer (exactly its
    /// bytes, which are valid UTF-8); `None` for any other kind.
    pub fn text(&self) -> Option<&str> {
        match self.kind {
            AnswerKind::Text => std::str::from_utf8(&self.bytes).ok(),
            _ => None,
        }
    }
}

/// The kind and decoded body of `bytes` sent as `content_type`
/// (see [`AnswerKind`]).
fn classify(content_type: Option<&str>, bytes: &[u8]) -> (AnswerKind, Value) {
    if bytes.is_empty() {
        return (AnswerKind::Empty, Value::Null);
    }
    let mut parts = content_type.unwrap_or("").split(';');
    let essence = parts.next().unwrap_or("").trim().to_ascii_lowercase();
    let charset = parts.any(|p| {
        p.split_once('=')
            .is_some_and(|(name, _)| name.trim().eq_ignore_ascii_case("charset"))
    });
    let json_type = essence == "application/json" || essence.ends_with("+json");
    if json_type || essence.is_empty() {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return (AnswerKind::Empty, Value::Null);
        }
        if let Ok(value) = serde_json::from_slice(bytes) {
            return (AnswerKind::Json, value);
        }
    }
    if (json_type || charset || essence.starts_with("text/"))
        && let Ok(text) = std::str::from_utf8(bytes)
    {
        return (AnswerKind::Text, Value::String(text.to_owned()));
    }
    (AnswerKind::Binary, Value::Null)
}

/// The operation named `operation_id`, or a validation error listing the
/// known ones that are closest.
pub fn operation(operation_id: &str) -> Result<&'static Operation, Error> {
    operations::find(operation_id).ok_or_else(|| {
        let mut near: Vec<String> = operations::OPERATIONS
            .iter()
            .map(|o| o.operation_id)
            .filter(|id| {
                id.contains(operation_id)
                    || operation_id
                        .split('_')
                        .any(|w| w.len() > 2 && id.contains(w))
            })
            .map(str::to_owned)
            .collect();
        near.truncate(12);
        Error::validation(
            "operation",
            format!("unknown operation `{operation_id}` (`gen api --list` lists them)"),
            (!near.is_empty()).then_some(near),
        )
    })
}

fn scalar(name: &str, v: &Value) -> Result<String, Error> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        other => Err(Error::validation(
            name,
            format!("expected a string, number or boolean, got {other}"),
            None,
        )),
    }
}

/// The wire parts of one call: path (parameters filled and encoded),
/// query pairs, header parameters and JSON body.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RequestParts {
    /// The path, `/v1/...`.
    pub path: String,
    /// Query pairs, in parameter order.
    pub query: Vec<(String, String)>,
    /// Header parameters (`in: header`), in parameter order.
    pub headers: Vec<(String, String)>,
    /// The JSON body.
    pub body: Option<Value>,
}

/// Builds the path and query of `op` from `args` (names as in the spec;
/// `body` is the JSON body). Unknown names and missing required
/// parameters are refused before anything is sent.
pub fn request_parts(op: &Operation, args: &Map<String, Value>) -> Result<RequestParts, Error> {
    for name in args.keys() {
        if name != "body" && !op.params.iter().any(|p| p.name == name) {
            return Err(Error::validation(
                name.clone(),
                format!("`{}` has no parameter `{name}`", op.operation_id),
                Some(op.params.iter().map(|p| p.name.to_owned()).collect()),
            ));
        }
    }
    let mut path = String::with_capacity(op.path.len() + 16);
    let mut rest = op.path;
    while let Some(start) = rest.find('{') {
        path.push_str(&rest[..start]);
        let end = rest[start..].find('}').map_or(rest.len(), |e| start + e);
        let name = &rest[start + 1..end];
        let value = args.get(name).ok_or_else(|| {
            Error::validation(
                name,
                format!("`{}` needs the path parameter `{name}`", op.operation_id),
                None,
            )
        })?;
        let value = scalar(name, value)?;
        if value.is_empty() || value == "." || value == ".." {
            return Err(Error::validation(
                name,
                "must not be empty, `.` or `..`",
                None,
            ));
        }
        path.extend(
            url::form_urlencoded::byte_serialize(value.as_bytes()).map(|s| s.replace('+', "%20")),
        );
        rest = &rest[(end + 1).min(rest.len())..];
    }
    path.push_str(rest);
    let mut query = Vec::new();
    for p in op
        .params
        .iter()
        .filter(|p| p.location == ParamLocation::Query)
    {
        match args.get(p.name) {
            None | Some(Value::Null) if p.required => {
                return Err(Error::validation(
                    p.name,
                    format!(
                        "`{}` needs the query parameter `{}`",
                        op.operation_id, p.name
                    ),
                    None,
                ));
            }
            None | Some(Value::Null) => {}
            Some(Value::Array(items)) => {
                for item in items {
                    query.push((p.name.to_owned(), scalar(p.name, item)?));
                }
            }
            Some(v) => query.push((p.name.to_owned(), scalar(p.name, v)?)),
        }
    }
    let mut headers = Vec::new();
    for p in op
        .params
        .iter()
        .filter(|p| p.location == ParamLocation::Header)
    {
        match args.get(p.name) {
            None | Some(Value::Null) if p.required => {
                return Err(Error::validation(
                    p.name,
                    format!("`{}` needs the header `{}`", op.operation_id, p.name),
                    None,
                ));
            }
            None | Some(Value::Null) => {}
            // A list header is its items joined by commas (RFC 9110 5.3).
            Some(Value::Array(items)) => {
                let items: Result<Vec<String>, Error> =
                    items.iter().map(|i| scalar(p.name, i)).collect();
                headers.push((p.name.to_owned(), items?.join(",")));
            }
            Some(v) => headers.push((p.name.to_owned(), scalar(p.name, v)?)),
        }
    }
    for (name, value) in &headers {
        if reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_err()
            || reqwest::header::HeaderValue::from_str(value).is_err()
        {
            return Err(Error::validation(
                name.clone(),
                "not a valid HTTP header name and value",
                None,
            ));
        }
    }
    let body = args.get("body").cloned();
    if body.is_none() && op.body_required {
        return Err(Error::validation(
            "body",
            match op.raw_media_type() {
                Some(media) => format!("`{}` needs a {media} body", op.operation_id),
                None => format!("`{}` needs a JSON body", op.operation_id),
            },
            None,
        ));
    }
    if let (Some(media), Some(b)) = (op.raw_media_type(), &body)
        && !b.is_string()
    {
        return Err(Error::validation(
            "body",
            format!(
                "`{}` takes a {media} body, sent as it is: give it as a string",
                op.operation_id
            ),
            None,
        ));
    }
    if body.is_some() && op.body_media_types.is_empty() {
        return Err(Error::validation(
            "body",
            format!("`{}` takes no body", op.operation_id),
            None,
        ));
    }
    if body.is_some() && op.is_multipart_only() {
        return Err(Error::validation(
            "body",
            format!(
                "`{}` takes a multipart form; use the SDK's upload helpers (or `gen upload`)",
                op.operation_id
            ),
            None,
        ));
    }
    Ok(RequestParts {
        path,
        query,
        headers,
        body,
    })
}

/// Calls `operation_id` with `args` through the one transport and returns
/// the answer: status, `Content-Type`, the body's exact bytes and the body
/// decoded by its [`AnswerKind`].
pub async fn call(
    client: &GenClient,
    operation_id: &str,
    args: &Map<String, Value>,
) -> Result<Answer, Error> {
    let op = operation(operation_id)?;
    let RequestParts {
        path,
        query,
        headers,
        body,
    } = request_parts(op, args)?;
    let method = reqwest::Method::from_bytes(op.method.as_bytes())
        .map_err(|_| Error::invalid_request(format!("bad method {}", op.method)))?;
    let url = format!("{}{}", client.base_url(op.host), path);
    let mut request = client
        .http()
        .request(method, url)
        .header("api-version", crate::transport::api_version());
    if !query.is_empty() {
        request = request.query(&query);
    }
    for (name, value) in &headers {
        request = request.header(name.as_str(), value.as_str());
    }
    // A JSON body goes with the operation's own JSON media type
    // (`application/vnd.api+json`...); any other body (text, XML, bytes)
    // is the given string, as it is, with the operation's media type.
    match (&body, op.json_media_type(), op.raw_media_type()) {
        (None, _, _) => {}
        (Some(body), Some("application/json") | None, None) => request = request.json(body),
        (Some(body), Some(media), _) => {
            let bytes = serde_json::to_vec(body).map_err(|e| {
                Error::invalid_request(format!("the body does not encode as JSON: {e}"))
            })?;
            request = request
                .header(reqwest::header::CONTENT_TYPE, media)
                .body(bytes);
        }
        (Some(body), None, Some(media)) => {
            let text = body.as_str().unwrap_or_default().to_owned();
            request = request
                .header(reqwest::header::CONTENT_TYPE, media)
                .body(text);
        }
    }
    let response = client.execute(op.operation_id, request, None).await?;
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let bytes = response.bytes().await.map_err(crate::error::from_reqwest)?;
    Ok(Answer::from_parts(status, content_type, bytes))
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;
    use serde_json::{Value, json};

    use super::{Answer, AnswerKind};

    fn answer(content_type: Option<&str>, bytes: &[u8]) -> Answer {
        Answer::from_parts(
            200,
            content_type.map(str::to_owned),
            Bytes::copy_from_slice(bytes),
        )
    }

    fn kind(content_type: Option<&str>, bytes: &[u8]) -> AnswerKind {
        answer(content_type, bytes).kind()
    }

    #[test]
    fn json_types_with_parameters_and_suffixes_are_json() {
        for ct in [
            "application/json",
            "application/json; charset=utf-8",
            "Application/JSON;charset=UTF-8",
            "application/problem+json",
            "application/vnd.gen.v2+json; charset=utf-8",
        ] {
            let a = answer(Some(ct), br#"{"id": 9000, "name": "caf\u00e9"}"#);
            assert_eq!(a.kind(), AnswerKind::Json, "{ct}");
            assert_eq!(a.body, json!({"id": 9000, "name": "café"}), "{ct}");
            assert_eq!(a.text(), None, "{ct}");
            assert_eq!(a.content_type.as_deref(), Some(ct));
        }
    }

    #[test]
    fn no_content_type_is_json_when_it_parses_else_binary() {
        let a = answer(None, b"[1, 2]");
        assert_eq!(a.kind(), AnswerKind::Json);
        assert_eq!(a.body, json!([1, 2]));
        let a = answer(None, b"plain words");
        assert_eq!(a.kind(), AnswerKind::Binary);
        assert_eq!(a.body, Value::Null);
        assert_eq!(&a.bytes[..], b"plain words");
        assert_eq!(kind(Some(""), b"{}"), AnswerKind::Json);
    }

    #[test]
    fn empty_and_blank_bodies_are_empty() {
        assert_eq!(kind(None, b""), AnswerKind::Empty);
        assert_eq!(kind(None, b" \r\n"), AnswerKind::Empty);
        assert_eq!(kind(Some("application/json"), b"\n"), AnswerKind::Empty);
        assert_eq!(
            kind(Some("application/octet-stream"), b""),
            AnswerKind::Empty
        );
        assert_eq!(kind(Some("text/plain"), b""), AnswerKind::Empty);
        assert_eq!(answer(None, b"").body, Value::Null);
        // blank text is text, kept exactly
        let a = answer(Some("text/plain"), b" \n");
        assert_eq!(a.kind(), AnswerKind::Text);
        assert_eq!(a.text(), Some(" \n"));
        // blank bytes of a binary type are binary
        assert_eq!(
            kind(Some("application/octet-stream"), b" "),
            AnswerKind::Binary
        );
    }

    #[test]
    fn text_types_and_charset_parameters_are_text_exactly() {
        for ct in [
            "text/plain",
            "text/csv",
            "text/csv; header=present",
            "TEXT/Plain; charset=utf-8",
            "application/xml; charset=utf-8",
            "application/x-subrip;Charset=\"UTF-8\"",
        ] {
            let a = answer(Some(ct), "id,name\n9000,\"café\"\n".as_bytes());
            assert_eq!(a.kind(), AnswerKind::Text, "{ct}");
            assert_eq!(a.text(), Some("id,name\n9000,\"café\"\n"), "{ct}");
            assert_eq!(a.body, json!("id,name\n9000,\"café\"\n"), "{ct}");
        }
        // text that happens to be JSON stays text
        let a = answer(Some("text/plain"), b"42");
        assert_eq!(a.kind(), AnswerKind::Text);
        assert_eq!(a.body, json!("42"));
    }

    #[test]
    fn a_json_type_that_does_not_parse_is_text_or_binary() {
        let a = answer(Some("application/json"), b"{\"broken\": ");
        assert_eq!(a.kind(), AnswerKind::Text);
        assert_eq!(a.text(), Some("{\"broken\": "));
        assert_eq!(
            kind(Some("application/json"), b"\xff\xfe{"),
            AnswerKind::Binary
        );
    }

    #[test]
    fn everything_else_is_binary_and_kept_byte_for_byte() {
        let all: Vec<u8> = (0..=255).collect();
        for ct in [
            Some("application/octet-stream"),
            Some("image/png"),
            Some("video/mp4"),
            Some("application/xml"),
            // text that is not UTF-8 is binary
            Some("text/plain"),
            Some("text/csv; charset=latin1"),
            None,
        ] {
            let a = answer(ct, &all);
            assert_eq!(a.kind(), AnswerKind::Binary, "{ct:?}");
            assert_eq!(a.body, Value::Null, "{ct:?}");
            assert_eq!(a.text(), None, "{ct:?}");
            assert_eq!(a.bytes[..], all[..], "{ct:?}");
        }
        assert_eq!(
            kind(Some("image/png"), b"\x89PNG\r\n\x1a\n"),
            AnswerKind::Binary
        );
        // ASCII bytes of a binary type are still binary
        assert_eq!(
            kind(Some("application/pdf"), b"%PDF-1.7"),
            AnswerKind::Binary
        );
    }

    #[test]
    fn kinds_have_names() {
        let names: Vec<String> = [
            AnswerKind::Empty,
            AnswerKind::Json,
            AnswerKind::Text,
            AnswerKind::Binary,
        ]
        .iter()
        .map(ToString::to_string)
        .collect();
        assert_eq!(names, ["empty", "json", "text", "binary"]);
    }
}

//! Any operation by name, with JSON arguments: what `gen api` and `gen mcp`
//! call.
//!
//! The operation's method, path template, host, parameters and retry class
//! come from the generated table ([`gen_api::operations`]); the request goes
//! through the one transport like every other call. A new operation in
//! openapi.yaml is callable here after `cargo xtask generate`, with no edit.
//!
//! ```no_run
//! # async fn f(client: gen_sdk::GenClient) -> Result<(), gen_sdk::Error> {
//! use serde_json::json;
//! let args = json!({"id": 9000});
//! let answer = gen_sdk::dynamic::call(&client, "get_generation", args.as_object().unwrap()).await?;
//! println!("{} {}", answer.status, answer.body);
//! # Ok(()) }
//! ```

use gen_api::operations::{self, Operation, ParamLocation};
use serde_json::{Map, Value};

use crate::client::GenClient;
use crate::error::Error;

/// The answer of [`call`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// The body as JSON (`null` when empty).
    pub body: Value,
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
        Error::Validation {
            field: "operation".into(),
            message: format!("unknown operation `{operation_id}` (`gen api --list` lists them)"),
            allowed: (!near.is_empty()).then_some(near),
        }
    })
}

fn scalar(name: &str, v: &Value) -> Result<String, Error> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        other => Err(Error::Validation {
            field: name.into(),
            message: format!("expected a string, number or boolean, got {other}"),
            allowed: None,
        }),
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
            return Err(Error::Validation {
                field: name.clone(),
                message: format!("`{}` has no parameter `{name}`", op.operation_id),
                allowed: Some(op.params.iter().map(|p| p.name.to_owned()).collect()),
            });
        }
    }
    let mut path = String::with_capacity(op.path.len() + 16);
    let mut rest = op.path;
    while let Some(start) = rest.find('{') {
        path.push_str(&rest[..start]);
        let end = rest[start..].find('}').map_or(rest.len(), |e| start + e);
        let name = &rest[start + 1..end];
        let value = args.get(name).ok_or_else(|| Error::Validation {
            field: name.into(),
            message: format!("`{}` needs the path parameter `{name}`", op.operation_id),
            allowed: None,
        })?;
        let value = scalar(name, value)?;
        if value.is_empty() || value == "." || value == ".." {
            return Err(Error::Validation {
                field: name.into(),
                message: "must not be empty, `.` or `..`".into(),
                allowed: None,
            });
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
                return Err(Error::Validation {
                    field: p.name.into(),
                    message: format!(
                        "`{}` needs the query parameter `{}`",
                        op.operation_id, p.name
                    ),
                    allowed: None,
                });
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
                return Err(Error::Validation {
                    field: p.name.into(),
                    message: format!("`{}` needs the header `{}`", op.operation_id, p.name),
                    allowed: None,
                });
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
            return Err(Error::Validation {
                field: name.clone(),
                message: "not a valid HTTP header name and value".into(),
                allowed: None,
            });
        }
    }
    let body = args.get("body").cloned();
    if body.is_none() && op.body_required {
        return Err(Error::Validation {
            field: "body".into(),
            message: format!("`{}` needs a JSON body", op.operation_id),
            allowed: None,
        });
    }
    if body.is_some() && op.body_media_types.is_empty() {
        return Err(Error::Validation {
            field: "body".into(),
            message: format!("`{}` takes no body", op.operation_id),
            allowed: None,
        });
    }
    if body.is_some() && op.is_multipart_only() {
        return Err(Error::Validation {
            field: "body".into(),
            message: format!(
                "`{}` takes a multipart form; use the SDK's upload helpers (or `gen upload`)",
                op.operation_id
            ),
            allowed: None,
        });
    }
    Ok(RequestParts {
        path,
        query,
        headers,
        body,
    })
}

/// Calls `operation_id` with `args` through the one transport and returns
/// the status and JSON body.
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
    let method =
        reqwest::Method::from_bytes(op.method.as_bytes()).map_err(|_| Error::InvalidRequest {
            message: format!("bad method {}", op.method),
        })?;
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
    if let Some(body) = &body {
        request = request.json(body);
    }
    let response = client.execute(op.operation_id, request, None).await?;
    let status = response.status().as_u16();
    let bytes = response.bytes().await.map_err(|e| {
        crate::transport::take_carried(&e).unwrap_or_else(|| crate::error::from_reqwest(e))
    })?;
    let body = if bytes.iter().all(u8::is_ascii_whitespace) {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
    };
    Ok(Answer { status, body })
}

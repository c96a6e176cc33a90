//! The one seam under every generated call.
//!
//! genpro-api is generated with progenitor's `HooksMode::Expected`: each
//! builder's `send()` builds a `reqwest::Request` and hands it to
//! `ClientHooks::exec`. This module implements those hooks once, by
//! delegating to the [`Transport`] stored in the [`Client`](crate::Client)
//! (its "inner" value), together with the generated
//! [`Operation`] of the call.
//!
//! - [`PlainTransport`] sends the request as it is (no auth, no retries):
//!   what a bare progenitor client does.
//! - genpro-sdk installs its own transport (auth, `api-version`, retries by
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
/// use genpro_api::ClientInfo as _;
/// assert_eq!(
///     genpro_api::transport::API_VERSION_VALUE,
///     <genpro_api::Client as genpro_api::ClientInfo<genpro_api::transport::SharedTransport>>::api_version()
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
/// use genpro_api::transport::PathParam;
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

/// The URL of a generated call: the client's base URL `base` followed by
/// `path` (the operation's path with its parameters, as progenitor writes
/// it). The generated builders use it instead of formatting the whole URL
/// and having reqwest parse it again on every call: the base is parsed once
/// per thread (its host and port, the costly part, are not parsed again)
/// and only the path is set on a copy of it.
///
/// The result is the URL `Url::parse(format!("{base}{path}"))` gives, byte
/// for byte. Where that cannot be guaranteed cheaply (a base that is not in
/// its canonical form, with a query or a fragment, or a `path` holding `?`
/// or `#` or not starting with `/`), the whole string is parsed as before.
///
/// ```
/// use genpro_api::transport::url;
/// let u = url("http://127.0.0.1:8080", format_args!("/v1/generations/{}", 5)).unwrap();
/// assert_eq!(u.as_str(), "http://127.0.0.1:8080/v1/generations/5");
/// let u = url("https://api.gen.pro/prefix", format_args!("/v1/agents")).unwrap();
/// assert_eq!(u.as_str(), "https://api.gen.pro/prefix/v1/agents");
/// // The same bytes as parsing the whole string, dot segments included.
/// let u = url("http://h", format_args!("/v1/x/{}/../y", "a b")).unwrap();
/// assert_eq!(u, reqwest::Url::parse("http://h/v1/x/a b/../y").unwrap());
/// // A base that is not a URL is an error, before anything is sent.
/// assert!(url("not a url", format_args!("/v1/agents")).is_err());
/// ```
pub fn url(base: &str, path: fmt::Arguments<'_>) -> Result<reqwest::Url, String> {
    use std::cell::RefCell;
    use std::fmt::Write as _;

    /// A parsed base and the part of `base` that is its path (`""` for
    /// `http://host`, whose parsed path is `/`).
    #[derive(Clone)]
    struct Parsed {
        url: reqwest::Url,
        prefix_is_path: bool,
    }
    /// Bases seen on this thread (a client has one; a few are kept).
    const KEPT: usize = 8;
    thread_local! {
        static BASES: RefCell<Vec<(Box<str>, Option<Parsed>)>> = const { RefCell::new(Vec::new()) };
    }
    let parsed = BASES.with_borrow_mut(|bases| {
        if let Some((_, parsed)) = bases.iter().find(|(b, _)| **b == *base) {
            return parsed.clone();
        }
        let parsed = reqwest::Url::parse(base).ok().and_then(|url| {
            let canonical = url.as_str();
            let fits = !url.cannot_be_a_base() && url.query().is_none() && url.fragment().is_none();
            let prefix_is_path = if canonical == base {
                true
            } else if url.path() == "/"
                && canonical.len() == base.len() + 1
                && canonical.starts_with(base)
            {
                false
            } else {
                return None;
            };
            fits.then_some(Parsed {
                url,
                prefix_is_path,
            })
        });
        if bases.len() == KEPT {
            bases.remove(0);
        }
        bases.push((base.into(), parsed.clone()));
        parsed
    });
    let whole = |path: &str| {
        let whole = format!("{base}{path}");
        reqwest::Url::parse(&whole).map_err(|e| format!("`{whole}` is not a valid URL: {e}"))
    };
    let Some(Parsed {
        mut url,
        prefix_is_path,
    }) = parsed
    else {
        return whole(&path.to_string());
    };
    let mut full = String::with_capacity(64);
    if prefix_is_path {
        full.push_str(url.path());
    }
    let start = full.len();
    // Writing to a String cannot fail.
    let _ = full.write_fmt(path);
    // `?` and `#` would end the path of the whole string; a path that does
    // not start with `/` would run into the base's authority.
    if !full[start..].starts_with('/') || full[start..].contains(['?', '#']) {
        return whole(&full[start..]);
    }
    url.set_path(&full);
    Ok(url)
}

/// Adds an optional query parameter only when it is set. The generated
/// builders use it for every optional query parameter: progenitor's
/// `.query(&QueryParam::new(name, &None))` sends nothing either, but still
/// opens the URL's query for writing (a `?` pushed, the URL string grown)
/// and closes it again on every call.
///
/// ```
/// use genpro_api::transport::QueryOpt as _;
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
/// into it rather than cloning them, and reading the body chunk by chunk
/// (a body of one chunk is not copied). The generated builders use it.
///
/// An empty (or blank) body reads as JSON `null`, so an answer that may
/// come without a body (`200` with JSON or `204`) decodes into its
/// `Option`.
///
/// Its future is a third of the size of one around reqwest's
/// `Response::bytes` (which keeps a second copy of the answer's parts while
/// the body is read); a body error is the same `reqwest::Error` (kind,
/// source and URL) that `bytes` gives.
pub async fn decode<T: serde::de::DeserializeOwned, E>(
    mut response: reqwest::Response,
) -> Result<ResponseValue<T>, progenitor_client::Error<E>> {
    let full = match body(&mut response).await {
        Ok(full) => full,
        Err(e) => {
            let url = response.url().clone();
            return Err(progenitor_client::Error::ResponseBodyError(e.with_url(url)));
        }
    };
    let status = response.status();
    let headers = std::mem::take(response.headers_mut());
    // An empty body (a `204` beside a JSON `200`) reads as `null`: the type
    // generated for such an answer is an `Option` (or any JSON), and any
    // other type refuses it with serde's own message.
    let text: &[u8] = if full.iter().all(u8::is_ascii_whitespace) {
        b"null"
    } else {
        &full
    };
    let inner = serde_json::from_slice(text)
        .map_err(|e| progenitor_client::Error::InvalidResponsePayload(full.clone(), e))?;
    Ok(ResponseValue::new(inner, status, headers))
}

/// The whole body of `response`.
async fn body(response: &mut reqwest::Response) -> reqwest::Result<bytes::Bytes> {
    let Some(first) = response.chunk().await? else {
        return Ok(bytes::Bytes::new());
    };
    let Some(second) = response.chunk().await? else {
        return Ok(first);
    };
    let mut all = bytes::BytesMut::with_capacity(first.len() + second.len());
    all.extend_from_slice(&first);
    all.extend_from_slice(&second);
    while let Some(chunk) = response.chunk().await? {
        all.extend_from_slice(&chunk);
    }
    Ok(all.freeze())
}

/// Decoding of `format: date-time` fields (`chrono::DateTime<Utc>`), used by
/// the generated types through `#[serde(with = ...)]`.
///
/// The common shape, `YYYY-MM-DDTHH:MM:SS[.fraction]Z`, is read directly
/// (chrono's general RFC 3339 parser costs about 1,600 instructions per
/// value); every other string goes to chrono's own parser, so what is
/// accepted or refused, and the error text, are chrono's. Encoding is
/// chrono's.
///
/// ```
/// #[derive(serde::Deserialize)]
/// struct Row {
///     #[serde(default, with = "genpro_api::transport::rfc3339_opt")]
///     at: Option<chrono::DateTime<chrono::Utc>>,
/// }
/// let row: Row = serde_json::from_str(r#"{"at": "2026-01-02T03:04:05.5Z"}"#).unwrap();
/// let chrono: chrono::DateTime<chrono::Utc> = "2026-01-02T03:04:05.5Z".parse().unwrap();
/// assert_eq!(row.at, Some(chrono));
/// let row: Row = serde_json::from_str(r#"{"at": "2026-01-02 03:04:05+02:00"}"#).unwrap();
/// assert_eq!(row.at.unwrap().to_rfc3339(), "2026-01-02T01:04:05+00:00");
/// let row: Row = serde_json::from_str(r#"{}"#).unwrap();
/// assert_eq!(row.at, None);
/// // An optional date-time is read tolerantly: anything else is `None`.
/// let row: Row = serde_json::from_str(r#"{"at": "yesterday"}"#).unwrap();
/// assert_eq!(row.at, None);
///
/// #[derive(serde::Deserialize)]
/// struct Strict {
///     #[serde(with = "genpro_api::transport::rfc3339")]
///     #[allow(dead_code)]
///     at: chrono::DateTime<chrono::Utc>,
/// }
/// assert!(serde_json::from_str::<Strict>(r#"{"at": "yesterday"}"#).is_err());
/// ```
pub mod rfc3339 {
    use chrono::{DateTime, Utc};
    use serde::{Deserializer, Serialize, Serializer, de};

    /// Parses `s` as chrono's `DateTime<Utc>` deserializer does.
    pub fn parse(s: &str) -> Result<DateTime<Utc>, chrono::ParseError> {
        match fast(s.as_bytes()) {
            Some(at) => Ok(at),
            None => s
                .parse::<DateTime<chrono::FixedOffset>>()
                .map(|at| at.with_timezone(&Utc)),
        }
    }

    /// `YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z`, or `None` for anything else
    /// (chrono then decides).
    fn fast(b: &[u8]) -> Option<DateTime<Utc>> {
        fn digits(b: &[u8]) -> Option<u32> {
            b.iter().try_fold(0u32, |n, &c| {
                c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
            })
        }
        if b.len() < 20 || b[b.len() - 1] != b'Z' {
            return None;
        }
        let seps = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
        if seps.iter().any(|&(i, c)| b[i] != c) {
            return None;
        }
        let year = digits(&b[0..4])?;
        let month = digits(&b[5..7])?;
        let day = digits(&b[8..10])?;
        let hour = digits(&b[11..13])?;
        let minute = digits(&b[14..16])?;
        let second = digits(&b[17..19])?;
        // A leap second (60) is chrono's to read.
        if second > 59 {
            return None;
        }
        let rest = &b[19..b.len() - 1];
        let nano = match rest {
            [] => 0,
            [b'.', fraction @ ..] if (1..=9).contains(&fraction.len()) => {
                digits(fraction)? * 10u32.pow(9 - fraction.len() as u32)
            }
            _ => return None,
        };
        let date = chrono::NaiveDate::from_ymd_opt(year as i32, month, day)?;
        let time = chrono::NaiveTime::from_hms_nano_opt(hour, minute, second, nano)?;
        Some(date.and_time(time).and_utc())
    }

    struct Visitor;

    impl de::Visitor<'_> for Visitor {
        type Value = DateTime<Utc>;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an RFC 3339 formatted date and time string")
        }

        fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
            parse(value).map_err(E::custom)
        }
    }

    /// Reads a `DateTime<Utc>`.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        d.deserialize_str(Visitor)
    }

    /// Writes a `DateTime<Utc>` as chrono does.
    pub fn serialize<S: Serializer>(at: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        at.serialize(s)
    }
}

/// [`rfc3339`] for an optional field (`null` or absent is `None`; the
/// field also needs `#[serde(default)]`).
///
/// Tolerant: an optional date-time is a guess of openapi.yaml (only a
/// required field is pinned by a seed), so a value that is not an RFC 3339
/// string (another JSON type, or a string in another format) is read as
/// `None`, with a debug log, instead of failing the whole answer.
pub mod rfc3339_opt {
    use chrono::{DateTime, Utc};
    use serde::{Deserializer, Serialize, Serializer, de};

    /// Reads any JSON value: an RFC 3339 string is `Some`, anything else
    /// `None`.
    struct Lenient;

    impl Lenient {
        fn other<T>(what: &str) -> Option<T> {
            log::debug!("genpro-api: an optional date-time field held {what}; read as absent");
            None
        }
    }

    impl<'de> de::Visitor<'de> for Lenient {
        type Value = Option<DateTime<Utc>>;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("any value")
        }

        fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
            Ok(match super::rfc3339::parse(value) {
                Ok(at) => Some(at),
                Err(_) => Self::other("a string that is not RFC 3339"),
            })
        }

        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok(Self::other("a boolean"))
        }

        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok(Self::other("a number"))
        }

        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok(Self::other("a number"))
        }

        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok(Self::other("a number"))
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }

        fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<de::IgnoredAny>()?.is_some() {}
            Ok(Self::other("a list"))
        }

        fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            while map
                .next_entry::<de::IgnoredAny, de::IgnoredAny>()?
                .is_some()
            {}
            Ok(Self::other("an object"))
        }
    }

    struct Visitor;

    impl<'de> de::Visitor<'de> for Visitor {
        type Value = Option<DateTime<Utc>>;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an RFC 3339 formatted date and time string or null")
        }

        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(Lenient)
        }
    }

    /// Reads an `Option<DateTime<Utc>>`.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        d.deserialize_option(Visitor)
    }

    /// Writes an `Option<DateTime<Utc>>` as chrono does.
    pub fn serialize<S: Serializer>(at: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
        at.serialize(s)
    }
}

/// The answer of a generated call that is not a success, as progenitor's
/// generated code reads it: `4xx`/`5xx` decode into
/// [`Error::ErrorResponse`](progenitor_client::Error::ErrorResponse), any
/// other status is
/// [`Error::UnexpectedResponse`](progenitor_client::Error::UnexpectedResponse).
/// The generated builders call it for every non-2xx status, so this code
/// and its state live in a boxed future of their own, off the path of
/// every successful call.
pub fn error_answer<T, E>(
    response: reqwest::Response,
) -> BoxFuture<'static, Result<ResponseValue<T>, progenitor_client::Error<E>>>
where
    T: 'static,
    E: serde::de::DeserializeOwned + 'static,
{
    Box::pin(async move {
        match response.status().as_u16() {
            400..=599 => Err(progenitor_client::Error::ErrorResponse(
                decode(response).await?,
            )),
            _ => Err(progenitor_client::Error::UnexpectedResponse(response)),
        }
    })
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

/// With the `tls-ring` feature (the default) and not `tls-aws-lc`, installs
/// ring as rustls's process-wide crypto provider, once; a provider the
/// application installed first wins. Without `tls-ring` it does nothing
/// (`tls-aws-lc` brings reqwest's own provider). Call it before building a
/// `reqwest::Client` of your own for [`crate::Client::new`].
pub fn install_tls_provider() {
    #[cfg(all(feature = "tls-ring", not(feature = "tls-aws-lc")))]
    {
        // rustls 0.23.48 deprecates ring's provider for lacking post-quantum
        // key exchange; `tls-aws-lc` has it. ring stays the default for its
        // build cost (issue 20), so the call is allowed here on purpose.
        #[allow(deprecated)]
        let provider = rustls::crypto::ring::default_provider();
        let _ = provider.install_default();
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
        install_tls_provider();
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

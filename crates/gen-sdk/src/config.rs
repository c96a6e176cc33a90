//! Client configuration: credentials, hosts, timeouts, retries.
//!
//! ```no_run
//! use std::time::Duration;
//! use genpro_sdk::{GenClient, RetryPolicy};
//!
//! # fn main() -> Result<(), genpro_sdk::Error> {
//! // GEN_API_KEY, and optionally GEN_API_URL / GEN_AGENT_URL:
//! let client = GenClient::from_env()?;
//!
//! // or explicitly:
//! let client = GenClient::builder()
//!     .api_key("my-key")
//!     .request_timeout(Duration::from_secs(90))
//!     .retry_policy(RetryPolicy::default().with_max_attempts(6))
//!     .build()?;
//! # Ok(()) }
//! ```

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderName, HeaderValue};

use crate::error::Error;
use crate::retry::{Clock, RetryPolicy, Sleep};

/// Default base URL of the api host (setup, vidsheets, generations,
/// renders, publishing).
pub const DEFAULT_API_URL: &str = "https://api.gen.pro";
/// Default base URL of the agent host (ideas, research, conversations).
pub const DEFAULT_AGENT_URL: &str = "https://agent.gen.pro";
/// Environment variable holding the API key.
pub const ENV_API_KEY: &str = "GEN_API_KEY";
/// Environment variable overriding the api host URL.
pub const ENV_API_URL: &str = "GEN_API_URL";
/// Environment variable overriding the agent host URL.
pub const ENV_AGENT_URL: &str = "GEN_AGENT_URL";
/// Default `User-Agent`.
pub const DEFAULT_USER_AGENT: &str = concat!("genpro-sdk-rust/", env!("CARGO_PKG_VERSION"));
/// Default connect timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default whole-request timeout: long enough for a 55 s long-poll
/// (`GET /v1/generations/{id}?wait=true`) plus margin.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(70);

/// A secret string whose `Debug` is `"***"`.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Secret(String);

impl Secret {
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"***\"")
    }
}

/// How requests authenticate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthScheme {
    /// `X-API-Key: <key>` (recommended).
    ApiKey,
    /// `Authorization: Bearer <token>`.
    Bearer,
}

#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Credentials {
    pub(crate) scheme: AuthScheme,
    pub(crate) secret: Secret,
}

/// The settings of a built client (no secret in it).
#[derive(Clone)]
pub struct Config {
    pub(crate) auth: AuthScheme,
    pub(crate) api_url: String,
    pub(crate) agent_url: String,
    pub(crate) connect_timeout: Duration,
    pub(crate) request_timeout: Duration,
    pub(crate) user_agent: String,
    pub(crate) retry_policy: RetryPolicy,
    pub(crate) max_response_body: u64,
}

impl Config {
    /// The cap on a success body, in bytes.
    pub fn max_response_body(&self) -> u64 {
        self.max_response_body
    }

    /// How requests authenticate.
    pub fn auth(&self) -> AuthScheme {
        self.auth
    }
    /// Base URL of the api host.
    pub fn api_url(&self) -> &str {
        &self.api_url
    }
    /// Base URL of the agent host.
    pub fn agent_url(&self) -> &str {
        &self.agent_url
    }
    /// Connect timeout.
    pub fn connect_timeout(&self) -> Duration {
        self.connect_timeout
    }
    /// Whole-request timeout.
    pub fn request_timeout(&self) -> Duration {
        self.request_timeout
    }
    /// `User-Agent` header.
    pub fn user_agent(&self) -> &str {
        &self.user_agent
    }
    /// Retry policy.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry_policy
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let key_field = match self.auth {
            AuthScheme::ApiKey => "api_key",
            AuthScheme::Bearer => "bearer_token",
        };
        f.debug_struct("Config")
            .field(key_field, &"***")
            .field("api_url", &self.api_url)
            .field("agent_url", &self.agent_url)
            .field("connect_timeout", &self.connect_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("user_agent", &self.user_agent)
            .field("retry_policy", &self.retry_policy)
            .field("max_response_body", &self.max_response_body)
            .finish()
    }
}

/// Builds a [`GenClient`](crate::GenClient); start with
/// [`GenClient::builder`](crate::GenClient::builder) or
/// [`GenClientBuilder::from_env`], finish with
/// [`build`](GenClientBuilder::build).
///
/// Not `Clone`, like the `reqwest::ClientBuilder` it may hold
/// ([`Self::http_client`]).
pub struct GenClientBuilder {
    pub(crate) credentials: Option<Credentials>,
    pub(crate) api_url: String,
    pub(crate) agent_url: String,
    pub(crate) connect_timeout: Duration,
    pub(crate) request_timeout: Duration,
    pub(crate) user_agent: String,
    pub(crate) retry_policy: RetryPolicy,
    pub(crate) max_response_body: u64,
    pub(crate) allow_insecure_http: bool,
    pub(crate) sleep: Option<Arc<dyn Sleep>>,
    pub(crate) clock: Option<Arc<dyn Clock>>,
    pub(crate) http: Option<reqwest::ClientBuilder>,
    /// [`Self::default_header`]s, or why one is refused.
    pub(crate) default_headers: Vec<Result<(HeaderName, HeaderValue), String>>,
}

impl Default for GenClientBuilder {
    fn default() -> Self {
        Self {
            credentials: None,
            api_url: DEFAULT_API_URL.to_owned(),
            agent_url: DEFAULT_AGENT_URL.to_owned(),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            retry_policy: RetryPolicy::default(),
            max_response_body: crate::error::DEFAULT_MAX_BODY,
            allow_insecure_http: false,
            sleep: None,
            clock: None,
            http: None,
            default_headers: Vec::new(),
        }
    }
}

impl fmt::Debug for GenClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("GenClientBuilder");
        match &self.credentials {
            Some(c) if c.scheme == AuthScheme::Bearer => d.field("bearer_token", &"***"),
            Some(_) => d.field("api_key", &"***"),
            None => d.field("api_key", &None::<()>),
        };
        d.field("api_url", &self.api_url)
            .field("agent_url", &self.agent_url)
            .field("connect_timeout", &self.connect_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("user_agent", &self.user_agent)
            .field("retry_policy", &self.retry_policy)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field(
                "http_client",
                &self.http.as_ref().map(|_| "reqwest::ClientBuilder"),
            )
            .field(
                "default_headers",
                // names only: a value may be a secret of the user's
                &self
                    .default_headers
                    .iter()
                    .filter_map(|h| h.as_ref().ok().map(|(name, _)| name.as_str()))
                    .collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

impl GenClientBuilder {
    /// A builder with the defaults and no credentials.
    pub fn new() -> Self {
        Self::default()
    }

    /// A builder from the environment: `GEN_API_KEY` (the key, sent as
    /// `X-API-Key`), `GEN_API_URL` and `GEN_AGENT_URL` (host overrides).
    /// Empty variables are ignored. A missing key is reported by
    /// [`Self::build`].
    pub fn from_env() -> Self {
        Self::from_env_with(|name| std::env::var(name).ok())
    }

    /// Like [`Self::from_env`], reading variables through `lookup` (for
    /// tests and custom sources).
    pub fn from_env_with(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let mut builder = Self::default();
        if let Some(key) = get(ENV_API_KEY) {
            builder = builder.api_key(key.trim());
        }
        if let Some(url) = get(ENV_API_URL) {
            builder = builder.api_url(url.trim());
        }
        if let Some(url) = get(ENV_AGENT_URL) {
            builder = builder.agent_url(url.trim());
        }
        builder
    }

    /// Authenticate with an API key (`X-API-Key`, recommended). Create one
    /// in the GEN dashboard: log in > select agent > API page > Create API
    /// Key.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.credentials = Some(Credentials {
            scheme: AuthScheme::ApiKey,
            secret: Secret(key.into()),
        });
        self
    }

    /// Authenticate with `Authorization: Bearer <token>`.
    pub fn bearer_token(mut self, token: impl Into<String>) -> Self {
        self.credentials = Some(Credentials {
            scheme: AuthScheme::Bearer,
            secret: Secret(token.into()),
        });
        self
    }

    /// Base URL of the api host (default [`DEFAULT_API_URL`]), without
    /// `/v1`.
    pub fn api_url(mut self, url: impl Into<String>) -> Self {
        self.api_url = url.into();
        self
    }

    /// Base URL of the agent host (default [`DEFAULT_AGENT_URL`]), without
    /// `/v1`.
    pub fn agent_url(mut self, url: impl Into<String>) -> Self {
        self.agent_url = url.into();
        self
    }

    /// Connect timeout (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Whole-request timeout (default 70 s, enough for a 55 s long-poll).
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// `User-Agent` (default `genpro-sdk-rust/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Retry policy (default [`RetryPolicy::default`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry_policy = policy;
        self
    }

    /// The largest success body accepted, in bytes (default 16 MiB). A
    /// larger answer fails with [`ErrorKind::BodyTooLarge`](crate::ErrorKind::BodyTooLarge) as soon as the limit
    /// is passed, while streaming; error bodies are read up to 64 KiB.
    pub fn max_response_body(mut self, bytes: u64) -> Self {
        self.max_response_body = bytes;
        self
    }

    /// Allow `http://` base URLs on non-loopback hosts. Off by default:
    /// the key would travel in clear text. Loopback hosts (`127.0.0.1`,
    /// `::1`, `localhost`) are always allowed, for local mocks.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Sleep used between retries and between a waiter's polls (default
    /// tokio's); inject a fake in tests (`retry::testing::ManualTime`, with
    /// the `test-util` feature).
    pub fn sleep(mut self, sleep: Arc<dyn Sleep>) -> Self {
        self.sleep = Some(sleep);
        self
    }

    /// Clock used for `Retry-After` dates, the retry budget and a waiter's
    /// maximum wait (default the system clock).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// The HTTP stack to build on: a `reqwest::ClientBuilder` with the
    /// application's own settings (proxies, root certificates, TLS, local
    /// address, HTTP/2 tuning, default headers...), instead of
    /// `reqwest::Client::builder()`.
    ///
    /// [`Self::build`] then applies, over the application's settings, what
    /// keeps the key safe and the client's contract: **no redirects**
    /// (`redirect::Policy::none()`: a 3xx answer is final, so the key
    /// and a paid body never go to another host), the **timeouts**
    /// ([`Self::connect_timeout`], [`Self::request_timeout`]), the
    /// **`User-Agent`** ([`Self::user_agent`]), `Accept: application/json`
    /// and the [`Self::default_header`]s. The credential is never a default
    /// header: the client adds it to each request it sends to one of its
    /// two base URLs, and refuses to send one elsewhere.
    ///
    /// ```no_run
    /// # fn main() -> Result<(), genpro_sdk::Error> {
    /// use genpro_sdk::reqwest;
    /// let http = reqwest::Client::builder()
    ///     .proxy(reqwest::Proxy::https("http://proxy.internal:3128").expect("a proxy URL"));
    /// let client = genpro_sdk::GenClient::builder()
    ///     .api_key("my-key")
    ///     .http_client(http)
    ///     .build()?;
    /// # Ok(()) }
    /// ```
    pub fn http_client(mut self, http: reqwest::ClientBuilder) -> Self {
        self.http = Some(http);
        self
    }

    /// A header sent with every request of the client (e.g. a tenant or
    /// trace header a gateway needs). The credential headers (`X-API-Key`,
    /// `Authorization`) and `api-version` cannot be set this way:
    /// [`Self::build`] refuses them, as it refuses an invalid name or value
    /// ([`ErrorKind::Config`](crate::ErrorKind::Config)); use
    /// [`Self::api_key`] / [`Self::bearer_token`]. Values are marked
    /// sensitive (never shown by `Debug`).
    pub fn default_header<K, V>(mut self, name: K, value: V) -> Self
    where
        HeaderName: TryFrom<K>,
        HeaderValue: TryFrom<V>,
    {
        let header = match (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            (Ok(name), Ok(mut value)) => {
                if RESERVED_HEADERS.contains(&name.as_str()) {
                    Err(format!(
                        "default_header cannot set `{name}`: genpro-sdk sets it (use api_key(..) / bearer_token(..) for the credential)"
                    ))
                } else {
                    value.set_sensitive(true);
                    Ok((name, value))
                }
            }
            (Err(_), _) => Err("default_header: not a valid header name".to_owned()),
            (_, Err(_)) => Err("default_header: not a valid header value".to_owned()),
        };
        self.default_headers.push(header);
        self
    }

    /// Checks the URLs and credentials; the settings, the credentials and
    /// the rest of the builder for [`Self::build`].
    pub(crate) fn check(self) -> Result<(Config, Credentials, Self), Error> {
        let credentials = self.credentials.clone().ok_or_else(|| {
            Error::config(format!(
                "no API key: set {ENV_API_KEY} or call api_key(..) / bearer_token(..)"
            ))
        })?;
        if credentials.secret.expose().trim().is_empty() {
            return Err(Error::config("the API key is empty"));
        }
        if let Some(Err(refused)) = self.default_headers.iter().find(|h| h.is_err()) {
            return Err(Error::config(refused.clone()));
        }
        let api_url = check_base_url("api_url", &self.api_url, self.allow_insecure_http)?;
        let agent_url = check_base_url("agent_url", &self.agent_url, self.allow_insecure_http)?;
        let config = Config {
            auth: credentials.scheme,
            api_url,
            agent_url,
            connect_timeout: self.connect_timeout,
            request_timeout: self.request_timeout,
            user_agent: self.user_agent.clone(),
            retry_policy: self.retry_policy.clone(),
            max_response_body: self.max_response_body,
        };
        Ok((config, credentials, self))
    }
}

/// Headers [`GenClientBuilder::default_header`] refuses: genpro-sdk sets
/// them on each request.
const RESERVED_HEADERS: &[&str] = &["x-api-key", "authorization", "api-version"];

/// Checks and normalises a base URL: `https`, or `http` on a loopback host
/// (or anywhere with `allow_insecure_http`); no credentials, query or
/// fragment; trailing `/` removed.
fn check_base_url(name: &str, raw: &str, allow_insecure_http: bool) -> Result<String, Error> {
    let url = url::Url::parse(raw.trim())
        .map_err(|e| Error::config(format!("{name} is not a valid URL: {e}")))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::config(format!(
            "{name} must not contain credentials; use api_key(..)"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::config(format!(
            "{name} must not have a query or fragment"
        )));
    }
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => return Err(Error::config(format!("{name} has no host"))),
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback || allow_insecure_http => {}
        "http" => {
            return Err(Error::config(format!(
                "{name} uses http:// on a non-loopback host ({}): the API key would be sent in clear text; use https:// or allow_insecure_http(true)",
                url.host_str().unwrap_or_default()
            )));
        }
        other => {
            return Err(Error::config(format!(
                "{name} has unsupported scheme `{other}`"
            )));
        }
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        assert_eq!(
            check_base_url("api_url", "https://api.gen.pro/", false).unwrap(),
            "https://api.gen.pro"
        );
        assert!(check_base_url("api_url", "http://api.gen.pro", false).is_err());
        assert!(check_base_url("api_url", "http://api.gen.pro", true).is_ok());
        for ok in [
            "http://127.0.0.1:8080",
            "http://[::1]:1",
            "http://localhost:3000/",
        ] {
            assert!(check_base_url("api_url", ok, false).is_ok(), "{ok}");
        }
        assert!(check_base_url("api_url", "https://u:p@api.gen.pro", false).is_err());
        assert!(check_base_url("api_url", "ftp://api.gen.pro", false).is_err());
        assert!(check_base_url("api_url", "not a url", false).is_err());
    }
}

//! [`GenClient`]: one client for both GEN hosts.

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderMap, HeaderName, HeaderValue};

use crate::config::{AuthScheme, Config, Credentials, GenClientBuilder, Secret};
use crate::error::{Error, from_reqwest};
use crate::retry::{Clock, Idempotency, Retrier, Sleep};
use crate::steps::Host;
use crate::transport::GenTransport;

/// The GEN client: both hosts (`api.gen.pro`, `agent.gen.pro`), the key in a
/// sensitive header, retries that never spend credits twice, and the API as
/// handles that carry their scope ([`Self::agent`], then
/// [`crate::steps::Agent::engine`], [`crate::steps::Engine::cell`];
/// [`Self::generation`]; see [`crate::steps`]).
///
/// Cheap to clone (one shared connection pool).
#[derive(Clone)]
pub struct GenClient {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    secret: Secret,
    raw: genpro_api::Client,
    http: reqwest::Client,
    retrier: Retrier,
    transport: Arc<GenTransport>,
    /// Keeps the key registered for `Error::from` scrubbing while the
    /// client lives.
    _live_key: Arc<str>,
}

impl fmt::Debug for GenClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GenClient")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

impl GenClient {
    /// A builder with the defaults.
    pub fn builder() -> GenClientBuilder {
        GenClientBuilder::new()
    }

    /// A client from `GEN_API_KEY` (and optionally `GEN_API_URL`,
    /// `GEN_AGENT_URL`).
    pub fn from_env() -> Result<Self, Error> {
        GenClientBuilder::from_env().build()
    }

    pub(crate) fn from_parts(
        config: Config,
        credentials: Credentials,
        sleep: Option<Arc<dyn Sleep>>,
        clock: Option<Arc<dyn Clock>>,
    ) -> Result<Self, Error> {
        let (name, value) = match credentials.scheme {
            AuthScheme::ApiKey => (
                HeaderName::from_static("x-api-key"),
                HeaderValue::from_str(credentials.secret.expose()),
            ),
            AuthScheme::Bearer => (
                AUTHORIZATION,
                HeaderValue::from_str(&format!("Bearer {}", credentials.secret.expose())),
            ),
        };
        // The error of from_str does not echo the value; keep it that way.
        let mut value = value.map_err(|_| {
            Error::config("the API key contains characters not allowed in an HTTP header")
        })?;
        value.set_sensitive(true);
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));

        // No credentials in the client itself (the transport adds them per
        // request) and no redirects: a 3xx answer is final, so the key and a
        // paid body never travel to another host or over a downgraded scheme.
        crate::init_tls();
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .user_agent(config.user_agent.clone())
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::config(format!("could not build the HTTP client: {e}")))?;

        let mut retrier = Retrier::new(config.retry_policy.clone());
        if let Some(sleep) = sleep {
            retrier = retrier.with_sleep(sleep);
        }
        if let Some(clock) = clock {
            retrier = retrier.with_clock(clock);
        }
        let bases = Host::ALL
            .iter()
            .map(|h| {
                let url = match h.as_str() {
                    "agent" => config.agent_url.clone(),
                    "api" => config.api_url.clone(),
                    _ => h.default_url().to_owned(),
                };
                (*h, url)
            })
            .collect::<Vec<_>>();
        let transport = Arc::new(GenTransport::new(
            name,
            value,
            credentials.secret.clone(),
            retrier.clone(),
            config.max_response_body,
            bases,
        ));
        let live_key = crate::error::register_key(credentials.secret.expose());
        let raw = genpro_api::Client::new_with_client(
            &config.api_url,
            http.clone(),
            crate::transport::shared(transport.clone()),
        );
        Ok(Self {
            inner: Arc::new(Inner {
                raw,
                secret: credentials.secret,
                http,
                retrier,
                transport,
                _live_key: live_key,
                config,
            }),
        })
    }

    /// The settings (without the key).
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The generated client, with every operation of both hosts as a
    /// builder (`use genpro_api::prelude::*`). Its calls go through the one
    /// transport: auth, retries by the operation's class, typed errors, and
    /// routing to the operation's host from the generated table, so the
    /// caller never picks a host. Convert its errors with [`Self::error`]
    /// (or `Error::from`, which cannot scrub the key from a decode error's
    /// body, since it does not know it).
    ///
    /// ```no_run
    /// # async fn f(client: genpro_sdk::GenClient) -> Result<(), genpro_sdk::Error> {
    /// use genpro_api::prelude::*;
    /// let generation = client.raw().get_generation().id(9000).send().await?;
    /// let conversations = client.raw().list_conversations().agent_id(42).send().await?; // agent host
    /// # Ok(()) }
    /// ```
    pub fn raw(&self) -> &genpro_api::Client {
        &self.inner.raw
    }

    /// Converts an error of the generated client into [`Error`], scrubbed
    /// of the key.
    pub fn error<E: serde::Serialize>(&self, e: genpro_api::Error<E>) -> Error {
        Error::from(e).redact(self.secret())
    }

    /// The HTTP client (no credentials, no redirects); send through
    /// [`Self::execute`] to get auth, retries and typed errors.
    pub fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    /// Like [`Self::execute`] with exactly one attempt (for callers that
    /// retry themselves, such as the waiters).
    pub async fn execute_once(
        &self,
        operation_id: &str,
        request: reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, Error> {
        let (op, request) = prepare(operation_id, request)?;
        self.inner
            .transport
            .send_once(&self.inner.http, request, op)
            .await
    }

    /// The one transport.
    pub fn transport(&self) -> &GenTransport {
        &self.inner.transport
    }

    /// Sends a hand-built request for `operation_id` through the one
    /// transport (auth, host routing, retries by the operation's class or
    /// `class`, typed errors for non-2xx answers, body cap). For operations
    /// genpro-api does not generate (multipart) and for the waiters.
    pub async fn execute(
        &self,
        operation_id: &str,
        request: reqwest::RequestBuilder,
        class: Option<Idempotency>,
    ) -> Result<reqwest::Response, Error> {
        let (op, request) = prepare(operation_id, request)?;
        self.inner
            .transport
            .send(&self.inner.http, request, op, class)
            .await
    }

    /// The base URL of `host`.
    pub fn base_url(&self, host: Host) -> &str {
        match host.as_str() {
            "agent" => &self.inner.config.agent_url,
            _ => &self.inner.config.api_url,
        }
    }

    /// The retry loop (policy, sleep, clock) the client uses.
    pub fn retrier(&self) -> &Retrier {
        &self.inner.retrier
    }

    /// The key, for scrubbing errors of hand-written requests
    /// (`Error::redact`); never log or send it elsewhere.
    pub(crate) fn secret(&self) -> &str {
        self.inner.secret.expose()
    }

    /// Sends one genpro-api call and converts its error. The transport
    /// underneath already retries by the operation's class, routes to its
    /// host and types every error; this only adds the conversion (kept for
    /// code written against earlier versions: `builder.send().await` with
    /// `Error::from` is the same).
    ///
    /// ```no_run
    /// # async fn f(client: genpro_sdk::GenClient) -> Result<(), genpro_sdk::Error> {
    /// use genpro_api::prelude::*;
    /// let api = client.raw();
    /// let generation = client
    ///     .send("get_generation", || api.get_generation().id(9000).send())
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn send<T, E, F, Fut>(&self, operation_id: &'static str, call: F) -> Result<T, Error>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<genpro_api::ResponseValue<T>, genpro_api::Error<E>>>,
        E: serde::Serialize,
    {
        let _ = operation_id;
        let secret = self.secret();
        call()
            .await
            .map(genpro_api::ResponseValue::into_inner)
            .map_err(|e| Error::from(e).redact(secret))
    }

    /// Like [`Self::send`] with an explicit retry class for this call,
    /// returning the whole response (status and headers).
    pub async fn send_with<T, E, F, Fut>(
        &self,
        operation_id: &'static str,
        idempotency: Idempotency,
        call: F,
    ) -> Result<genpro_api::ResponseValue<T>, Error>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<genpro_api::ResponseValue<T>, genpro_api::Error<E>>>,
        E: serde::Serialize,
    {
        let _ = operation_id;
        let secret = self.secret();
        crate::transport::with_retry_class(idempotency, call())
            .await
            .map_err(|e| Error::from(e).redact(secret))
    }
}

/// The table entry of `operation_id` and the built request.
fn prepare(
    operation_id: &str,
    request: reqwest::RequestBuilder,
) -> Result<(&'static genpro_api::operations::Operation, reqwest::Request), Error> {
    let op = genpro_api::operations::find(operation_id).ok_or_else(|| Error::InvalidRequest {
        message: format!("unknown operation {operation_id}"),
    })?;
    Ok((op, request.build().map_err(from_reqwest)?))
}

//! [`GenClient`]: one client for both GEN hosts.

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderMap, HeaderName, HeaderValue};

use crate::config::{AuthScheme, Config, GenClientBuilder, Secret};
use crate::error::{Error, from_gen_api, from_reqwest};
use crate::response::Response;
use crate::retry::{Idempotency, Retrier};
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
    /// of the key. Unlike `Error::from`, which does not know the key and
    /// so drops the body of an answer that did not decode, it keeps that
    /// body, scrubbed.
    pub fn error<E: serde::Serialize>(&self, e: genpro_api::Error<E>) -> Error {
        from_gen_api(e, Some(self.secret()))
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

    /// Awaits one genpro-api call and converts its error with
    /// [`Self::error`] (scrubbed of the key, a decode error keeping its
    /// body). The transport underneath already retries by the operation's
    /// class, routes to its host and types every error: the call names its
    /// operation itself.
    ///
    /// ```no_run
    /// # async fn f(client: genpro_sdk::GenClient) -> Result<(), genpro_sdk::Error> {
    /// use genpro_api::prelude::*;
    /// let generation = client.send(client.raw().get_generation().id(9000).send()).await?;
    /// # Ok(()) }
    /// ```
    pub async fn send<T, E, Fut>(&self, call: Fut) -> Result<T, Error>
    where
        Fut: Future<Output = Result<genpro_api::ResponseValue<T>, genpro_api::Error<E>>>,
        E: serde::Serialize,
    {
        call.await
            .map(genpro_api::ResponseValue::into_inner)
            .map_err(|e| self.error(e))
    }

    /// Like [`Self::send`], with `idempotency` as the retry class of the
    /// call instead of its operation's own (e.g. [`Idempotency::PaidPost`]
    /// for a call that must not be repeated), and the answer's status and
    /// request id kept ([`Response`]).
    ///
    /// ```no_run
    /// # async fn f(client: genpro_sdk::GenClient) -> Result<(), genpro_sdk::Error> {
    /// use genpro_api::prelude::*;
    /// use genpro_sdk::Idempotency;
    /// let me = client
    ///     .send_with(Idempotency::PaidPost, client.raw().get_me().send())
    ///     .await?;
    /// println!("{:?} {:?}", me.request_id(), me.status());
    /// # Ok(()) }
    /// ```
    pub async fn send_with<T, E, Fut>(
        &self,
        idempotency: Idempotency,
        call: Fut,
    ) -> Result<Response<T>, Error>
    where
        Fut: Future<Output = Result<genpro_api::ResponseValue<T>, genpro_api::Error<E>>>,
        E: serde::Serialize,
    {
        crate::transport::with_retry_class(idempotency, call)
            .await
            .map(Response::from)
            .map_err(|e| self.error(e))
    }
}

impl GenClientBuilder {
    /// Builds the client: checks the URLs, the credentials and the
    /// [`Self::default_header`]s, and builds one HTTP client (rustls; on
    /// the application's [`Self::http_client`] when given) with no
    /// redirects, the timeouts and no credentials: the key is added to each
    /// request by the transport, in a sensitive header.
    pub fn build(self) -> Result<GenClient, Error> {
        let (config, credentials, builder) = self.check()?;
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
        for (name, value) in builder.default_headers.into_iter().flatten() {
            headers.insert(name, value);
        }

        // No credentials in the client itself (the transport adds them per
        // request) and no redirects: a 3xx answer is final, so the key and a
        // paid body never travel to another host or over a downgraded
        // scheme. Applied over the application's own builder, if any.
        crate::init_tls();
        let http = builder
            .http
            .unwrap_or_default()
            .default_headers(headers)
            .user_agent(config.user_agent.clone())
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::config(format!("could not build the HTTP client: {e}")))?;

        let mut retrier = Retrier::new(config.retry_policy.clone());
        if let Some(sleep) = builder.sleep {
            retrier = retrier.with_sleep(sleep);
        }
        if let Some(clock) = builder.clock {
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
        let raw = genpro_api::Client::new_with_client(
            &config.api_url,
            http.clone(),
            crate::transport::shared(transport.clone()),
        );
        Ok(GenClient {
            inner: Arc::new(Inner {
                raw,
                secret: credentials.secret,
                http,
                retrier,
                transport,
                config,
            }),
        })
    }
}

/// The table entry of `operation_id` and the built request.
fn prepare(
    operation_id: &str,
    request: reqwest::RequestBuilder,
) -> Result<(&'static genpro_api::operations::Operation, reqwest::Request), Error> {
    let op = genpro_api::operations::find(operation_id)
        .ok_or_else(|| Error::invalid_request(format!("unknown operation {operation_id}")))?;
    Ok((op, request.build().map_err(from_reqwest)?))
}

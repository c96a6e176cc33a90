//! [`GenClient`]: one client for both GEN hosts.

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderMap, HeaderName, HeaderValue};
use serde::de::DeserializeOwned;
use tracing::Instrument;

use crate::config::{AuthScheme, Config, Credentials, GenClientBuilder, Secret};
use crate::error::{Error, from_reqwest, truncate_body};
use crate::phases::{Edit, Host, Ideas, OperationSpec, Phase, Publish, Setup, Vidsheet};
use crate::retry::{Clock, Idempotency, Retrier, Sleep};

/// The GEN client: both hosts (`api.gen.pro`, `agent.gen.pro`), the key in a
/// sensitive header, retries that never spend credits twice, and the five
/// steps of the journey as handles ([`Self::setup`], [`Self::ideas`],
/// [`Self::vidsheet`], [`Self::edit`], [`Self::publish`]).
///
/// Cheap to clone (one shared connection pool).
#[derive(Clone)]
pub struct GenClient {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    secret: Secret,
    api: gen_api::Client,
    agent: gen_api::Client,
    http: reqwest::Client,
    retrier: Retrier,
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
        let mut headers = HeaderMap::new();
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
        headers.insert(name, value);
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));

        let http = reqwest::Client::builder()
            .default_headers(headers)
            .user_agent(config.user_agent.clone())
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .build()
            .map_err(|e| Error::config(format!("could not build the HTTP client: {e}")))?;

        let mut retrier = Retrier::new(config.retry_policy.clone());
        if let Some(sleep) = sleep {
            retrier = retrier.with_sleep(sleep);
        }
        if let Some(clock) = clock {
            retrier = retrier.with_clock(clock);
        }
        Ok(Self {
            inner: Arc::new(Inner {
                api: gen_api::Client::new_with_client(&config.api_url, http.clone()),
                agent: gen_api::Client::new_with_client(&config.agent_url, http.clone()),
                secret: credentials.secret,
                http,
                retrier,
                config,
            }),
        })
    }

    /// The settings (without the key).
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The raw client of the api host.
    pub fn api(&self) -> &gen_api::Client {
        &self.inner.api
    }

    /// The raw client of the agent host.
    pub fn agent(&self) -> &gen_api::Client {
        &self.inner.agent
    }

    /// The raw client of `host`.
    pub fn raw(&self, host: Host) -> &gen_api::Client {
        match host {
            Host::Api => self.api(),
            Host::Agent => self.agent(),
        }
    }

    /// The underlying HTTP client (auth header included), e.g. for the
    /// multipart operations gen-api sets aside.
    pub fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    /// The base URL of `host`.
    pub fn base_url(&self, host: Host) -> &str {
        match host {
            Host::Api => &self.inner.config.api_url,
            Host::Agent => &self.inner.config.agent_url,
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

    /// Step 1 — set up the agent.
    pub fn setup(&self) -> Setup<'_> {
        Setup::new(self)
    }

    /// Step 2 — generate content ideas.
    pub fn ideas(&self) -> Ideas<'_> {
        Ideas::new(self)
    }

    /// Step 3 — convert an idea to a vidsheet.
    pub fn vidsheet(&self) -> Vidsheet<'_> {
        Vidsheet::new(self)
    }

    /// Step 4 — edit and generate.
    pub fn edit(&self) -> Edit<'_> {
        Edit::new(self)
    }

    /// Step 5 — export and publish.
    pub fn publish(&self) -> Publish<'_> {
        Publish::new(self)
    }

    /// The raw client on which `operation_id` is reachable, if `phase` is
    /// the operation's phase.
    pub fn raw_for(&self, phase: Phase, operation_id: &str) -> Option<&gen_api::Client> {
        let spec = OperationSpec::find(operation_id)?;
        (spec.phase == phase).then(|| self.raw(spec.host))
    }

    /// Sends one gen-api call with retries, error conversion and a tracing
    /// span. `operation_id` selects the retry class from
    /// [`crate::phases::OPERATIONS`] (an unknown id is treated as
    /// [`Idempotency::PaidPost`], the most careful class). `call` builds and
    /// sends the request; it is called once per attempt.
    ///
    /// Caveat of the generated client (progenitor 0.15): an error answer
    /// whose body is not a GEN error object (a gateway's HTML 502/503) comes
    /// back as `InvalidResponsePayload` without its status, so it becomes an
    /// [`Error::Decode`] with `status: None` and is not retried. The
    /// ergonomic methods of the phase handles do not have this limitation.
    ///
    /// ```no_run
    /// # async fn f(client: gen_sdk::GenClient) -> Result<(), gen_sdk::Error> {
    /// use gen_api::prelude::*;
    /// let api = client.api();
    /// let generation = client
    ///     .send("get_generation", || api.get_generation().id(9000).send())
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn send<T, E, F, Fut>(&self, operation_id: &'static str, call: F) -> Result<T, Error>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<gen_api::ResponseValue<T>, gen_api::Error<E>>>,
        E: serde::Serialize,
    {
        let idempotency = OperationSpec::find(operation_id)
            .map(|s| s.idempotency)
            .unwrap_or(Idempotency::PaidPost);
        self.send_with(operation_id, idempotency, call)
            .await
            .map(gen_api::ResponseValue::into_inner)
    }

    /// Like [`Self::send`] with an explicit retry class, returning the whole
    /// response (status and headers).
    pub async fn send_with<T, E, F, Fut>(
        &self,
        operation_id: &'static str,
        idempotency: Idempotency,
        call: F,
    ) -> Result<gen_api::ResponseValue<T>, Error>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<gen_api::ResponseValue<T>, gen_api::Error<E>>>,
        E: serde::Serialize,
    {
        let span = self.span(operation_id);
        let secret = self.secret();
        async {
            let result = self
                .inner
                .retrier
                .run(idempotency, |attempt| {
                    tracing::Span::current().record("attempt", attempt);
                    let fut = call();
                    async move {
                        match fut.await {
                            Ok(rv) => {
                                tracing::Span::current().record("status", rv.status().as_u16());
                                Ok(rv)
                            }
                            Err(e) => {
                                let e = Error::from(e).redact(secret);
                                if let Some(status) = e.status() {
                                    tracing::Span::current().record("status", status);
                                }
                                Err(e)
                            }
                        }
                    }
                })
                .await;
            if let Err(e) = &result {
                tracing::debug!(error = %e, "GEN API call failed");
            }
            result
        }
        .instrument(span)
        .await
    }

    /// Sends one operation by hand and decodes the answer into `T` (a
    /// gen-api type), with the same retries, errors and span as
    /// [`Self::send`]. Method, host and path template come from the
    /// operation's entry in [`crate::phases::OPERATIONS`]; `path` fills the
    /// template's `{name}` parameters (percent-encoded), `query` is appended.
    ///
    /// The ergonomic methods use this rather than the generated builders:
    /// progenitor 0.15 turns an error answer whose body is not a GEN error
    /// object (a gateway's HTML 502/503, a 404 without `error_code`) into
    /// `InvalidResponsePayload`, dropping its status and headers, so it could
    /// be neither classified nor retried. Here every non-2xx answer keeps its
    /// status, `x-request-id` and `Retry-After`. Bodies that are not JSON
    /// objects the generated types accept (cards with models newer than
    /// gen-api) are sent as is.
    pub(crate) async fn call<T: DeserializeOwned>(
        &self,
        operation_id: &'static str,
        path: &[(&str, String)],
        query: &[(&str, String)],
        body: Option<&serde_json::Value>,
    ) -> Result<(u16, T), Error> {
        let spec = OperationSpec::find(operation_id).ok_or_else(|| Error::InvalidRequest {
            message: format!("unknown operation {operation_id}"),
        })?;
        let method = reqwest::Method::from_bytes(spec.method.as_bytes()).map_err(|_| {
            Error::InvalidRequest {
                message: format!("bad method {}", spec.method),
            }
        })?;
        let mut url = format!(
            "{}{}",
            self.base_url(spec.host),
            fill_path(spec.path, path)?
        );
        if !query.is_empty() {
            let mut q = url::form_urlencoded::Serializer::new(String::new());
            for (name, value) in query {
                q.append_pair(name, value);
            }
            url.push('?');
            url.push_str(&q.finish());
        }
        let span = self.span(operation_id);
        let secret = self.secret();
        async {
            self.inner
                .retrier
                .run(spec.idempotency, |attempt| {
                    tracing::Span::current().record("attempt", attempt);
                    let mut request = self.inner.http.request(method.clone(), &url);
                    if let Some(body) = body {
                        request = request.json(body);
                    }
                    async move {
                        let result = async {
                            let response = request.send().await.map_err(from_reqwest)?;
                            let status = response.status();
                            tracing::Span::current().record("status", status.as_u16());
                            let headers = response.headers().clone();
                            let bytes = response.bytes().await.map_err(from_reqwest)?;
                            if !status.is_success() {
                                return Err(Error::from_response_parts(status, &headers, &bytes));
                            }
                            let value = serde_json::from_slice::<T>(&bytes).map_err(|source| {
                                Error::Decode {
                                    status: Some(status.as_u16()),
                                    body: truncate_body(&String::from_utf8_lossy(&bytes)),
                                    source,
                                }
                            })?;
                            Ok((status.as_u16(), value))
                        }
                        .await;
                        result.map_err(|e| e.redact(secret))
                    }
                })
                .await
        }
        .instrument(span)
        .await
    }

    fn span(&self, operation_id: &'static str) -> tracing::Span {
        let (method, host) = OperationSpec::find(operation_id)
            .map(|s| (s.method, s.host.as_str()))
            .unwrap_or(("?", "?"));
        tracing::info_span!(
            "gen_api_call",
            operation_id,
            method,
            host,
            attempt = tracing::field::Empty,
            status = tracing::field::Empty,
        )
    }
}

/// Fills the `{name}` parameters of a path template with percent-encoded
/// values.
fn fill_path(template: &str, params: &[(&str, String)]) -> Result<String, Error> {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let end =
            rest[start..]
                .find('}')
                .map(|e| start + e)
                .ok_or_else(|| Error::InvalidRequest {
                    message: format!("bad path template {template}"),
                })?;
        let name = &rest[start + 1..end];
        let value = params
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v)
            .ok_or_else(|| Error::InvalidRequest {
                message: format!("missing path parameter `{name}` for {template}"),
            })?;
        if value.is_empty() {
            return Err(Error::validation(name, "must not be empty", None));
        }
        out.extend(
            url::form_urlencoded::byte_serialize(value.as_bytes()).map(|s| s.replace('+', "%20")),
        );
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::fill_path;

    #[test]
    fn fills_and_encodes_path_parameters() {
        let p = |v: &str| vec![("id", v.to_owned())];
        assert_eq!(
            fill_path("/v1/agent/conversations/{id}/messages", &p("conv_xyz")).unwrap(),
            "/v1/agent/conversations/conv_xyz/messages"
        );
        assert_eq!(
            fill_path("/v1/x/{id}", &p("a/b c?d")).unwrap(),
            "/v1/x/a%2Fb%20c%3Fd"
        );
        assert!(fill_path("/v1/x/{id}", &[]).is_err());
        assert!(fill_path("/v1/x/{id}", &p("")).is_err());
    }
}

//! The set-up every phase-handle test shares: a fresh `GenClient` on two httpmock servers (one
//! per GEN host), the exact calls the test expects on them ([`Wire`]), and the check that a
//! refused call sent nothing ([`refused_before_sending`]).
//!
//! Each expected call pins method, path, query, `X-API-Key`, `api-version` and JSON body (see
//! `gen_contract_tests::expect`) and must be made exactly as many times as the test says (once
//! unless [`Wire::times`] says otherwise).

use gen_contract_tests::{Call, any_request, expect, sdk};
use genpro_sdk::ErrorKind;
use genpro_sdk::GenClient;
use serde_json::Value;

/// Which GEN host a call goes to.
#[derive(Debug, Clone, Copy)]
enum Host {
    /// api.gen.pro
    Api,
    /// agent.gen.pro
    Agent,
}

#[derive(Debug, Clone)]
struct Expected {
    host: Host,
    call: Call,
    status: u16,
    answer: Value,
    times: usize,
}

/// The calls a test expects on the wire, with their answers.
#[derive(Debug, Clone, Default)]
pub struct Wire {
    expected: Vec<Expected>,
}

/// No call expected yet.
pub fn wire() -> Wire {
    Wire::default()
}

impl Wire {
    fn push(mut self, host: Host, call: Call, status: u16, answer: Value) -> Self {
        self.expected.push(Expected {
            host,
            call,
            status,
            answer,
            times: 1,
        });
        self
    }

    /// Expect `call` on the api host; answer it `status` with `answer` as JSON.
    pub fn api(self, call: Call, status: u16, answer: Value) -> Self {
        self.push(Host::Api, call, status, answer)
    }

    /// Expect `call` on the agent host; answer it `status` with `answer` as JSON.
    pub fn agent(self, call: Call, status: u16, answer: Value) -> Self {
        self.push(Host::Agent, call, status, answer)
    }

    /// The call expected last must be made `n` times (not once).
    pub fn times(mut self, n: usize) -> Self {
        self.expected.last_mut().expect("a call to repeat").times = n;
        self
    }

    /// Run `f` on a fresh client against the expected calls; then check each was made exactly
    /// as often as expected (a call that differs in anything gets httpmock's 404 and misses).
    /// Returns what `f` returned.
    pub async fn run<T>(self, f: impl AsyncFnOnce(&GenClient) -> T) -> T {
        let s = sdk().await;
        let mut mocks = Vec::new();
        for e in self.expected {
            let server = match e.host {
                Host::Api => &s.api,
                Host::Agent => &s.agent,
            };
            let mock = expect(server, e.call, e.status, Some(e.answer)).await;
            mocks.push((mock, e.times));
        }
        let out = f(&s.client).await;
        for (mock, times) in &mocks {
            mock.assert_calls_async(*times).await;
        }
        out
    }
}

/// Run `f` on a fresh client and check it failed with `Error::Validation` on `field` without
/// sending anything to either host.
pub async fn refused_before_sending<T: std::fmt::Debug>(
    field: &str,
    f: impl AsyncFnOnce(&GenClient) -> Result<T, genpro_sdk::Error>,
) {
    let s = sdk().await;
    let api = any_request(&s.api).await;
    let agent = any_request(&s.agent).await;
    let err = f(&s.client).await.unwrap_err();
    assert!(
        err.kind() == ErrorKind::Validation && err.field() == Some(field),
        "{err:?}"
    );
    assert_eq!(api.calls_async().await, 0, "sent to the api host");
    assert_eq!(agent.calls_async().await, 0, "sent to the agent host");
}

//! Shared by the step examples: connect to GEN, or to the built-in fake.

use genpro_sdk::GenClient;
use genpro_sdk::genpro_api::types;

/// A client, the agent to use, and the in-process fake when offline.
pub struct Session {
    /// The SDK client.
    pub client: GenClient,
    /// The agent the example works with.
    pub agent_id: i64,
    /// The offline fake, when `GEN_API_KEY` is unset (kept alive while the
    /// example runs).
    pub _mock: Option<genpro_mock::MockServer>,
}

/// With `GEN_API_KEY` (and `GEN_AGENT_ID`) set, the real API; otherwise the
/// built-in fake on 127.0.0.1, said on stderr.
pub async fn connect() -> Result<Session, Box<dyn std::error::Error>> {
    if std::env::var("GEN_API_KEY").is_ok_and(|k| !k.is_empty()) {
        let agent_id = std::env::var("GEN_AGENT_ID")
            .map_err(|_| "set GEN_AGENT_ID to the agent to use")?
            .parse()?;
        return Ok(Session {
            client: GenClient::from_env()?,
            agent_id,
            _mock: None,
        });
    }
    let mock = genpro_mock::MockServer::start(genpro_mock::MockConfig::default()).await?;
    eprintln!(
        "No GEN_API_KEY set: running offline against the built-in fake at {}",
        mock.base_url()
    );
    let client = GenClient::builder()
        .api_key(mock.api_key())
        .api_url(mock.api_url())
        .agent_url(mock.agent_url())
        .build()?;
    Ok(Session {
        client,
        agent_id: 42,
        _mock: Some(mock),
    })
}

/// The first row's cell in the column with `role` (`ingredient`, `video`,
/// `final_video`, ...), optionally of a column type (`text`, `audio`, ...).
#[allow(dead_code)]
pub fn cell_of(engine: &types::Engine, role: &str, column_type: Option<&str>) -> Option<i64> {
    genpro_sdk::phases::first_row_cell(engine, |c| {
        c.role.as_ref().is_some_and(|r| r.as_str() == role)
            && column_type.is_none_or(|t| c.column_type.as_ref().is_some_and(|ct| ct.as_str() == t))
    })
}

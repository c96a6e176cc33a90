//! `gen journey` with a real key and no `--agent`: it finds the agent
//! itself (the account's only agent, or the only one with a linked TikTok
//! account) or fails listing the agents and the flag to pass. The API is an
//! httpmock server on 127.0.0.1; the journey is stopped at step 1 by a 404
//! on the chosen agent's core update, which shows which agent it picked.

use std::process::Output;
use std::time::Duration;

use httpmock::prelude::*;
use serde_json::{Value, json};

const KEY: &str = "journey-agent-test-key-51d0";

async fn journey(api: &MockServer, agent_host: &MockServer) -> Output {
    let mut cmd = assert_cmd::Command::cargo_bin("gen").expect("gen binary");
    cmd.env_remove("GEN_AGENT_ID")
        .env("GEN_API_KEY", KEY)
        .env("GEN_API_URL", api.base_url())
        .env("GEN_AGENT_URL", agent_host.base_url())
        .args(["journey", "--no-publish", "--max-wait", "5"]);
    cmd.timeout(Duration::from_secs(60));
    tokio::task::spawn_blocking(move || cmd.output().expect("run gen"))
        .await
        .expect("join")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Workspaces 12 and 13 with `agents` split between them (`(workspace,
/// id, name, linked_accounts)`), each agent's core, and a catch-all for the
/// core updates that answers 404 (the journey stops there).
struct Account<'a> {
    server: &'a MockServer,
    core_reads: Vec<(i64, httpmock::Mock<'a>)>,
}

async fn account<'a>(server: &'a MockServer, agents: &[(i64, i64, &str, Value)]) -> Account<'a> {
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/workspaces")
                .header("x-api-key", KEY);
            then.status(200).json_body(json!([
                {"id": 12, "name": "Santiago Media"},
                {"id": 13, "name": "Side projects"}
            ]));
        })
        .await;
    for workspace in [12, 13] {
        let listed: Vec<Value> = agents
            .iter()
            .filter(|(w, ..)| *w == workspace)
            .map(|(w, id, name, _)| json!({"id": id, "name": name, "workspace_id": w}))
            .collect();
        server
            .mock_async(|when, then| {
                when.method(GET)
                    .path("/v1/agents")
                    .query_param("workspace_id", workspace.to_string())
                    .header("x-api-key", KEY);
                then.status(200).json_body(Value::Array(listed));
            })
            .await;
    }
    let mut core_reads = Vec::new();
    for (_, id, name, linked) in agents {
        let mock = server
            .mock_async(|when, then| {
                when.method(GET)
                    .path(format!("/v1/agents/{id}/core"))
                    .header("x-api-key", KEY);
                then.status(200)
                    .json_body(json!({"brand_name": name, "linked_accounts": linked}));
            })
            .await;
        core_reads.push((*id, mock));
    }
    Account { server, core_reads }
}

impl Account<'_> {
    /// The core update of `agent_id`, answered 404 to stop the journey.
    async fn stop_at_setup(&self, agent_id: i64) -> httpmock::Mock<'_> {
        self.server
            .mock_async(|when, then| {
                when.method(PATCH)
                    .path(format!("/v1/agents/{agent_id}/core"))
                    .header("x-api-key", KEY);
                then.status(404)
                    .json_body(json!({"error": "stop here", "error_code": "not_found"}));
            })
            .await
    }

    /// Any other PATCH: must not happen.
    async fn other_patches(&self) -> httpmock::Mock<'_> {
        self.server
            .mock_async(|when, then| {
                when.method(PATCH);
                then.status(418);
            })
            .await
    }
}

fn tiktok(handle: &str) -> Value {
    json!([{"url": format!("https://tiktok.com/@{handle}"), "platform": "tiktok"}])
}

#[tokio::test]
async fn the_accounts_only_agent_is_used() {
    let api = MockServer::start_async().await;
    let agent_host = MockServer::start_async().await;
    let account = account(&api, &[(13, 77, "Solo", json!([]))]).await;
    let patched = account.stop_at_setup(77).await;
    let other = account.other_patches().await;
    let out = journey(&api, &agent_host).await;
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(5), "{err}");
    assert!(
        err.contains("using agent 77 (Solo): the account's only agent"),
        "{err}"
    );
    assert!(err.contains("step 1 (set up the agent)"), "{err}");
    assert_eq!(patched.calls_async().await, 1);
    assert_eq!(other.calls_async().await, 0);
    // one agent: no need to read its core
    assert_eq!(account.core_reads[0].1.calls_async().await, 0);
    assert!(!err.contains(KEY));
}

#[tokio::test]
async fn of_two_agents_the_one_with_tiktok_is_used() {
    let api = MockServer::start_async().await;
    let agent_host = MockServer::start_async().await;
    let account = account(
        &api,
        &[
            (
                12,
                42,
                "Santiago",
                json!([{"url": "https://instagram.com/santiago_sa", "platform": "instagram"}]),
            ),
            (13, 43, "Tacos TikTok", tiktok("tacos")),
        ],
    )
    .await;
    let patched = account.stop_at_setup(43).await;
    let other = account.other_patches().await;
    let out = journey(&api, &agent_host).await;
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(5), "{err}");
    assert!(
        err.contains("using agent 43 (Tacos TikTok): the only agent with a linked TikTok account"),
        "{err}"
    );
    assert_eq!(patched.calls_async().await, 1);
    assert_eq!(other.calls_async().await, 0);
    for (id, read) in &account.core_reads {
        assert_eq!(read.calls_async().await, 1, "core of agent {id}");
    }
}

#[tokio::test]
async fn two_agents_without_tiktok_fail_listing_them_and_the_flag() {
    let api = MockServer::start_async().await;
    let agent_host = MockServer::start_async().await;
    let account = account(
        &api,
        &[
            (12, 42, "Santiago", json!([])),
            (12, 44, "Second", json!(null)),
        ],
    )
    .await;
    let patches = account.other_patches().await;
    let out = journey(&api, &agent_host).await;
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(
        err.trim_end(),
        "error: you have 2 agents and none has a linked TikTok account, so the journey cannot pick one: pass --agent ID (or set GEN_AGENT_ID); your agents: 42 \"Santiago\", 44 \"Second\""
    );
    assert_eq!(patches.calls_async().await, 0);
}

#[tokio::test]
async fn two_agents_with_tiktok_fail_marking_them() {
    let api = MockServer::start_async().await;
    let agent_host = MockServer::start_async().await;
    let account = account(
        &api,
        &[
            (12, 42, "Santiago", tiktok("santiago_sa")),
            (13, 45, "Other", tiktok("other")),
        ],
    )
    .await;
    let patches = account.other_patches().await;
    let out = journey(&api, &agent_host).await;
    let err = stderr(&out);
    assert_eq!(
        err.trim_end(),
        "error: you have 2 agents and 2 have a linked TikTok account, so the journey cannot pick one: pass --agent ID (or set GEN_AGENT_ID); your agents: 42 \"Santiago\" [tiktok], 45 \"Other\" [tiktok]"
    );
    assert_eq!(patches.calls_async().await, 0);
}

#[tokio::test]
async fn no_agent_at_all_says_how_to_create_one() {
    let api = MockServer::start_async().await;
    let agent_host = MockServer::start_async().await;
    let _account = account(&api, &[]).await;
    let out = journey(&api, &agent_host).await;
    assert_eq!(
        stderr(&out).trim_end(),
        "error: no agent found in your workspaces: create one (POST /v1/agents, or in the GEN dashboard) and pass --agent ID (or set GEN_AGENT_ID)"
    );
}

//! Journey smoke tests of genpro-mock over a real socket (short real-time durations) and
//! in-process with paused tokio time.

mod common;

use std::time::Duration;

use base64::Engine as _;
use common::{Api, cell_of};
use genpro_mock::{MockConfig, MockServer, MockState, router};
use md5::{Digest, Md5};
use serde_json::{Value, json};

fn fast() -> MockConfig {
    MockConfig::default()
        .with_generation_timing(Duration::from_millis(40), Duration::from_millis(80))
        .with_run_duration(Duration::from_millis(60))
        .with_user_job_duration(Duration::from_millis(60))
}

async fn clone(api: &Api, slug: &str) -> Value {
    let r = api
        .post(
            &format!("/v1/templates/spreadsheets/{slug}/clone"),
            json!({"agent_id": "42"}), // seed 001 quotes the id
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body
}

#[tokio::test]
async fn auth_is_required_and_both_headers_work() {
    let server = MockServer::start(fast()).await.unwrap();
    let http = reqwest::Client::new();
    let base = server.base_url();
    let r = Api::read(http.get(format!("{base}/v1/me")).send().await.unwrap()).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.body["error_code"], "unauthorized");
    assert!(r.body["error"].is_string());
    let r = Api::read(
        http.get(format!("{base}/v1/me"))
            .header("X-API-Key", "nope")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 401);
    let r = Api::read(
        http.get(format!("{base}/v1/me"))
            .bearer_auth("mock-key")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["id"], 7);
    let r = Api::read(http.get(format!("{base}/healthz")).send().await.unwrap()).await;
    assert_eq!(r.status, 200);
    let log = server.state().requests_to("/v1/me");
    assert_eq!(log.len(), 3);
    assert!(!log[0].has_api_key && !log[0].has_authorization);
    assert!(log[1].has_api_key);
    assert!(log[2].has_authorization && !log[2].has_api_key);
    assert_eq!(log[0].status, Some(401));
    // A persisted token works as a key until revoked.
    let api = Api::new(&server);
    let t = api
        .post("/v1/persisted_tokens", json!({"name": "ci"}))
        .await;
    let token = t.body["token"].as_str().unwrap().to_string();
    let r = Api::read(
        http.get(format!("{base}/v1/me"))
            .header("X-API-Key", &token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        api.delete("/v1/persisted_tokens/revoke_all").await.status,
        204
    );
    let r = Api::read(
        http.get(format!("{base}/v1/me"))
            .header("X-API-Key", &token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 401);
    server.shutdown().await;
}

#[tokio::test]
async fn ideas_run_completes_with_full_ideas() {
    let server = MockServer::start(fast().with_run_duration(Duration::from_millis(300)))
        .await
        .unwrap();
    let api = Api::new(&server);
    let r = api
        .post(
            "/v1/agent/run",
            json!({"agent_id": "42", "message": "Generate 4 content ideas"}),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["status"], "running");
    let run_id = r.body["run_id"].as_str().unwrap().to_string();
    let conv = r.body["conversation_id"].as_str().unwrap().to_string();
    assert!(run_id.starts_with("run_") && conv.starts_with("conv_"));
    assert!(r.body["firebase_path"].is_string());
    assert_eq!(
        api.get(&format!("/v1/agent/runs/{run_id}")).await.body["status"],
        "running"
    );
    tokio::time::sleep(Duration::from_millis(400)).await;
    let run = api.get(&format!("/v1/agent/runs/{run_id}")).await.body;
    assert_eq!(run["status"], "completed");
    let msgs = api
        .get(&format!("/v1/agent/conversations/{conv}/messages"))
        .await
        .body;
    let assistant = msgs
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["role"] == "assistant")
        .unwrap();
    let ideas = assistant["ideas"].as_array().unwrap();
    assert_eq!(ideas.len(), 4);
    for idea in ideas {
        for field in [
            "title",
            "hook",
            "full_script",
            "video_type",
            "video_type_id",
            "estimated_duration",
            "aspect_ratio",
            "selected_assets",
            "project_manifest",
            "inspiration_sources",
            "rationale",
            "status",
        ] {
            assert!(!idea[field].is_null(), "idea lacks {field}: {idea}");
        }
        assert_eq!(idea["status"], "generated");
    }
    let id = ideas[0]["id"].as_str().unwrap();
    let listed = api
        .get("/v1/agent/ideas?agent_id=42&status=generated")
        .await
        .body;
    assert_eq!(listed.as_array().unwrap().len(), 4);
    let mut seen = Vec::new();
    for _ in 0..5 {
        let r = api
            .post_empty(&format!("/v1/agent/ideas/{id}/status"))
            .await;
        assert_eq!(r.status, 200);
        seen.push(r.body["status"].as_str().unwrap().to_string());
    }
    assert_eq!(
        seen,
        [
            "approve_to_create",
            "ready_for_review",
            "approved_to_post",
            "posted",
            "posted"
        ]
    );
    assert_eq!(
        api.put(&format!("/v1/agent/ideas/{id}/status/rejected"), json!({}))
            .await
            .body["status"],
        "rejected"
    );
    let bad = api
        .put(&format!("/v1/agent/ideas/{id}/status/bogus"), json!({}))
        .await;
    assert_eq!(bad.status, 422);
    assert_eq!(bad.body["error_code"], "validation_error");
    // Research.
    let r = api
        .post(
            "/v1/research",
            json!({"agent_id": "42", "topic": "tariffs", "depth": "quick"}),
        )
        .await;
    let rid = r.body["run_id"].as_str().unwrap().to_string();
    tokio::time::sleep(Duration::from_millis(400)).await;
    let run = api.get(&format!("/v1/agent/runs/{rid}")).await.body;
    assert_eq!(run["status"], "completed");
    assert!(run["summary"].is_string());
    assert_eq!(run["findings"].as_array().unwrap().len(), 3);
    // Unknown agent.
    let r = api
        .post("/v1/agent/run", json!({"agent_id": "999", "message": "x"}))
        .await;
    assert_eq!(r.body["error_code"], "agent_not_found");
    server.shutdown().await;
}

#[tokio::test]
async fn clone_generate_complete_and_credits() {
    let server = MockServer::start(fast()).await.unwrap();
    let api = Api::new(&server);
    let state = server.state();
    let templates = api.get("/v1/templates/projects").await.body;
    let slugs: Vec<&str> = templates
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["slug"].as_str().unwrap())
        .collect();
    for s in [
        "tiktok-talking-avatar",
        "tiktok-montage",
        "tiktok-vo-broll",
        "tiktok-text-driven",
        "tiktok-split-screen",
    ] {
        assert!(slugs.contains(&s), "{s}");
    }
    let engine = clone(&api, "tiktok-montage").await;
    assert_eq!(state.credit_balance(), 1000.0, "cloning is free");
    let eid = engine["id"].as_i64().unwrap();
    let roles: Vec<&str> = engine["spreadsheet_columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["ingredient", "ingredient", "video", "final_video"]);
    let rows = engine["spreadsheet_rows"].as_array().unwrap().len();
    assert_eq!(
        engine["spreadsheet_cells"].as_array().unwrap().len(),
        rows * 4
    );
    assert!(!engine["layers"].as_array().unwrap().is_empty());

    let script = cell_of(&engine, "ingredient", Some("Script"));
    let r = api
        .post(
            &format!("/v1/autocontentengine/{eid}/cells/{script}/generate?agent_id=42"),
            json!({"generation_type": "text", "data": {"prompt": "hook", "model": "gpt_4o"}}),
        )
        .await;
    assert_eq!(r.status, 201);
    assert_eq!(r.body["status"], "pending");
    let gid = r.body["generation_id"].as_i64().unwrap();
    assert_eq!(state.credit_balance(), 999.0, "pre-charged");
    assert_eq!(state.generate_calls(script), 1);
    // Long-poll: one request returns the terminal state.
    let g = api
        .get(&format!("/v1/generations/{gid}?wait=true&timeout=10"))
        .await
        .body;
    assert_eq!(g["status"], "completed");
    assert!(g["result"].as_str().unwrap().contains("hook"));
    assert_eq!(g["execution_cost"], 1.0);
    assert_eq!(state.credit_balance(), 999.0, "reconciled at the same cost");
    let cell = api
        .get(&format!(
            "/v1/autocontentengine/{eid}/cells/{script}?agent_id=42"
        ))
        .await
        .body;
    assert_eq!(cell["user_job_id"], gid);

    // Media output served by the CDN.
    let video = cell_of(&engine, "video", None);
    let r = api
        .post(
            &format!("/v1/autocontentengine/{eid}/cells/{video}/generate?agent_id=42"),
            json!({"generation_type": "video_from_text", "data": {"prompt": "tacos", "model": "veo_3", "duration": 5}}),
        )
        .await;
    let vid = r.body["generation_id"].as_i64().unwrap();
    let g = api
        .get(&format!("/v1/generations/{vid}?wait=true"))
        .await
        .body;
    let out = &g["output_resources"][0];
    assert_eq!(out["type"], "output");
    assert_eq!(out["object_type"], "video");
    let url = out["url"].as_str().unwrap();
    assert!(
        url.starts_with(&server.base_url())
            && url.contains("/cdn/outputs/")
            && url.ends_with(".mp4")
    );
    let bytes = reqwest::get(url).await.unwrap().bytes().await.unwrap();
    assert!(bytes.len() >= 16 && &bytes[4..8] == b"ftyp");

    // Invalid generation type (seed 000's `text_generation` is accepted: see
    // rails_generation_type_names_are_accepted).
    let r = api
        .post(
            &format!("/v1/autocontentengine/{eid}/cells/{video}/generate?agent_id=42"),
            json!({"generation_type": "not_a_card", "data": {}}),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.body["error_code"], "validation_error");

    // Render: only on the final_video cell.
    let r = api
        .post_empty(&format!(
            "/v1/autocontentengine/{eid}/cells/{video}/render?agent_id=42"
        ))
        .await;
    assert_eq!(r.status, 422);
    let fin = cell_of(&engine, "final_video", None);
    let r = api
        .post_empty(&format!(
            "/v1/autocontentengine/{eid}/cells/{fin}/render?agent_id=42"
        ))
        .await;
    assert_eq!(r.status, 201);
    let rid = r.body["generation_id"].as_i64().unwrap();
    let g = api
        .get(&format!("/v1/generations/{rid}?wait=true"))
        .await
        .body;
    assert_eq!(g["status"], "completed");
    assert_eq!(g["output_resources"].as_array().unwrap().len(), 1);
    assert!(
        g["output_resources"][0]["url"]
            .as_str()
            .unwrap()
            .ends_with(".mp4")
    );

    // Unknown ids are 404.
    assert_eq!(api.get("/v1/generations/1").await.status, 404);
    assert_eq!(
        api.get(&format!("/v1/autocontentengine/{eid}/cells/1?agent_id=42"))
            .await
            .status,
        404
    );
    assert_eq!(
        api.get("/v1/autocontentengine/5?agent_id=42").await.status,
        404
    );
    server.shutdown().await;
}

#[tokio::test]
async fn stop_refunds_continue_recharges() {
    let cfg = MockConfig::default()
        .with_generation_timing(Duration::from_millis(20), Duration::from_secs(30));
    let server = MockServer::start(cfg).await.unwrap();
    let api = Api::new(&server);
    let state = server.state();
    let engine = clone(&api, "tiktok-talking-avatar").await;
    let eid = engine["id"].as_i64().unwrap();
    let video = cell_of(&engine, "video", None);
    let r = api
        .post(
            &format!("/v1/autocontentengine/{eid}/cells/{video}/generate?agent_id=42"),
            json!({"generation_type": "video_from_text", "data": {"prompt": "x", "model": "veo_3"}}),
        )
        .await;
    let gid = r.body["generation_id"].as_i64().unwrap();
    assert_eq!(state.credit_balance(), 990.0);
    let org = api.get("/v1/organizations/1").await.body;
    assert_eq!(org["available_credit"]["generic"], 990.0);
    let cont = api
        .post_empty(&format!("/v1/generations/{gid}/continue"))
        .await;
    assert_eq!(cont.status, 422, "only stopped generations continue");
    let r = api.post_empty(&format!("/v1/generations/{gid}/stop")).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["status"], "stopped");
    assert_eq!(state.credit_balance(), 1000.0, "full refund");
    let again = api.post_empty(&format!("/v1/generations/{gid}/stop")).await;
    assert_eq!(again.status, 422);
    assert_eq!(again.body["error_code"], "validation_error");
    let r = api
        .post_empty(&format!("/v1/generations/{gid}/continue"))
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["status"], "pending");
    assert_eq!(state.credit_balance(), 990.0, "re-charged");
    // Continue while short of credits.
    api.post_empty(&format!("/v1/generations/{gid}/stop")).await;
    state.set_credit_balance(3.0);
    let r = api
        .post_empty(&format!("/v1/generations/{gid}/continue"))
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.body["error_code"], "insufficient_credits_for_job");
    server.shutdown().await;
}

#[tokio::test]
async fn insufficient_credits_creates_nothing() {
    let server = MockServer::start(fast().with_initial_credit(5.0))
        .await
        .unwrap();
    let api = Api::new(&server);
    let engine = clone(&api, "tiktok-montage").await;
    let eid = engine["id"].as_i64().unwrap();
    let video = cell_of(&engine, "video", None);
    let r = api
        .post(
            &format!("/v1/autocontentengine/{eid}/cells/{video}/generate?agent_id=42"),
            json!({"generation_type": "video_from_text", "data": {"prompt": "x", "model": "veo_3"}}),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.body["error_code"], "insufficient_credits_for_job");
    assert!(server.state().generation_ids().is_empty());
    assert_eq!(server.state().credit_balance(), 5.0);
    server.shutdown().await;
}

#[tokio::test]
async fn failing_generations_refund() {
    let server = MockServer::start(fast().with_failing_generations(1, "model overloaded"))
        .await
        .unwrap();
    let api = Api::new(&server);
    let engine = clone(&api, "tiktok-montage").await;
    let eid = engine["id"].as_i64().unwrap();
    let video = cell_of(&engine, "video", None);
    let path = format!("/v1/autocontentengine/{eid}/cells/{video}/generate?agent_id=42");
    let body =
        json!({"generation_type": "video_from_text", "data": {"prompt": "x", "model": "veo_3"}});
    let g1 = api.post(&path, body.clone()).await.body["generation_id"]
        .as_i64()
        .unwrap();
    let g2 = api.post(&path, body).await.body["generation_id"]
        .as_i64()
        .unwrap();
    let a = api
        .get(&format!("/v1/generations/{g1}?wait=true"))
        .await
        .body;
    let b = api
        .get(&format!("/v1/generations/{g2}?wait=true"))
        .await
        .body;
    assert_eq!(a["status"], "failed");
    assert_eq!(a["failed_reason"], "model overloaded");
    assert_eq!(b["status"], "completed");
    assert_eq!(server.state().credit_balance(), 990.0);
    assert_eq!(server.state().generate_calls(video), 2);
    server.shutdown().await;
}

#[tokio::test]
async fn agent_core_validation() {
    let server = MockServer::start(fast()).await.unwrap();
    let api = Api::new(&server);
    let r = api
        .patch(
            "/v1/agents/42/core",
            json!({"brand_name": "X", "favourite_color": "red"}),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.body["error_code"], "validation_error");
    let r = api
        .patch(
            "/v1/agents/42/core",
            json!({"description": "x".repeat(501)}),
        )
        .await;
    assert_eq!(r.status, 422);
    let r = api
        .patch(
            "/v1/agents/42/core",
            json!({"personality": "x".repeat(20_001)}),
        )
        .await;
    assert_eq!(r.status, 422);
    let r = api
        .patch(
            "/v1/agents/42/core",
            json!({"keywords": ["tacos", "salsa"], "brand_name": "Santi"}),
        )
        .await;
    assert_eq!(r.status, 200);
    let mon = r.body["core"]["monitored"].as_array().unwrap();
    assert!(mon.contains(&json!({"handle": "tacos", "item_type": "keyword"})));
    assert!(
        mon.contains(&json!({"handle": "https://tiktok.com/@keithlee", "item_type": "account"}))
    );
    assert_eq!(r.body["failed_sections"], json!([]));
    let core = api.get("/v1/agents/42/core").await.body;
    assert_eq!(core["brand_name"], "Santi");
    let r = api
        .patch("/v1/agents/42/core", json!({"goal": "sales", "default_user_voice": {"voice_id": "nope", "source": "public"}}))
        .await;
    assert_eq!(r.status, 207);
    assert_eq!(r.body["core"]["goal"], "sales");
    assert_eq!(
        r.body["failed_sections"][0]["section"],
        "default_user_voice"
    );
    assert_eq!(api.get("/v1/agents/1/core").await.status, 404);
    server.shutdown().await;
}

#[tokio::test]
async fn long_poll_disabled_answers_at_once() {
    let cfg = fast()
        .with_generation_timing(Duration::from_secs(20), Duration::from_secs(20))
        .with_long_poll(false);
    let server = MockServer::start(cfg).await.unwrap();
    let api = Api::new(&server);
    let engine = clone(&api, "tiktok-montage").await;
    let eid = engine["id"].as_i64().unwrap();
    let script = cell_of(&engine, "ingredient", Some("Script"));
    let r = api
        .post(
            &format!("/v1/autocontentengine/{eid}/cells/{script}/generate?agent_id=42"),
            json!({"generation_type": "text", "data": {"prompt": "x", "model": "gpt_4o"}}),
        )
        .await;
    let gid = r.body["generation_id"].as_i64().unwrap();
    let started = std::time::Instant::now();
    let g = api
        .get(&format!(
            "/v1/generations/{gid}?wait=true&timeout=30&include=progress"
        ))
        .await;
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(g.status, 200);
    assert_eq!(g.body["status"], "pending");
    assert_eq!(g.body["progress_percent"], 0.0);
    server.shutdown().await;
}

#[tokio::test]
async fn long_poll_timeout_rules() {
    let cfg = fast().with_generation_timing(Duration::from_millis(50), Duration::from_secs(60));
    let server = MockServer::start(cfg).await.unwrap();
    let api = Api::new(&server);
    let engine = clone(&api, "tiktok-montage").await;
    let eid = engine["id"].as_i64().unwrap();
    let script = cell_of(&engine, "ingredient", Some("Script"));
    let r = api
        .post(
            &format!("/v1/autocontentengine/{eid}/cells/{script}/generate?agent_id=42"),
            json!({"generation_type": "text", "data": {"prompt": "x", "model": "gpt_4o"}}),
        )
        .await;
    let gid = r.body["generation_id"].as_i64().unwrap();
    assert_eq!(
        api.get(&format!("/v1/generations/{gid}?wait=true&timeout=56"))
            .await
            .status,
        422
    );
    assert_eq!(
        api.get(&format!("/v1/generations/{gid}?wait=true&include=progress"))
            .await
            .status,
        422
    );
    // Times out with the current (non-terminal) state.
    let g = api
        .get(&format!("/v1/generations/{gid}?wait=true&timeout=0.3"))
        .await
        .body;
    assert_eq!(g["status"], "processing");
    // A stop wakes a waiting long-poll.
    let api2 = Api {
        http: reqwest::Client::new(),
        base: api.base.clone(),
        key: api.key.clone(),
    };
    let waiter = tokio::spawn(async move {
        api2.get(&format!("/v1/generations/{gid}?wait=true&timeout=20"))
            .await
            .body
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    api.post_empty(&format!("/v1/generations/{gid}/stop")).await;
    let g = tokio::time::timeout(Duration::from_secs(5), waiter)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(g["status"], "stopped");
    server.shutdown().await;
}

/// In-process with paused time: the long-poll resolves by tokio's auto-advance, deterministically.
#[tokio::test(start_paused = true)]
async fn long_poll_in_process_paused_time() {
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;

    let state = MockState::new(MockConfig::default());
    let app = router(state.clone());
    let send = |req: Request<Body>| {
        let app = app.clone();
        async move {
            let resp = app.oneshot(req).await.unwrap();
            let status = resp.status().as_u16();
            let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
                .await
                .unwrap();
            (
                status,
                serde_json::from_slice::<Value>(&bytes).unwrap_or(Value::Null),
            )
        }
    };
    let (status, engine) = send(
        Request::post("/v1/templates/spreadsheets/tiktok-vo-broll/clone")
            .header("x-api-key", "mock-key")
            .header("content-type", "application/json")
            .body(Body::from(r#"{"agent_id": 42}"#))
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    let eid = engine["id"].as_i64().unwrap();
    let cell = cell_of(&engine, "ingredient", Some("Voiceover"));
    let (status, created) = send(
        Request::post(format!("/v1/autocontentengine/{eid}/cells/{cell}/generate?agent_id=42"))
            .header("authorization", "Bearer mock-key")
            .body(Body::from(r#"{"generation_type": "speech_from_text", "data": {"script": "hi", "voice_method": "my_voices"}}"#))
            .unwrap(),
    )
    .await;
    assert_eq!(status, 201);
    let gid = created["generation_id"].as_i64().unwrap();
    let t0 = tokio::time::Instant::now();
    let (status, g) = send(
        Request::get(format!("/v1/generations/{gid}?wait=true"))
            .header("x-api-key", "mock-key")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(g["status"], "completed");
    assert_eq!(g["output_resources"][0]["object_type"], "audio");
    assert_eq!(
        t0.elapsed(),
        Duration::from_millis(1000),
        "pending 300 ms + processing 700 ms"
    );
    assert_eq!(state.credit_balance(), 998.5);
}

fn md5_b64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(Md5::digest(data).as_slice())
}

#[tokio::test]
async fn direct_upload_checks_md5() {
    let server = MockServer::start(fast()).await.unwrap();
    let api = Api::new(&server);
    let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let checksum = md5_b64(&data);
    let r = api
        .post(
            "/v1/direct_upload",
            json!({"blob": {"filename": "hero.mp4", "byte_size": data.len(), "checksum": checksum, "content_type": "video/mp4"}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let url = r.body["direct_upload"]["url"].as_str().unwrap().to_string();
    assert!(url.starts_with(&format!("{}/storage/", server.base_url())));
    assert_eq!(
        r.body["direct_upload"]["headers"]["Content-MD5"],
        checksum.as_str()
    );
    assert_eq!(
        r.body["direct_upload"]["headers"]["Content-Type"],
        "video/mp4"
    );
    let signed = r.body["signed_id"].as_str().unwrap().to_string();
    // Not uploaded yet.
    let early = api
        .post(
            "/v1/content_resources?agent_id=42",
            json!({"content_resource": {"file": signed}}),
        )
        .await;
    assert_eq!(early.status, 422);
    // Bad body (checksum mismatch).
    let mut bad = data.clone();
    bad[0] ^= 0xFF;
    let http = reqwest::Client::new();
    let resp = http
        .put(&url)
        .header("Content-Type", "video/mp4")
        .body(bad)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    // Good body.
    let resp = http
        .put(&url)
        .header("Content-Type", "video/mp4")
        .header("Content-MD5", &checksum)
        .body(data.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let puts = server.state().storage_puts();
    assert_eq!(puts.len(), 2);
    assert!(!puts[0].checksum_ok && puts[1].checksum_ok && puts[1].length_ok);
    assert!(!puts[1].has_api_key && !puts[1].has_authorization);
    assert_eq!(puts[1].bytes, data.len() as u64);
    let r = api
        .post(
            "/v1/content_resources?agent_id=42",
            json!({"content_resource": {"file": signed}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["byte_size"], data.len());
    assert_eq!(r.body["object_type"], "video");
    // Too large.
    let r = api
        .post(
            "/v1/direct_upload",
            json!({"blob": {"filename": "big.mp4", "byte_size": 1_073_741_825_u64, "checksum": checksum, "content_type": "video/mp4"}}),
        )
        .await;
    assert_eq!(r.status, 422);
    // Multipart small upload, listed and served by the CDN.
    let form = reqwest::multipart::Form::new().part(
        "content_resource[file]",
        reqwest::multipart::Part::bytes(b"hello image".to_vec())
            .file_name("cover.png")
            .mime_str("image/png")
            .unwrap(),
    );
    let resp = http
        .post(format!(
            "{}/v1/content_resources?agent_id=42",
            server.base_url()
        ))
        .header("X-API-Key", "mock-key")
        .multipart(form)
        .send()
        .await
        .unwrap();
    let r = Api::read(resp).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["object_type"], "image");
    let served = reqwest::get(r.body["url"].as_str().unwrap())
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(&served[..], b"hello image");
    let list = api.get("/v1/content_resources?agent_id=42").await.body;
    assert_eq!(list["content_resources"].as_array().unwrap().len(), 2);
    assert_eq!(list["meta"]["total_count"], 2);
    server.shutdown().await;
}

async fn fault_sequence(seed: u64) -> (Vec<u16>, Vec<Option<String>>) {
    let cfg = fast()
        .with_rate_429(0.2, 7)
        .with_rate_5xx(0.1)
        .with_seed(seed);
    let server = MockServer::start(cfg).await.unwrap();
    let api = Api::new(&server);
    let mut codes = Vec::new();
    let mut retry = Vec::new();
    for _ in 0..300 {
        let r = api.get("/v1/me").await;
        codes.push(r.status);
        retry.push(
            r.headers
                .get("retry-after")
                .map(|v| v.to_str().unwrap().to_string()),
        );
    }
    // Health and storage are never faulted (fault_storage is off).
    for _ in 0..20 {
        assert_eq!(api.get("/healthz").await.status, 200);
    }
    let resp = reqwest::Client::new()
        .put(format!("{}/storage/unknown", server.base_url()))
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 404);
    server.shutdown().await;
    (codes, retry)
}

#[tokio::test]
async fn fault_injection_is_deterministic() {
    let (codes, retry) = fault_sequence(7).await;
    let n429 = codes.iter().filter(|c| **c == 429).count();
    let n503 = codes.iter().filter(|c| **c == 503).count();
    let n200 = codes.iter().filter(|c| **c == 200).count();
    assert_eq!(n429 + n503 + n200, 300);
    assert!((40..=80).contains(&n429), "429s: {n429}");
    assert!((15..=45).contains(&n503), "503s: {n503}");
    for (c, r) in codes.iter().zip(&retry) {
        assert_eq!(*c == 429, r.as_deref() == Some("7"));
    }
    let (again, _) = fault_sequence(7).await;
    assert_eq!(codes, again, "same seed, same sequence");
    let (other, _) = fault_sequence(8).await;
    assert_ne!(codes, other);
}

#[tokio::test]
async fn user_jobs_and_voice_preview() {
    let server = MockServer::start(fast().with_user_job_duration(Duration::from_millis(600)))
        .await
        .unwrap();
    let api = Api::new(&server);
    let data = json!({"platform": "tiktok", "media_url": "https://cdn.gen.pro/outputs/x.mp4", "description": "d", "schedule_type": "now", "media_type": "VIDEO"});
    let r = api
        .post(
            "/v1/user_jobs?agent_id=42",
            json!({"user_job_type": "publish_content", "data": data.to_string()}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let jid = r.body["user_job_id"].as_i64().unwrap();
    assert_eq!(
        api.get(&format!("/v1/user_jobs/{jid}?agent_id=42"))
            .await
            .body["status"],
        "pending"
    );
    tokio::time::sleep(Duration::from_millis(700)).await;
    let j = api
        .get(&format!("/v1/user_jobs/{jid}?agent_id=42"))
        .await
        .body;
    assert_eq!(j["status"], "completed");
    assert!(j["result"]["post_id"].is_string());
    // data as an object (not a string) and bad schedule types are 422.
    let r = api
        .post(
            "/v1/user_jobs?agent_id=42",
            json!({"user_job_type": "publish_content", "data": data}),
        )
        .await;
    assert_eq!(r.status, 422);
    let bad =
        json!({"platform": "tiktok", "media_url": "https://x/y.mp4", "schedule_type": "later"});
    let r = api
        .post(
            "/v1/user_jobs?agent_id=42",
            json!({"user_job_type": "publish_content", "data": bad.to_string()}),
        )
        .await;
    assert_eq!(r.status, 422);
    let sched =
        json!({"platform": "tiktok", "media_url": "https://x/y.mp4", "schedule_type": "scheduled"});
    let r = api
        .post(
            "/v1/user_jobs?agent_id=42",
            json!({"user_job_type": "publish_content", "data": sched.to_string()}),
        )
        .await;
    assert_eq!(r.status, 422, "scheduled needs scheduled_time");
    // Multipart train_social.
    let form = reqwest::multipart::Form::new()
        .text("user_job[user_job_type]", "train_social")
        .text("user_job[data]", r#"{"platform":"tiktok","type":"hashtag","value":"streetfood","days":7,"max_results":50,"monitoring":false}"#);
    let resp = reqwest::Client::new()
        .post(format!("{}/v1/user_jobs?agent_id=42", server.base_url()))
        .header("X-API-Key", "mock-key")
        .multipart(form)
        .send()
        .await
        .unwrap();
    let r = Api::read(resp).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let tid = r.body["user_job_id"].as_i64().unwrap();
    let r = api
        .put(
            &format!("/v1/user_jobs/{tid}?agent_id=42"),
            json!({"data": "{\"monitoring\":true}"}),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["user_job_type"], "train_social");
    // Voice preview.
    let r = api
        .post(
            "/v1/agents/42/voice/21m00Tcm4TlvDq8ikWAM/preview",
            json!({"text": "hi"}),
        )
        .await;
    assert_eq!(r.status, 200);
    let job = r.body["job_id"].as_str().unwrap().to_string();
    tokio::time::sleep(Duration::from_millis(700)).await;
    let p = api
        .get(&format!("/v1/agents/42/voice/preview/{job}"))
        .await
        .body;
    assert_eq!(p["status"], "completed");
    assert!(p["audio_url"].is_string());
    server.shutdown().await;
}

#[tokio::test]
async fn rails_generation_type_names_are_accepted() {
    // seed 000: `{"generation_type": "text_generation", "data": {}}` on a cell and
    // `{"generation_type": "audio_generation", "data": {}}` on a layer
    let server = MockServer::start(fast()).await.unwrap();
    let api = Api::new(&server);
    let state = server.state();
    let engine = clone(&api, "tiktok-talking-avatar").await;
    let eid = engine["id"].as_i64().unwrap();
    let script = cell_of(&engine, "ingredient", None);
    let before = state.credit_balance();
    let r = api
        .post(
            &format!("/v1/autocontentengine/{eid}/cells/{script}/generate?agent_id=42"),
            json!({"generation_type": "text_generation", "data": {}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let gid = r.body["generation_id"].as_i64().unwrap();
    // charged like the canonical `text` card
    assert_eq!(
        before - state.credit_balance(),
        genpro_mock::default_costs()["text"]
    );
    let g = api
        .get(&format!("/v1/generations/{gid}?wait=true"))
        .await
        .body;
    assert_eq!(g["generation_type"], "text_generation", "kept as sent");
    assert_eq!(g["user_job_type"], "text_generation");
    assert_eq!(g["status"], "completed");
    assert!(g["result"].is_string());
    // a name the seeds do not show is refused
    let r = api
        .post(
            &format!("/v1/autocontentengine/{eid}/cells/{script}/generate?agent_id=42"),
            json!({"generation_type": "video_generation", "data": {}}),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(r.body["error_code"], "validation_error");
}

/// The journey against the varied fake ([`MockConfig::vary`]): every request is sent in
/// lockstep to a plain fake and a varied one (in-process, paused time, so both are in the
/// same state), the plain answers drive the journey, and each varied answer is compared with
/// the plain one. The journey's raw-JSON tests above read fields no seed pins and so cannot
/// run against the varied fake as they are; this one checks what must hold there:
///
/// - same status, and the varied answer differs from the plain one only at the unpinned
///   locations of its operation (`genpro_mock::vary::UNPINNED`, generated from openapi.yaml):
///   pinned fields are never varied, unknown fields only join the open objects;
/// - every varied answer decodes into genpro-api's type for its operation.
mod varied {
    use super::*;
    use axum::Router;
    use axum::body::Body;
    use axum::http::Request;
    use genpro_mock::vary::{UnpinnedAnswer, unpinned_answer};
    use serde::de::DeserializeOwned;
    use tower::ServiceExt;

    /// The fixed seeds the varied tests run with.
    pub const SEEDS: [u64; 3] = [11, 2024, 31337];

    /// One request of the journey, as both fakes answered it.
    struct Step {
        /// `METHOD /path?query`.
        call: String,
        unpinned: &'static UnpinnedAnswer,
        plain: Value,
        varied: Value,
        /// The varied answer decoded into genpro-api's type (the error otherwise).
        decoded: Result<(), String>,
    }

    struct Twin {
        plain: Router,
        varied: Router,
        steps: Vec<Step>,
    }

    async fn send(app: &Router, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
        let req = Request::builder()
            .method(method)
            .uri(path)
            .header("x-api-key", "mock-key")
            .header("content-type", "application/json")
            .body(body.map_or_else(Body::empty, |b| Body::from(b.to_string())))
            .unwrap();
        let resp = app.clone().oneshot(req).await.unwrap();
        let status = resp.status().as_u16();
        let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .unwrap();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    impl Twin {
        fn new(seed: u64) -> Self {
            Twin {
                plain: genpro_mock::app(MockConfig::default()),
                varied: genpro_mock::app(MockConfig::default().vary(seed)),
                steps: Vec::new(),
            }
        }

        /// Send one request to both fakes; `T` is genpro-api's type of the answer. Returns the
        /// plain answer.
        async fn call<T: DeserializeOwned>(
            &mut self,
            method: &str,
            template: &str,
            path: &str,
            body: Option<Value>,
        ) -> Value {
            let call = format!("{method} {path}");
            let (plain_status, plain) = send(&self.plain, method, path, body.as_ref()).await;
            let (varied_status, varied) = send(&self.varied, method, path, body.as_ref()).await;
            assert!(
                (200..300).contains(&plain_status),
                "{call}: {plain_status} {plain}"
            );
            assert_eq!(varied_status, plain_status, "{call}: {varied}");
            if let Err(e) = serde_json::from_value::<T>(plain.clone()) {
                panic!("{call}: the plain answer does not decode: {e}");
            }
            let decoded = serde_json::from_value::<T>(varied.clone())
                .map(|_| ())
                .map_err(|e| e.to_string());
            let unpinned = unpinned_answer(method, template)
                .unwrap_or_else(|| panic!("{method} {template} is not in the unpinned table"));
            self.steps.push(Step {
                call,
                unpinned,
                plain: plain.clone(),
                varied,
                decoded,
            });
            plain
        }
    }

    /// The journey of `gen journey`, step by step (setup, ideas, vidsheet, generate, render,
    /// publish), on both fakes.
    async fn journey(seed: u64) -> Vec<Step> {
        use genpro_api::types as t;
        let mut twin = Twin::new(seed);
        twin.call::<t::User>("GET", "/v1/me", "/v1/me", None).await;
        twin.call::<t::Organization>("GET", "/v1/organizations/{id}", "/v1/organizations/1", None)
            .await;
        twin.call::<t::AgentCore>(
            "GET",
            "/v1/agents/{agent_id}/core",
            "/v1/agents/42/core",
            None,
        )
        .await;
        twin.call::<t::AgentCoreUpdateResult>(
            "PATCH",
            "/v1/agents/{agent_id}/core",
            "/v1/agents/42/core",
            Some(json!({"brand_name": "Santiago", "keywords": ["streetfood", "tacotok"]})),
        )
        .await;
        twin.call::<t::VoiceLibrary>(
            "GET",
            "/v1/agents/{agent_id}/voice/library",
            "/v1/agents/42/voice/library",
            None,
        )
        .await;
        // 2: ideas
        let run = twin
            .call::<t::AgentRunCreated>(
                "POST",
                "/v1/agent/run",
                "/v1/agent/run",
                Some(json!({"agent_id": "42", "message": "Generate 3 content ideas"})),
            )
            .await;
        let run_id = run["run_id"].as_str().unwrap().to_owned();
        let conv = run["conversation_id"].as_str().unwrap().to_owned();
        tokio::time::sleep(Duration::from_secs(2)).await;
        let done = twin
            .call::<t::AgentRun>(
                "GET",
                "/v1/agent/runs/{run_id}",
                &format!("/v1/agent/runs/{run_id}"),
                None,
            )
            .await;
        assert_eq!(done["status"], "completed");
        twin.call::<Vec<t::Message>>(
            "GET",
            "/v1/agent/conversations/{id}/messages",
            &format!("/v1/agent/conversations/{conv}/messages"),
            None,
        )
        .await;
        twin.call::<Vec<t::Idea>>(
            "GET",
            "/v1/agent/ideas",
            "/v1/agent/ideas?agent_id=42&status=generated",
            None,
        )
        .await;
        // 3: vidsheet
        twin.call::<Vec<t::Template>>(
            "GET",
            "/v1/templates/projects",
            "/v1/templates/projects",
            None,
        )
        .await;
        let engine = twin
            .call::<t::Engine>(
                "POST",
                "/v1/templates/spreadsheets/{slug}/clone",
                "/v1/templates/spreadsheets/tiktok-talking-avatar/clone",
                Some(json!({"agent_id": "42"})),
            )
            .await;
        let eid = engine["id"].as_i64().unwrap();
        let video = cell_of(&engine, "video", None);
        let fin = cell_of(&engine, "final_video", None);
        // 4: generate
        let created = twin
            .call::<t::GenerationCreated>(
                "POST",
                "/v1/autocontentengine/{id}/cells/{cell_id}/generate",
                &format!("/v1/autocontentengine/{eid}/cells/{video}/generate?agent_id=42"),
                Some(json!({"generation_type": "video_from_text",
                            "data": {"prompt": "tacos", "model": "kling_1_6", "aspect_ratio": "9:16", "duration": 5}})),
            )
            .await;
        let gid = created["generation_id"].as_i64().unwrap();
        let g = twin
            .call::<t::Generation>(
                "GET",
                "/v1/generations/{id}",
                &format!("/v1/generations/{gid}?wait=true"),
                None,
            )
            .await;
        assert_eq!(g["status"], "completed");
        twin.call::<t::Engine>(
            "GET",
            "/v1/autocontentengine/{id}",
            &format!("/v1/autocontentengine/{eid}?agent_id=42"),
            None,
        )
        .await;
        // 5: render, publish
        let render = twin
            .call::<t::GenerationCreated>(
                "POST",
                "/v1/autocontentengine/{id}/cells/{cell_id}/render",
                &format!("/v1/autocontentengine/{eid}/cells/{fin}/render?agent_id=42"),
                None,
            )
            .await;
        let rid = render["generation_id"].as_i64().unwrap();
        let r = twin
            .call::<t::Generation>(
                "GET",
                "/v1/generations/{id}",
                &format!("/v1/generations/{rid}?wait=true"),
                None,
            )
            .await;
        assert_eq!(r["status"], "completed");
        let url = r["output_resources"][0]["url"].as_str().unwrap();
        let data = json!({"platform": "tiktok", "media_url": url, "description": "tacos",
                          "schedule_type": "now", "media_type": "VIDEO"});
        let job = twin
            .call::<t::UserJobCreated>(
                "POST",
                "/v1/user_jobs",
                "/v1/user_jobs?agent_id=42",
                Some(json!({"user_job_type": "publish_content", "data": data.to_string()})),
            )
            .await;
        let jid = job["user_job_id"].as_i64().unwrap();
        tokio::time::sleep(Duration::from_secs(2)).await;
        let posted = twin
            .call::<t::UserJob>(
                "GET",
                "/v1/user_jobs/{id}",
                &format!("/v1/user_jobs/{jid}?agent_id=42"),
                None,
            )
            .await;
        assert_eq!(posted["status"], "completed");
        twin.steps
    }

    /// Two RFC 3339 times less than 2 s apart (the fakes' clocks start microseconds apart).
    fn same_time(a: &str, b: &str) -> bool {
        match (
            chrono::DateTime::parse_from_rfc3339(a),
            chrono::DateTime::parse_from_rfc3339(b),
        ) {
            (Ok(a), Ok(b)) => (a - b).num_seconds().abs() < 2,
            _ => false,
        }
    }

    fn key(loc: &str, k: &str) -> String {
        if loc.is_empty() {
            k.to_owned()
        } else {
            format!("{loc}.{k}")
        }
    }

    /// Every place where `varied` differs from `plain` that the table does not allow:
    /// `loc` is the location (array items as `[]`), `at` the concrete place.
    fn disallowed(
        u: &UnpinnedAnswer,
        loc: &str,
        at: &str,
        plain: &Value,
        varied: &Value,
        out: &mut Vec<String>,
    ) {
        let field = |l: &str| u.fields.contains(&l);
        match (plain, varied) {
            (Value::Object(p), Value::Object(v)) => {
                for (k, pv) in p {
                    let (l, a) = (key(loc, k), key(at, k));
                    match v.get(k) {
                        Some(vv) => disallowed(u, &l, &a, pv, vv, out),
                        None if field(&l) => {}
                        None => out.push(format!("{a}: pinned, left out")),
                    }
                }
                for k in v.keys().filter(|k| !p.contains_key(*k)) {
                    if !(k.starts_with("x_vary_") && u.open_objects.contains(&loc)) {
                        out.push(format!(
                            "{}: added to an object that is not open",
                            key(at, k)
                        ));
                    }
                }
            }
            (Value::Array(p), Value::Array(v)) if p.len() == v.len() => {
                for (i, (pv, vv)) in p.iter().zip(v).enumerate() {
                    disallowed(u, &format!("{loc}[]"), &format!("{at}[{i}]"), pv, vv, out);
                }
            }
            (Value::String(a), Value::String(b)) if same_time(a, b) => {}
            (p, v) if p == v => {}
            (p, v) => {
                if !field(loc) {
                    out.push(format!("{at}: pinned, {p} became {v}"));
                }
            }
        }
    }

    async fn keeps_every_pinned_field(seed: u64) {
        let steps = journey(seed).await;
        let mut varied_somewhere = false;
        for s in &steps {
            let mut out = Vec::new();
            disallowed(s.unpinned, "", "", &s.plain, &s.varied, &mut out);
            assert!(out.is_empty(), "seed {seed}, {}: {out:#?}", s.call);
            varied_somewhere |= s.plain != s.varied;
        }
        assert!(varied_somewhere, "seed {seed}: nothing varied");
    }

    async fn every_answer_decodes(seed: u64) {
        let failed: Vec<String> = journey(seed)
            .await
            .into_iter()
            .filter_map(|s| s.decoded.err().map(|e| format!("{}: {e}", s.call)))
            .collect();
        assert!(
            failed.is_empty(),
            "seed {seed}: {} varied answer(s) do not decode:\n{}",
            failed.len(),
            failed.join("\n")
        );
    }

    #[tokio::test(start_paused = true)]
    async fn the_varied_journey_keeps_every_pinned_field_seed_11() {
        keeps_every_pinned_field(SEEDS[0]).await;
    }

    #[tokio::test(start_paused = true)]
    async fn the_varied_journey_keeps_every_pinned_field_seed_2024() {
        keeps_every_pinned_field(SEEDS[1]).await;
    }

    #[tokio::test(start_paused = true)]
    async fn the_varied_journey_keeps_every_pinned_field_seed_31337() {
        keeps_every_pinned_field(SEEDS[2]).await;
    }

    #[tokio::test(start_paused = true)]
    async fn every_varied_journey_answer_decodes_seed_11() {
        every_answer_decodes(SEEDS[0]).await;
    }

    #[tokio::test(start_paused = true)]
    async fn every_varied_journey_answer_decodes_seed_2024() {
        every_answer_decodes(SEEDS[1]).await;
    }

    #[tokio::test(start_paused = true)]
    async fn every_varied_journey_answer_decodes_seed_31337() {
        every_answer_decodes(SEEDS[2]).await;
    }
}

//! Every operation of spec/operations.tsv, called on the mock: the status must be a documented
//! success status of the operation in openapi.yaml and the JSON body must validate against that
//! response's schema (OpenAPI 3.1 = JSON Schema 2020-12, `$ref`s resolved against the document's
//! `components`).

use std::collections::BTreeSet;
use std::time::Duration;

use base64::Engine as _;
use genpro_mock::{MockConfig, MockServer};
use md5::{Digest, Md5};
use reqwest::Method;
use serde_json::{Value, json};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

struct Checker {
    spec: Value,
    http: reqwest::Client,
    base: String,
    covered: BTreeSet<String>,
    failures: Vec<String>,
}

impl Checker {
    fn new(server: &MockServer) -> Self {
        let text = std::fs::read_to_string(format!("{ROOT}/openapi.yaml")).expect("openapi.yaml");
        let spec: Value = serde_yaml::from_str(&text).expect("openapi.yaml parses");
        Self {
            spec,
            http: reqwest::Client::new(),
            base: server.base_url(),
            covered: BTreeSet::new(),
            failures: Vec::new(),
        }
    }

    /// (method, path template, operation object) of an operationId.
    fn op(&self, op_id: &str) -> (Method, String, Value) {
        for (path, item) in self.spec["paths"].as_object().unwrap() {
            for (m, op) in item.as_object().unwrap() {
                if op.get("operationId").and_then(Value::as_str) == Some(op_id) {
                    return (
                        Method::from_bytes(m.to_uppercase().as_bytes()).unwrap(),
                        path.clone(),
                        op.clone(),
                    );
                }
            }
        }
        panic!("operationId {op_id} not in openapi.yaml");
    }

    fn validate(&mut self, op_id: &str, op: &Value, status: u16, body: &Value, raw_len: usize) {
        let resp = &op["responses"][status.to_string()];
        if resp.is_null() || !(200..300).contains(&status) {
            self.failures.push(format!(
                "{op_id}: status {status} is not a documented success status; body {body}"
            ));
            return;
        }
        let Some(schema) = resp.pointer("/content/application~1json/schema") else {
            if raw_len != 0 && resp.get("content").is_none_or(|c| c.is_null()) {
                self.failures.push(format!(
                    "{op_id}: {status} documents no body but got {raw_len} bytes"
                ));
            }
            return;
        };
        let mut root = schema.as_object().cloned().unwrap();
        root.insert("components".into(), self.spec["components"].clone());
        root.insert(
            "$schema".into(),
            json!("https://json-schema.org/draft/2020-12/schema"),
        );
        let validator = jsonschema::draft202012::options()
            .should_validate_formats(true)
            .build(&Value::Object(root))
            .unwrap_or_else(|e| panic!("{op_id}: schema does not compile: {e}"));
        let errors: Vec<String> = validator
            .iter_errors(body)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        if !errors.is_empty() {
            self.failures.push(format!(
                "{op_id}: body does not match the {status} schema: {errors:?}\nbody: {body}"
            ));
        }
    }

    async fn finish(&mut self, op_id: &str, op: &Value, resp: reqwest::Response) -> Value {
        let status = resp.status().as_u16();
        let bytes = resp.bytes().await.unwrap();
        let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        self.validate(op_id, op, status, &body, bytes.len());
        self.covered.insert(op_id.to_string());
        body
    }

    /// Call an operation with a concrete path (and query) and an optional JSON body.
    async fn call(&mut self, op_id: &str, path: &str, body: Option<Value>) -> Value {
        let (method, template, op) = self.op(op_id);
        let bare = path.split('?').next().unwrap();
        assert_eq!(
            template.split('/').count(),
            bare.split('/').count(),
            "{op_id}: {path} does not fit {template}"
        );
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("X-API-Key", "mock-key");
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        self.finish(op_id, &op, resp).await
    }

    async fn call_multipart(
        &mut self,
        op_id: &str,
        path: &str,
        form: reqwest::multipart::Form,
    ) -> Value {
        let (method, _, op) = self.op(op_id);
        let resp = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("X-API-Key", "mock-key")
            .multipart(form)
            .send()
            .await
            .unwrap();
        self.finish(op_id, &op, resp).await
    }
}

fn id(v: &Value) -> i64 {
    v["id"].as_i64().unwrap_or_else(|| panic!("no id in {v}"))
}

#[tokio::test]
async fn every_operation_matches_openapi() {
    let cfg = MockConfig::default()
        .with_generation_timing(Duration::from_millis(20), Duration::from_millis(40))
        .with_run_duration(Duration::from_millis(30))
        .with_user_job_duration(Duration::from_millis(30));
    let server = MockServer::start(cfg).await.unwrap();
    let mut c = Checker::new(&server);
    let settle = || tokio::time::sleep(Duration::from_millis(250));

    // Step 1: setup.
    c.call("get_me", "/v1/me", None).await;
    c.call("list_workspaces", "/v1/workspaces", None).await;
    c.call("list_agents", "/v1/agents?workspace_id=1", None)
        .await;
    let agent = c
        .call(
            "create_agent",
            "/v1/agents",
            Some(json!({"name": "Temp", "workspace_id": 1})),
        )
        .await;
    let aid = id(&agent);
    c.call("get_agent", &format!("/v1/agents/{aid}"), None)
        .await;
    c.call(
        "update_agent",
        &format!("/v1/agents/{aid}"),
        Some(json!({"name": "Temp 2"})),
    )
    .await;
    c.call("get_agent_core", "/v1/agents/42/core", None).await;
    c.call(
        "update_agent_core",
        "/v1/agents/42/core",
        Some(json!({"keywords": ["tacos"], "goal": "growth"})),
    )
    .await;
    c.call(
        "list_voices",
        "/v1/agents/42/voice/library?source=public",
        None,
    )
    .await;
    c.call(
        "connect_elevenlabs",
        "/v1/agents/42/voice/integrations/elevenlabs",
        Some(json!({"api_key": "sk_123"})),
    )
    .await;
    c.call(
        "test_elevenlabs",
        "/v1/agents/42/voice/integrations/elevenlabs/test",
        Some(json!({"api_key": "bad"})),
    )
    .await;
    c.call(
        "disconnect_elevenlabs",
        "/v1/agents/42/voice/integrations/elevenlabs",
        None,
    )
    .await;
    let script = c
        .call(
            "generate_voice_design_script",
            "/v1/agents/42/voice/design/generate-script",
            Some(json!({"prompt": "warm host"})),
        )
        .await;
    let desc = c
        .call(
            "generate_voice_design_description",
            "/v1/agents/42/voice/design/generate-description",
            Some(json!({"prompt": "warm host", "script": script["script"]})),
        )
        .await;
    let samples = c
        .call(
            "generate_voice_design_samples",
            "/v1/agents/42/voice/design/generate-samples",
            Some(
                json!({"voice_description": desc["voice_description"], "script": script["script"]}),
            ),
        )
        .await;
    let gv = samples["samples"][0]["generated_voice_id"].clone();
    let voice = c
        .call(
            "create_designed_voice",
            "/v1/agents/42/voice/design",
            Some(json!({"name": "Santi", "generated_voice_id": gv})),
        )
        .await;
    let form = reqwest::multipart::Form::new().text("name", "Clone").part(
        "file",
        reqwest::multipart::Part::bytes(vec![1u8; 64])
            .file_name("sample.mp3")
            .mime_str("audio/mpeg")
            .unwrap(),
    );
    c.call_multipart("clone_voice", "/v1/agents/42/voice/clone", form)
        .await;
    let vid = voice["voice_id"].as_str().unwrap().to_string();
    c.call("delete_voice", &format!("/v1/agents/42/voice/{vid}"), None)
        .await;
    let prev = c
        .call(
            "create_voice_preview",
            "/v1/agents/42/voice/21m00Tcm4TlvDq8ikWAM/preview",
            Some(json!({"text": "hi"})),
        )
        .await;
    settle().await;
    let job = prev["job_id"].as_str().unwrap().to_string();
    let p = c
        .call(
            "get_voice_preview",
            &format!("/v1/agents/42/voice/preview/{job}"),
            None,
        )
        .await;
    assert_eq!(p["status"], "completed");
    c.call("list_organizations", "/v1/organizations", None)
        .await;
    let org = c
        .call(
            "create_organization",
            "/v1/organizations",
            Some(json!({"name": "Side"})),
        )
        .await;
    let oid = id(&org);
    c.call("get_organization", "/v1/organizations/1", None)
        .await;
    c.call(
        "update_organization",
        &format!("/v1/organizations/{oid}"),
        Some(json!({"name": "Side 2"})),
    )
    .await;
    c.call(
        "delete_organization",
        &format!("/v1/organizations/{oid}"),
        None,
    )
    .await;
    let tok = c
        .call(
            "create_persisted_token",
            "/v1/persisted_tokens",
            Some(json!({"name": "ci"})),
        )
        .await;
    let tid = id(&tok);
    c.call("list_persisted_tokens", "/v1/persisted_tokens", None)
        .await;
    c.call(
        "rename_persisted_token",
        &format!("/v1/persisted_tokens/{tid}"),
        Some(json!({"name": "ci 2"})),
    )
    .await;
    c.call(
        "revoke_persisted_token",
        &format!("/v1/persisted_tokens/{tid}/revoke"),
        None,
    )
    .await;
    c.call(
        "revoke_all_persisted_tokens",
        "/v1/persisted_tokens/revoke_all",
        None,
    )
    .await;
    c.call("delete_agent", &format!("/v1/agents/{aid}"), None)
        .await;

    // Step 2: ideas.
    let run = c
        .call(
            "create_agent_run",
            "/v1/agent/run",
            Some(json!({"agent_id": "42", "message": "Generate 5 content ideas"})),
        )
        .await;
    let run_id = run["run_id"].as_str().unwrap().to_string();
    let conv = run["conversation_id"].as_str().unwrap().to_string();
    c.call("get_agent_run", &format!("/v1/agent/runs/{run_id}"), None)
        .await;
    settle().await;
    let done = c
        .call("get_agent_run", &format!("/v1/agent/runs/{run_id}"), None)
        .await;
    assert_eq!(done["status"], "completed");
    let action = c
        .call(
            "create_agent_run",
            "/v1/agent/run",
            Some(json!({"agent_id": "42", "conversation_id": conv, "message": "publish idea 1"})),
        )
        .await;
    settle().await;
    let action_id = action["run_id"].as_str().unwrap().to_string();
    let approved = c
        .call(
            "approve_agent_run",
            &format!("/v1/agent/runs/{action_id}/approve"),
            Some(json!({"approved": true})),
        )
        .await;
    assert_eq!(approved["status"], "completed");
    c.call(
        "list_conversations",
        "/v1/agent/conversations?agent_id=42",
        None,
    )
    .await;
    c.call(
        "get_conversation",
        &format!("/v1/agent/conversations/{conv}"),
        None,
    )
    .await;
    c.call(
        "update_conversation",
        &format!("/v1/agent/conversations/{conv}"),
        Some(json!({"title": "Tacos", "pinned": true})),
    )
    .await;
    c.call(
        "list_conversation_messages",
        &format!("/v1/agent/conversations/{conv}/messages"),
        None,
    )
    .await;
    c.call(
        "list_conversation_runs",
        &format!("/v1/agent/conversations/{conv}/runs"),
        None,
    )
    .await;
    let ideas = c
        .call(
            "list_ideas",
            "/v1/agent/ideas?agent_id=42&status=generated",
            None,
        )
        .await;
    let idea = ideas[0]["id"].as_str().unwrap().to_string();
    c.call(
        "advance_idea_status",
        &format!("/v1/agent/ideas/{idea}/status"),
        None,
    )
    .await;
    c.call(
        "set_idea_status",
        &format!("/v1/agent/ideas/{idea}/status/change_video"),
        None,
    )
    .await;
    let research = c
        .call(
            "create_research",
            "/v1/research",
            Some(json!({"agent_id": "42", "topic": "tariffs", "depth": "deep"})),
        )
        .await;
    settle().await;
    let rr = c
        .call(
            "get_agent_run",
            &format!("/v1/agent/runs/{}", research["run_id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(rr["findings"].as_array().unwrap().len(), 8);
    c.call(
        "delete_conversation",
        &format!("/v1/agent/conversations/{conv}"),
        None,
    )
    .await;

    // Step 3: vidsheet.
    c.call(
        "list_templates",
        "/v1/templates/projects?page=1&per_page=10",
        None,
    )
    .await;
    c.call(
        "get_template",
        "/v1/templates/projects/tiktok-talking-avatar",
        None,
    )
    .await;
    let engine = c
        .call(
            "clone_template",
            "/v1/templates/spreadsheets/tiktok-talking-avatar/clone",
            Some(json!({"agent_id": "42"})), // seed 001 quotes the id
        )
        .await;
    let eid = id(&engine);
    let blank = c
        .call(
            "create_engine",
            "/v1/autocontentengine?agent_id=42",
            Some(json!({"spreadsheet": {"title": "Custom"}})),
        )
        .await;
    c.call(
        "get_engine",
        &format!("/v1/autocontentengine/{}?agent_id=42", id(&blank)),
        None,
    )
    .await;
    c.call(
        "clone_engine",
        &format!("/v1/autocontentengine/{eid}/clone?agent_id=42"),
        Some(json!({"title": "Copy"})),
    )
    .await;

    // Step 4: edit.
    let q = "?agent_id=42";
    let e = format!("/v1/autocontentengine/{eid}");
    c.call("list_rows", &format!("{e}/rows{q}"), None).await;
    let row = c
        .call(
            "create_row",
            &format!("{e}/rows{q}"),
            Some(json!({"spreadsheet_row": {"position": 5}})),
        )
        .await;
    let rid = id(&row);
    c.call("get_row", &format!("{e}/rows/{rid}{q}"), None).await;
    let dup = c
        .call(
            "duplicate_row",
            &format!("{e}/rows/{rid}/duplicate{q}"),
            None,
        )
        .await;
    c.call(
        "update_row_positions",
        &format!("{e}/rows/update_positions{q}"),
        Some(json!({"positions": [{"id": rid, "position": 1}, {"id": id(&dup), "position": 0}]})),
    )
    .await;
    c.call(
        "mass_update_rows",
        &format!("{e}/rows/mass_update{q}"),
        Some(json!({"rows": [{"id": rid, "position": 3}]})),
    )
    .await;
    let cols = c
        .call("list_columns", &format!("{e}/columns{q}"), None)
        .await;
    let col = c
        .call(
            "create_column",
            &format!("{e}/columns{q}"),
            Some(json!({"spreadsheet_column": {"title": "Hook", "column_type": "text", "creation_card": {"generation_type": "text", "data": {"prompt": "x", "model": "gpt_4o"}}}})),
        )
        .await;
    let col_id = id(&col);
    c.call(
        "duplicate_column",
        &format!("{e}/columns/{col_id}/duplicate{q}"),
        None,
    )
    .await;
    c.call(
        "update_column_positions",
        &format!("{e}/columns/update_positions{q}"),
        Some(json!({"positions": [{"id": col_id, "position": 0}]})),
    )
    .await;
    c.call(
        "mass_update_columns",
        &format!("{e}/columns/mass_update{q}"),
        Some(json!({"columns": [{"id": col_id, "title": "Hook v2"}]})),
    )
    .await;
    let script_col = cols
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["title"] == "Script")
        .unwrap()["id"]
        .clone();
    let video_col = cols
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["role"] == "video")
        .unwrap()["id"]
        .clone();
    let final_col = cols
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["role"] == "final_video")
        .unwrap()["id"]
        .clone();
    let full = c.call("get_engine", &format!("{e}{q}"), None).await;
    let cell_in = |col: &Value| {
        full["spreadsheet_cells"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["column_id"] == *col)
            .unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    let (script_cell, video_cell, final_cell) = (
        cell_in(&script_col),
        cell_in(&video_col),
        cell_in(&final_col),
    );
    c.call("get_cell", &format!("{e}/cells/{script_cell}{q}"), None)
        .await;
    c.call(
        "update_cell",
        &format!("{e}/cells/{script_cell}{q}"),
        Some(json!({"spreadsheet_cell": {"value": "The $2 taco at 2am saved my life."}})),
    )
    .await;
    c.call(
        "mass_update_cells",
        &format!("{e}/cells/mass_update{q}"),
        Some(json!({"cells": [{"id": script_cell, "value": "New hook"}]})),
    )
    .await;
    let layer = c
        .call(
            "create_layer",
            &format!("{e}/cells/{video_cell}/layers{q}"),
            Some(json!({"layer": {"name": "Overlay", "layer_type": "image", "generation_type": "image_from_text", "data": {"prompt": "x", "model": "midjourney"}}})),
        )
        .await;
    let lid = id(&layer);
    let lp = format!("{e}/cells/{video_cell}/layers/{lid}");
    c.call("get_layer", &format!("{lp}{q}"), None).await;
    c.call(
        "update_layer",
        &format!("{lp}{q}"),
        Some(json!({"layer": {"name": "Overlay 2"}})),
    )
    .await;
    let ldup = c
        .call("duplicate_layer", &format!("{lp}/duplicate{q}"), None)
        .await;
    c.call(
        "update_layer_positions",
        &format!("{e}/cells/{video_cell}/layers/update_positions{q}"),
        Some(json!({"positions": [{"id": lid, "position": 0}]})),
    )
    .await;
    c.call(
        "delete_layer",
        &format!("{e}/cells/{video_cell}/layers/{}{q}", id(&ldup)),
        None,
    )
    .await;
    let g = c
        .call(
            "generate_on_cell",
            &format!("{e}/cells/{script_cell}/generate{q}"),
            Some(json!({"generation_type": "text", "data": {"prompt": "Write a hook", "model": "gpt_4o"}})),
        )
        .await;
    let gid = g["generation_id"].as_i64().unwrap();
    c.call(
        "generate_on_layer",
        &format!("{lp}/generate{q}"),
        Some(json!({"generation_type": "image_from_text", "data": {"prompt": "x", "model": "midjourney", "aspect_ratio": "9:16"}})),
    )
    .await;
    c.call(
        "get_generation",
        &format!("/v1/generations/{gid}?include=progress"),
        None,
    )
    .await;
    let done = c
        .call(
            "get_generation",
            &format!("/v1/generations/{gid}?wait=true&timeout=10"),
            None,
        )
        .await;
    assert_eq!(done["status"], "completed");
    c.call(
        "set_cell_default_user_job",
        &format!("{e}/cells/{script_cell}/set_default_user_job{q}"),
        Some(json!({"user_job_id": gid})),
    )
    .await;
    let slow = c
        .call(
            "generate_on_cell",
            &format!("{e}/cells/{video_cell}/generate{q}"),
            Some(json!({"generation_type": "video_from_text", "data": {"prompt": "tacos", "model": "veo_3", "duration": 5}})),
        )
        .await;
    let sid = slow["generation_id"].as_i64().unwrap();
    c.call(
        "stop_generation",
        &format!("/v1/generations/{sid}/stop"),
        None,
    )
    .await;
    c.call(
        "continue_generation",
        &format!("/v1/generations/{sid}/continue"),
        None,
    )
    .await;
    let vdone = c
        .call(
            "get_generation",
            &format!("/v1/generations/{sid}?wait=true"),
            None,
        )
        .await;
    assert_eq!(vdone["status"], "completed");
    c.call(
        "list_global_variables",
        &format!("{e}/global_variables{q}"),
        None,
    )
    .await;
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(b"name,value\ncity,San Antonio\n".to_vec())
            .file_name("vars.xlsx")
            .mime_str("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            .unwrap(),
    );
    let vars = c
        .call_multipart(
            "import_global_variables",
            &format!("{e}/import_global_variables{q}"),
            form,
        )
        .await;
    assert!(vars.as_array().unwrap().iter().any(|v| v["name"] == "city"));
    c.call(
        "get_global_variables_template",
        "/v1/autocontentengine/global_variables_template",
        None,
    )
    .await;
    let form = reqwest::multipart::Form::new().part(
        "content_resource[file]",
        reqwest::multipart::Part::bytes(vec![0u8; 2048])
            .file_name("local.mp4")
            .mime_str("video/mp4")
            .unwrap(),
    );
    let res = c
        .call_multipart(
            "create_content_resource",
            &format!("/v1/content_resources{q}"),
            form,
        )
        .await;
    let res_id = id(&res);
    let data = b"large file body".repeat(100);
    let checksum = base64::engine::general_purpose::STANDARD.encode(Md5::digest(&data).as_slice());
    let du = c
        .call(
            "create_direct_upload",
            "/v1/direct_upload",
            Some(json!({"blob": {"filename": "hero.mp4", "byte_size": data.len(), "checksum": checksum, "content_type": "video/mp4"}})),
        )
        .await;
    let put = c
        .http
        .put(du["direct_upload"]["url"].as_str().unwrap())
        .header("Content-Type", "video/mp4")
        .header("Content-MD5", &checksum)
        .body(data)
        .send()
        .await
        .unwrap();
    assert_eq!(put.status().as_u16(), 200);
    // seed 001: "3. POST /v1/content_resources with signed_id as
    // `content_resource[file]`" (multipart, a text field)
    let signed = du["signed_id"].as_str().unwrap().to_owned();
    let attached = c
        .call_multipart(
            "create_content_resource",
            &format!("/v1/content_resources{q}"),
            reqwest::multipart::Form::new().text("content_resource[file]", signed),
        )
        .await;
    assert_eq!(attached["filename"], "hero.mp4");
    assert_eq!(attached["content_type"], "video/mp4");
    c.call(
        "list_content_resources",
        &format!("/v1/content_resources{q}&type=video&page=1"),
        None,
    )
    .await;
    c.call(
        "get_content_resource",
        &format!("/v1/content_resources/{res_id}{q}"),
        None,
    )
    .await;
    let folder = c
        .call(
            "create_asset_folder",
            &format!("/v1/asset_folders{q}"),
            Some(json!({"asset_folder": {"name": "B-roll"}})),
        )
        .await;
    let fid = id(&folder);
    c.call(
        "update_content_resource",
        &format!("/v1/content_resources/{res_id}{q}"),
        Some(json!({"content_resource": {"filename": "hero.mp4", "folder_id": fid}})),
    )
    .await;
    c.call(
        "list_asset_libraries",
        &format!("/v1/asset_libraries{q}&folder_id={fid}&asset_type=video&search=hero"),
        None,
    )
    .await;
    c.call(
        "update_asset_folder",
        &format!("/v1/asset_folders/{fid}{q}"),
        Some(json!({"asset_folder": {"name": "Clips"}})),
    )
    .await;
    c.call(
        "delete_asset_folder",
        &format!("/v1/asset_folders/{fid}{q}"),
        None,
    )
    .await;
    c.call(
        "delete_content_resource",
        &format!("/v1/content_resources/{res_id}{q}"),
        None,
    )
    .await;
    c.call(
        "get_automation_config",
        "/v1/agents/42/automation_config",
        None,
    )
    .await;
    c.call(
        "update_automation_config",
        "/v1/agents/42/automation_config",
        Some(json!({"webhook_url": "https://example.com/hook", "enabled": true})),
    )
    .await;
    c.call(
        "test_automation_webhook",
        "/v1/agents/42/automation_config/test_webhook",
        None,
    )
    .await;
    c.call(
        "test_automation_callback",
        "/v1/agents/42/automation_config/test_callback",
        None,
    )
    .await;

    // Step 5: publish.
    let render = c
        .call(
            "render_cell",
            &format!("{e}/cells/{final_cell}/render{q}"),
            None,
        )
        .await;
    let rendered = c
        .call(
            "get_generation",
            &format!("/v1/generations/{}?wait=true", render["generation_id"]),
            None,
        )
        .await;
    let media_url = rendered["output_resources"][0]["url"]
        .as_str()
        .unwrap()
        .to_string();
    let publish = json!({"platform": "tiktok", "media_url": media_url, "description": "tacos", "schedule_type": "scheduled", "scheduled_time": "2026-04-20T15:00:00Z", "media_type": "VIDEO"});
    let job = c
        .call(
            "create_user_job",
            &format!("/v1/user_jobs{q}"),
            Some(json!({"user_job_type": "publish_content", "data": publish.to_string()})),
        )
        .await;
    let form = reqwest::multipart::Form::new()
        .text("user_job[user_job_type]", "train_social")
        .text("user_job[data]", r#"{"platform":"tiktok","type":"hashtag","value":"streetfood","days":7,"max_results":50,"monitoring":true}"#);
    let train = c
        .call_multipart("create_user_job", &format!("/v1/user_jobs{q}"), form)
        .await;
    settle().await;
    let j = c
        .call(
            "get_user_job",
            &format!("/v1/user_jobs/{}{q}", job["user_job_id"]),
            None,
        )
        .await;
    assert_eq!(j["status"], "completed");
    c.call(
        "update_user_job",
        &format!("/v1/user_jobs/{}{q}", train["user_job_id"]),
        Some(json!({"data": "{\"monitoring\":false}"})),
    )
    .await;
    // seed 001 lists "PUT /v1/user_jobs/:id — update monitoring job" without
    // `agent_id`: optional
    let updated = c
        .call(
            "update_user_job",
            &format!("/v1/user_jobs/{}", train["user_job_id"]),
            Some(json!({"data": "{\"monitoring\":true}"})),
        )
        .await;
    assert_eq!(updated["id"], train["user_job_id"], "{updated}");

    // Guard: the validator does reject a wrong body.
    let (_, _, op) = c.op("get_generation");
    let before = c.failures.len();
    c.validate(
        "get_generation",
        &op,
        200,
        &json!({"id": "x", "status": "bogus"}),
        1,
    );
    assert_eq!(
        c.failures.len(),
        before + 1,
        "the schema check must catch a bad body"
    );
    c.failures.pop();

    // Every documented operation (spec/endpoints.txt, the documentation's
    // list) was exercised; operations added to openapi.yaml beyond it are not
    // required of the mock.
    let shape = |p: &str| {
        p.split('/')
            .map(|seg| {
                if seg.starts_with(':') || (seg.starts_with('{') && seg.ends_with('}')) {
                    "{}"
                } else {
                    seg
                }
            })
            .collect::<Vec<_>>()
            .join("/")
    };
    let documented: BTreeSet<(String, String)> =
        std::fs::read_to_string(format!("{ROOT}/spec/endpoints.txt"))
            .unwrap()
            .lines()
            .filter_map(|l| l.split_once(' '))
            .map(|(m, p)| (m.trim().to_uppercase(), shape(p.trim())))
            .collect();
    let all: BTreeSet<String> = genpro_api::operations::OPERATIONS
        .iter()
        .filter(|op| documented.contains(&(op.method.to_owned(), shape(op.path))))
        .map(|op| op.operation_id.to_owned())
        .collect();
    let missing: Vec<&String> = all.difference(&c.covered).collect();
    server.shutdown().await;
    assert!(
        c.failures.is_empty(),
        "{} failures:\n{}",
        c.failures.len(),
        c.failures.join("\n\n")
    );
    assert!(missing.is_empty(), "operations not exercised: {missing:?}");
    assert_eq!(all.len(), 97);
}

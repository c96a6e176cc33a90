//! The seeds' own JSON examples, copied into `tests/fixtures/seeds/` (one
//! file each, with the seed file and a short quote), checked three ways:
//!
//! - (a) every request example passes genpro-sdk's validation where it is a
//!   card or an Agent Core patch, is sent by genpro-sdk exactly as the seed
//!   shows it, and validates against openapi.yaml's request schema;
//! - (b) every response example validates against openapi.yaml's response
//!   schema for its status and decodes through the generated genpro-api client
//!   of its operation (an httpmock server answers with the example);
//! - (c) a minimal answer (`tests/fixtures/seeds/minimal/`: only the fields
//!   the seeds show) does the same for every operation with a documented
//!   answer.
//!
//! A self-test tightens a copy of openapi.yaml in memory (a required field
//! the seeds never show, a closed `error_code` list) and asserts the checks
//! fail: they can catch a stricter schema.

use genpro_sdk::steps::AgentId;
use std::collections::BTreeSet;

use gen_contract_tests::{Api, api};
use genpro_api::prelude::*;
use serde_json::{Value, json};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

/// One fixture file.
#[derive(Debug, Clone)]
struct Fixture {
    file: String,
    source: String,
    quote: String,
    operation_id: Option<String>,
    kind: String,
    status: Option<u16>,
    content_type: String,
    schema: Option<String>,
    body: Value,
}

fn load(dir: &str) -> Vec<Fixture> {
    let dir = format!("{ROOT}/tests/fixtures/seeds/{dir}");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let v: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap())
                .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            let s = |k: &str| v[k].as_str().map(str::to_owned);
            Fixture {
                file: p.file_name().unwrap().to_string_lossy().into_owned(),
                source: s("source").expect("source"),
                quote: s("quote").expect("quote"),
                operation_id: s("operation_id"),
                kind: s("kind").expect("kind"),
                status: v["status"].as_u64().map(|n| n as u16),
                content_type: s("content_type").unwrap_or_else(|| "application/json".into()),
                schema: s("schema"),
                body: v["body"].clone(),
            }
        })
        .collect()
}

fn examples() -> Vec<Fixture> {
    load("")
}

fn minimal() -> Vec<Fixture> {
    load("minimal")
}

fn spec() -> Value {
    let text = std::fs::read_to_string(format!("{ROOT}/openapi.yaml")).expect("openapi.yaml");
    serde_yaml::from_str(&text).expect("openapi.yaml parses")
}

fn operation<'a>(spec: &'a Value, op_id: &str) -> &'a Value {
    spec["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|item| item.as_object().unwrap().values())
        .find(|op| op.get("operationId").and_then(Value::as_str) == Some(op_id))
        .unwrap_or_else(|| panic!("operationId {op_id} not in openapi.yaml"))
}

/// Validates `body` against `schema` (JSON Schema 2020-12, `$ref`s into the
/// spec's components, formats asserted).
fn validate(spec: &Value, schema: &Value, body: &Value) -> Result<(), String> {
    let mut root = match schema {
        Value::Object(o) => o.clone(),
        other => panic!("schema is not an object: {other}"),
    };
    root.insert("components".into(), spec["components"].clone());
    root.insert(
        "$schema".into(),
        json!("https://json-schema.org/draft/2020-12/schema"),
    );
    let validator = jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&Value::Object(root))
        .map_err(|e| format!("schema does not compile: {e}"))?;
    let errors: Vec<String> = validator
        .iter_errors(body)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("; "))
    }
}

/// The JSON schema of an operation's answer with `status` (exact code, else
/// its `4XX`/`5XX` range), `$ref`s to `components/responses` followed.
fn response_schema(spec: &Value, op_id: &str, status: u16) -> Result<Value, String> {
    let responses = &operation(spec, op_id)["responses"];
    let range = format!("{}XX", status / 100);
    let mut response = [status.to_string(), range]
        .iter()
        .find_map(|k| responses.get(k.as_str()))
        .ok_or_else(|| format!("{op_id} does not declare status {status}"))?;
    if let Some(r) = response.get("$ref").and_then(Value::as_str) {
        response = spec
            .pointer(r.trim_start_matches('#'))
            .ok_or_else(|| format!("dangling {r}"))?;
    }
    response
        .pointer("/content/application~1json/schema")
        .cloned()
        .ok_or_else(|| format!("{op_id} {status} has no JSON body"))
}

fn request_schema(spec: &Value, op_id: &str, content_type: &str) -> Result<Value, String> {
    operation(spec, op_id)["requestBody"]["content"]
        .get(content_type)
        .and_then(|c| c.get("schema"))
        .cloned()
        .ok_or_else(|| format!("{op_id} takes no {content_type} body"))
}

/// Checks a response fixture against openapi.yaml (`spec`).
fn check_response(spec: &Value, f: &Fixture) -> Result<(), String> {
    let op = f.operation_id.as_deref().expect("operation_id");
    let status = f.status.expect("status");
    validate(spec, &response_schema(spec, op, status)?, &f.body)
}

/// Checks a request or fragment fixture against openapi.yaml (`spec`).
fn check_request(spec: &Value, f: &Fixture) -> Result<(), String> {
    match f.kind.as_str() {
        "request" => {
            let op = f.operation_id.as_deref().expect("operation_id");
            validate(spec, &request_schema(spec, op, &f.content_type)?, &f.body)
        }
        "fragment" => {
            let name = f.schema.as_deref().expect("schema");
            let schema = &spec["components"]["schemas"][name];
            assert!(schema.is_object(), "{}: no schema {name}", f.file);
            match schema.get("properties") {
                // a fragment of an object: each property against its schema
                Some(props)
                    if f.body.is_object() && schema.get("type") == Some(&json!("object")) =>
                {
                    for (k, v) in f.body.as_object().unwrap() {
                        let s = props.get(k).ok_or_else(|| format!("{name} has no `{k}`"))?;
                        validate(spec, s, v)?;
                    }
                    Ok(())
                }
                _ => validate(
                    spec,
                    &json!({"$ref": format!("#/components/schemas/{name}")}),
                    &f.body,
                ),
            }
        }
        other => panic!("{}: kind {other} is not a request", f.file),
    }
}

/// Answers any request with the fixture, calls its operation through the
/// generated client and checks the answer decodes with its status.
async fn decode_via_client(f: &Fixture) -> Result<(), String> {
    let Api { server, client } = api().await;
    let status = f.status.expect("status");
    let body = f.body.clone();
    server
        .mock_async(move |when, then| {
            when.any_request();
            then.status(status)
                .header("content-type", "application/json")
                .json_body(body);
        })
        .await;
    fn outcome<T: std::fmt::Debug, E: std::fmt::Debug>(
        r: Result<genpro_api::ResponseValue<T>, genpro_api::Error<E>>,
        status: u16,
    ) -> Result<(), String> {
        match r {
            Ok(v) if v.status().as_u16() == status && status < 400 => Ok(()),
            Err(genpro_api::Error::ErrorResponse(v))
                if v.status().as_u16() == status && status >= 400 =>
            {
                Ok(())
            }
            other => Err(format!("{other:?}")),
        }
    }
    fn req_body<T: serde::de::DeserializeOwned>(v: Value) -> T {
        serde_json::from_value(v).expect("request body")
    }
    let c = &client;
    let op = f.operation_id.as_deref().expect("operation_id");
    match op {
        "get_generation" => outcome(c.get_generation().id(1).send().await, status),
        "stop_generation" => outcome(c.stop_generation().id(1).send().await, status),
        "continue_generation" => outcome(c.continue_generation().id(1).send().await, status),
        "generate_on_cell" => outcome(
            c.generate_on_cell()
                .id(1)
                .cell_id(2)
                .agent_id(42)
                .body(req_body::<genpro_api::types::GenerateRequest>(
                    json!({"generation_type": "media", "data": {"content_resource_id": 7000}}),
                ))
                .send()
                .await,
            status,
        ),
        "generate_on_layer" => outcome(
            c.generate_on_layer()
                .id(1)
                .cell_id(2)
                .layer_id(3)
                .agent_id(42)
                .body(req_body::<genpro_api::types::GenerateRequest>(
                    json!({"generation_type": "media", "data": {"content_resource_id": 7000}}),
                ))
                .send()
                .await,
            status,
        ),
        "render_cell" => outcome(
            c.render_cell().id(1).cell_id(2).agent_id(42).send().await,
            status,
        ),
        "update_agent_core" => outcome(
            c.update_agent_core()
                .agent_id(42)
                .body(req_body::<genpro_api::types::AgentCoreUpdate>(json!({"brand_name": "x"})))
                .send()
                .await,
            status,
        ),
        "create_agent_run" => outcome(
            c.create_agent_run()
                .body(req_body::<genpro_api::types::AgentRunRequest>(
                    json!({"agent_id": "42", "message": "ideas"}),
                ))
                .send()
                .await,
            status,
        ),
        "create_research" => outcome(
            c.create_research()
                .body(req_body::<genpro_api::types::ResearchRequest>(
                    json!({"agent_id": "42", "topic": "tacos"}),
                ))
                .send()
                .await,
            status,
        ),
        "get_agent_run" => outcome(c.get_agent_run().run_id("run_abc").send().await, status),
        "list_templates" => outcome(c.list_templates().send().await, status),
        "clone_template" => outcome(
            c.clone_template()
                .slug("tiktok-talking-avatar")
                .body(req_body::<genpro_api::types::TemplateCloneRequest>(json!({"agent_id": "42"})))
                .send()
                .await,
            status,
        ),
        "get_engine" => outcome(c.get_engine().id(1).agent_id(42).send().await, status),
        "create_direct_upload" => outcome(
            c.create_direct_upload()
                .body(req_body::<genpro_api::types::DirectUploadRequest>(json!({"blob": {
                    "filename": "a.mp4", "byte_size": 1, "checksum": "x", "content_type": "video/mp4"
                }})))
                .send()
                .await,
            status,
        ),
        "create_user_job" => outcome(
            c.create_user_job()
                .agent_id(42)
                .body(req_body::<genpro_api::types::UserJobCreate>(
                    json!({"user_job_type": "publish_content", "data": "{}"}),
                ))
                .send()
                .await,
            status,
        ),
        "get_user_job" => outcome(c.get_user_job().id(1).agent_id(42).send().await, status),
        "get_organization" => outcome(c.get_organization().id(1).send().await, status),
        "get_cell" => outcome(
            c.get_cell().id(1).cell_id(2).agent_id(42).send().await,
            status,
        ),
        "create_persisted_token" => outcome(
            c.create_persisted_token()
                .body(req_body::<genpro_api::types::PersistedTokenRequest>(json!({"name": "ci"})))
                .send()
                .await,
            status,
        ),
        other => panic!("{}: no client call for {other}; add one", f.file),
    }
}

/// A genpro-sdk client on `server`.
fn sdk(server: &httpmock::MockServer) -> genpro_sdk::GenClient {
    genpro_sdk::GenClient::builder()
        .api_key("seed-fixture-key")
        .api_url(server.base_url())
        .agent_url(server.base_url())
        .build()
        .unwrap()
}

/// genpro-sdk's own check of a request example, and (where genpro-sdk builds this
/// request) that it sends exactly the example's body.
async fn check_with_gen_sdk(f: &Fixture) -> Result<(), String> {
    use genpro_sdk::cards::GenerateBody;
    use genpro_sdk::steps::{CellId, EngineId, LayerId};
    let op = f.operation_id.as_deref().unwrap_or_default();
    let server = httpmock::MockServer::start_async().await;
    let expected = f.body.clone();
    let answer = match op {
        "generate_on_cell" | "generate_on_layer" => {
            json!({"generation_id": 1, "status": "pending"})
        }
        "update_agent_core" => json!({}),
        "clone_template" => json!({"id": 101}),
        "create_user_job" => json!({"user_job_id": 1}),
        _ => json!({}),
    };
    let status = if op.starts_with("generate_on") {
        201
    } else {
        200
    };
    let wire = server
        .mock_async(move |when, then| {
            when.json_body(expected);
            then.status(status)
                .header("content-type", "application/json")
                .json_body(answer);
        })
        .await;
    let client = sdk(&server);
    let cell = client
        .agent(AgentId::new(42))
        .engine(EngineId::new(101))
        .cell(CellId::new(3000));
    let e = |e: genpro_sdk::Error| e.to_string();
    match op {
        "generate_on_cell" | "generate_on_layer" => {
            let body = GenerateBody::from_json(&f.body).map_err(e)?;
            body.validate().map_err(e)?;
            if op == "generate_on_cell" {
                cell.generate(&body).await.map_err(e)?;
            } else {
                cell.layer(LayerId::new(4000))
                    .generate(&body)
                    .await
                    .map_err(e)?;
            }
        }
        "update_agent_core" => {
            let patch: genpro_sdk::agent_core::AgentCorePatch =
                serde_json::from_value(f.body.clone()).map_err(|e| e.to_string())?;
            patch.validate().map_err(e)?;
            client
                .agent(AgentId::new(42))
                .update_core(&patch)
                .await
                .map_err(e)?;
        }
        "clone_template" => {
            client
                .agent(AgentId::new(42))
                .clone_template("tiktok-talking-avatar")
                .await
                .map_err(e)?;
        }
        "create_user_job" if f.body["user_job_type"] == "publish_content" => {
            let data: Value = serde_json::from_str(f.body["data"].as_str().unwrap()).unwrap();
            let post = genpro_sdk::steps::PublishPost::tiktok(
                data["media_url"].as_str().unwrap(),
                data["description"].as_str().unwrap(),
            );
            post.validate().map_err(e)?;
            client
                .agent(AgentId::new(42))
                .publish(&post)
                .await
                .map_err(e)?;
        }
        // genpro-sdk builds no typed body for the others (agent runs and
        // research take arguments; cell values, engines, direct uploads and
        // the train_social form are checked by openapi.yaml alone)
        _ => return Ok(()),
    }
    if wire.calls_async().await != 1 {
        return Err("genpro-sdk did not send the seed's exact body".into());
    }
    Ok(())
}

#[tokio::test]
async fn every_seed_request_example_passes_gen_sdk_and_openapi_yaml() {
    let spec = spec();
    let mut failures = Vec::new();
    let mut checked = 0;
    for f in examples()
        .into_iter()
        .filter(|f| matches!(f.kind.as_str(), "request" | "fragment"))
    {
        checked += 1;
        if let Err(e) = check_request(&spec, &f) {
            failures.push(format!("{} vs openapi.yaml: {e}", f.file));
        }
        if f.kind == "request"
            && let Err(e) = check_with_gen_sdk(&f).await
        {
            failures.push(format!("{} vs genpro-sdk: {e}", f.file));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(checked, 27, "request examples and fragments");
}

#[tokio::test]
async fn every_seed_response_example_validates_and_decodes() {
    let spec = spec();
    let mut failures = Vec::new();
    let responses: Vec<Fixture> = examples()
        .into_iter()
        .filter(|f| f.kind == "response")
        .collect();
    for f in &responses {
        if let Err(e) = check_response(&spec, f) {
            failures.push(format!("{} vs openapi.yaml: {e}", f.file));
        }
        if let Err(e) = decode_via_client(f).await {
            failures.push(format!("{} vs genpro-api: {e}", f.file));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(responses.len(), 10, "response examples");
}

#[tokio::test]
async fn a_minimal_answer_decodes_for_every_documented_operation() {
    let spec = spec();
    let mut failures = Vec::new();
    let mut covered = BTreeSet::new();
    for f in minimal() {
        covered.insert(f.operation_id.clone().unwrap());
        if let Err(e) = check_response(&spec, &f) {
            failures.push(format!("{} vs openapi.yaml: {e}", f.file));
        }
        if let Err(e) = decode_via_client(&f).await {
            failures.push(format!("{} vs genpro-api: {e}", f.file));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // every operation whose answer a seed describes
    let documented = [
        "clone_template",
        "continue_generation",
        "create_agent_run",
        "create_direct_upload",
        "create_persisted_token",
        "create_research",
        "create_user_job",
        "generate_on_cell",
        "generate_on_layer",
        "get_agent_run",
        "get_cell",
        "get_engine",
        "get_generation",
        "get_organization",
        "get_user_job",
        "list_templates",
        "render_cell",
        "stop_generation",
        "update_agent_core",
    ];
    assert_eq!(
        covered.iter().map(String::as_str).collect::<Vec<_>>(),
        documented
    );
}

#[test]
fn the_checks_catch_a_stricter_schema() {
    let spec = spec();
    let generation = examples()
        .into_iter()
        .find(|f| f.file == "000_generation_schema.json")
        .unwrap();
    let minimal_generation = minimal()
        .into_iter()
        .find(|f| f.file == "get_generation.json")
        .unwrap();
    let error_format = examples()
        .into_iter()
        .find(|f| f.file == "001_error_format.json")
        .unwrap();
    check_response(&spec, &generation).unwrap();
    check_response(&spec, &minimal_generation).unwrap();
    check_response(&spec, &error_format).unwrap();

    // a required field no seed shows
    let mut strict = spec.clone();
    strict["components"]["schemas"]["Generation"]["required"] = json!(["id", "status", "uuid"]);
    let err = check_response(&strict, &generation).unwrap_err();
    assert!(err.contains("uuid"), "{err}");
    assert!(check_response(&strict, &minimal_generation).is_err());

    // `error_code` closed to the seed's "Common codes"
    let mut strict = spec.clone();
    strict["components"]["schemas"]["ErrorCode"]["enum"] = json!(["unauthorized", "not_found"]);
    let err = check_response(&strict, &error_format).unwrap_err();
    assert!(err.contains("machine_code"), "{err}");

    // a request check catches a stricter request schema too
    let clone = examples()
        .into_iter()
        .find(|f| f.file == "001_clone_template_request.json")
        .unwrap();
    check_request(&spec, &clone).unwrap();
    let mut strict = spec.clone();
    strict["components"]["schemas"]["TemplateCloneRequest"]["properties"]["agent_id"] =
        json!({"type": "integer"});
    assert!(check_request(&strict, &clone).is_err());
}

#[test]
fn every_fixture_names_its_seed_and_quotes_it() {
    let seeds = std::path::Path::new(ROOT).join("../shared/seeds");
    let norm = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    for f in examples().into_iter().chain(minimal()) {
        assert!(
            f.source.len() > 4 && f.source.ends_with(".txt") && !f.quote.trim().is_empty(),
            "{}: source and quote required",
            f.file
        );
        assert!(
            matches!(f.kind.as_str(), "request" | "response" | "fragment"),
            "{}: kind {}",
            f.file,
            f.kind
        );
        // The seeds live beside the repository (../shared/seeds); where they
        // are present, each quote must be in its seed.
        let path = seeds.join(&f.source);
        if let Ok(text) = std::fs::read_to_string(&path) {
            assert!(
                norm(&text).contains(&norm(&f.quote)),
                "{}: quote not found in {}",
                f.file,
                f.source
            );
        }
    }
}

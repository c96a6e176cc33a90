//! Routing: every operation of `openapi.yaml` is reachable from exactly the
//! phase its `x-phase` names, on the right host; `phases::OPERATIONS` and
//! `openapi.yaml` agree both ways.

use std::collections::BTreeMap;

use gen_api::ClientInfo;
use gen_sdk::GenClient;
use gen_sdk::phases::{Host, OPERATIONS, OperationSpec, Phase};
use serde_yaml::Value;

const API: &str = "http://127.0.0.1:1";
const AGENT: &str = "http://127.0.0.1:2";

#[derive(Debug, PartialEq)]
struct SpecOp {
    method: String,
    path: String,
    phase: String,
    host: Host,
}

fn host_of(servers: Option<&Value>) -> Option<Host> {
    let servers = servers?.as_sequence()?;
    let url = servers.first()?.get("url")?.as_str()?;
    Some(if url.contains("agent.gen.pro") {
        Host::Agent
    } else {
        Host::Api
    })
}

/// operationId → (method, path, x-phase, host), read from openapi.yaml.
fn spec_operations() -> BTreeMap<String, SpecOp> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../openapi.yaml");
    let text = std::fs::read_to_string(path).expect("read openapi.yaml");
    let doc: Value = serde_yaml::from_str(&text).expect("parse openapi.yaml");
    let mut ops = BTreeMap::new();
    for (path, item) in doc["paths"].as_mapping().expect("paths") {
        let path = path.as_str().unwrap().to_owned();
        let path_host = host_of(item.get("servers"));
        for method in ["get", "put", "post", "delete", "patch"] {
            let Some(op) = item.get(method) else { continue };
            let id = op["operationId"].as_str().expect("operationId").to_owned();
            let phase = op["x-phase"].as_str().expect("x-phase").to_owned();
            let host = host_of(op.get("servers"))
                .or(path_host)
                .unwrap_or(Host::Api);
            let previous = ops.insert(
                id.clone(),
                SpecOp {
                    method: method.to_uppercase(),
                    path: path.clone(),
                    phase,
                    host,
                },
            );
            assert!(previous.is_none(), "duplicate operationId {id}");
        }
    }
    ops
}

fn client() -> GenClient {
    GenClient::builder()
        .api_key("phases-test-key")
        .api_url(API)
        .agent_url(AGENT)
        .build()
        .unwrap()
}

fn base(host: Host) -> &'static str {
    match host {
        Host::Api => API,
        Host::Agent => AGENT,
    }
}

#[test]
fn table_matches_openapi_both_ways() {
    let spec = spec_operations();
    assert_eq!(spec.len(), 97, "openapi.yaml has 97 operations");
    assert_eq!(OPERATIONS.len(), spec.len());
    // table → spec
    for op in OPERATIONS {
        let s = spec
            .get(op.operation_id)
            .unwrap_or_else(|| panic!("{} is not in openapi.yaml", op.operation_id));
        assert_eq!(s.method, op.method, "{}", op.operation_id);
        assert_eq!(s.path, op.path, "{}", op.operation_id);
        assert_eq!(s.phase, op.phase.as_str(), "{}", op.operation_id);
        assert_eq!(s.host, op.host, "{}", op.operation_id);
    }
    // spec → table
    for id in spec.keys() {
        assert!(
            OperationSpec::find(id).is_some(),
            "{id} missing from OPERATIONS"
        );
    }
}

#[test]
fn every_operation_is_reachable_from_exactly_its_phase_on_its_host() {
    let client = client();
    for (id, s) in spec_operations() {
        let phase: Phase = s.phase.parse().unwrap();
        for p in Phase::ALL {
            let raw = client.raw_for(p, &id);
            if p == phase {
                let raw = raw.unwrap_or_else(|| panic!("{id} not reachable from {p}"));
                assert_eq!(raw.baseurl(), base(s.host), "{id} routed to the wrong host");
            } else {
                assert!(raw.is_none(), "{id} ({phase}) also reachable from {p}");
            }
        }
        // the same through the handles
        let via_handle = match phase {
            Phase::Setup => client.setup().raw_for(&id),
            Phase::Ideas => client.ideas().raw_for(&id),
            Phase::Vidsheet => client.vidsheet().raw_for(&id),
            Phase::Edit => client.edit().raw_for(&id),
            Phase::Publish => client.publish().raw_for(&id),
        };
        assert_eq!(via_handle.map(|c| c.baseurl()), Some(base(s.host)), "{id}");
    }
    // each handle's raw() is its primary host
    assert_eq!(client.setup().raw().baseurl(), API);
    assert_eq!(client.ideas().raw().baseurl(), AGENT);
    assert_eq!(client.vidsheet().raw().baseurl(), API);
    assert_eq!(client.edit().raw().baseurl(), API);
    assert_eq!(client.publish().raw().baseurl(), API);
    // and the agent host serves exactly /v1/agent/* and /v1/research
    for op in OPERATIONS {
        let agent_path = op.path.starts_with("/v1/agent/") || op.path == "/v1/research";
        assert_eq!(op.host == Host::Agent, agent_path, "{}", op.operation_id);
    }
}

#[test]
fn handle_operation_lists_partition_the_table() {
    let client = client();
    let total = client.setup().operations().count()
        + client.ideas().operations().count()
        + client.vidsheet().operations().count()
        + client.edit().operations().count()
        + client.publish().operations().count();
    assert_eq!(total, OPERATIONS.len());
}

/// Operations gen-api does not generate (multipart bodies); gen-sdk sends
/// them by hand through `GenClient::http()`.
fn set_aside_without_json() -> Vec<&'static str> {
    gen_api::set_aside::SET_ASIDE
        .iter()
        .filter(|s| !s.generated_with_json_body)
        .map(|s| s.operation_id)
        .collect()
}

#[test]
fn every_generated_operation_is_a_method_of_its_phase_trait() {
    // Compile-time: each line names the method on the phase's extension
    // trait; a routing mismatch in gen-api fails to compile.
    let methods: Vec<&str> = METHODS.to_vec();
    referenced();
    let set_aside = set_aside_without_json();
    for op in OPERATIONS {
        let listed = methods.contains(&op.operation_id);
        let aside = set_aside.contains(&op.operation_id);
        assert!(
            listed != aside,
            "{}: listed={listed} set_aside={aside}",
            op.operation_id
        );
    }
}

#[test]
fn retry_classes_of_paid_operations() {
    use gen_sdk::Idempotency::*;
    for id in [
        "generate_on_cell",
        "generate_on_layer",
        "render_cell",
        "create_agent_run",
        "create_research",
        "create_user_job",
        "create_voice_preview",
        "continue_generation",
    ] {
        assert_eq!(
            OperationSpec::find(id).unwrap().idempotency,
            PaidPost,
            "{id}"
        );
    }
    for op in OPERATIONS {
        if op.method != "POST" {
            assert_eq!(op.idempotency, Idempotent, "{}", op.operation_id);
        }
    }
    assert_eq!(
        OperationSpec::find("stop_generation").unwrap().idempotency,
        Idempotent
    );
}

const METHODS: &[&str] = &[
    "get_me",
    "list_workspaces",
    "list_agents",
    "create_agent",
    "get_agent",
    "update_agent",
    "delete_agent",
    "get_agent_core",
    "update_agent_core",
    "list_voices",
    "connect_elevenlabs",
    "test_elevenlabs",
    "disconnect_elevenlabs",
    "generate_voice_design_script",
    "generate_voice_design_description",
    "generate_voice_design_samples",
    "create_designed_voice",
    "delete_voice",
    "create_voice_preview",
    "get_voice_preview",
    "list_organizations",
    "create_organization",
    "get_organization",
    "update_organization",
    "delete_organization",
    "create_persisted_token",
    "list_persisted_tokens",
    "rename_persisted_token",
    "revoke_persisted_token",
    "revoke_all_persisted_tokens",
    "create_agent_run",
    "get_agent_run",
    "approve_agent_run",
    "list_conversations",
    "get_conversation",
    "update_conversation",
    "delete_conversation",
    "list_conversation_messages",
    "list_conversation_runs",
    "list_ideas",
    "advance_idea_status",
    "set_idea_status",
    "create_research",
    "update_user_job",
    "list_templates",
    "get_template",
    "clone_template",
    "create_engine",
    "get_engine",
    "clone_engine",
    "list_rows",
    "create_row",
    "get_row",
    "duplicate_row",
    "update_row_positions",
    "mass_update_rows",
    "list_columns",
    "create_column",
    "duplicate_column",
    "update_column_positions",
    "mass_update_columns",
    "get_cell",
    "update_cell",
    "mass_update_cells",
    "set_cell_default_user_job",
    "create_layer",
    "get_layer",
    "update_layer",
    "delete_layer",
    "duplicate_layer",
    "update_layer_positions",
    "generate_on_cell",
    "generate_on_layer",
    "get_generation",
    "stop_generation",
    "continue_generation",
    "list_global_variables",
    "get_global_variables_template",
    "list_content_resources",
    "get_content_resource",
    "update_content_resource",
    "delete_content_resource",
    "list_asset_libraries",
    "create_asset_folder",
    "update_asset_folder",
    "delete_asset_folder",
    "create_direct_upload",
    "get_automation_config",
    "update_automation_config",
    "test_automation_webhook",
    "test_automation_callback",
    "render_cell",
    "create_user_job",
    "get_user_job",
];

#[allow(clippy::let_underscore_untyped)]
fn referenced() {
    let _ = <gen_api::Client as gen_api::ClientSetupExt>::get_me;
    let _ = <gen_api::Client as gen_api::ClientSetupExt>::list_workspaces;
    let _ = <gen_api::Client as gen_api::ClientSetupExt>::list_agents;
    let _ = <gen_api::Client as gen_api::ClientSetupExt>::create_agent;
    let _ = <gen_api::Client as gen_api::ClientSetupExt>::get_agent;
    let _ = <gen_api::Client as gen_api::ClientSetupExt>::update_agent;
    let _ = <gen_api::Client as gen_api::ClientSetupExt>::delete_agent;
    let _ = <gen_api::Client as gen_api::ClientSetupExt>::get_agent_core;
    let _ = <gen_api::Client as gen_api::ClientSetupExt>::update_agent_core;
    let _ = <gen_api::Client as gen_api::ClientSetupExt>::list_voices;
    let _ = <gen_api::Client as gen_api::ClientSetupExt>::connect_elevenlabs;
    let _ = <gen_api::Client as gen_api::ClientSetupExt>::test_elevenlabs;
    let _ = <gen_api::Client as gen_api::ClientSetupExt>::disconnect_elevenlabs;
    let _ = <gen_api::Client as gen_api::ClientSetupExt>::generate_voice_design_script;
    let _ = <gen_api::Client as gen_api::ClientSetupExt>::generate_voice_design_description;
    let _ = <gen_api::Client as gen_api::ClientSetupExt>::generate_voice_design_samples;
    let _ = <gen_api::Client as gen_api::ClientSetupExt>::create_designed_voice;
    let _ = <gen_api::Client as gen_api::ClientSetupExt>::delete_voice;
    let _ = <gen_api::Client as gen_api::ClientSetupExt>::create_voice_preview;
    let _ = <gen_api::Client as gen_api::ClientSetupExt>::get_voice_preview;
    let _ = <gen_api::Client as gen_api::ClientSetupExt>::list_organizations;
    let _ = <gen_api::Client as gen_api::ClientSetupExt>::create_organization;
    let _ = <gen_api::Client as gen_api::ClientSetupExt>::get_organization;
    let _ = <gen_api::Client as gen_api::ClientSetupExt>::update_organization;
    let _ = <gen_api::Client as gen_api::ClientSetupExt>::delete_organization;
    let _ = <gen_api::Client as gen_api::ClientSetupExt>::create_persisted_token;
    let _ = <gen_api::Client as gen_api::ClientSetupExt>::list_persisted_tokens;
    let _ = <gen_api::Client as gen_api::ClientSetupExt>::rename_persisted_token;
    let _ = <gen_api::Client as gen_api::ClientSetupExt>::revoke_persisted_token;
    let _ = <gen_api::Client as gen_api::ClientSetupExt>::revoke_all_persisted_tokens;
    let _ = <gen_api::Client as gen_api::ClientIdeasExt>::create_agent_run;
    let _ = <gen_api::Client as gen_api::ClientIdeasExt>::get_agent_run;
    let _ = <gen_api::Client as gen_api::ClientIdeasExt>::approve_agent_run;
    let _ = <gen_api::Client as gen_api::ClientIdeasExt>::list_conversations;
    let _ = <gen_api::Client as gen_api::ClientIdeasExt>::get_conversation;
    let _ = <gen_api::Client as gen_api::ClientIdeasExt>::update_conversation;
    let _ = <gen_api::Client as gen_api::ClientIdeasExt>::delete_conversation;
    let _ = <gen_api::Client as gen_api::ClientIdeasExt>::list_conversation_messages;
    let _ = <gen_api::Client as gen_api::ClientIdeasExt>::list_conversation_runs;
    let _ = <gen_api::Client as gen_api::ClientIdeasExt>::list_ideas;
    let _ = <gen_api::Client as gen_api::ClientIdeasExt>::advance_idea_status;
    let _ = <gen_api::Client as gen_api::ClientIdeasExt>::set_idea_status;
    let _ = <gen_api::Client as gen_api::ClientIdeasExt>::create_research;
    let _ = <gen_api::Client as gen_api::ClientIdeasExt>::update_user_job;
    let _ = <gen_api::Client as gen_api::ClientVidsheetExt>::list_templates;
    let _ = <gen_api::Client as gen_api::ClientVidsheetExt>::get_template;
    let _ = <gen_api::Client as gen_api::ClientVidsheetExt>::clone_template;
    let _ = <gen_api::Client as gen_api::ClientVidsheetExt>::create_engine;
    let _ = <gen_api::Client as gen_api::ClientVidsheetExt>::get_engine;
    let _ = <gen_api::Client as gen_api::ClientVidsheetExt>::clone_engine;
    let _ = <gen_api::Client as gen_api::ClientEditExt>::list_rows;
    let _ = <gen_api::Client as gen_api::ClientEditExt>::create_row;
    let _ = <gen_api::Client as gen_api::ClientEditExt>::get_row;
    let _ = <gen_api::Client as gen_api::ClientEditExt>::duplicate_row;
    let _ = <gen_api::Client as gen_api::ClientEditExt>::update_row_positions;
    let _ = <gen_api::Client as gen_api::ClientEditExt>::mass_update_rows;
    let _ = <gen_api::Client as gen_api::ClientEditExt>::list_columns;
    let _ = <gen_api::Client as gen_api::ClientEditExt>::create_column;
    let _ = <gen_api::Client as gen_api::ClientEditExt>::duplicate_column;
    let _ = <gen_api::Client as gen_api::ClientEditExt>::update_column_positions;
    let _ = <gen_api::Client as gen_api::ClientEditExt>::mass_update_columns;
    let _ = <gen_api::Client as gen_api::ClientEditExt>::get_cell;
    let _ = <gen_api::Client as gen_api::ClientEditExt>::update_cell;
    let _ = <gen_api::Client as gen_api::ClientEditExt>::mass_update_cells;
    let _ = <gen_api::Client as gen_api::ClientEditExt>::set_cell_default_user_job;
    let _ = <gen_api::Client as gen_api::ClientEditExt>::create_layer;
    let _ = <gen_api::Client as gen_api::ClientEditExt>::get_layer;
    let _ = <gen_api::Client as gen_api::ClientEditExt>::update_layer;
    let _ = <gen_api::Client as gen_api::ClientEditExt>::delete_layer;
    let _ = <gen_api::Client as gen_api::ClientEditExt>::duplicate_layer;
    let _ = <gen_api::Client as gen_api::ClientEditExt>::update_layer_positions;
    let _ = <gen_api::Client as gen_api::ClientEditExt>::generate_on_cell;
    let _ = <gen_api::Client as gen_api::ClientEditExt>::generate_on_layer;
    let _ = <gen_api::Client as gen_api::ClientEditExt>::get_generation;
    let _ = <gen_api::Client as gen_api::ClientEditExt>::stop_generation;
    let _ = <gen_api::Client as gen_api::ClientEditExt>::continue_generation;
    let _ = <gen_api::Client as gen_api::ClientEditExt>::list_global_variables;
    let _ = <gen_api::Client as gen_api::ClientEditExt>::get_global_variables_template;
    let _ = <gen_api::Client as gen_api::ClientEditExt>::list_content_resources;
    let _ = <gen_api::Client as gen_api::ClientEditExt>::get_content_resource;
    let _ = <gen_api::Client as gen_api::ClientEditExt>::update_content_resource;
    let _ = <gen_api::Client as gen_api::ClientEditExt>::delete_content_resource;
    let _ = <gen_api::Client as gen_api::ClientEditExt>::list_asset_libraries;
    let _ = <gen_api::Client as gen_api::ClientEditExt>::create_asset_folder;
    let _ = <gen_api::Client as gen_api::ClientEditExt>::update_asset_folder;
    let _ = <gen_api::Client as gen_api::ClientEditExt>::delete_asset_folder;
    let _ = <gen_api::Client as gen_api::ClientEditExt>::create_direct_upload;
    let _ = <gen_api::Client as gen_api::ClientEditExt>::get_automation_config;
    let _ = <gen_api::Client as gen_api::ClientEditExt>::update_automation_config;
    let _ = <gen_api::Client as gen_api::ClientEditExt>::test_automation_webhook;
    let _ = <gen_api::Client as gen_api::ClientEditExt>::test_automation_callback;
    let _ = <gen_api::Client as gen_api::ClientPublishExt>::render_cell;
    let _ = <gen_api::Client as gen_api::ClientPublishExt>::create_user_job;
    let _ = <gen_api::Client as gen_api::ClientPublishExt>::get_user_job;
}

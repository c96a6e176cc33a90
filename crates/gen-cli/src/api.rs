//! `gen api`: any operation of the API by its operation id.
//!
//! Everything comes from the generated operation table
//! ([`gen_sdk::gen_api::operations`]): the method, path template, host,
//! parameters and retry class. The call goes through
//! [`gen_sdk::dynamic::call`], the same transport as every other command, so
//! an operation added to openapi.yaml is callable here after
//! `cargo xtask generate`, with no edit.
//!
//! ```text
//! gen api --list
//! gen api --describe get_generation          # or: gen api get_generation --help-params
//! gen api get_generation --param id=9000
//! gen api list_ideas --param agent_id=42 --param status=generated
//! gen api update_agent_core --param agent_id=42 --body '{"brand_name":"Santiago"}'
//! gen api update_agent_core --param agent_id=42 --body @core.json
//! ```

use std::collections::BTreeMap;
use std::io::Read;

use anyhow::{Context, Result, anyhow, bail};
use gen_sdk::dynamic;
use gen_sdk::gen_api::operations::{OPERATIONS, Operation, ParamLocation, Phase};
use serde_json::{Map, Value, json};

use crate::Global;
use crate::commands::Connection;
use crate::ui::Progress;

/// Options of `gen api`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  gen api --list\n  gen api get_generation --help-params\n  gen api get_generation --param id=9000\n  gen api update_agent_core --param agent_id=42 --body @core.json"
)]
pub struct ApiArgs {
    /// The operation id (`gen api --list` lists them all).
    #[arg(
        value_name = "OPERATION_ID",
        required_unless_present_any = ["list", "describe"]
    )]
    pub operation_id: Option<String>,
    /// A path or query parameter, by its name in the spec. Typed by the
    /// spec: strings are taken verbatim; integers, numbers and booleans must
    /// parse as such; an array takes a JSON array or one item per --param
    /// (repeats append); any other value is JSON if it parses, else a string.
    #[arg(long = "param", short = 'p', value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// The JSON request body, or @FILE to read it from a file (@- reads stdin).
    #[arg(long, value_name = "JSON|@FILE")]
    pub body: Option<String>,
    /// List every operation, grouped by phase (method, path, operation id,
    /// retry class, host).
    #[arg(long, conflicts_with_all = ["operation_id", "params", "body", "describe", "help_params"])]
    pub list: bool,
    /// Print the parameters and body of OPERATION_ID instead of calling it.
    #[arg(long, requires = "operation_id", conflicts_with_all = ["params", "body"])]
    pub help_params: bool,
    /// Print the parameters and body of this operation.
    #[arg(long, value_name = "OPERATION_ID", conflicts_with_all = ["operation_id", "params", "body"])]
    pub describe: Option<String>,
}

/// `gen api`.
pub async fn run(global: &Global, args: ApiArgs) -> Result<()> {
    if args.list {
        print!("{}", list(global.json));
        return Ok(());
    }
    if let Some(id) = args.describe.as_deref() {
        print!("{}", describe(dynamic::operation(id)?, global.json));
        return Ok(());
    }
    let id = args
        .operation_id
        .as_deref()
        .ok_or_else(|| anyhow!("name an operation (`gen api --list` lists them)"))?;
    let op = dynamic::operation(id)?;
    if args.help_params {
        print!("{}", describe(op, global.json));
        return Ok(());
    }
    let mut call_args = arguments(op, &args.params)?;
    if let Some(body) = &args.body {
        call_args.insert("body".into(), read_body(body)?);
    }
    // Unknown or missing parameters, a body where none is taken: refused
    // here, before any connection is made.
    let parts = dynamic::request_parts(op, &call_args)?;
    let progress = Progress::new();
    let conn = Connection::open(global, true, &progress).await?;
    let result = dynamic::call(&conn.client, op.operation_id, &call_args).await;
    conn.close().await;
    let answer =
        result.with_context(|| format!("{} ({} {})", op.operation_id, op.method, parts.path))?;
    if answer.body.is_null() {
        // 204 and other empty answers: nothing on stdout.
        progress.say(format!("HTTP {} (no body)", answer.status));
    } else {
        println!(
            "{}",
            serde_json::to_string_pretty(&answer.body).context("encoding the answer")?
        );
    }
    Ok(())
}

/// The call's arguments from `--param NAME=VALUE` pairs (names as in the
/// spec). A value is parsed by the parameter's type: strings are taken
/// verbatim; integers, numbers and booleans must parse as such; arrays take
/// a JSON array or one item per `--param` (repeats append).
pub fn arguments(op: &Operation, params: &[String]) -> Result<Map<String, Value>> {
    let mut args = Map::new();
    for raw in params {
        let (name, value) = raw
            .split_once('=')
            .ok_or_else(|| anyhow!("--param {raw:?}: expected NAME=VALUE"))?;
        let param = op.params.iter().find(|p| p.name == name).ok_or_else(|| {
            let names: Vec<&str> = op.params.iter().map(|p| p.name).collect();
            anyhow!(
                "`{}` has no parameter `{name}` (its parameters: {}; `gen api {} --help-params` describes them)",
                op.operation_id,
                if names.is_empty() {
                    "none".to_owned()
                } else {
                    names.join(", ")
                },
                op.operation_id
            )
        })?;
        insert(&mut args, name, parse_value(param.name, param.kind, value)?)?;
    }
    Ok(args)
}

/// Adds one parsed value: arrays append, a second scalar is refused.
fn insert(args: &mut Map<String, Value>, name: &str, value: Value) -> Result<()> {
    match (args.get_mut(name), value) {
        (Some(Value::Array(items)), Value::Array(more)) => items.extend(more),
        (Some(_), _) => bail!("--param {name} given twice (`{name}` takes one value)"),
        (None, v) => {
            args.insert(name.to_owned(), v);
        }
    }
    Ok(())
}

/// One `--param` value as JSON, by the parameter's kind (`Param::kind`).
fn parse_value(name: &str, kind: &str, value: &str) -> Result<Value> {
    let as_json = || serde_json::from_str::<Value>(value).ok();
    Ok(match kind {
        "string" => Value::String(value.to_owned()),
        "integer" => match as_json() {
            Some(v @ Value::Number(_)) if v.is_i64() || v.is_u64() => v,
            _ => bail!("--param {name}={value}: `{name}` is an integer"),
        },
        "number" => match as_json() {
            Some(v @ Value::Number(_)) => v,
            _ => bail!("--param {name}={value}: `{name}` is a number"),
        },
        "boolean" => match as_json() {
            Some(v @ Value::Bool(_)) => v,
            _ => bail!("--param {name}={value}: `{name}` is true or false"),
        },
        "array" => match as_json() {
            Some(v @ Value::Array(_)) => v,
            _ => json!([value]),
        },
        _ => as_json().unwrap_or_else(|| Value::String(value.to_owned())),
    })
}

/// The `--body` value: JSON text, `@FILE`, or `@-` for stdin.
fn read_body(body: &str) -> Result<Value> {
    let (text, source) = match body.strip_prefix('@') {
        Some("-") => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .context("reading --body from stdin")?;
            (text, "stdin".to_owned())
        }
        Some(path) => (
            std::fs::read_to_string(path).with_context(|| format!("reading --body @{path}"))?,
            path.to_owned(),
        ),
        None => (body.to_owned(), "--body".to_owned()),
    };
    serde_json::from_str(&text).with_context(|| format!("{source} is not valid JSON"))
}

/// `gen api --list`: every operation grouped by phase; with `--json`, an
/// array of objects.
pub fn list(json: bool) -> String {
    if json {
        let all: Vec<Value> = OPERATIONS
            .iter()
            .map(|op| {
                json!({
                    "operation_id": op.operation_id,
                    "phase": op.phase.as_str(),
                    "method": op.method,
                    "path": op.path,
                    "host": op.host.as_str(),
                    "retry": op.retry.as_str(),
                    "summary": op.summary,
                })
            })
            .collect();
        return format!("{}\n", Value::Array(all));
    }
    let mut by_phase: BTreeMap<Phase, Vec<&Operation>> = BTreeMap::new();
    for op in OPERATIONS {
        by_phase.entry(op.phase).or_default().push(op);
    }
    let path_width = OPERATIONS.iter().map(|o| o.path.len()).max().unwrap_or(0);
    let id_width = OPERATIONS
        .iter()
        .map(|o| o.operation_id.len())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for (phase, ops) in by_phase {
        out.push_str(&format!("{phase} — {}\n", phase.description()));
        for op in ops {
            out.push_str(&format!(
                "  {:<6} {:<path_width$}  {:<id_width$}  {:<11} {}\n",
                op.method,
                op.path,
                op.operation_id,
                op.retry.as_str(),
                op.host.as_str(),
            ));
        }
        out.push('\n');
    }
    out.push_str(&format!(
        "{} operations. Call one: gen api OPERATION_ID --param NAME=VALUE [--body JSON|@FILE]\n",
        OPERATIONS.len()
    ));
    out
}

/// `gen api --describe`: the operation's parameters and body; with
/// `--json`, its input JSON Schema.
pub fn describe(op: &Operation, json: bool) -> String {
    if json {
        let schema: Value =
            serde_json::from_str(op.input_schema).unwrap_or(Value::String(op.input_schema.into()));
        let value = json!({
            "operation_id": op.operation_id,
            "phase": op.phase.as_str(),
            "method": op.method,
            "path": op.path,
            "host": op.host.as_str(),
            "retry": op.retry.as_str(),
            "summary": op.summary,
            "input_schema": schema,
        });
        return format!(
            "{}\n",
            serde_json::to_string_pretty(&value).unwrap_or_default()
        );
    }
    let mut out = format!(
        "{} — {}\n  {} {} (host: {}, phase: {}, retry: {})\n",
        op.operation_id,
        op.summary,
        op.method,
        op.path,
        op.host.as_str(),
        op.phase.as_str(),
        op.retry.as_str()
    );
    if op.params.is_empty() {
        out.push_str("parameters: none\n");
    } else {
        out.push_str("parameters:\n");
        for p in op.params {
            out.push_str(&format!(
                "  --param {}=<{}>  ({}, {}){}\n",
                p.name,
                p.kind,
                match p.location {
                    ParamLocation::Path => "path",
                    ParamLocation::Header => "header",
                    _ => "query",
                },
                if p.required { "required" } else { "optional" },
                if p.description.is_empty() {
                    String::new()
                } else {
                    format!(" {}", p.description.replace('\n', " "))
                }
            ));
        }
    }
    if op.body_media_types.is_empty() {
        out.push_str("body: none\n");
    } else if op.is_multipart_only() {
        out.push_str("body: multipart/form-data (not sent by `gen api`; use `gen upload` or the SDK's upload helpers)\n");
    } else {
        out.push_str(&format!(
            "body: {} ({}), --body JSON or --body @FILE; `gen api --describe {} --json` prints its JSON Schema\n",
            op.body_media_types.join(", "),
            if op.body_required {
                "required"
            } else {
                "optional"
            },
            op.operation_id
        ));
    }
    if op.retry.as_str() == "paid" {
        out.push_str("note: spends credits or starts paid work; never retried once it may have reached GEN\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(id: &str) -> &'static Operation {
        dynamic::operation(id).unwrap()
    }

    #[test]
    fn values_follow_the_parameter_kind() {
        let list_ideas = op("list_ideas");
        let args = arguments(list_ideas, &["agent_id=42".into(), "status=007".into()]).unwrap();
        assert_eq!(
            Value::Object(args),
            json!({"agent_id": 42, "status": "007"})
        );
        let err = arguments(list_ideas, &["agent_id=abc".into()]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "--param agent_id=abc: `agent_id` is an integer"
        );
    }

    #[test]
    fn a_parameter_without_equals_sign_is_refused() {
        let err = arguments(op("get_generation"), &["id".into()]).unwrap_err();
        assert_eq!(err.to_string(), "--param \"id\": expected NAME=VALUE");
    }

    #[test]
    fn a_scalar_parameter_given_twice_is_refused() {
        let err = arguments(op("get_generation"), &["id=1".into(), "id=2".into()]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "--param id given twice (`id` takes one value)"
        );
    }

    #[test]
    fn array_parameters_append() {
        // no operation takes an array parameter today: the two halves of
        // `arguments` are checked directly
        let mut args = Map::new();
        for raw in ["a", r#"["b","c"]"#, "5"] {
            insert(&mut args, "ids", parse_value("ids", "array", raw).unwrap()).unwrap();
        }
        assert_eq!(Value::Object(args), json!({"ids": ["a", "b", "c", "5"]}));
    }

    #[test]
    fn untyped_values_parse_as_json_else_string() {
        assert_eq!(
            parse_value("x", "object", "[1,true]").unwrap(),
            json!([1, true])
        );
        assert_eq!(parse_value("x", "object", "1.5").unwrap(), json!(1.5));
        assert_eq!(parse_value("x", "object", "taco").unwrap(), json!("taco"));
        assert_eq!(parse_value("x", "boolean", "true").unwrap(), json!(true));
        assert!(parse_value("x", "boolean", "yes").is_err());
        assert!(parse_value("x", "integer", "1.5").is_err());
    }

    #[test]
    fn body_from_text_and_file() {
        assert_eq!(read_body(r#"{"a":1}"#).unwrap(), json!({"a": 1}));
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), r#"{"b":[2]}"#).unwrap();
        let arg = format!("@{}", file.path().display());
        assert_eq!(read_body(&arg).unwrap(), json!({"b": [2]}));
        let err = read_body("{nope").unwrap_err();
        assert_eq!(err.to_string(), "--body is not valid JSON");
    }

    #[test]
    fn describe_lists_every_parameter() {
        let op = op("list_ideas");
        let text = describe(op, false);
        for p in op.params {
            assert!(
                text.contains(&format!("--param {}=<{}>", p.name, p.kind)),
                "{text}"
            );
        }
        assert!(text.starts_with("list_ideas — "), "{text}");
    }
}

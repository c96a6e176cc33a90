//! `gen api`: any operation of the API by its operation id.
//!
//! Everything comes from the generated operation table
//! ([`genpro_sdk::genpro_api::operations`]): the method, path template, host,
//! parameters and retry class. The call goes through
//! [`genpro_sdk::dynamic::call`], the same transport as every other command, so
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
//! gen api get_generation --param id=9000 --output answer.bin   # the body's exact bytes
//! ```
//!
//! The answer goes to stdout by its kind ([`dynamic::AnswerKind`]): JSON
//! pretty-printed, text (`text/*` or a charset) exactly as sent, binary
//! byte for byte — unless stdout is a terminal, where a binary answer is
//! not printed and a line on stderr says so (`--output FILE` or a
//! redirect takes it). An empty answer prints nothing on stdout. With
//! `--output FILE` the body's exact bytes, whatever the kind, go to FILE.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use genpro_sdk::dynamic::{self, Answer, AnswerKind};
use genpro_sdk::genpro_api::operations::{OPERATIONS, Operation, ParamLocation, Phase};
use serde_json::{Map, Value, json};

use crate::Global;
use crate::commands::Connection;
use crate::ui::{self, Kind, Progress};

/// Options of `gen api`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Output: a JSON answer is printed pretty; a text answer (text/*, or a charset) exactly as sent; a binary answer byte for byte when stdout is a file or pipe. To a terminal a binary answer is not printed: a line on stderr gives its size and content type, and gen exits 0 (the call succeeded; use --output FILE or redirect stdout). An empty answer prints `HTTP <status> (no body)` on stderr.\n\nExamples:\n  gen api --list\n  gen api get_generation --help-params\n  gen api get_generation --param id=9000\n  gen api get_generation --param id=9000 --output answer.bin\n  gen api update_agent_core --param agent_id=42 --body @core.json"
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
    /// The request body, or @FILE to read it from a file (@- reads stdin): JSON, or the text
    /// as it is for an operation whose body is not JSON (text/plain, XML...).
    #[arg(long, value_name = "JSON|@FILE")]
    pub body: Option<String>,
    /// Write the answer's body to FILE, exactly the bytes received (JSON,
    /// text or binary alike), instead of printing it; a line on stderr
    /// gives the byte count and content type.
    #[arg(long, short = 'o', value_name = "FILE", conflicts_with_all = ["list", "describe", "help_params"])]
    pub output: Option<PathBuf>,
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
        .ok_or_else(|| ui::refused("name an operation (`gen api --list` lists them)"))?;
    let op = dynamic::operation(id)?;
    if args.help_params {
        print!("{}", describe(op, global.json));
        return Ok(());
    }
    let mut call_args = arguments(op, &args.params)?;
    if let Some(body) = &args.body {
        // An operation whose body is not JSON (text, XML...) takes the
        // text as it is.
        let raw = op.raw_media_type().is_some();
        call_args.insert("body".into(), read_body(body, raw, MAX_BODY)?);
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
    if let Some(path) = &args.output {
        std::fs::write(path, &answer.bytes)
            .with_context(|| format!("writing the answer to {}", path.display()))?;
        progress.say(written(&answer, path));
        return Ok(());
    }
    match shown(&answer, std::io::stdout().is_terminal())? {
        Shown::Stdout(bytes) => {
            let mut out = std::io::stdout().lock();
            out.write_all(&bytes)
                .and_then(|()| out.flush())
                .context("writing the answer to stdout")?;
        }
        Shown::Note(line) => progress.say(line),
    }
    Ok(())
}

/// What `gen api` shows of an answer without `--output`.
#[derive(Debug, PartialEq)]
enum Shown<'a> {
    /// These bytes, on stdout.
    Stdout(Cow<'a, [u8]>),
    /// Nothing on stdout; this line on stderr.
    Note(String),
}

/// An answer's content type for a message.
fn content_type(answer: &Answer) -> &str {
    answer.content_type.as_deref().unwrap_or("no content type")
}

/// How an answer is shown, `terminal` telling whether stdout is one: JSON
/// pretty, text exactly, binary byte for byte except to a terminal.
fn shown(answer: &Answer, terminal: bool) -> Result<Shown<'_>> {
    Ok(match answer.kind() {
        // 204 and other empty answers: nothing on stdout.
        AnswerKind::Empty => Shown::Note(format!("HTTP {} (no body)", answer.status)),
        AnswerKind::Json => {
            let mut text =
                serde_json::to_string_pretty(&answer.body).context("encoding the answer")?;
            text.push('\n');
            Shown::Stdout(Cow::Owned(text.into_bytes()))
        }
        AnswerKind::Text => Shown::Stdout(Cow::Borrowed(&answer.bytes)),
        // Binary (and any kind newer than this code): the bytes as they
        // are, but not to a terminal.
        _ if terminal => Shown::Note(format!(
            "binary answer ({} bytes, {}) not printed to a terminal: use --output FILE or redirect stdout",
            answer.bytes.len(),
            content_type(answer)
        )),
        _ => Shown::Stdout(Cow::Borrowed(&answer.bytes)),
    })
}

/// The stderr line after `--output FILE` is written.
fn written(answer: &Answer, path: &Path) -> String {
    format!(
        "HTTP {}: wrote {} bytes ({}) to {}",
        answer.status,
        answer.bytes.len(),
        content_type(answer),
        path.display()
    )
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
            .ok_or_else(|| ui::refused(format!("--param {raw:?}: expected NAME=VALUE")))?;
        let param = op.params.iter().find(|p| p.name == name).ok_or_else(|| {
            let names: Vec<&str> = op.params.iter().map(|p| p.name).collect();
            ui::refused(format!(
                "`{}` has no parameter `{name}` (its parameters: {}; `gen api {} --help-params` describes them)",
                op.operation_id,
                if names.is_empty() {
                    "none".to_owned()
                } else {
                    names.join(", ")
                },
                op.operation_id
            ))
        })?;
        insert(&mut args, name, parse_value(param.name, param.kind, value)?)?;
    }
    Ok(args)
}

/// Adds one parsed value: arrays append, a second scalar is refused.
fn insert(args: &mut Map<String, Value>, name: &str, value: Value) -> Result<()> {
    match (args.get_mut(name), value) {
        (Some(Value::Array(items)), Value::Array(more)) => items.extend(more),
        (Some(_), _) => {
            return Err(ui::refused(format!(
                "--param {name} given twice (`{name}` takes one value)"
            )));
        }
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
            _ => {
                return Err(ui::refused(format!(
                    "--param {name}={value}: `{name}` is an integer"
                )));
            }
        },
        "number" => match as_json() {
            Some(v @ Value::Number(_)) => v,
            _ => {
                return Err(ui::refused(format!(
                    "--param {name}={value}: `{name}` is a number"
                )));
            }
        },
        "boolean" => match as_json() {
            Some(v @ Value::Bool(_)) => v,
            _ => {
                return Err(ui::refused(format!(
                    "--param {name}={value}: `{name}` is true or false"
                )));
            }
        },
        "array" => match as_json() {
            Some(v @ Value::Array(_)) => v,
            _ => json!([value]),
        },
        _ => as_json().unwrap_or_else(|| Value::String(value.to_owned())),
    })
}

/// The largest request body `gen api` sends (16 MiB, the size of the
/// largest answer genpro-sdk reads, [`genpro_sdk::error::DEFAULT_MAX_BODY`]).
/// `--body @FILE` and `--body @-` read at most one byte more, and refuse a
/// longer body before anything is sent.
pub const MAX_BODY: u64 = genpro_sdk::error::DEFAULT_MAX_BODY;

/// Reads `from` up to `cap` bytes; a longer input is refused, having read
/// `cap + 1` bytes of it.
fn read_capped(from: impl Read, cap: u64, source: &str) -> Result<String> {
    let mut bytes = Vec::new();
    from.take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| ui::fail(Kind::Other, format!("reading --body {source}: {e}")))?;
    if bytes.len() as u64 > cap {
        return Err(ui::refused(format!(
            "--body {source} is larger than the {cap}-byte body cap; nothing was sent"
        )));
    }
    String::from_utf8(bytes)
        .map_err(|e| ui::refused(format!("--body {source} is not UTF-8 text: {e}")))
}

/// The `--body` value: JSON text, `@FILE`, or `@-` for stdin (each at
/// most `cap` bytes); with `raw` (an operation whose body is not JSON), the
/// text as a JSON string.
fn read_body(body: &str, raw: bool, cap: u64) -> Result<Value> {
    let (text, source) = match body.strip_prefix('@') {
        Some("-") => (
            read_capped(std::io::stdin().lock(), cap, "@-")?,
            "stdin".to_owned(),
        ),
        Some(path) => {
            let file = std::fs::File::open(path)
                .map_err(|e| ui::refused(format!("reading --body @{path}: {e}")))?;
            (
                read_capped(file, cap, &format!("@{path}"))?,
                path.to_owned(),
            )
        }
        None => (body.to_owned(), "--body".to_owned()),
    };
    if raw {
        return Ok(Value::String(text));
    }
    serde_json::from_str(&text).map_err(|e| ui::refused(format!("{source} is not valid JSON: {e}")))
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
        assert_eq!(
            read_body(r#"{"a":1}"#, false, MAX_BODY).unwrap(),
            json!({"a": 1})
        );
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), r#"{"b":[2]}"#).unwrap();
        let arg = format!("@{}", file.path().display());
        assert_eq!(read_body(&arg, false, MAX_BODY).unwrap(), json!({"b": [2]}));
        // exactly at the cap: read
        assert_eq!(read_body(&arg, false, 9).unwrap(), json!({"b": [2]}));
        // one byte over: refused
        let err = read_body(&arg, false, 8).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("--body {arg} is larger than the 8-byte body cap; nothing was sent")
        );
        assert_eq!(ui::kind_of(&err), Kind::Input);
        assert_eq!(read_body("<a/>", true, MAX_BODY).unwrap(), json!("<a/>"));
        let err = read_body("{nope", false, MAX_BODY).unwrap_err();
        assert_eq!(
            err.to_string(),
            "--body is not valid JSON: key must be a string at line 1 column 2"
        );
    }

    fn answer(status: u16, content_type: Option<&str>, bytes: &[u8]) -> Answer {
        Answer::from_parts(
            status,
            content_type.map(str::to_owned),
            bytes.to_vec().into(),
        )
    }

    #[test]
    fn a_binary_answer_goes_out_byte_for_byte_but_not_to_a_terminal() {
        let bytes: Vec<u8> = (0..=255).rev().collect();
        let png = answer(200, Some("image/png"), &bytes);
        assert_eq!(
            shown(&png, false).unwrap(),
            Shown::Stdout(Cow::Borrowed(&bytes[..]))
        );
        assert_eq!(
            shown(&png, true).unwrap(),
            Shown::Note(
                "binary answer (256 bytes, image/png) not printed to a terminal: use --output FILE or redirect stdout".into()
            )
        );
        let bare = answer(200, None, b"\x00\xff");
        assert_eq!(
            shown(&bare, true).unwrap(),
            Shown::Note(
                "binary answer (2 bytes, no content type) not printed to a terminal: use --output FILE or redirect stdout".into()
            )
        );
    }

    #[test]
    fn text_is_shown_exactly_json_pretty_and_empty_as_a_note() {
        let text = answer(
            200,
            Some("text/plain; charset=utf-8"),
            "say \"olé\"".as_bytes(),
        );
        for terminal in [false, true] {
            assert_eq!(
                shown(&text, terminal).unwrap(),
                Shown::Stdout(Cow::Borrowed("say \"olé\"".as_bytes()))
            );
        }
        let json = answer(
            200,
            Some("application/json"),
            br#"{"id":9000,"tags":["a"]}"#,
        );
        assert_eq!(
            shown(&json, true).unwrap(),
            Shown::Stdout(Cow::Borrowed(
                "{\n  \"id\": 9000,\n  \"tags\": [\n    \"a\"\n  ]\n}\n".as_bytes()
            ))
        );
        let empty = answer(204, None, b"");
        assert_eq!(
            shown(&empty, false).unwrap(),
            Shown::Note("HTTP 204 (no body)".into())
        );
    }

    #[test]
    fn the_output_line_gives_status_size_and_type() {
        let a = answer(200, Some("video/mp4"), &[0; 1000]);
        assert_eq!(
            written(&a, Path::new("out/final.mp4")),
            "HTTP 200: wrote 1000 bytes (video/mp4) to out/final.mp4"
        );
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

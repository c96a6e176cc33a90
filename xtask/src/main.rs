//! `cargo xtask` — maintainer tasks for the GEN Rust workspace.
//!
//! - `cargo xtask fetch [URL|PATH] [--json] [--dry-run]` — bring a spec into
//!   openapi.yaml, reporting what changed (`specdiff`) before writing it.
//! - `cargo xtask generate` — regenerate crates/gen-api from openapi.yaml.
//! - `cargo xtask check` — fail with a diff when generated code is stale.
//! - `cargo xtask drill` — on a copy of the workspace, add operations of
//!   nineteen shapes and a model to openapi.yaml, regenerate, test, and
//!   call the new operations; then check a removed operation is named.
//! - `cargo xtask corpus [N]` — the whole pipeline over N public specs.

mod codegen;
mod corpus;
mod drill;
mod lighten;
mod normalize;
mod open_enums;
mod optable;
mod pinned;
mod safety;
mod specdiff;
mod tolerant;
mod transform;
mod unpinned;
mod uses;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Where `fetch` looks when no source is given.
const UPSTREAM: &str = "https://api.gen.pro/openapi.yaml";

#[derive(Parser)]
#[command(name = "xtask", about = "Maintainer tasks for the GEN Rust workspace")]
struct Cli {
    /// The spec to read (generate/check) or write (fetch).
    #[arg(long, global = true, default_value = "openapi.yaml")]
    spec: PathBuf,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Bring an OpenAPI spec into openapi.yaml (default: the upstream URL),
    /// first reporting what changed and what breaks genpro-api's users.
    Fetch {
        /// URL (http/https) or local path of the spec [default: the upstream URL].
        #[arg(value_name = "URL|PATH")]
        source: Option<String>,
        /// Same as the positional URL|PATH.
        #[arg(long, value_name = "URL|PATH", conflicts_with = "source")]
        from: Option<String>,
        /// Print the report as JSON (other messages go to stderr).
        #[arg(long)]
        json: bool,
        /// Report only: leave openapi.yaml as it is.
        #[arg(long)]
        dry_run: bool,
    },
    /// Regenerate crates/gen-api from openapi.yaml.
    Generate,
    /// Exit non-zero with a diff when generated code is stale.
    Check,
    /// On a temporary copy of the workspace: add operations of nineteen
    /// shapes and a card model value to openapi.yaml, run `cargo xtask
    /// generate`, `cargo test --workspace`, and call the new operations
    /// with the built `gen` against local servers; then remove an
    /// operation and rename a field genpro-sdk uses and check that generate
    /// names them. Prints PASS or FAIL.
    Drill(drill::DrillArgs),
    /// Transplant N public specs (pinned npm packages) into a copy of
    /// openapi.yaml, generate, build genpro-cli and describe every operation;
    /// report per spec. Exits non-zero unless every operation passes.
    Corpus(corpus::CorpusArgs),
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}

fn main() {
    if let Err(e) = run(Cli::parse()) {
        // One line, the whole cause chain.
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

fn run(cli: Cli) -> Result<()> {
    let root = workspace_root();
    let spec = root.join(&cli.spec);
    match cli.cmd {
        Cmd::Fetch {
            source,
            from,
            json,
            dry_run,
        } => {
            let from = source.or(from);
            let from = from.as_deref().unwrap_or(UPSTREAM);
            fetch(from, &spec, json, dry_run, &mut std::io::stdout().lock())
        }
        Cmd::Generate => {
            let generated = codegen::generate(&spec)?;
            generated.warnings.print();
            codegen::write(&root, &generated.outputs)?;
            if !generated.warnings.is_empty() {
                println!(
                    "{} construct(s) normalised or left as progenitor wrote them (warnings above); the client is complete",
                    generated.warnings.iter().count()
                );
            }
            Ok(())
        }
        Cmd::Drill(args) => drill::run(&root, &args),
        Cmd::Corpus(args) => corpus::run(&root, &args),
        Cmd::Check => {
            let generated = codegen::generate(&spec)?;
            generated.warnings.print();
            let diffs = codegen::stale(&root, &generated.outputs);
            if diffs.is_empty() {
                println!("generated code is up to date with openapi.yaml");
                Ok(())
            } else {
                for d in &diffs {
                    println!("{d}");
                }
                bail!(
                    "{} generated file(s) are stale: run `cargo xtask generate` and commit",
                    diffs.len()
                )
            }
        }
    }
}

/// Read the spec at `from`, report to `out` what changed against `dest`
/// (as JSON with `json`), then write it to `dest` unless `dry_run`.
fn fetch(from: &str, dest: &Path, json: bool, dry_run: bool, out: &mut dyn Write) -> Result<()> {
    let text = if from.starts_with("http://") || from.starts_with("https://") {
        let mut resp = ureq::get(from)
            .call()
            .map_err(|e| anyhow::anyhow!("cannot fetch {from}: {e} (offline? try --from PATH)"))?;
        resp.body_mut()
            .read_to_string()
            .with_context(|| format!("reading the body of {from}"))?
    } else {
        std::fs::read_to_string(from).with_context(|| format!("cannot read {from}"))?
    };
    let doc: serde_json::Value = serde_yaml::from_str(&text)
        .map_err(|e| anyhow::anyhow!("{from} is not YAML or JSON: {e}"))?;
    transform::check_is_openapi(&doc).with_context(|| format!("{from} was not accepted"))?;
    // Messages other than the report: stderr when stdout carries JSON.
    let note = |out: &mut dyn Write, msg: String| -> Result<()> {
        if json {
            eprintln!("{msg}");
        } else {
            writeln!(out, "{msg}")?;
        }
        Ok(())
    };
    let current = match std::fs::read_to_string(dest) {
        Ok(t) => serde_yaml::from_str(&t).unwrap_or_else(|e| {
            eprintln!(
                "warning: {} is not YAML or JSON ({e}): compared as empty",
                dest.display()
            );
            serde_json::Value::Null
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => serde_json::Value::Null,
        Err(e) => return Err(e).with_context(|| format!("reading {}", dest.display())),
    };
    let report = specdiff::diff(&current, &doc);
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(&report.to_json())?)?;
    } else {
        note(out, format!("changes from {} to {from}:", dest.display()))?;
        write!(out, "{report}")?;
    }
    if dry_run {
        return note(out, format!("dry run: {} left as it is", dest.display()));
    }
    std::fs::write(dest, text).with_context(|| format!("writing {}", dest.display()))?;
    note(
        out,
        format!(
            "wrote {} from {from}; now run `cargo xtask generate`",
            dest.display()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    /// Two specs in a fresh temporary directory: the current one and a
    /// source with `list_x` removed and `get_y` given a required parameter.
    fn specs(name: &str) -> (PathBuf, PathBuf, PathBuf) {
        let dir = std::env::temp_dir().join(format!("xtask-fetch-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let current = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  \
            /v1/x: {get: {operationId: list_x, responses: {'200': {description: ok}}}}\n  \
            /v1/y: {get: {operationId: get_y, responses: {'200': {description: ok}}}}\n";
        let source = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  \
            /v1/y: {get: {operationId: get_y, parameters: [{name: n, in: query, required: true, schema: {type: integer}}], \
            responses: {'200': {description: ok}}}}\n";
        let (dest, from) = (dir.join("openapi.yaml"), dir.join("new.yaml"));
        std::fs::write(&dest, current).unwrap();
        std::fs::write(&from, source).unwrap();
        (dir, dest, from)
    }

    fn run_fetch(from: &Path, dest: &Path, json: bool, dry_run: bool) -> String {
        let mut out = Vec::new();
        fetch(from.to_str().unwrap(), dest, json, dry_run, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn fetch_from_a_local_file_reports_then_writes() {
        let (dir, dest, from) = specs("write");
        let out = run_fetch(&from, &dest, false, false);
        let expected = format!(
            "changes from {dest} to {from}:\n\
             Removed operations (1):\n\
             \x20 - list_x GET /v1/x — BREAKING: its builder method `list_x` disappears\n\
             Changed operations (1):\n\
             \x20 ~ get_y: param `n` (query) added, required — BREAKING: builder calls that compiled now fail at run time: `n` is missing\n\
             0 added, 1 removed, 1 changed (2 breaking)\n\
             wrote {dest} from {from}; now run `cargo xtask generate`\n",
            dest = dest.display(),
            from = from.display(),
        );
        assert_eq!(out, expected);
        assert_eq!(
            std::fs::read_to_string(&dest).unwrap(),
            std::fs::read_to_string(&from).unwrap()
        );
        // Fetching the same spec again: nothing changed.
        let again = run_fetch(&from, &dest, false, true);
        assert!(
            again.contains("no operation changed\n0 added, 0 removed, 0 changed (0 breaking)\n")
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn fetch_dry_run_json_leaves_the_spec() {
        let (dir, dest, from) = specs("dry");
        let before = std::fs::read_to_string(&dest).unwrap();
        let out = run_fetch(&from, &dest, true, true);
        let report: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(
            report["summary"],
            serde_json::json!({"added": 0, "removed": 1, "changed": 1, "breaking": 2})
        );
        assert_eq!(std::fs::read_to_string(&dest).unwrap(), before);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn fetch_refuses_a_non_openapi_source() {
        let (dir, dest, _) = specs("refuse");
        let bad = dir.join("bad.yaml");
        std::fs::write(&bad, "swagger: '2.0'\n").unwrap();
        let err = fetch(bad.to_str().unwrap(), &dest, false, false, &mut Vec::new()).unwrap_err();
        assert!(format!("{err:#}").contains("was not accepted"), "{err:#}");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn fetch_takes_the_source_positionally_or_with_from() {
        let parse = |args: &[&str]| match Cli::try_parse_from(args).map(|c| c.cmd) {
            Ok(Cmd::Fetch { source, from, .. }) => Ok(source.or(from)),
            Ok(_) => panic!("not fetch"),
            Err(e) => Err(e.kind()),
        };
        assert_eq!(
            parse(&["xtask", "fetch", "a.yaml"]),
            Ok(Some("a.yaml".into()))
        );
        assert_eq!(
            parse(&["xtask", "fetch", "--from", "b.yaml"]),
            Ok(Some("b.yaml".into()))
        );
        assert_eq!(parse(&["xtask", "fetch", "--dry-run", "--json"]), Ok(None));
        assert_eq!(
            parse(&["xtask", "fetch", "a.yaml", "--from", "b.yaml"]),
            Err(clap::error::ErrorKind::ArgumentConflict)
        );
    }
}

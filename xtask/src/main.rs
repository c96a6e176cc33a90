//! `cargo xtask` — maintainer tasks for the GEN Rust workspace.
//!
//! - `cargo xtask fetch [--from URL|PATH]` — bring a spec into openapi.yaml.
//! - `cargo xtask generate` — regenerate crates/gen-api from openapi.yaml.
//! - `cargo xtask check` — fail with a diff when generated code is stale.
//! - `cargo xtask drill` — on a copy of the workspace, add an operation and
//!   a model to openapi.yaml, regenerate, test, and call the new operation.
//! - `cargo xtask corpus [N]` — the whole pipeline over N public specs.

mod codegen;
mod corpus;
mod drill;
mod lighten;
mod normalize;
mod open_enums;
mod optable;
mod safety;
mod transform;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};

/// Where `fetch` looks when no `--from` is given.
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
    /// Bring an OpenAPI spec into openapi.yaml (default: the upstream URL).
    Fetch {
        /// URL (http/https) or local path of the spec.
        #[arg(long, default_value = UPSTREAM)]
        from: String,
    },
    /// Regenerate crates/gen-api from openapi.yaml.
    Generate,
    /// Exit non-zero with a diff when generated code is stale.
    Check,
    /// On a temporary copy of the workspace: add a GET operation (edit
    /// phase) and a card model value to openapi.yaml, run `cargo xtask
    /// generate`, `cargo test --workspace`, and call the new operation with
    /// the built `gen` against a local server. Prints PASS or FAIL.
    Drill(drill::DrillArgs),
    /// Transplant N public specs (pinned npm packages) into a copy of
    /// openapi.yaml, generate, build gen-cli and describe every operation;
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
        Cmd::Fetch { from } => fetch(&from, &spec),
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

fn fetch(from: &str, dest: &Path) -> Result<()> {
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
    std::fs::write(dest, text).with_context(|| format!("writing {}", dest.display()))?;
    println!(
        "wrote {} from {from}; now run `cargo xtask generate`",
        dest.display()
    );
    Ok(())
}

//! `cargo xtask drill`: proves that openapi.yaml is the only thing to edit.
//!
//! On a copy of the workspace (the files `git ls-files` lists, plus
//! untracked ones that are not ignored) it adds to openapi.yaml operations
//! of nineteen shapes ([`PATH_ITEM`], `drill_shapes.yaml`) and a new model
//! value to a card model enum, runs `cargo xtask generate`, then `cargo
//! test --workspace`, then calls the new operations with the built `gen`
//! binary (`gen api get_drill_thing --param id=5`, ...) against local HTTP
//! servers and checks what arrived (method, target, headers, body, host,
//! key) and what was printed; it also sends a card with the new model
//! through `gen generate`. Last it removes an operation and renames a field
//! genpro-sdk uses, and checks that `cargo xtask generate` names both with
//! their genpro-sdk lines. No other edit is made: if any step fails,
//! something in the workspace still needs a hand edit when the spec grows.
//!
//! The copy lives in a fixed directory under the system temp dir (one per
//! workspace path). It builds into its own target dir, `<target>/drill`,
//! never into the workspace's: cargo names a workspace crate's artifacts by
//! its path relative to the workspace root, so the copy's `genpro-api` would
//! overwrite the workspace's and cargo would then take it for fresh there.
//! The drill target dir is seeded with hard links to the workspace's
//! compiled registry dependencies (only those, found through Cargo.lock), so
//! only the workspace's own crates are compiled again.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use serde_json::{Value, json};

/// The operation the drill adds.
pub const OPERATION_ID: &str = "get_drill_thing";
/// Its path.
pub const PATH: &str = "/v1/drill/things/{id}";
/// The card model enum that gains a value.
pub const MODEL_ENUM: &str = "VideoFromTextModel";
/// The value it gains.
pub const MODEL_VALUE: &str = "drill_model_9";
/// The key the drill's `gen` calls send.
const KEY: &str = "drill-key-7f3a9c";

/// The path items added under `paths:` (two-space indented, as in the
/// spec): one of each shape the drill proves needs no hand edit.
pub const PATH_ITEM: &str = include_str!("drill_shapes.yaml");

/// The component schemas they use, added under `components.schemas`.
pub const SCHEMAS: &str = "    DrillDone:
      type: object
      description: Added by `cargo xtask drill`.
      required:
        - result
      properties:
        result:
          type: string
    DrillAccepted:
      type: object
      description: Added by `cargo xtask drill`.
      required:
        - job_id
      properties:
        job_id:
          type: integer
        links:
          type:
            - object
            - 'null'
          format: uri-map
          description: A format on an object (typify stops on it; it is dropped).
        done:
          $ref: '#/components/schemas/drill_done'
    drill_done:
      type: object
      description: Added by `cargo xtask drill`; its Rust name is DrillDone's too (renamed).
      properties:
        at:
          type: string
    drill-status:
      type:
        - string
        - 'null'
      description: Added by `cargo xtask drill`; its name and values give no Rust names.
      enum:
        - a-b
        - a_b
        - ''
        - null
";

/// Options of `cargo xtask drill`.
#[derive(Debug, Clone, clap::Args)]
pub struct DrillArgs {
    /// Where to put the copy (default: a fixed directory under the system
    /// temp dir, one per workspace). Its contents are replaced.
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Leave the copy in place after a PASS (it is always left after a FAIL).
    #[arg(long)]
    pub keep: bool,
    /// Skip `cargo test --workspace` in the copy (only to iterate on the
    /// drill itself; CI never passes it).
    #[arg(long)]
    pub skip_tests: bool,
}

/// Runs the drill; prints each step and a final PASS or FAIL.
pub fn run(root: &Path, args: &DrillArgs) -> Result<()> {
    let started = Instant::now();
    let dir = args.dir.clone().unwrap_or_else(|| default_dir(root));
    let main_target = target_dir(root);
    let target = main_target.join("drill");
    let result = steps(root, &dir, &main_target, &target, args);
    let took = started.elapsed().as_secs();
    match result {
        Ok(()) => {
            if !args.keep {
                std::fs::remove_dir_all(&dir).ok();
            }
            println!("\ndrill: PASS ({}m {:02}s)", took / 60, took % 60);
            Ok(())
        }
        Err(e) => {
            println!(
                "\ndrill: FAIL ({}m {:02}s); the copy is left in {}",
                took / 60,
                took % 60,
                dir.display()
            );
            Err(e)
        }
    }
}

fn steps(
    root: &Path,
    dir: &Path,
    main_target: &Path,
    target: &Path,
    args: &DrillArgs,
) -> Result<()> {
    step(1, "copy the workspace (git ls-files)");
    let copied = copy_workspace(root, dir)?;
    println!("copied {copied} files to {}", dir.display());
    let seeded = seed_target(root, main_target, target)?;
    println!(
        "target dir {}: {seeded} compiled units of registry packages linked from {}",
        target.display(),
        main_target.display()
    );

    step(
        2,
        "add operations of nineteen shapes and a card model to openapi.yaml",
    );
    let spec_path = dir.join("openapi.yaml");
    let spec = std::fs::read_to_string(&spec_path).context("reading the copy's openapi.yaml")?;
    let (edited, how) = edit_spec(&spec)?;
    std::fs::write(&spec_path, edited).context("writing the copy's openapi.yaml")?;
    println!(
        "added {} path items ({}) and {MODEL_ENUM} value {MODEL_VALUE} ({how})",
        drill_paths()?.len(),
        drill_paths()?
            .keys()
            .cloned()
            .collect::<Vec<_>>()
            .join(", ")
    );

    step(3, "cargo xtask generate");
    let mut generate = cargo(dir, target);
    generate.args(["xtask", "generate"]);
    run_visible(&mut generate, "cargo xtask generate")?;
    check_generated(dir)?;

    if args.skip_tests {
        step(4, "cargo test --workspace: SKIPPED (--skip-tests)");
    } else {
        step(
            4,
            "cargo test --workspace (--no-fail-fast, to see every failure)",
        );
        test_workspace(dir, target)?;
    }

    step(5, "the copy's `gen` binary");
    let gen_bin = build_gen(dir, target)?;
    println!("{}", gen_bin.display());

    step(6, &format!("gen api {OPERATION_ID} --param id=5"));
    call_new_operation(&gen_bin)?;

    step(7, &format!("gen generate with model {MODEL_VALUE}"));
    send_new_model(&gen_bin)?;

    step(8, "gen api: every other new shape, on the wire");
    call_every_shape(&gen_bin)?;

    step(
        9,
        "an operation removed and a field renamed: cargo xtask generate names their hand-written uses",
    );
    removed_and_renamed(dir, target)?;
    Ok(())
}

fn step(n: u32, what: &str) {
    println!("\n== drill {n}/9: {what} ==");
}

/// `<temp>/gen-xtask-drill-<hash of the workspace path>/ws`: fixed per
/// workspace so that the copy's crates keep their build hashes between runs.
fn default_dir(root: &Path) -> PathBuf {
    // FNV-1a: stable across Rust versions, unlike DefaultHasher.
    let hash = root
        .to_string_lossy()
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
    std::env::temp_dir()
        .join(format!("gen-xtask-drill-{hash:016x}"))
        .join("ws")
}

/// `CARGO_TARGET_DIR` (relative to the workspace) or `<root>/target`.
pub(crate) fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => root.join(dir),
        _ => root.join("target"),
    }
}

/// The registry (and git) packages of `Cargo.lock`: everything but the
/// workspace's own crates.
fn registry_packages(lock: &str) -> std::collections::BTreeSet<String> {
    let mut out = std::collections::BTreeSet::new();
    let mut name = None;
    for line in lock.lines() {
        if line.starts_with("[[package]]") {
            name = None;
        } else if let Some(n) = line.strip_prefix("name = ") {
            name = Some(n.trim_matches('"').to_owned());
        } else if line.starts_with("source = ")
            && let Some(n) = name.take()
        {
            out.insert(n);
        }
    }
    out
}

/// Seeds `target` (the drill's target dir) from `main_target` with the
/// compiled units of registry packages of the `debug` profile: fingerprints
/// and build-script dirs copied (mtimes kept), artifacts in `deps/` hard
/// linked (copied where links fail). Units already there are left alone;
/// the workspace's own crates are never seeded. Returns how many units.
pub(crate) fn seed_target(root: &Path, main_target: &Path, target: &Path) -> Result<usize> {
    let lock = std::fs::read_to_string(root.join("Cargo.lock")).context("reading Cargo.lock")?;
    let registry = registry_packages(&lock);
    let (from, to) = (main_target.join("debug"), target.join("debug"));
    let Ok(fingerprints) = std::fs::read_dir(from.join(".fingerprint")) else {
        return Ok(0); // nothing built yet: the drill builds from scratch
    };
    let mut hashes = std::collections::BTreeSet::new();
    for entry in fingerprints.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some((package, hash)) = name.rsplit_once('-') else {
            continue;
        };
        if registry.contains(package) {
            hashes.insert(hash.to_owned());
            copy_tree(&entry.path(), &to.join(".fingerprint").join(&name))?;
        }
    }
    for entry in std::fs::read_dir(from.join("build"))
        .into_iter()
        .flatten()
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name
            .rsplit_once('-')
            .is_some_and(|(_, hash)| hashes.contains(hash))
        {
            copy_tree(&entry.path(), &to.join("build").join(&name))?;
        }
    }
    std::fs::create_dir_all(to.join("deps"))?;
    for entry in std::fs::read_dir(from.join("deps"))
        .into_iter()
        .flatten()
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        let stem = name.split('.').next().unwrap_or_default();
        let ours = stem
            .rsplit_once('-')
            .is_some_and(|(_, hash)| hashes.contains(hash));
        let dest = to.join("deps").join(&name);
        if ours
            && entry.file_type().is_ok_and(|t| t.is_file())
            && !dest.exists()
            && std::fs::hard_link(entry.path(), &dest).is_err()
        {
            copy_file(&entry.path(), &dest)?;
        }
    }
    Ok(hashes.len())
}

/// Copies a directory tree, keeping modification times (cargo compares
/// them); files already at the destination are kept.
fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to).with_context(|| format!("creating {}", to.display()))?;
    for entry in std::fs::read_dir(from)?.flatten() {
        let dest = to.join(entry.file_name());
        let kind = entry.file_type()?;
        if kind.is_dir() {
            copy_tree(&entry.path(), &dest)?;
        } else if kind.is_file() && !dest.exists() {
            copy_file(&entry.path(), &dest)?;
        }
    }
    Ok(())
}

fn copy_file(from: &Path, to: &Path) -> Result<()> {
    std::fs::copy(from, to).with_context(|| format!("copying {}", from.display()))?;
    let modified = std::fs::metadata(from)?.modified()?;
    std::fs::File::options()
        .write(true)
        .open(to)?
        .set_modified(modified)?;
    Ok(())
}

/// A `cargo` command in `dir` building into `target`, without the
/// variables `cargo run` set for this process.
pub(crate) fn cargo(dir: &Path, target: &Path) -> Command {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(dir).env("CARGO_TARGET_DIR", target);
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if name.starts_with("CARGO_PKG_")
            || [
                "CARGO_MANIFEST_DIR",
                "CARGO_MANIFEST_PATH",
                "CARGO_CRATE_NAME",
                "CARGO_BIN_NAME",
                "CARGO_PRIMARY_PACKAGE",
            ]
            .contains(&name.as_ref())
        {
            cmd.env_remove(name.as_ref());
        }
    }
    cmd
}

fn run_visible(cmd: &mut Command, what: &str) -> Result<()> {
    let status = cmd
        .status()
        .with_context(|| format!("cannot start {what}"))?;
    ensure!(status.success(), "{what} failed ({status})");
    Ok(())
}

/// Copies the files git knows (tracked, and untracked but not ignored) from
/// `root` to `dest`, replacing `dest`. Returns how many were copied.
pub fn copy_workspace(root: &Path, dest: &Path) -> Result<usize> {
    let out = Command::new("git")
        .current_dir(root)
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .output()
        .context("running git ls-files (is git installed, is this a clone?)")?;
    ensure!(
        out.status.success(),
        "git ls-files failed: {}",
        String::from_utf8_lossy(&out.stderr).trim()
    );
    if dest.exists() {
        std::fs::remove_dir_all(dest)
            .with_context(|| format!("clearing the previous copy in {}", dest.display()))?;
    }
    std::fs::create_dir_all(dest).with_context(|| format!("creating {}", dest.display()))?;
    let mut copied = 0;
    let mut seen = std::collections::BTreeSet::new();
    for name in out.stdout.split(|b| *b == 0).filter(|n| !n.is_empty()) {
        let rel = PathBuf::from(String::from_utf8_lossy(name).into_owned());
        let src = root.join(&rel);
        // deleted but not yet committed, or a submodule directory
        if !src.is_file() || !seen.insert(rel.clone()) {
            continue;
        }
        let to = dest.join(&rel);
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::copy(&src, &to).with_context(|| format!("copying {}", rel.display()))?;
        copied += 1;
    }
    ensure!(
        dest.join("Cargo.toml").is_file() && dest.join("openapi.yaml").is_file(),
        "the copy has no Cargo.toml or openapi.yaml"
    );
    Ok(copied)
}

/// openapi.yaml with the drill's operation and model value added. Edits the
/// text where the layout is the usual one (so the rest of the file stays
/// byte for byte), else edits the parsed document and writes it back.
/// Either way the result is checked: the two additions, and nothing else.
pub fn edit_spec(spec: &str) -> Result<(String, &'static str)> {
    let original: Value = serde_yaml::from_str(spec).context("openapi.yaml does not parse")?;
    ensure!(
        original["paths"].get(PATH).is_none(),
        "openapi.yaml already has {PATH}"
    );
    let (edited, how) = match edit_text(spec) {
        Some(text) => (text, "text edit"),
        None => {
            let mut doc = original.clone();
            edit_value(&mut doc)?;
            (
                serde_yaml::to_string(&doc).context("writing openapi.yaml back")?,
                "edited as YAML and rewritten",
            )
        }
    };
    let mut parsed: Value =
        serde_yaml::from_str(&edited).context("the edited openapi.yaml does not parse")?;
    let op = &parsed["paths"][PATH]["get"];
    ensure!(
        op["operationId"] == OPERATION_ID && op["x-phase"] == "edit",
        "the edited openapi.yaml lacks {OPERATION_ID}"
    );
    let added = drill_paths()?;
    for (path, item) in &added {
        ensure!(
            parsed["paths"].get(path) == Some(item),
            "the edited openapi.yaml lacks the drill's {path}"
        );
    }
    let schemas: Value = serde_yaml::from_str(SCHEMAS).context("the drill's schemas")?;
    for (name, schema) in schemas.as_object().into_iter().flatten() {
        ensure!(
            parsed["components"]["schemas"].get(name) == Some(schema),
            "the edited openapi.yaml lacks the drill's schema {name}"
        );
        if let Some(all) = parsed["components"]["schemas"].as_object_mut() {
            all.remove(name);
        }
    }
    let values = parsed["components"]["schemas"][MODEL_ENUM]["enum"]
        .as_array_mut()
        .with_context(|| format!("components.schemas.{MODEL_ENUM}.enum is not a list"))?;
    ensure!(
        values.last() == Some(&json!(MODEL_VALUE)),
        "the edited openapi.yaml lacks {MODEL_VALUE}"
    );
    // Take the additions out again: what is left must be the original.
    values.pop();
    let paths = parsed["paths"]
        .as_object_mut()
        .context("paths is not a map")?;
    for path in added.keys() {
        paths.remove(path);
    }
    ensure!(
        parsed == original,
        "the edit changed more of openapi.yaml than the drill's additions"
    );
    Ok((edited, how))
}

/// The drill's path items, by path.
pub fn drill_paths() -> Result<serde_json::Map<String, Value>> {
    let items: Value = serde_yaml::from_str(PATH_ITEM).context("the drill's path items")?;
    match items {
        Value::Object(map) => Ok(map),
        _ => bail!("the drill's path items are not a map"),
    }
}

/// The text edit: the path items right after `paths:`, the schemas right
/// after `components:`'s `schemas:`, the model value after the last item
/// of the enum's `enum:` list. `None` when the layout is not the usual one.
fn edit_text(spec: &str) -> Option<String> {
    let lines: Vec<&str> = spec.split_inclusive('\n').collect();
    let paths = lines.iter().position(|l| l.trim_end() == "paths:")?;
    let components = lines.iter().position(|l| l.trim_end() == "components:")?;
    let schemas = components
        + 1
        + lines[components + 1..]
            .iter()
            .position(|l| l.trim_end() == "  schemas:")?;
    let schema = lines
        .iter()
        .position(|l| l.trim_end() == format!("    {MODEL_ENUM}:"))?;
    // the enum's `enum:` line within the schema (before the next schema)
    let mut enum_line = None;
    for (i, line) in lines.iter().enumerate().skip(schema + 1) {
        let indent = line.len() - line.trim_start().len();
        if !line.trim().is_empty() && indent <= 4 {
            break;
        }
        if line.trim_end() == "      enum:" {
            enum_line = Some(i);
            break;
        }
    }
    let enum_line = enum_line?;
    let mut last_item = enum_line;
    while lines
        .get(last_item + 1)
        .is_some_and(|l| l.starts_with("        - "))
    {
        last_item += 1;
    }
    if last_item == enum_line || !lines[last_item].ends_with('\n') {
        return None;
    }
    let mut out = String::with_capacity(spec.len() + PATH_ITEM.len() + SCHEMAS.len() + 32);
    for (i, line) in lines.iter().enumerate() {
        out.push_str(line);
        if i == paths {
            out.push_str(PATH_ITEM);
        }
        if i == schemas {
            out.push_str(SCHEMAS);
        }
        if i == last_item {
            out.push_str(&format!("        - {MODEL_VALUE}\n"));
        }
    }
    Some(out)
}

/// The structural edit (fallback of [`edit_text`]).
fn edit_value(doc: &mut Value) -> Result<()> {
    let paths = doc["paths"]
        .as_object_mut()
        .context("openapi.yaml has no paths map")?;
    for (path, item) in drill_paths()? {
        paths.insert(path, item);
    }
    let schemas: Value = serde_yaml::from_str(SCHEMAS).context("the drill's schemas")?;
    let all = doc["components"]["schemas"]
        .as_object_mut()
        .context("openapi.yaml has no components.schemas map")?;
    for (name, schema) in schemas.as_object().into_iter().flatten() {
        all.insert(name.clone(), schema.clone());
    }
    doc["components"]["schemas"][MODEL_ENUM]["enum"]
        .as_array_mut()
        .with_context(|| format!("components.schemas.{MODEL_ENUM}.enum is not a list"))?
        .push(json!(MODEL_VALUE));
    Ok(())
}

/// The generated table, TSV and types carry the additions.
fn check_generated(dir: &Path) -> Result<()> {
    let read = |rel: &str| {
        std::fs::read_to_string(dir.join(rel)).with_context(|| format!("reading the copy's {rel}"))
    };
    let table = read("crates/gen-api/src/operations.rs")?;
    let entry = format!(
        "operation_id: \"{OPERATION_ID}\",\n        method: \"GET\",\n        path: \"{PATH}\",\n        phase: Phase::Edit,\n        host: Host::Api,\n        retry: RetryClass::Idempotent,"
    );
    ensure!(
        table.contains(&entry),
        "crates/gen-api/src/operations.rs has no edit-phase, api-host, idempotent entry for {OPERATION_ID}"
    );
    ensure!(
        read("spec/operations.tsv")?
            .lines()
            .any(|l| l.starts_with(&format!("{OPERATION_ID}\tGET\t{PATH}\tedit\tapi\t"))),
        "spec/operations.tsv has no line for {OPERATION_ID}"
    );
    let generated = read("crates/gen-api/src/generated.rs")?;
    ensure!(
        generated.contains(&format!("fn {OPERATION_ID}(&self) -> builder::")),
        "genpro-api has no builder method {OPERATION_ID}"
    );
    ensure!(
        read("crates/gen-api/src/open_enums.rs")?.contains(&format!("\"{MODEL_VALUE}\"")),
        "genpro-api's open enum {MODEL_ENUM} has no {MODEL_VALUE}"
    );
    println!(
        "genpro-api has the builder `{OPERATION_ID}()`, its table entry (edit, api, idempotent) and {MODEL_ENUM} `{MODEL_VALUE}`"
    );
    Ok(())
}

/// `cargo test --workspace` in the copy, its output in a log next to it;
/// prints the tally of the `test result:` lines.
fn test_workspace(dir: &Path, target: &Path) -> Result<()> {
    let log_path = dir.with_file_name("cargo-test.log");
    let log = std::fs::File::create(&log_path)
        .with_context(|| format!("creating {}", log_path.display()))?;
    println!("running (output in {})", log_path.display());
    let started = Instant::now();
    let status = cargo(dir, target)
        .args(["test", "--workspace", "--no-fail-fast"])
        .stdout(log.try_clone()?)
        .stderr(log)
        .status()
        .context("cannot start cargo test")?;
    let text = std::fs::read_to_string(&log_path).unwrap_or_default();
    let (mut passed, mut failed, mut ignored, mut suites) = (0u64, 0u64, 0u64, 0u64);
    for line in text.lines().filter(|l| l.starts_with("test result:")) {
        suites += 1;
        let count = |word: &str| {
            line.split(';')
                .find_map(|part| {
                    part.trim()
                        .strip_suffix(word)?
                        .rsplit(' ')
                        .next()?
                        .parse::<u64>()
                        .ok()
                })
                .unwrap_or(0)
        };
        passed += count(" passed");
        failed += count(" failed");
        ignored += count(" ignored");
    }
    let took = started.elapsed().as_secs();
    println!(
        "{suites} test suites: {passed} passed, {failed} failed, {ignored} ignored ({}m {:02}s)",
        took / 60,
        took % 60
    );
    if !status.success() {
        let tail: Vec<&str> = text.lines().rev().take(120).collect();
        for line in tail.into_iter().rev() {
            println!("  | {line}");
        }
        bail!(
            "cargo test --workspace failed in the copy after only `cargo xtask generate` ({status}); full log: {}",
            log_path.display()
        );
    }
    Ok(())
}

/// The copy's `gen` executable as `cargo test --workspace` built it (fresh
/// after step 4, so nothing is compiled again), from cargo's JSON messages.
fn build_gen(dir: &Path, target: &Path) -> Result<PathBuf> {
    let out = cargo(dir, target)
        .args([
            "test",
            "--workspace",
            "--no-run",
            "--message-format=json-render-diagnostics",
        ])
        .stderr(Stdio::inherit())
        .output()
        .context("cannot start cargo test --no-run")?;
    ensure!(
        out.status.success(),
        "cargo test --workspace --no-run failed in the copy"
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|m| {
            m["reason"] == "compiler-artifact"
                && m["target"]["name"] == "gen"
                && m["target"]["kind"] == json!(["bin"])
                && m["profile"]["test"] == false
        })
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .context("cargo did not report the `gen` executable")
}

/// One request a [`LocalServer`] received.
#[derive(Debug, Clone)]
struct Received {
    method: String,
    target: String,
    headers: BTreeMap<String, String>,
    body: Vec<u8>,
}

/// One canned answer of a [`LocalServer`].
#[derive(Debug, Clone)]
struct Answer {
    status: u16,
    content_type: Option<&'static str>,
    body: Vec<u8>,
}

impl Answer {
    fn json(status: u16, body: Value) -> Self {
        Self {
            status,
            content_type: Some("application/json"),
            body: body.to_string().into_bytes(),
        }
    }
}

/// A minimal HTTP/1.1 server on 127.0.0.1: records every request and
/// answers it by method and path (query left out); any other request gets
/// the fallback answer.
struct LocalServer {
    url: String,
    received: Arc<Mutex<Vec<Received>>>,
}

impl LocalServer {
    fn start(answer: Value) -> Result<Self> {
        Self::routes(Vec::new(), Answer::json(200, answer))
    }

    fn routes(routes: Vec<(&'static str, String, Answer)>, fallback: Answer) -> Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").context("binding 127.0.0.1:0")?;
        let url = format!("http://{}", listener.local_addr()?);
        let received = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&received);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let _ = serve(stream, &routes, &fallback, &log);
            }
        });
        Ok(Self { url, received })
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().expect("log").clone()
    }
}

/// Reads one request from `stream`, records it in `log`, then answers it
/// (recorded first, so a client that got its answer finds it there).
fn serve(
    stream: TcpStream,
    routes: &[(&'static str, String, Answer)],
    fallback: &Answer,
    log: &Mutex<Vec<Received>>,
) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_owned();
    let target = parts.next().unwrap_or_default().to_owned();
    let mut headers = BTreeMap::new();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
        }
    }
    let length: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut request_body = vec![0; length];
    reader.read_exact(&mut request_body)?;
    let path = target.split('?').next().unwrap_or_default().to_owned();
    let answer = routes
        .iter()
        .find(|(m, p, _)| *m == method && *p == path)
        .map_or(fallback, |(_, _, a)| a);
    log.lock().expect("log").push(Received {
        method,
        target,
        headers,
        body: request_body,
    });
    let mut stream = stream;
    let content_type = answer
        .content_type
        .map(|t| format!("content-type: {t}\r\n"))
        .unwrap_or_default();
    write!(
        stream,
        "HTTP/1.1 {} {}\r\n{content_type}content-length: {}\r\nconnection: close\r\n\r\n",
        answer.status,
        match answer.status {
            200 => "OK",
            201 => "Created",
            202 => "Accepted",
            204 => "No Content",
            404 => "Not Found",
            _ => "Other",
        },
        answer.body.len()
    )?;
    stream.write_all(&answer.body)?;
    stream.flush()
}

/// Runs the copy's `gen` with the key in the environment, the api host at
/// `api` and the agent host at `agent`.
fn run_gen(
    gen_bin: &Path,
    api: &LocalServer,
    agent: &LocalServer,
    args: &[&str],
) -> Result<String> {
    run_gen_bytes(gen_bin, api, agent, args).map(|out| String::from_utf8_lossy(&out).into_owned())
}

/// [`run_gen`], with stdout as it came (a binary answer is not text).
fn run_gen_bytes(
    gen_bin: &Path,
    api: &LocalServer,
    agent: &LocalServer,
    args: &[&str],
) -> Result<Vec<u8>> {
    println!("$ gen {}", args.join(" "));
    let out = Command::new(gen_bin)
        .args(args)
        .env("GEN_API_KEY", KEY)
        .env("GEN_API_URL", &api.url)
        .env("GEN_AGENT_URL", &agent.url)
        .env_remove("GEN_AGENT_ID")
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("cannot run {}", gen_bin.display()))?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out
        .stdout
        .iter()
        .all(|b| *b >= 0x20 || b.is_ascii_whitespace())
    {
        for line in stdout.lines() {
            println!("  | {line}");
        }
    } else {
        println!("  | ({} bytes)", out.stdout.len());
    }
    ensure!(
        out.status.success(),
        "gen {} failed ({}): {}",
        args.join(" "),
        out.status,
        stderr.trim()
    );
    ensure!(
        !stdout.contains(KEY) && !stderr.contains(KEY),
        "gen printed the API key"
    );
    Ok(out.stdout)
}

/// Exactly one request on `api`, none on `agent`, with the key.
fn the_one_request(api: &LocalServer, agent: &LocalServer) -> Result<Received> {
    the_one_request_on(api, agent, "api")
}

/// Exactly one request on `on` (the `name` host), none on `other`, with
/// the key.
fn the_one_request_on(on: &LocalServer, other: &LocalServer, name: &str) -> Result<Received> {
    let (api, agent) = (on, other);
    let on_agent = agent.received();
    ensure!(
        on_agent.is_empty(),
        "{} request(s) went to the other host than {name}: {:?}",
        on_agent.len(),
        on_agent.iter().map(|r| &r.target).collect::<Vec<_>>()
    );
    let on_api = api.received();
    ensure!(
        on_api.len() == 1,
        "expected one request on the {name} host, got {}",
        on_api.len()
    );
    let request = on_api[0].clone();
    ensure!(
        request.headers.get("x-api-key").map(String::as_str) == Some(KEY),
        "the request did not carry the key in X-API-Key"
    );
    Ok(request)
}

/// `gen api get_drill_thing --param id=5`: GET /v1/drill/things/5 on the
/// api host with the key; the answer on stdout.
fn call_new_operation(gen_bin: &Path) -> Result<()> {
    let answer = json!({"id": 5, "name": "drill thing"});
    let api = LocalServer::start(answer.clone())?;
    let agent = LocalServer::start(json!({"wrong": "host"}))?;
    let listed = run_gen(gen_bin, &api, &agent, &["api", "--describe", OPERATION_ID])?;
    ensure!(
        listed.contains(&format!(
            "GET {PATH} (host: api, phase: edit, retry: idempotent)"
        )),
        "gen api --describe {OPERATION_ID} does not show it in the edit phase on the api host"
    );
    let stdout = run_gen(
        gen_bin,
        &api,
        &agent,
        &["api", OPERATION_ID, "--param", "id=5"],
    )?;
    let printed: Value =
        serde_json::from_str(&stdout).context("gen api did not print JSON on stdout")?;
    ensure!(
        printed == answer,
        "gen api printed {printed}, the server sent {answer}"
    );
    let request = the_one_request(&api, &agent)?;
    ensure!(
        request.method == "GET" && request.target == "/v1/drill/things/5",
        "the server got {} {}, expected GET /v1/drill/things/5",
        request.method,
        request.target
    );
    ensure!(request.body.is_empty(), "the GET carried a body");
    println!(
        "the api host ({}) got {} {} with X-API-Key; the agent host got nothing",
        api.url, request.method, request.target
    );
    Ok(())
}

/// `gen generate` with a `video_from_text` card naming the new model: the
/// model goes out as written (a model newer than the hand-written card
/// enums is sent, not refused).
fn send_new_model(gen_bin: &Path) -> Result<()> {
    let api = LocalServer::start(json!({"generation_id": 1, "status": "pending"}))?;
    let agent = LocalServer::start(json!({"wrong": "host"}))?;
    let data = format!(
        r#"{{"prompt":"drill","model":"{MODEL_VALUE}","aspect_ratio":"9:16","duration":5}}"#
    );
    run_gen(
        gen_bin,
        &api,
        &agent,
        &[
            "generate",
            "--agent",
            "42",
            "--engine",
            "101",
            "--cell",
            "3000",
            "--type",
            "video_from_text",
            "--data",
            &data,
        ],
    )?;
    let request = the_one_request(&api, &agent)?;
    ensure!(
        request.method == "POST"
            && request.target == "/v1/autocontentengine/101/cells/3000/generate?agent_id=42",
        "the server got {} {}",
        request.method,
        request.target
    );
    let body: Value = serde_json::from_slice(&request.body).context("the body is not JSON")?;
    ensure!(
        body["generation_type"] == "video_from_text" && body["data"]["model"] == MODEL_VALUE,
        "the body sent was {body}"
    );
    println!(
        "the api host got POST {} with data.model = {MODEL_VALUE}",
        request.target
    );
    Ok(())
}

/// One `gen api` call of a new shape: what the server answers, what must
/// arrive, and what `gen` must print.
struct ShapeCall {
    args: &'static [&'static str],
    method: &'static str,
    path: &'static str,
    /// The request target (path and query) that must arrive.
    target: &'static str,
    answer: Answer,
    on_agent: bool,
    /// Headers that must arrive (lower-case names).
    headers: &'static [(&'static str, &'static str)],
    /// The JSON body that must arrive (byte for byte).
    body: Option<&'static str>,
    /// What stdout must hold, byte for byte (`None`: the answer's JSON,
    /// pretty-printed, compared as JSON).
    stdout: Option<Vec<u8>>,
}

fn shape_calls() -> Vec<ShapeCall> {
    let binary: Vec<u8> = b"\x89PNG\r\n\x1a\n"
        .iter()
        .copied()
        .chain(0..=255u8)
        .collect();
    let text = "h\u{e9}llo \"drill\"\n".as_bytes().to_vec();
    let json_call = |args, method, path, target, answer: Value| ShapeCall {
        args,
        method,
        path,
        target,
        answer: Answer::json(200, answer),
        on_agent: false,
        headers: &[],
        body: None,
        stdout: None,
    };
    vec![
        json_call(
            &["api", "get_drill_plain"],
            "GET",
            "/v1/drill/plain",
            "/v1/drill/plain",
            json!({"note": null, "size": "big", "state": "ajar", "unpinned": [1]}),
        ),
        json_call(
            &["api", "get_drill_default"],
            "GET",
            "/v1/drill/default",
            "/v1/drill/default",
            json!({"ok": true}),
        ),
        ShapeCall {
            answer: Answer {
                status: 204,
                content_type: None,
                body: Vec::new(),
            },
            stdout: Some(Vec::new()),
            ..json_call(
                &["api", "delete_drill_empty", "--param", "id=7"],
                "DELETE",
                "/v1/drill/empty/7",
                "/v1/drill/empty/7",
                Value::Null,
            )
        },
        ShapeCall {
            answer: Answer {
                status: 200,
                content_type: Some("text/plain; charset=utf-8"),
                body: text.clone(),
            },
            stdout: Some(text),
            ..json_call(
                &["api", "get_drill_text"],
                "GET",
                "/v1/drill/text",
                "/v1/drill/text",
                Value::Null,
            )
        },
        ShapeCall {
            answer: Answer {
                status: 200,
                content_type: Some("application/octet-stream"),
                body: binary.clone(),
            },
            stdout: Some(binary),
            ..json_call(
                &["api", "get_drill_binary"],
                "GET",
                "/v1/drill/binary",
                "/v1/drill/binary",
                Value::Null,
            )
        },
        ShapeCall {
            answer: Answer::json(201, json!({"order_id": 11})),
            headers: &[("content-type", "application/json")],
            body: Some(r#"{"lines":[{"qty":2,"sku":"a"}],"size":"small"}"#),
            ..json_call(
                &[
                    "api",
                    "create_drill_order",
                    "--body",
                    r#"{"lines":[{"qty":2,"sku":"a"}],"size":"small"}"#,
                ],
                "POST",
                "/v1/drill/orders",
                "/v1/drill/orders",
                Value::Null,
            )
        },
        ShapeCall {
            headers: &[("x-drill-trace", "t-1")],
            ..json_call(
                &[
                    "api",
                    "search_drill",
                    "--param",
                    "X-Drill-Trace=t-1",
                    "--param",
                    "tag=a",
                    "--param",
                    "tag=b c",
                ],
                "GET",
                "/v1/drill/search",
                "/v1/drill/search?tag=a&tag=b+c",
                json!(["found"]),
            )
        },
        ShapeCall {
            answer: Answer::json(202, json!({"job_id": 5})),
            ..json_call(
                &["api", "start_drill_job"],
                "POST",
                "/v1/drill/jobs",
                "/v1/drill/jobs",
                Value::Null,
            )
        },
        json_call(
            &["api", "get_drill_legacy", "--param", "thing-id=ab-1"],
            "GET",
            "/v1/drill/legacy/ab-1",
            "/v1/drill/legacy/ab-1",
            json!({"id": "ab-1"}),
        ),
        ShapeCall {
            answer: Answer {
                status: 200,
                content_type: Some("application/hal+json"),
                body: br#"{"ok":1}"#.to_vec(),
            },
            headers: &[("content-type", "application/vnd.api+json")],
            body: Some(r#"{"a":1}"#),
            ..json_call(
                &["api", "put_drill_vnd", "--body", r#"{"a":1}"#],
                "PUT",
                "/v1/drill/vnd",
                "/v1/drill/vnd",
                Value::Null,
            )
        },
        ShapeCall {
            headers: &[("content-type", "text/plain")],
            body: Some("hello drill"),
            ..json_call(
                &["api", "post_drill_text", "--body", "hello drill"],
                "POST",
                "/v1/drill/text-in",
                "/v1/drill/text-in",
                json!({"said": "hello"}),
            )
        },
        ShapeCall {
            headers: &[("content-type", "application/xml")],
            body: Some("<a>1</a>"),
            ..json_call(
                &["api", "post_drill_xml", "--body", "<a>1</a>"],
                "POST",
                "/v1/drill/xml",
                "/v1/drill/xml",
                json!({"xml": true}),
            )
        },
        ShapeCall {
            headers: &[("content-type", "application/octet-stream")],
            body: Some("raw bytes"),
            ..json_call(
                &[
                    "api",
                    "put_drill_upload",
                    "--param",
                    "id=u1",
                    "--body",
                    "raw bytes",
                ],
                "PUT",
                "/v1/drill/upload/u1",
                "/v1/drill/upload/u1",
                json!({"stored": 9}),
            )
        },
        json_call(
            &["api", "drill.Cookie", "--param", "a.b=z", "--param", "Q=1"],
            "GET",
            "/v1/drill/cookie/z",
            "/v1/drill/cookie/z?Q=1",
            json!({"cookie": false}),
        ),
        json_call(
            &["api", "get_v1_drill_anonymous"],
            "GET",
            "/v1/drill/anonymous",
            "/v1/drill/anonymous",
            json!({"named": "by the path"}),
        ),
        ShapeCall {
            on_agent: true,
            ..json_call(
                &["api", "list_drill_agent_things"],
                "GET",
                "/v1/drill/agent-things",
                "/v1/drill/agent-things",
                json!({"things": ["x"]}),
            )
        },
    ]
}

/// Every new shape through `gen api`: the exact request on the right host,
/// and the answer printed as it came (JSON pretty, text and bytes exact).
fn call_every_shape(gen_bin: &Path) -> Result<()> {
    for call in shape_calls() {
        let route = vec![(call.method, call.path.to_owned(), call.answer.clone())];
        let nothing = Answer::json(404, json!({"error": "wrong host or path"}));
        let (api, agent) = if call.on_agent {
            (
                LocalServer::routes(Vec::new(), nothing.clone())?,
                LocalServer::routes(route, nothing)?,
            )
        } else {
            (
                LocalServer::routes(route, nothing.clone())?,
                LocalServer::routes(Vec::new(), nothing)?,
            )
        };
        let stdout = run_gen_bytes(gen_bin, &api, &agent, call.args)?;
        let request = if call.on_agent {
            the_one_request_on(&agent, &api, "agent")?
        } else {
            the_one_request(&api, &agent)?
        };
        let what = call.args[1];
        ensure!(
            request.method == call.method && request.target == call.target,
            "{what}: the server got {} {}, expected {} {}",
            request.method,
            request.target,
            call.method,
            call.target
        );
        for (name, value) in call.headers {
            ensure!(
                request.headers.get(*name).map(String::as_str) == Some(*value),
                "{what}: header {name} was {:?}, expected {value:?}",
                request.headers.get(*name)
            );
        }
        match call.body {
            Some(body) => ensure!(
                request.body == body.as_bytes(),
                "{what}: the body sent was {}",
                String::from_utf8_lossy(&request.body)
            ),
            None => ensure!(request.body.is_empty(), "{what}: a body was sent"),
        }
        match &call.stdout {
            Some(exact) => ensure!(
                stdout == *exact,
                "{what}: gen printed {} bytes, the server sent {} (not byte for byte)",
                stdout.len(),
                exact.len()
            ),
            None => {
                let printed: Value = serde_json::from_slice(&stdout)
                    .with_context(|| format!("{what}: gen api did not print JSON"))?;
                let sent: Value = serde_json::from_slice(&call.answer.body)?;
                ensure!(printed == sent, "{what}: printed {printed}, sent {sent}");
            }
        }
        println!(
            "{what}: {} {} on the {} host, answer {} printed as it came",
            request.method,
            request.target,
            if call.on_agent { "agent" } else { "api" },
            call.answer.status
        );
    }
    Ok(())
}

/// The operation the drill removes and the field it renames; genpro-sdk uses
/// both.
const REMOVED_OPERATION: (&str, &str) = ("/v1/organizations/{id}", "get_organization");
const RENAMED_FIELD: (&str, &str, &str) = ("Organization", "available_credit", "credit_available");

/// On the copy: removes an operation and renames a field that genpro-sdk's
/// typed wrappers use, runs `cargo xtask generate`, and checks that it
/// names both with the hand-written lines that use them.
fn removed_and_renamed(dir: &Path, target: &Path) -> Result<()> {
    let spec_path = dir.join("openapi.yaml");
    let text = std::fs::read_to_string(&spec_path)?;
    let mut doc: Value = serde_yaml::from_str(&text)?;
    let (path, op) = REMOVED_OPERATION;
    let item = doc["paths"][path]
        .as_object_mut()
        .with_context(|| format!("openapi.yaml has no {path}"))?;
    let method = item
        .iter()
        .find(|(_, o)| o["operationId"] == op)
        .map(|(m, _)| m.clone())
        .with_context(|| format!("{path} has no {op}"))?;
    item.remove(&method);
    let (ty, field, renamed) = RENAMED_FIELD;
    let props = doc["components"]["schemas"][ty]["properties"]
        .as_object_mut()
        .with_context(|| format!("components.schemas.{ty} has no properties"))?;
    let schema = props
        .remove(field)
        .with_context(|| format!("{ty} has no {field}"))?;
    props.insert(renamed.to_owned(), schema);
    std::fs::write(&spec_path, serde_yaml::to_string(&doc)?)?;
    println!(
        "removed {} {path} ({op}); renamed {ty}.{field} to {renamed}",
        method.to_uppercase()
    );
    let out = cargo(dir, target)
        .args(["xtask", "generate"])
        .output()
        .context("cannot start cargo xtask generate")?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    ensure!(
        out.status.success(),
        "cargo xtask generate failed: {stderr}"
    );
    let said: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("warning: "))
        .collect();
    for line in &said {
        println!("  | {line}");
    }
    let op_line = format!("warning: operation {op}: gone from openapi.yaml");
    let field_line = format!("warning: field {ty}.{field}: gone from openapi.yaml");
    for (expected, what) in [(&op_line, "the operation"), (&field_line, "the field")] {
        ensure!(
            said.iter()
                .any(|l| l.starts_with(expected.as_str()) && l.contains("crates/gen-sdk/src/")),
            "cargo xtask generate did not name {what} with a genpro-sdk line that uses it"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small spec in openapi.yaml's layout.
    const SMALL: &str = "openapi: 3.1.0
info:
  title: t
  version: '1'
paths:
  /v1/generations/{id}:
    get:
      operationId: get_generation
      responses:
        '200':
          description: Success.
components:
  schemas:
    VideoFromTextModel:
      type: string
      description: 'Video from text models.'
      enum:
        - veo_3
        - kling_1_6
    VideoType:
      type: string
      enum:
        - montage
";

    #[test]
    fn the_text_edit_adds_exactly_the_two_things() {
        let (edited, how) = edit_spec(SMALL).unwrap();
        assert_eq!(how, "text edit");
        let expected = SMALL
            .replace("paths:\n", &format!("paths:\n{PATH_ITEM}"))
            .replace("  schemas:\n", &format!("  schemas:\n{SCHEMAS}"))
            .replace(
                "- kling_1_6\n",
                &format!("- kling_1_6\n        - {MODEL_VALUE}\n"),
            );
        assert_eq!(edited, expected);
    }

    #[test]
    fn openapi_yaml_takes_the_text_edit() {
        let spec = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi.yaml"))
            .unwrap();
        if spec.contains(PATH) {
            // this is the drill's own copy, edited already
            assert!(edit_spec(&spec).is_err());
            return;
        }
        let (edited, how) = edit_spec(&spec).unwrap();
        assert_eq!(how, "text edit");
        assert_eq!(
            edited.lines().count(),
            spec.lines().count() + PATH_ITEM.lines().count() + SCHEMAS.lines().count() + 1
        );
    }

    #[test]
    fn an_unusual_layout_falls_back_to_the_structural_edit() {
        // the same document, written as JSON (valid YAML)
        let doc: Value = serde_yaml::from_str(SMALL).unwrap();
        let json_text = serde_json::to_string_pretty(&doc).unwrap();
        let (edited, how) = edit_spec(&json_text).unwrap();
        assert_eq!(how, "edited as YAML and rewritten");
        let parsed: Value = serde_yaml::from_str(&edited).unwrap();
        assert_eq!(parsed["paths"][PATH]["get"]["operationId"], OPERATION_ID);
        assert_eq!(
            parsed["components"]["schemas"][MODEL_ENUM]["enum"],
            json!(["veo_3", "kling_1_6", MODEL_VALUE])
        );
    }

    #[test]
    fn a_spec_that_already_has_the_path_is_refused() {
        let (edited, _) = edit_spec(SMALL).unwrap();
        let err = edit_spec(&edited).unwrap_err();
        assert_eq!(err.to_string(), format!("openapi.yaml already has {PATH}"));
    }

    #[test]
    fn registry_packages_leave_out_the_workspace_crates() {
        let lock =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.lock")).unwrap();
        let registry = registry_packages(&lock);
        for member in [
            "genpro-api",
            "genpro-sdk",
            "genpro-mock",
            "genpro-cli",
            "xtask",
            "genpro-api-httpmock",
        ] {
            assert!(!registry.contains(member), "{member}");
        }
        for dep in ["serde", "reqwest", "progenitor", "tokio"] {
            assert!(registry.contains(dep), "{dep}");
        }
    }

    #[test]
    fn the_local_server_records_what_it_got() {
        let server = LocalServer::start(json!({"ok": true})).unwrap();
        let mut stream = TcpStream::connect(server.url.trim_start_matches("http://")).unwrap();
        write!(
            stream,
            "POST /v1/x?y=1 HTTP/1.1\r\nHost: a\r\nX-API-Key: k\r\nContent-Length: 2\r\n\r\n{{}}"
        )
        .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
        assert!(answer.ends_with("\r\n\r\n{\"ok\":true}"), "{answer}");
        let got = server.received();
        assert_eq!(got.len(), 1);
        assert_eq!(
            (got[0].method.as_str(), got[0].target.as_str()),
            ("POST", "/v1/x?y=1")
        );
        assert_eq!(got[0].headers["x-api-key"], "k");
        assert_eq!(got[0].body, b"{}");
    }
}

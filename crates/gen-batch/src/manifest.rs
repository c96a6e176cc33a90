//! The manifest: JSON Lines, one generation per line.
//!
//! ```text
//! {"id": "row-1", "agent_id": 42, "engine_id": 101, "cell_id": 3000, "generation_type": "video_from_text", "data": {"prompt": "tacos", "model": "kling_1_6"}, "layer_id": null, "download": "out/row-1.mp4"}
//! ```
//!
//! - `id` (a non-empty string, or a number) is the row's stable key: the
//!   journal knows a row by it, and a re-run never sends a row twice.
//! - `agent_id`, `engine_id`, `cell_id`: the cell to generate; `layer_id`
//!   (optional, `null`): one of its layers instead.
//! - `generation_type` and `data`: the creation card, validated here
//!   (genpro-sdk's [`GenerateBody::from_json`] and
//!   [`GenerateBody::validate`]) before anything is spent.
//! - `download` (optional): where the output is saved once complete,
//!   relative to the manifest's folder.
//!
//! Fields this version does not know are ignored (more may be added). A
//! bad line is reported with its line number, and nothing is sent for it;
//! the other rows run. Blank lines are skipped.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use genpro_sdk::cards::GenerateBody;
use serde_json::{Map, Value};

/// One valid row.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Row {
    /// The stable key.
    pub id: String,
    /// The 1-based line number in the manifest.
    pub line: usize,
    /// The agent owning the engine.
    pub agent_id: i64,
    /// The engine (vidsheet).
    pub engine_id: i64,
    /// The cell.
    pub cell_id: i64,
    /// A layer of the cell, to generate the layer instead.
    pub layer_id: Option<i64>,
    /// The creation card, validated.
    pub body: GenerateBody,
    /// Where to save the output (absolute, or relative to the working
    /// directory when the manifest's folder is).
    pub download: Option<PathBuf>,
    /// A digest of what the row asks for: a row whose id the journal knows
    /// with another fingerprint has changed since, and is not run.
    pub fingerprint: String,
}

impl Row {
    /// The target of the row: its engine, cell and layer. Rows with the
    /// same target run one after the other, never at once.
    pub fn target(&self) -> (i64, i64, Option<i64>) {
        (self.engine_id, self.cell_id, self.layer_id)
    }

    /// The row's generation type (`video_from_text`, ...).
    pub fn generation_type(&self) -> String {
        self.body
            .to_json()
            .get("generation_type")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    }
}

/// A line that is not a valid row: nothing is sent for it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RowError {
    /// The 1-based line number.
    pub line: usize,
    /// The row's id, when the line had one.
    pub id: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.id {
            Some(id) => write!(f, "line {} (row `{id}`): {}", self.line, self.message),
            None => write!(f, "line {}: {}", self.line, self.message),
        }
    }
}

/// A parsed manifest: the valid rows, and the lines that are not.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct Manifest {
    /// The valid rows, in manifest order.
    pub rows: Vec<Row>,
    /// The invalid lines.
    pub errors: Vec<RowError>,
}

fn id_of(value: Option<&Value>) -> Result<String, String> {
    match value {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.trim().to_owned()),
        Some(Value::Number(n)) => Ok(n.to_string()),
        Some(_) => Err("`id` must be a non-empty string".into()),
        None => Err("`id` is required".into()),
    }
}

fn int(object: &Map<String, Value>, key: &str, required: bool) -> Result<Option<i64>, String> {
    let value = match object.get(key) {
        None | Some(Value::Null) if !required => return Ok(None),
        None | Some(Value::Null) => return Err(format!("`{key}` is required")),
        Some(v) => v,
    };
    let n = match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    };
    match n {
        Some(n) if n > 0 => Ok(Some(n)),
        _ => Err(format!("`{key}` must be a positive integer, got {value}")),
    }
}

/// `value` with every object's keys sorted (a stable text to digest).
fn canonical(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let sorted: BTreeMap<&String, Value> =
                map.iter().map(|(k, v)| (k, canonical(v))).collect();
            Value::Object(sorted.into_iter().map(|(k, v)| (k.clone(), v)).collect())
        }
        Value::Array(items) => Value::Array(items.iter().map(canonical).collect()),
        other => other.clone(),
    }
}

fn fingerprint(value: &Value) -> String {
    use sha2::Digest as _;
    let text = serde_json::to_string(&canonical(value)).unwrap_or_default();
    let digest = sha2::Sha256::digest(text.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn row(line: usize, text: &str, base: &Path) -> Result<Row, RowError> {
    let fail = |id: Option<String>, message: String| RowError { line, id, message };
    let value: Value =
        serde_json::from_str(text).map_err(|e| fail(None, format!("not a JSON object: {e}")))?;
    let Value::Object(object) = value else {
        return Err(fail(None, "not a JSON object".into()));
    };
    let id = id_of(object.get("id")).map_err(|m| fail(None, m))?;
    let bad = |message: String| fail(Some(id.clone()), message);
    let agent_id = int(&object, "agent_id", true)
        .map_err(bad)?
        .unwrap_or_default();
    let engine_id = int(&object, "engine_id", true)
        .map_err(bad)?
        .unwrap_or_default();
    let cell_id = int(&object, "cell_id", true)
        .map_err(bad)?
        .unwrap_or_default();
    let layer_id = int(&object, "layer_id", false).map_err(bad)?;
    let card = serde_json::json!({
        "generation_type": object.get("generation_type").cloned().unwrap_or(Value::Null),
        "data": object.get("data").cloned().unwrap_or(Value::Null),
    });
    let body = GenerateBody::from_json(&card)
        .and_then(|body| body.validate().map(|()| body))
        .map_err(|e| bad(format!("invalid card: {e}")))?;
    let download = match object.get("download") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if !s.trim().is_empty() => Some(base.join(s.trim())),
        Some(other) => {
            return Err(bad(format!(
                "`download` must be a non-empty path, got {other}"
            )));
        }
    };
    let fingerprint = fingerprint(&serde_json::json!({
        "agent_id": agent_id,
        "engine_id": engine_id,
        "cell_id": cell_id,
        "layer_id": layer_id,
        "card": body.to_json(),
        "download": download.as_ref().map(|p| p.display().to_string()),
    }));
    Ok(Row {
        id,
        line,
        agent_id,
        engine_id,
        cell_id,
        layer_id,
        body,
        download,
        fingerprint,
    })
}

/// Parses the JSON Lines `text` of a manifest whose folder is `base` (the
/// `download` paths are relative to it). Duplicate ids and duplicate
/// download paths are errors on the later line.
pub fn parse(text: &str, base: &Path) -> Manifest {
    let mut manifest = Manifest::default();
    let mut ids = HashSet::new();
    let mut paths = HashSet::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        match row(line_no, line, base) {
            Ok(row) => {
                if !ids.insert(row.id.clone()) {
                    manifest.errors.push(RowError {
                        line: line_no,
                        id: Some(row.id),
                        message: "the id is used by an earlier row".into(),
                    });
                } else if let Some(path) = &row.download
                    && !paths.insert(path.clone())
                {
                    manifest.errors.push(RowError {
                        line: line_no,
                        id: Some(row.id),
                        message: format!("`download` {} is used by an earlier row", path.display()),
                    });
                } else {
                    manifest.rows.push(row);
                }
            }
            Err(e) => manifest.errors.push(e),
        }
    }
    manifest
}

/// Reads and parses the manifest at `path` (download paths relative to
/// its folder).
pub fn read(path: &Path) -> std::io::Result<Manifest> {
    let text = std::fs::read_to_string(path)?;
    let base = path.parent().unwrap_or(Path::new(""));
    Ok(parse(&text, base))
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{"id": "row-1", "agent_id": 42, "engine_id": 101, "cell_id": 3000, "generation_type": "video_from_text", "data": {"prompt": "tacos", "model": "kling_1_6"}, "layer_id": null, "download": "out/row-1.mp4"}"#;

    #[test]
    fn a_good_row_is_read_with_its_card_and_download_path() {
        let m = parse(GOOD, Path::new("/work"));
        assert_eq!(m.errors, []);
        let row = &m.rows[0];
        assert_eq!(row.id, "row-1");
        assert_eq!(row.line, 1);
        assert_eq!(row.target(), (101, 3000, None));
        assert_eq!(row.generation_type(), "video_from_text");
        assert_eq!(row.download, Some(PathBuf::from("/work/out/row-1.mp4")));
        assert_eq!(row.fingerprint.len(), 64);
        // Key order does not change the fingerprint; the card does.
        let reordered = r#"{"download": "out/row-1.mp4", "data": {"model": "kling_1_6", "prompt": "tacos"}, "generation_type": "video_from_text", "cell_id": 3000, "engine_id": 101, "agent_id": 42, "id": "row-1"}"#;
        assert_eq!(
            parse(reordered, Path::new("/work")).rows[0].fingerprint,
            row.fingerprint
        );
        let other = GOOD.replace("tacos", "burritos");
        assert_ne!(
            parse(&other, Path::new("/work")).rows[0].fingerprint,
            row.fingerprint
        );
    }

    #[test]
    fn bad_rows_are_reported_with_their_line_and_the_rest_kept() {
        let text = [
            GOOD,
            "",
            "not json",
            r#"{"agent_id": 42}"#,
            r#"{"id": "r3", "agent_id": 42, "engine_id": 101, "cell_id": 3000, "generation_type": "video_from_text", "data": {"prompt": "x", "model": "kling_1_6", "duration": "long"}}"#,
            r#"{"id": "r4", "agent_id": 42, "engine_id": 0, "cell_id": 3000, "generation_type": "text", "data": {"prompt": "x"}}"#,
            GOOD,
            r#"{"id": "r5", "agent_id": 42, "engine_id": 101, "cell_id": 3001, "generation_type": "text", "data": {"prompt": "x"}, "download": "out/row-1.mp4"}"#,
            r#"{"id": 6, "agent_id": "42", "engine_id": 101, "cell_id": 3001, "generation_type": "text", "data": {"prompt": "x"}, "later_field": true}"#,
        ]
        .join("\n");
        let m = parse(&text, Path::new("/work"));
        let errors: Vec<String> = m.errors.iter().map(ToString::to_string).collect();
        assert_eq!(errors[0].split(':').next(), Some("line 3"));
        assert_eq!(errors[1], "line 4: `id` is required");
        assert!(
            errors[2].starts_with("line 5 (row `r3`): invalid card:"),
            "{}",
            errors[2]
        );
        assert_eq!(
            errors[3],
            "line 6 (row `r4`): `engine_id` must be a positive integer, got 0"
        );
        assert_eq!(
            errors[4],
            "line 7 (row `row-1`): the id is used by an earlier row"
        );
        assert_eq!(
            errors[5],
            "line 8 (row `r5`): `download` /work/out/row-1.mp4 is used by an earlier row"
        );
        assert_eq!(errors.len(), 6);
        let ids: Vec<&str> = m.rows.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["row-1", "6"]);
        assert_eq!(m.rows[1].agent_id, 42);
    }
}

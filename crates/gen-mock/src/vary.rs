//! Varied answers: with [`MockConfig::vary`](crate::MockConfig::vary) (`gen mock --vary SEED`)
//! the mock sends the fields no seed pins in other plausible shapes, as a real server whose
//! guessed fields differ from openapi.yaml's guesses would.
//!
//! Which fields: [`UNPINNED`], generated from openapi.yaml by `cargo xtask generate` (every
//! response property without `x-pinned-by`). Pinned fields are never touched.
//!
//! What, for each unpinned field present in a JSON success answer (one draw per occurrence,
//! in the table's order, array items in order):
//!
//! | draw | probability | what is sent |
//! |---|---|---|
//! | keep | 45 % | the value as it is |
//! | retype | 20 % | a number as its decimal text (`42` → `"42"`), a numeric string as the number (`"42"` → `42`); any other value as it is |
//! | null | 15 % | `null` |
//! | drop | 20 % | nothing: the field is left out |
//!
//! An identifier (`id`, or a name ending in `_id`) is never nulled or dropped: every resource
//! has its id, only its type is a guess ("integer or string ids"), so its null and drop draws
//! retype it instead (45 % kept, 55 % retyped). An object or a list is kept whole (it holds the
//! resource's structure): the fields inside it vary, and it may take an unknown field.
//!
//! Then each object that may take unknown fields ([`UnpinnedAnswer::open_objects`]: the answer
//! itself and unpinned object fields) gets, with probability 50 %, one field `x_vary_<n>`
//! (`n` < 1000) holding an integer, a string, `null`, a boolean, an object or an array (one
//! sixth each).
//!
//! Reproducible: the draws of one answer come from a SplitMix64 seeded with the FNV-1a hash of
//! the seed, the method, the path (without query) and how many requests with that method and
//! path came before (counted from 0 per server). The same seed and the same request sequence
//! give the same answers. Error answers (4xx, 5xx), non-JSON answers and routes outside the
//! table (`/healthz`, storage, CDN) are sent untouched.

use std::collections::HashMap;
use std::sync::OnceLock;

use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Number, Value, json};

use crate::error::ApiError;
pub use crate::generated::unpinned::{UNPINNED, UnpinnedAnswer};
use crate::state::MockState;
use crate::store::Rng;

/// Percent of unpinned fields sent as they are.
pub const KEEP_PERCENT: u64 = 45;
/// Percent of unpinned fields retyped (number ↔ numeric string).
pub const RETYPE_PERCENT: u64 = 20;
/// Percent of unpinned fields sent as `null`.
pub const NULL_PERCENT: u64 = 15;
/// Percent of unpinned fields left out (the rest of 100).
pub const DROP_PERCENT: u64 = 100 - KEEP_PERCENT - RETYPE_PERCENT - NULL_PERCENT;
/// Percent of open objects given one unknown field.
pub const UNKNOWN_FIELD_PERCENT: u64 = 50;

/// What was done at one place of an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum VariationKind {
    /// A number sent as its decimal text (`42` → `"42"`).
    NumberAsString,
    /// A numeric string sent as the number (`"42"` → `42`).
    StringAsNumber,
    /// The value replaced by `null`.
    Null,
    /// The field left out.
    Dropped,
    /// An unknown field added to an object.
    UnknownField,
}

/// One change made to an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variation {
    /// Where, in the answer: keys joined by `.`, array indices in brackets
    /// (`spreadsheet_cells[3].value`; the added key for an unknown field).
    pub at: String,
    /// What.
    pub kind: VariationKind,
}

/// One step of a location.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seg {
    /// A property.
    Key(String),
    /// Each item of an array.
    Items,
}

/// Parse a location of the table (`a.b[].c`, `\` escaping `.`, `[`, `]`, `\` in names).
fn parse(location: &str) -> Vec<Seg> {
    let mut segs = Vec::new();
    let mut name = String::new();
    let mut in_name = false;
    let mut chars = location.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                name.extend(chars.next());
                in_name = true;
            }
            '.' => {
                if in_name {
                    segs.push(Seg::Key(std::mem::take(&mut name)));
                }
                in_name = false;
            }
            '[' => {
                if in_name {
                    segs.push(Seg::Key(std::mem::take(&mut name)));
                }
                in_name = false;
                chars.next(); // `]`
                segs.push(Seg::Items);
            }
            c => {
                name.push(c);
                in_name = true;
            }
        }
    }
    if in_name {
        segs.push(Seg::Key(name));
    }
    segs
}

/// `at` followed by the key `key`.
fn join(at: &str, key: &str) -> String {
    if at.is_empty() {
        key.to_owned()
    } else {
        format!("{at}.{key}")
    }
}

/// Call `f` on every value at `segs` below `value` (array items in order), with its place.
fn visit(value: &mut Value, segs: &[Seg], at: &str, f: &mut dyn FnMut(&mut Value, &str)) {
    match segs.split_first() {
        None => f(value, at),
        Some((Seg::Key(k), rest)) => {
            if let Some(v) = value.as_object_mut().and_then(|m| m.get_mut(k)) {
                visit(v, rest, &join(at, k), f);
            }
        }
        Some((Seg::Items, rest)) => {
            if let Some(items) = value.as_array_mut() {
                for (i, v) in items.iter_mut().enumerate() {
                    visit(v, rest, &format!("{at}[{i}]"), f);
                }
            }
        }
    }
}

/// Parameter names do not matter: `/v1/agents/{id}/core` and `/v1/agents/{agent_id}/core`
/// are one template (`/v1/agents/{}/core`).
fn normalize_template(template: &str) -> String {
    let mut out = String::with_capacity(template.len());
    let mut in_param = false;
    for c in template.chars() {
        match c {
            '{' => {
                in_param = true;
                out.push_str("{}");
            }
            '}' if in_param => in_param = false,
            _ if in_param => {}
            c => out.push(c),
        }
    }
    out
}

/// The table row of an operation, by its method and path template (`/v1/agents/{id}/core`:
/// the names of the parameters do not matter). `None` for an operation without a JSON
/// success answer, or no operation at all.
pub fn unpinned_answer(method: &str, template: &str) -> Option<&'static UnpinnedAnswer> {
    static INDEX: OnceLock<HashMap<(String, String), &'static UnpinnedAnswer>> = OnceLock::new();
    let index = INDEX.get_or_init(|| {
        let mut index = HashMap::new();
        for a in UNPINNED {
            index
                .entry((a.method.to_owned(), normalize_template(a.path)))
                .or_insert(a);
        }
        index
    });
    index
        .get(&(method.to_ascii_uppercase(), normalize_template(template)))
        .copied()
}

/// The draws of one answer: SplitMix64 seeded with the FNV-1a hash of the seed, method, path
/// and count.
fn request_rng(seed: u64, method: &str, path: &str, count: u64) -> Rng {
    const PRIME: u64 = 0x0000_0100_0000_01B3;
    let mut h: u64 = 0xCBF2_9CE4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(PRIME);
        }
    };
    eat(&seed.to_le_bytes());
    eat(method.as_bytes());
    eat(&[0xFF]);
    eat(path.as_bytes());
    eat(&[0xFF]);
    eat(&count.to_le_bytes());
    Rng::new(h)
}

/// A numeric string's number: only when the number prints back as the same text (`"42"`,
/// `"2.5"`; not `"007"`, `" 1"`, `"1e3"`).
fn numeric(s: &str) -> Option<Number> {
    let n: Number = serde_json::from_str(s).ok()?;
    (n.to_string() == s).then_some(n)
}

/// Whether `key` names an identifier (`id`, or ending in `_id`).
pub fn is_identifier(key: &str) -> bool {
    key == "id" || key.ends_with("_id")
}

/// One unpinned field present in `map`: keep, retype, null or drop it.
fn vary_field(
    map: &mut Map<String, Value>,
    key: &str,
    at: String,
    rng: &mut Rng,
    out: &mut Vec<Variation>,
) {
    let mut roll = rng.below(100);
    // An identifier (`id`, `*_id`) is what a resource always has; what the
    // seeds leave open is its type: it is only ever retyped.
    if is_identifier(key) && roll >= KEEP_PERCENT + RETYPE_PERCENT {
        roll = KEEP_PERCENT;
    }
    // An object or a list holds the resource's structure: it is kept
    // (what is inside it varies, and it may take unknown fields).
    if matches!(map.get(key), Some(Value::Object(_) | Value::Array(_))) {
        roll = 0;
    }
    let kind = if roll < KEEP_PERCENT {
        None
    } else if roll < KEEP_PERCENT + RETYPE_PERCENT {
        match map.get(key) {
            Some(Value::Number(n)) => {
                let text = n.to_string();
                map.insert(key.to_owned(), Value::String(text));
                Some(VariationKind::NumberAsString)
            }
            Some(Value::String(s)) => match numeric(s) {
                Some(n) => {
                    map.insert(key.to_owned(), Value::Number(n));
                    Some(VariationKind::StringAsNumber)
                }
                None => None,
            },
            _ => None,
        }
    } else if roll < KEEP_PERCENT + RETYPE_PERCENT + NULL_PERCENT {
        match map.insert(key.to_owned(), Value::Null) {
            Some(Value::Null) => None,
            _ => Some(VariationKind::Null),
        }
    } else {
        map.remove(key);
        Some(VariationKind::Dropped)
    };
    if let Some(kind) = kind {
        out.push(Variation { at, kind });
    }
}

/// An unknown value of one of six JSON kinds.
fn unknown_value(rng: &mut Rng) -> Value {
    let n = rng.below(100_000);
    match rng.below(6) {
        0 => json!(n),
        1 => json!(format!("vary {n}")),
        2 => Value::Null,
        3 => json!(n.is_multiple_of(2)),
        4 => json!({ "x_vary": n }),
        _ => json!([n, "vary"]),
    }
}

/// Maybe add one unknown field to an open object.
fn add_unknown(map: &mut Map<String, Value>, at: &str, rng: &mut Rng, out: &mut Vec<Variation>) {
    if rng.below(100) >= UNKNOWN_FIELD_PERCENT {
        return;
    }
    for _ in 0..8 {
        let key = format!("x_vary_{}", rng.below(1000));
        if !map.contains_key(&key) {
            let value = unknown_value(rng);
            map.insert(key.clone(), value);
            out.push(Variation {
                at: join(at, &key),
                kind: VariationKind::UnknownField,
            });
            return;
        }
    }
}

/// Vary `answer`, the JSON success answer of request number `count` (from 0, counted per
/// method and path) with this `method` and `path` (no query), whose operation's unpinned
/// locations are `unpinned`. Returns the changes, in the order made. Deterministic: the same
/// arguments give the same answer.
pub fn vary_answer(
    seed: u64,
    method: &str,
    path: &str,
    count: u64,
    unpinned: &UnpinnedAnswer,
    answer: &mut Value,
) -> Vec<Variation> {
    let mut rng = request_rng(seed, method, path, count);
    let mut out = Vec::new();
    for location in unpinned.fields {
        let segs = parse(location);
        let Some((Seg::Key(key), parent)) = segs.split_last() else {
            continue;
        };
        visit(answer, parent, "", &mut |value, at| {
            if let Some(map) = value.as_object_mut()
                && map.contains_key(key)
            {
                vary_field(map, key, join(at, key), &mut rng, &mut out);
            }
        });
    }
    for location in unpinned.open_objects {
        visit(answer, &parse(location), "", &mut |value, at| {
            if let Some(map) = value.as_object_mut() {
                add_unknown(map, at, &mut rng, &mut out);
            }
        });
    }
    out
}

/// Whether a response is JSON (`application/json` or a `+json` type).
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        })
        .is_some_and(|b| b == "application/json" || b.ends_with("+json"))
}

/// The middleware: vary the JSON success answers of the table's operations when the config
/// has a vary seed; pass everything else through.
pub(crate) async fn layer(State(state): State<MockState>, req: Request, next: Next) -> Response {
    let Some(seed) = state.config().vary else {
        return next.run(req).await;
    };
    let method = req.method().as_str().to_owned();
    let unpinned = req
        .extensions()
        .get::<MatchedPath>()
        .and_then(|m| unpinned_answer(&method, m.as_str()));
    let Some(unpinned) = unpinned else {
        return next.run(req).await;
    };
    let path = req.uri().path().to_owned();
    let count = state.next_vary_count(&method, &path);
    let response = next.run(req).await;
    if !response.status().is_success() || !is_json(response.headers()) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => bytes,
        Err(e) => {
            return ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal_error",
                format!("genpro-mock could not read its own answer to vary it: {e}"),
            )
            .into_response();
        }
    };
    let Ok(mut answer) = serde_json::from_slice::<Value>(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    vary_answer(seed, &method, &path, count, unpinned, &mut answer);
    let bytes = serde_json::to_vec(&answer).unwrap_or_else(|_| bytes.to_vec());
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    const ORG: UnpinnedAnswer = UnpinnedAnswer {
        operation_id: "get_org",
        method: "GET",
        path: "/v1/orgs/{id}",
        fields: &[
            "credit",
            "credit.aura",
            "ideas",
            "ideas[].id",
            "ideas[].title",
            "name",
            "owner_id",
        ],
        open_objects: &["", "credit", "ideas[]"],
    };

    fn org() -> Value {
        json!({
            "id": 1,
            "name": "Tacos",
            "owner_id": "77",
            "credit": {"generic": 1000.0, "aura": 5},
            "pinned": {"x": "12", "y": 3},
            "ideas": [{"id": 1, "title": "a", "hook": "h"}, {"id": "2", "title": "b", "hook": "i"}]
        })
    }

    fn varied(seed: u64, count: u64) -> (Value, Vec<Variation>) {
        let mut v = org();
        let changes = vary_answer(seed, "GET", "/v1/orgs/1", count, &ORG, &mut v);
        (v, changes)
    }

    #[test]
    fn locations_parse_with_escapes() {
        assert_eq!(
            parse("a.b[].c"),
            vec![
                Seg::Key("a".into()),
                Seg::Key("b".into()),
                Seg::Items,
                Seg::Key("c".into())
            ]
        );
        assert_eq!(parse("[].id"), vec![Seg::Items, Seg::Key("id".into())]);
        assert_eq!(parse(""), vec![]);
        assert_eq!(
            parse("z\\.w\\[0\\][]"),
            vec![Seg::Key("z.w[0]".into()), Seg::Items]
        );
    }

    #[test]
    fn templates_match_whatever_the_parameter_names() {
        let core = unpinned_answer("PATCH", "/v1/agents/{id}/core").unwrap();
        assert_eq!(core.operation_id, "update_agent_core");
        assert_eq!(core.path, "/v1/agents/{agent_id}/core");
        assert_eq!(
            unpinned_answer("get", "/v1/me").unwrap().operation_id,
            "get_me"
        );
        // No JSON answer, or no such operation.
        assert!(
            unpinned_answer("GET", "/v1/autocontentengine/global_variables_template").is_none()
        );
        assert!(unpinned_answer("DELETE", "/v1/agents/{id}").is_none());
        assert!(unpinned_answer("GET", "/healthz").is_none());
    }

    #[test]
    fn the_same_seed_gives_the_same_answer() {
        for seed in 0..50 {
            assert_eq!(varied(seed, 0), varied(seed, 0));
            assert_eq!(varied(seed, 3), varied(seed, 3));
        }
    }

    #[test]
    fn other_seeds_and_later_requests_give_other_answers() {
        let answers: BTreeSet<String> = (0..20).map(|s| varied(s, 0).0.to_string()).collect();
        assert!(answers.len() > 15, "{answers:#?}");
        let later: BTreeSet<String> = (0..20).map(|n| varied(7, n).0.to_string()).collect();
        assert!(later.len() > 15, "{later:#?}");
        let mut other_path = org();
        vary_answer(7, "GET", "/v1/orgs/2", 0, &ORG, &mut other_path);
        let mut other_method = org();
        vary_answer(7, "PATCH", "/v1/orgs/1", 0, &ORG, &mut other_method);
        assert!(other_path != varied(7, 0).0 || other_method != varied(7, 0).0);
    }

    #[test]
    fn every_kind_of_variation_occurs_across_seeds() {
        let mut kinds = BTreeSet::new();
        let mut kept = false;
        for seed in 0..40 {
            let (v, changes) = varied(seed, 0);
            kinds.extend(changes.iter().map(|c| c.kind));
            kept |= v["name"] == "Tacos";
            for c in &changes {
                match c.kind {
                    VariationKind::NumberAsString if c.at == "credit.aura" => {
                        assert_eq!(v["credit"]["aura"], "5");
                    }
                    VariationKind::StringAsNumber if c.at == "owner_id" => {
                        assert_eq!(v["owner_id"], 77);
                    }
                    VariationKind::StringAsNumber if c.at == "ideas[1].id" => {
                        assert_eq!(v["ideas"][1]["id"], 2);
                    }
                    VariationKind::Dropped if c.at == "name" => {
                        assert!(v.get("name").is_none());
                    }
                    _ => {}
                }
            }
        }
        assert!(kept);
        assert_eq!(
            kinds,
            BTreeSet::from([
                VariationKind::NumberAsString,
                VariationKind::StringAsNumber,
                VariationKind::Null,
                VariationKind::Dropped,
                VariationKind::UnknownField,
            ])
        );
    }

    #[test]
    fn identifiers_objects_and_lists_are_never_nulled_or_dropped() {
        let mut kinds = std::collections::BTreeSet::new();
        for seed in 0..300 {
            let mut map = Map::new();
            map.insert("id".into(), json!(7));
            map.insert("agent_id".into(), json!(8));
            let mut rng = request_rng(seed, "GET", "/x", 0);
            let mut out = Vec::new();
            vary_field(&mut map, "id", "id".into(), &mut rng, &mut out);
            vary_field(&mut map, "agent_id", "agent_id".into(), &mut rng, &mut out);
            assert!(map["id"] == json!(7) || map["id"] == json!("7"), "{map:?}");
            assert!(
                map["agent_id"] == json!(8) || map["agent_id"] == json!("8"),
                "{map:?}"
            );
            kinds.extend(out.into_iter().map(|v| v.kind));
        }
        assert_eq!(
            kinds.into_iter().collect::<Vec<_>>(),
            [VariationKind::NumberAsString]
        );
        assert!(is_identifier("id") && is_identifier("cell_id"));
        // Objects and lists are kept whole.
        for seed in 0..100 {
            let mut map = Map::new();
            map.insert("rows".into(), json!([{"a": 1}]));
            map.insert("meta".into(), json!({"a": 1}));
            let mut rng = request_rng(seed, "GET", "/x", 0);
            let mut out = Vec::new();
            vary_field(&mut map, "rows", "rows".into(), &mut rng, &mut out);
            vary_field(&mut map, "meta", "meta".into(), &mut rng, &mut out);
            assert_eq!(
                Value::Object(map),
                json!({"rows": [{"a": 1}], "meta": {"a": 1}})
            );
            assert!(out.is_empty());
        }
        assert!(!is_identifier("identity") && !is_identifier("idea"));
    }

    #[test]
    fn a_name_that_is_not_numeric_is_not_retyped() {
        assert_eq!(numeric("42"), Some(Number::from(42)));
        assert_eq!(numeric("-3"), Some(Number::from(-3)));
        assert!(numeric("2.5").is_some());
        for s in ["007", " 1", "1e3", "Tacos", "", "42 "] {
            assert_eq!(numeric(s), None, "{s:?}");
        }
    }

    #[test]
    fn pinned_fields_are_never_varied() {
        for seed in 0..300 {
            let (v, changes) = varied(seed, seed % 5);
            let o = org();
            // `id`, `pinned` (and all of it), `credit.generic`, `ideas[].hook` are pinned.
            assert_eq!(v["id"], o["id"], "seed {seed}");
            assert_eq!(v["pinned"], o["pinned"], "seed {seed}");
            if let Some(credit) = v["credit"].as_object() {
                assert_eq!(credit["generic"], 1000.0, "seed {seed}");
            }
            if let Some(ideas) = v["ideas"].as_array() {
                assert_eq!(ideas.len(), 2);
                for (i, idea) in ideas.iter().enumerate() {
                    assert_eq!(idea["hook"], o["ideas"][i]["hook"], "seed {seed}");
                }
            }
            for c in &changes {
                assert!(
                    !c.at.starts_with("pinned") && c.at != "id" && !c.at.ends_with("hook"),
                    "seed {seed}: {c:?}"
                );
            }
        }
    }
}

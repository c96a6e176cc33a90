//! Open enums for every value list of openapi.yaml, written to
//! `crates/gen-api/src/open_enums.rs`.
//!
//! Each string schema with an `enum` or `x-extensible-enum` becomes a Rust
//! enum with one variant per known value plus `Other(String)`: a value the
//! server adds later decodes, and a request may send a model newer than the
//! crate. Extensions read (all optional):
//!
//! - `x-enum-varnames`: variant names where the derived one is poor
//!   (`openai` → `OpenAi`). Otherwise the name is derived from the value:
//!   `veo_3_1_fast` → `Veo31Fast`, `9:16` → `Ratio9x16`.
//! - `x-enum-descriptions`: a doc line per value.
//!
//! Both take OpenAPI Generator's form (a list, one entry per value) or a map
//! from value to entry, which names only the values that need it: a value
//! added to the list later then needs nothing more.
//! - `x-open-enum: Name`: several schemas share one Rust enum `Name` (the
//!   union of their values); each schema's own list is kept as a constant
//!   (`ImageAspectRatio` → `IMAGE_ASPECT_RATIO`), for per-card validation.
//! - `x-terminal-values`: the values that end a job; gives `is_terminal()`.
//!
//! Integer enums become constants (`VideoDuration` → `VIDEO_DURATION`) and
//! a plain `u32` in genpro-api's types.
//!
//! progenitor is told to use these enums for every schema they type
//! ([`OpenEnums::replacements`]), requests and responses alike, so
//! genpro-api's own types carry them: one Rust type per value list.

use crate::normalize::Warnings;
use anyhow::{Result, bail, ensure};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// One value list of the spec (a component schema).
#[derive(Debug, Clone, PartialEq)]
struct Schema {
    name: String,
    values: Vec<String>,
    names: Vec<String>,
    docs: Vec<Option<String>>,
    description: Option<String>,
    /// `x-extensible-enum` (a response list opened by the transform).
    extensible: bool,
    terminal: Vec<String>,
}

/// One generated Rust enum (one schema, or several sharing `x-open-enum`).
#[derive(Debug, Clone, PartialEq)]
pub struct OpenEnum {
    /// The Rust name.
    pub name: String,
    /// The schemas it types.
    pub schemas: Vec<String>,
    /// `(wire value, variant, doc)`, in order of first appearance.
    pub variants: Vec<(String, String, Option<String>)>,
    description: Vec<String>,
    terminal: Vec<String>,
}

/// Everything [`collect`] finds.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OpenEnums {
    /// The enums, by Rust name.
    pub enums: Vec<OpenEnum>,
    /// Schemas sharing an enum, with their own values (`IMAGE_ASPECT_RATIO`).
    pub subsets: Vec<(String, Vec<String>)>,
    /// Integer value lists.
    pub integers: Vec<(String, Vec<u32>)>,
}

impl OpenEnums {
    /// `(schema name, Rust path)` for progenitor's `with_replacement`: the
    /// string lists become their open enum, and integer lists a
    /// plain `u32` (a request may send a value the spec does not list, e.g.
    /// a Veo duration the seeds disagree on; the listed values stay
    /// constants for validation).
    pub fn replacements(&self) -> Vec<(String, String)> {
        self.enums
            .iter()
            .flat_map(|e| {
                e.schemas
                    .iter()
                    .map(|s| (s.clone(), format!("crate::open_enums::{}", e.name)))
            })
            .chain(
                self.integers
                    .iter()
                    .map(|(s, _)| (s.clone(), "u32".to_owned())),
            )
            .collect()
    }
}

fn strings(v: Option<&Value>) -> Option<Vec<String>> {
    v.and_then(Value::as_array).map(|items| {
        items
            .iter()
            // `null` in a nullable list is not a value of the enum.
            .filter(|i| !i.is_null())
            .map(|i| match i {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect()
    })
}

/// One entry per value from an extension given either as a list (OpenAPI
/// Generator's form: one entry per value, in order) or as a map from value
/// to entry (only the values that need one; a value added later needs no
/// edit there).
fn per_value(
    schema: &str,
    ext: Option<&Value>,
    key: &str,
    values: &[String],
) -> Result<Vec<Option<String>>> {
    match ext {
        None => Ok(vec![None; values.len()]),
        Some(Value::Array(_)) => {
            let list = strings(ext).unwrap_or_default();
            ensure!(
                list.len() == values.len(),
                "{schema}: {key} has {} entries for {} values: give one per value, or a map \
                 from value to entry",
                list.len(),
                values.len()
            );
            Ok(list.into_iter().map(Some).collect())
        }
        Some(Value::Object(map)) => {
            for k in map.keys() {
                ensure!(
                    values.contains(k),
                    "{schema}: {key} names {k:?}, which is not one of its values"
                );
            }
            Ok(values
                .iter()
                .map(|v| map.get(v).and_then(Value::as_str).map(str::to_owned))
                .collect())
        }
        Some(other) => bail!("{schema}: {key} must be a list or a map, not {other}"),
    }
}

/// The variant name derived from a wire value: alphanumeric runs, each with
/// its first letter upper-cased (`gpt_4o_mini` → `Gpt4oMini`); a ratio
/// `W:H` gives `RatioWxH`; any other name that would start with a digit
/// gets a `V` in front.
pub fn variant_name(value: &str) -> String {
    if let Some((w, h)) = value.split_once(':')
        && !w.is_empty()
        && !h.is_empty()
        && w.chars().chain(h.chars()).all(|c| c.is_ascii_digit())
    {
        return format!("Ratio{w}x{h}");
    }
    let mut name = String::new();
    for part in value.split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            name.push(first.to_ascii_uppercase());
            name.push_str(chars.as_str());
        }
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'V');
    }
    name
}

fn is_ident(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !matches!(name, "Other" | "Self")
}

/// SCREAMING_SNAKE_CASE of a PascalCase schema name.
pub fn screaming(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

/// One schema's value list and extensions, read.
struct Parsed {
    values: Vec<String>,
    extensible: bool,
    given: Vec<Option<String>>,
    docs: Vec<Option<String>>,
    terminal: Vec<String>,
}

/// Find every value list in `components.schemas` of the (3.1) spec. A list
/// whose extensions contradict it is left to progenitor (no open enum), a
/// value with no usable variant name gets one derived; each is a warning.
pub fn collect(doc: &Value, w: &mut Warnings) -> Result<OpenEnums> {
    let Some(schemas) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return Ok(OpenEnums::default());
    };
    let mut sorted: Vec<(&String, &Value)> = schemas.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    let mut groups: BTreeMap<String, Vec<Schema>> = BTreeMap::new();
    let mut out = OpenEnums::default();
    for (name, s) in sorted {
        // The schema's name names Rust items (`VideoFromTextModel`,
        // `VIDEO_DURATION`): others are left to progenitor.
        if !is_ident(name) {
            continue;
        }
        let ty = s.get("type").and_then(Value::as_str);
        if ty == Some("integer") {
            if let Some(values) = s.get("enum").and_then(Value::as_array) {
                let ints: Option<Vec<u32>> = values
                    .iter()
                    .map(|v| v.as_u64().and_then(|n| u32::try_from(n).ok()))
                    .collect();
                if let Some(ints) = ints {
                    out.integers.push((name.clone(), ints));
                }
            }
            continue;
        }
        if ty != Some("string") {
            continue;
        }
        let parsed = (|| -> Result<Option<Parsed>> {
            let (values, extensible) = match (
                strings(s.get("enum")),
                strings(s.get(crate::transform::EXTENSIBLE_ENUM)),
            ) {
                (Some(v), None) => (v, false),
                (None, Some(v)) => (v, true),
                (None, None) => return Ok(None),
                (Some(_), Some(_)) => bail!("both `enum` and `x-extensible-enum`"),
            };
            if values.is_empty() {
                return Ok(None);
            }
            let given = per_value(name, s.get("x-enum-varnames"), "x-enum-varnames", &values)?;
            let docs = per_value(
                name,
                s.get("x-enum-descriptions"),
                "x-enum-descriptions",
                &values,
            )?;
            let terminal = strings(s.get("x-terminal-values")).unwrap_or_default();
            for t in &terminal {
                ensure!(
                    values.contains(t),
                    "{name}: x-terminal-values lists {t:?}, not a value"
                );
            }
            Ok(Some(Parsed {
                values,
                extensible,
                given,
                docs,
                terminal,
            }))
        })();
        let Parsed {
            values,
            extensible,
            given,
            docs,
            terminal,
        } = match parsed {
            Ok(Some(p)) => p,
            Ok(None) => continue,
            Err(e) => {
                w.add(
                    format!("schema {name}"),
                    format!("{e}: no open enum (left to progenitor)"),
                );
                continue;
            }
        };
        let names = values
            .iter()
            .zip(given)
            .map(|(v, g)| g.unwrap_or_else(|| variant_name(v)))
            .collect();
        let group = s
            .get("x-open-enum")
            .and_then(Value::as_str)
            .unwrap_or(name)
            .to_owned();
        groups.entry(group).or_default().push(Schema {
            name: name.clone(),
            docs,
            values,
            names,
            description: s
                .get("description")
                .and_then(Value::as_str)
                .map(str::to_owned),
            extensible,
            terminal,
        });
    }
    for (group, members) in groups {
        let mut variants: Vec<(String, String, Option<String>)> = Vec::new();
        for m in &members {
            for (i, ((value, variant), doc)) in
                m.values.iter().zip(&m.names).zip(&m.docs).enumerate()
            {
                if let Some((_, known, _)) = variants.iter().find(|(v, _, _)| v == value) {
                    if known != variant {
                        w.add(
                            format!("schema {}", m.name),
                            format!("{value:?} is named {known} and {variant} by different schemas: {known}"),
                        );
                    }
                    continue;
                }
                let mut chosen = variant.clone();
                if !is_ident(&chosen) {
                    let derived = format!("V{}", i + 1);
                    w.add(
                        format!("schema {}", m.name),
                        format!("{value:?} gives no variant name ({chosen:?}): {derived} (name it in x-enum-varnames)"),
                    );
                    chosen = derived;
                }
                if variants.iter().any(|(_, n, _)| *n == chosen) {
                    let mut n = 2;
                    while variants
                        .iter()
                        .any(|(_, x, _)| *x == format!("{chosen}{n}"))
                    {
                        n += 1;
                    }
                    let renamed = format!("{chosen}{n}");
                    w.add(
                        format!("schema {}", m.name),
                        format!("{value:?} gives the variant {chosen} of another value: {renamed} (name it in x-enum-varnames)"),
                    );
                    chosen = renamed;
                }
                variants.push((value.clone(), chosen, doc.clone()));
            }
        }
        let mut terminal: Vec<String> = Vec::new();
        for t in members.iter().flat_map(|m| &m.terminal) {
            if !terminal.contains(t) {
                terminal.push(t.clone());
            }
        }
        let shared = members.len() > 1 || members[0].name != group;
        if shared {
            for m in &members {
                out.subsets.push((m.name.clone(), m.values.clone()));
            }
        }
        let description = members
            .iter()
            .map(|m| {
                let d = m.description.clone().unwrap_or_default();
                if shared {
                    format!("`{}`: {d}", m.name)
                } else {
                    d
                }
            })
            .filter(|d| !d.is_empty())
            .collect();
        out.enums.push(OpenEnum {
            name: group,
            schemas: members.iter().map(|m| m.name.clone()).collect(),
            variants,
            description,
            terminal,
        });
    }
    Ok(out)
}

fn doc_lines(out: &mut String, indent: &str, text: &str) {
    for line in text.lines() {
        if line.is_empty() {
            let _ = writeln!(out, "{indent}///");
        } else {
            let _ = writeln!(out, "{indent}/// {line}");
        }
    }
}

/// The Rust source of `crates/gen-api/src/open_enums.rs` (before rustfmt).
pub fn render(enums: &OpenEnums, header: &str) -> String {
    let mut o = String::new();
    o.push_str(header);
    o.push_str(
        "\n//! Open enums for openapi.yaml's value lists: the known values are variants,\n\
         //! anything else is kept verbatim in `Other(String)` (sent and received as\n\
         //! is). A model or status GEN adds later therefore never breaks decoding,\n\
         //! and a request can send a model newer than this crate.\n\
         //!\n\
         //! Each enum has `KNOWN` (the wire values), `as_str`, `is_known`,\n\
         //! `Display`, `AsRef<str>`, an infallible `FromStr`, `From<&str>`,\n\
         //! `From<String>` and string `Serialize`/`Deserialize`; parsing\n\
         //! normalises (`\"veo_3\"` gives `Veo3`, never `Other(\"veo_3\")`). With the\n\
         //! `schemars` feature each is a JSON Schema string listing the known\n\
         //! values in `x-known-values`.\n\
         //!\n\
         //! They are the types of genpro-api's own requests and responses: the\n\
         //! request lists (card models, aspect ratios, voice methods) and the\n\
         //! response lists (`x-extensible-enum`: statuses, generation types...).\n\n",
    );
    for e in &enums.enums {
        render_enum(&mut o, e);
    }
    for (schema, values) in &enums.subsets {
        let group = enums
            .enums
            .iter()
            .find(|e| e.schemas.contains(schema))
            .map(|e| e.name.as_str())
            .unwrap_or_default();
        let _ = writeln!(
            o,
            "/// The values `{schema}` lists in openapi.yaml (a subset of [`{group}`]).\n\
             pub const {}: &[&str] = &{values:?};\n",
            screaming(schema)
        );
    }
    for (schema, values) in &enums.integers {
        let _ = writeln!(
            o,
            "/// The values `{schema}` lists in openapi.yaml.\n\
             pub const {}: &[u32] = &{values:?};\n",
            screaming(schema)
        );
    }
    o.push_str("/// Every open enum by the schema names it types, with its known values.\n");
    o.push_str("pub const OPEN_ENUMS: &[(&str, &[&str])] = &[\n");
    for e in &enums.enums {
        for s in &e.schemas {
            let _ = writeln!(o, "    ({s:?}, {}::KNOWN),", e.name);
        }
    }
    o.push_str("];\n");
    o
}

fn render_enum(o: &mut String, e: &OpenEnum) {
    let name = &e.name;
    let from = e
        .schemas
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ");
    for d in &e.description {
        doc_lines(o, "", d);
        o.push_str("///\n");
    }
    let _ = writeln!(
        o,
        "/// Open enum for {from} of openapi.yaml: a value not listed there is\n\
         /// kept in [`{name}::Other`]."
    );
    o.push_str(
        "#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]\n#[non_exhaustive]\n",
    );
    let _ = writeln!(o, "pub enum {name} {{");
    for (value, variant, doc) in &e.variants {
        if let Some(doc) = doc {
            doc_lines(o, "    ", doc);
            o.push_str("    ///\n");
        }
        let _ = writeln!(o, "    /// Wire value: `{value}`.\n    {variant},");
    }
    o.push_str(
        "    /// A value not known when genpro-api was generated, kept verbatim (sent\n\
         \x20   /// and received as is).\n    Other(String),\n}\n\n",
    );
    let known: Vec<&str> = e.variants.iter().map(|(v, _, _)| v.as_str()).collect();
    let arms = |o: &mut String, template: &str| {
        for (value, variant, _) in &e.variants {
            let _ = writeln!(
                o,
                "{}",
                template
                    .replace("{value}", &format!("{value:?}"))
                    .replace("{variant}", variant)
            );
        }
    };
    let _ = writeln!(
        o,
        "impl {name} {{\n\
         \x20   /// The wire values known when genpro-api was generated.\n\
         \x20   pub const KNOWN: &'static [&'static str] = &{known:?};\n\n\
         \x20   /// The wire value.\n\
         \x20   pub fn as_str(&self) -> &str {{\n        match self {{"
    );
    arms(o, "            Self::{variant} => {value},");
    o.push_str(
        "            Self::Other(other) => other.as_str(),\n        }\n    }\n\n\
         \x20   /// True unless this is [`Self::Other`] holding a value not known\n\
         \x20   /// when genpro-api was generated.\n\
         \x20   pub fn is_known(&self) -> bool {\n        Self::KNOWN.contains(&self.as_str())\n    }\n",
    );
    if !e.terminal.is_empty() {
        let list = e
            .terminal
            .iter()
            .map(|t| format!("`{t}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let pats = e
            .terminal
            .iter()
            .filter_map(|t| e.variants.iter().find(|(v, _, _)| v == t))
            .map(|(_, variant, _)| format!("Self::{variant}"))
            .collect::<Vec<_>>()
            .join(" | ");
        let _ = writeln!(
            o,
            "\n    /// True for the values that end the job (`x-terminal-values`:\n\
             \x20   /// {list}).\n\
             \x20   pub fn is_terminal(&self) -> bool {{\n        matches!(self, {pats})\n    }}"
        );
    }
    o.push_str("}\n\n");
    let _ = writeln!(
        o,
        "impl ::std::convert::From<&str> for {name} {{\n\
         \x20   fn from(value: &str) -> Self {{\n        match value {{"
    );
    arms(o, "            {value} => Self::{variant},");
    o.push_str("            other => Self::Other(other.to_owned()),\n        }\n    }\n}\n\n");
    let _ = writeln!(
        o,
        "impl ::std::convert::From<::std::string::String> for {name} {{\n\
         \x20   fn from(value: ::std::string::String) -> Self {{\n        match Self::from(value.as_str()) {{\n\
         \x20           Self::Other(_) => Self::Other(value),\n            known => known,\n        }}\n    }}\n}}\n\n\
         impl ::std::convert::From<{name}> for ::std::string::String {{\n\
         \x20   fn from(value: {name}) -> Self {{\n        match value {{\n\
         \x20           {name}::Other(other) => other,\n            known => known.as_str().to_owned(),\n        }}\n    }}\n}}\n\n\
         impl ::std::convert::AsRef<str> for {name} {{\n\
         \x20   fn as_ref(&self) -> &str {{\n        self.as_str()\n    }}\n}}\n\n\
         impl ::std::fmt::Display for {name} {{\n\
         \x20   fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {{\n        f.write_str(self.as_str())\n    }}\n}}\n\n\
         impl ::std::str::FromStr for {name} {{\n\
         \x20   type Err = ::std::convert::Infallible;\n\
         \x20   fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {{\n        Ok(Self::from(value))\n    }}\n}}\n\n\
         impl ::serde::Serialize for {name} {{\n\
         \x20   fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {{\n\
         \x20       serializer.serialize_str(self.as_str())\n    }}\n}}\n\n\
         impl<'de> ::serde::Deserialize<'de> for {name} {{\n\
         \x20   fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {{\n\
         \x20       <::std::string::String as ::serde::Deserialize>::deserialize(deserializer).map(Self::from)\n    }}\n}}\n\n\
         #[cfg(feature = \"schemars\")]\n\
         impl ::schemars::JsonSchema for {name} {{\n\
         \x20   fn schema_name() -> ::std::borrow::Cow<'static, str> {{\n        {name:?}.into()\n    }}\n\n\
         \x20   fn json_schema(_: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {{\n\
         \x20       ::schemars::json_schema!({{\"type\": \"string\", \"x-known-values\": Self::KNOWN}})\n    }}\n}}\n"
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;
    use serde_json::json;

    #[test]
    fn names_derive_from_values() {
        assert_eq!(variant_name("veo_3_1_fast"), "Veo31Fast");
        assert_eq!(variant_name("gpt_4o_mini"), "Gpt4oMini");
        assert_eq!(variant_name("o3_mini"), "O3Mini");
        assert_eq!(variant_name("gen"), "Gen");
        assert_eq!(variant_name("9:16"), "Ratio9x16");
        assert_eq!(variant_name("4k"), "V4k");
        assert_eq!(screaming("ImageAspectRatio"), "IMAGE_ASPECT_RATIO");
    }

    fn doc(schemas: Value) -> Value {
        json!({"components": {"schemas": schemas}})
    }

    #[test]
    fn shared_lists_merge_and_keep_their_subsets() {
        let found = collect(&doc(json!({
            "Img": {"type": "string", "enum": ["1:1", "4:3"], "x-open-enum": "Ratio", "x-enum-varnames": ["R1x1", "R4x3"]},
            "Vid": {"type": "string", "enum": ["1:1", "9:16"], "x-open-enum": "Ratio", "x-enum-varnames": ["R1x1", "R9x16"]},
            "Dur": {"type": "integer", "enum": [5, 10]},
            "Status": {"type": "string", "x-extensible-enum": ["pending", "done"], "x-terminal-values": ["done"]}
        })), &mut Warnings::default())
        .unwrap();
        let names: Vec<_> = found.enums.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["Ratio", "Status"]);
        let ratio = &found.enums[0];
        let values: Vec<_> = ratio
            .variants
            .iter()
            .map(|(v, n, _)| (v.as_str(), n.as_str()))
            .collect();
        assert_eq!(
            values,
            [("1:1", "R1x1"), ("4:3", "R4x3"), ("9:16", "R9x16")]
        );
        assert_eq!(
            found.subsets,
            [
                ("Img".into(), vec!["1:1".into(), "4:3".into()]),
                ("Vid".into(), vec!["1:1".into(), "9:16".into()])
            ]
        );
        assert_eq!(found.integers, [("Dur".into(), vec![5, 10])]);
        assert_eq!(
            found.replacements(),
            [
                ("Img".into(), "crate::open_enums::Ratio".into()),
                ("Vid".into(), "crate::open_enums::Ratio".into()),
                ("Status".into(), "crate::open_enums::Status".into()),
                ("Dur".into(), "u32".into())
            ],
            "request and response lists are replaced; integer lists become u32"
        );
        let src = render(&found, "");
        assert!(src.contains("matches!(self, Self::Done)"), "{src}");
        assert!(
            src.contains("pub const IMG: &[&str] = &[\"1:1\", \"4:3\"];"),
            "{src}"
        );
    }

    #[test]
    fn a_map_names_only_some_values_and_a_new_value_needs_nothing() {
        let found = collect(
            &doc(json!({"M": {"type": "string",
            "enum": ["openai", "gemini", "new_model_7"],
            "x-enum-varnames": {"openai": "OpenAi"},
            "x-enum-descriptions": {"gemini": "Google Gemini."}}})),
            &mut Warnings::default(),
        )
        .unwrap();
        assert_eq!(
            found.enums[0].variants,
            [
                ("openai".into(), "OpenAi".into(), None),
                (
                    "gemini".into(),
                    "Gemini".into(),
                    Some("Google Gemini.".into())
                ),
                ("new_model_7".into(), "NewModel7".into(), None),
            ]
        );
    }

    fn warned(schemas: Value) -> (OpenEnums, Vec<String>) {
        let mut w = Warnings::default();
        let e = collect(&doc(schemas), &mut w).unwrap();
        (e, w.iter().map(|(s, c)| format!("{s}: {c}")).collect())
    }

    #[test]
    fn bad_names_are_derived_and_said() {
        let (e, w) = warned(json!({"M": {"type": "string", "enum": ["a_b", "a-b", "", null]}}));
        assert_eq!(
            e.enums[0]
                .variants
                .iter()
                .map(|(v, n, _)| (v.as_str(), n.as_str()))
                .collect::<Vec<_>>(),
            vec![("a_b", "AB"), ("a-b", "AB2"), ("", "V3")]
        );
        assert_eq!(
            w,
            vec![
                "schema M: \"\" gives no variant name (\"\"): V3 (name it in x-enum-varnames)",
                "schema M: \"a-b\" gives the variant AB of another value: AB2 (name it in x-enum-varnames)",
            ]
        );
        let (e, w) =
            warned(json!({"M": {"type": "string", "enum": ["a", "b"], "x-enum-varnames": ["A"]}}));
        assert!(e.enums.is_empty());
        assert_eq!(
            w,
            vec![
                "schema M: M: x-enum-varnames has 1 entries for 2 values: give one per value, or a map from value to entry: no open enum (left to progenitor)"
            ]
        );
        let (_, w) =
            warned(json!({"M": {"type": "string", "enum": ["a"], "x-enum-varnames": {"b": "B"}}}));
        assert_eq!(
            w,
            vec![
                "schema M: M: x-enum-varnames names \"b\", which is not one of its values: no open enum (left to progenitor)"
            ]
        );
        let (e, w) = warned(json!({
            "A": {"type": "string", "enum": ["x"], "x-open-enum": "G", "x-enum-varnames": ["X1"]},
            "B": {"type": "string", "enum": ["x"], "x-open-enum": "G", "x-enum-varnames": ["X2"]}
        }));
        assert_eq!(e.enums[0].variants[0].1, "X1");
        assert_eq!(
            w,
            vec!["schema B: \"x\" is named X1 and X2 by different schemas: X1"]
        );
        // A schema name that names no Rust item is left to progenitor.
        let (e, w) = warned(json!({"pet-status": {"type": "string", "enum": ["a", "b"]}}));
        assert!(e.enums.is_empty() && w.is_empty());
    }
}

//! Tolerant reading of optional answer fields (issue 19).
//!
//! openapi.yaml types every field of every answer, but only the fields a
//! seed shows with a value (`x-pinned-by` in openapi.yaml) are known; the
//! rest are guesses, and a wrong guess must not fail the whole answer.
//! `cargo xtask generate` (xtask/src/tolerant.rs) gives every optional
//! field of every type an answer reaches
//! `#[serde(default, deserialize_with = "crate::lenient::field")]`:
//!
//! - a value of the expected type is read as usual;
//! - a value of another type is coerced when nothing is lost: a decimal
//!   string where a number was expected (`"42"`), a number where a string
//!   was expected (`42` becomes `"42"`);
//! - anything else (an object for a string, a string for a list, ...) is
//!   read as the field's default (`None`, an empty list), with a
//!   `log::debug!` naming the expected type and serde's reason.
//!
//! Required fields are read strictly: a seed pins each of them.

use serde::de::{Deserialize, DeserializeOwned, Deserializer};
use serde_json::Value;

/// Reads an optional answer field tolerantly (see the module doc).
///
/// ```
/// #[derive(serde::Deserialize)]
/// struct Org {
///     #[serde(default, deserialize_with = "genpro_api::lenient::field")]
///     name: Option<String>,
///     #[serde(default, deserialize_with = "genpro_api::lenient::field")]
///     id: Option<i64>,
///     #[serde(default, deserialize_with = "genpro_api::lenient::field")]
///     tags: Vec<String>,
/// }
/// let org: Org = serde_json::from_str(r#"{"name": 7, "id": "42", "tags": {"a": 1}}"#).unwrap();
/// assert_eq!(org.name.as_deref(), Some("7"));
/// assert_eq!(org.id, Some(42));
/// assert!(org.tags.is_empty());
/// ```
pub fn field<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned + Default,
{
    Ok(read(Value::deserialize(d)?))
}

/// `v` as a `T`, coerced or defaulted as the module doc says.
pub fn read<T: DeserializeOwned + Default>(v: Value) -> T {
    let coerced = match &v {
        Value::String(s) => number(s),
        Value::Number(n) => Some(Value::String(n.to_string())),
        _ => None,
    };
    match T::deserialize(v) {
        Ok(t) => t,
        Err(first) => match coerced.map(T::deserialize) {
            Some(Ok(t)) => t,
            _ => {
                // The value itself is never logged (it may be anything).
                log::debug!(
                    "genpro-api: an optional answer field held {} where a {} was expected; read as its default",
                    kind(&first),
                    std::any::type_name::<T>()
                );
                T::default()
            }
        },
    }
}

/// What kind of JSON value serde refused, without the value (serde_json's
/// message quotes strings).
fn kind(e: &serde_json::Error) -> &'static str {
    let text = e.to_string();
    [
        ("invalid type: string", "a string"),
        ("invalid type: integer", "a number"),
        ("invalid type: floating point", "a number"),
        ("invalid type: boolean", "a boolean"),
        ("invalid type: null", "null"),
        ("invalid type: map", "an object"),
        ("invalid type: sequence", "a list"),
    ]
    .iter()
    .find(|(prefix, _)| text.starts_with(prefix))
    .map_or("a value of another shape", |(_, k)| k)
}

/// The JSON number a decimal string spells exactly, if any.
fn number(s: &str) -> Option<Value> {
    let t = s.trim();
    if t.is_empty() || t != s {
        return None;
    }
    if let Ok(i) = t.parse::<i64>() {
        return Some(Value::from(i));
    }
    if let Ok(u) = t.parse::<u64>() {
        return Some(Value::from(u));
    }
    t.parse::<f64>()
        .ok()
        .filter(|f| f.is_finite())
        .and_then(serde_json::Number::from_f64)
        .map(Value::Number)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_expected_type_is_read_as_usual() {
        assert_eq!(read::<Option<String>>(json!("a")), Some("a".to_owned()));
        assert_eq!(read::<Option<i64>>(json!(-3)), Some(-3));
        assert_eq!(read::<Option<i64>>(json!(null)), None);
        assert_eq!(read::<Vec<u8>>(json!([1, 2])), vec![1, 2]);
    }

    #[test]
    fn numbers_and_decimal_strings_are_coerced() {
        assert_eq!(read::<Option<i64>>(json!("42")), Some(42));
        assert_eq!(
            read::<Option<u64>>(json!("18446744073709551615")),
            Some(u64::MAX)
        );
        assert_eq!(read::<Option<f64>>(json!("1.5")), Some(1.5));
        assert_eq!(read::<Option<String>>(json!(42)), Some("42".to_owned()));
        assert_eq!(read::<Option<String>>(json!(2.5)), Some("2.5".to_owned()));
        // Not exactly a number: not coerced.
        assert_eq!(read::<Option<i64>>(json!(" 42")), None);
        assert_eq!(read::<Option<i64>>(json!("4x")), None);
        assert_eq!(read::<Option<i64>>(json!("1.5")), None);
        assert_eq!(read::<Option<f64>>(json!("NaN")), None);
    }

    #[test]
    fn any_other_type_is_the_default() {
        assert_eq!(read::<Option<String>>(json!({"a": 1})), None);
        assert_eq!(read::<Option<String>>(json!([1])), None);
        assert_eq!(read::<Option<String>>(json!(true)), None);
        assert_eq!(read::<Option<i64>>(json!({})), None);
        assert_eq!(read::<Vec<String>>(json!("a")), Vec::<String>::new());
        assert_eq!(read::<Vec<String>>(json!([1, {}])), Vec::<String>::new());
        assert_eq!(
            read::<std::collections::BTreeMap<String, i64>>(json!(7)),
            Default::default()
        );
    }

    #[test]
    fn the_log_names_the_kind_never_the_value() {
        let e = serde_json::from_value::<i64>(json!("sk-secret")).unwrap_err();
        assert_eq!(kind(&e), "a string");
        let e = serde_json::from_value::<String>(json!({"k": "sk-secret"})).unwrap_err();
        assert_eq!(kind(&e), "an object");
        let e = serde_json::from_value::<String>(json!([1])).unwrap_err();
        assert_eq!(kind(&e), "a list");
        let e = serde_json::from_value::<String>(json!(1.5)).unwrap_err();
        assert_eq!(kind(&e), "a number");
    }

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Answer {
        id: i64,
        #[serde(default, deserialize_with = "field")]
        name: Option<String>,
        #[serde(default, deserialize_with = "field")]
        tags: Vec<String>,
    }

    #[test]
    fn in_a_struct_absent_wrong_and_unknown_fields_decode() {
        let a: Answer =
            serde_json::from_str(r#"{"id": 1, "name": {"x": 1}, "tags": 3, "new": [1]}"#).unwrap();
        assert_eq!(
            a,
            Answer {
                id: 1,
                name: None,
                tags: vec![]
            }
        );
        let a: Answer = serde_json::from_str(r#"{"id": 1}"#).unwrap();
        assert_eq!(
            a,
            Answer {
                id: 1,
                name: None,
                tags: vec![]
            }
        );
        // Read from a `Value` too (and inside untagged enums, which buffer).
        let a: Answer = serde_json::from_value(json!({"id": 1, "name": 5})).unwrap();
        assert_eq!(a.name.as_deref(), Some("5"));
        // A required field stays strict.
        assert!(serde_json::from_str::<Answer>(r#"{"id": "x"}"#).is_err());
    }
}

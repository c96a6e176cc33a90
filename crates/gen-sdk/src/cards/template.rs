//! `{{variables}}` in the text fields of a card: listing and substituting
//! them.

use std::collections::BTreeMap;

use super::types::text_mut;
use super::{Card, TextInput, TextInputExt};
use crate::error::Error;

impl Card {
    fn text_fields_mut(&mut self) -> Vec<&mut TextInput> {
        match self {
            Self::Text(c) => vec![&mut c.prompt],
            Self::ImageFromText(c) => vec![&mut c.prompt],
            Self::VideoFromText(c) => {
                let data = &mut **c;
                let mut fields = vec![&mut data.prompt];
                fields.extend(data.negative_prompt.as_mut());
                fields
            }
            Self::VideoFromImage(c) => c.prompt.as_mut().into_iter().collect(),
            Self::VideoFromIngredients(c) => vec![&mut c.prompt],
            Self::SpeechFromText(c) => vec![&mut c.script],
            Self::Media(_) | Self::Lipsync(_) | Self::Captions(_) => Vec::new(),
        }
    }

    /// The `{{variables}}` used by the card's text fields, in order of first
    /// use, without duplicates.
    pub fn variables(&self) -> Vec<String> {
        let mut card = self.clone();
        let mut names = Vec::new();
        for field in card.text_fields_mut() {
            for name in variables(field.text()) {
                if !names.contains(&name) {
                    names.push(name);
                }
            }
        }
        names
    }

    /// Replaces the `{{variables}}` of every text field with the values of
    /// `vars`; unknown variables are left in place (GEN fills sheet-level
    /// variables at generation time).
    pub fn substitute(mut self, vars: &BTreeMap<String, String>) -> Self {
        for field in self.text_fields_mut() {
            let text = text_mut(field);
            *text = substitute(text, vars);
        }
        self
    }
}

/// The `{{variable}}` names used in `text`, in order of first use, without
/// duplicates. Whitespace inside the braces is allowed (`{{ topic }}`);
/// names are letters, digits, `_`, `-` and `.`.
pub fn variables(text: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    scan(text, |name| {
        if !names.iter().any(|n| n == name) {
            names.push(name.to_owned());
        }
        None
    });
    names
}

/// Replaces each `{{variable}}` of `text` found in `vars`; others are left
/// as they are.
pub fn substitute(text: &str, vars: &BTreeMap<String, String>) -> String {
    scan(text, |name| vars.get(name).cloned())
}

/// Like [`substitute`], but every variable must have a value: otherwise a
/// [`ErrorKind::Validation`](crate::ErrorKind::Validation) on `variables` lists the missing names.
pub fn substitute_strict(text: &str, vars: &BTreeMap<String, String>) -> Result<String, Error> {
    let missing: Vec<String> = variables(text)
        .into_iter()
        .filter(|name| !vars.contains_key(name))
        .collect();
    if missing.is_empty() {
        Ok(substitute(text, vars))
    } else {
        Err(Error::validation(
            "variables",
            format!("no value for {}", missing.join(", ")),
            Some(vars.keys().cloned().collect()),
        ))
    }
}

/// Walks `text`, calling `replace` with each variable name; returns the text
/// with the placeholders `replace` returned a value for replaced.
fn scan(text: &str, mut replace: impl FnMut(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let parsed = after.find("}}").and_then(|end| {
            let name = after[..end].trim();
            let valid = !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'));
            valid.then_some((name, end))
        });
        match parsed {
            Some((name, end)) => {
                match replace(name) {
                    Some(value) => out.push_str(&value),
                    None => out.push_str(&rest[start..start + 2 + end + 2]),
                }
                rest = &after[end + 2..];
            }
            None => {
                out.push_str("{{");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

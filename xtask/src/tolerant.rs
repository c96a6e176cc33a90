//! Tolerant reading of answers (issue 19): a field of an answer that is
//! optional never fails the answer.
//!
//! openapi.yaml types every answer field, but most types are guesses: no
//! seed shows the field with a value (a field a seed pins carries
//! `x-pinned-by`, and only a pinned field may be `required`; see
//! [`crate::pinned`]). A guess that is wrong must not fail the whole answer, so
//! every optional field of every type an answer reaches is read with
//! `genpro_api::lenient::field`: a value of another JSON type is coerced when
//! that loses nothing (`"42"` for an integer, `42` for a string) and is
//! otherwise read as the field's default (`None`, an empty list), with a
//! debug log. Unknown fields are always accepted (`deny_unknown_fields` is
//! dropped from those types). Required fields stay strict: a seed pins
//! them. Optional date-times are read by `genpro_api::transport::rfc3339_opt`
//! (lighten.rs), which is lenient the same way.
//!
//! The pass works on progenitor's syntax tree, before it is printed. A
//! field shape it does not know (a `default = "path"` of its own, a
//! `deserialize_with` already there, a `flatten`) is left as progenitor
//! wrote it, with a warning.

use std::collections::{BTreeMap, BTreeSet};

use quote::ToTokens;

use crate::normalize::Warnings;

/// The attribute path of the lenient reader.
const FIELD: &str = "crate::lenient::field";

/// The names of every type in `types` an answer reaches: what appears in a
/// `ResponseValue<..>` of the client, and what their fields and variants
/// name, transitively.
fn answer_types(file: &syn::File, types: &BTreeMap<String, syn::Item>) -> BTreeSet<String> {
    fn idents(tokens: proc_macro2::TokenStream, out: &mut Vec<String>) {
        for t in tokens {
            match t {
                proc_macro2::TokenTree::Ident(i) => out.push(i.to_string()),
                proc_macro2::TokenTree::Group(g) => idents(g.stream(), out),
                _ => {}
            }
        }
    }
    // Roots: the type arguments of every `ResponseValue<...>`.
    let text: Vec<proc_macro2::TokenTree> = file.to_token_stream().into_iter().collect();
    let mut roots = Vec::new();
    fn scan(tokens: &[proc_macro2::TokenTree], roots: &mut Vec<String>) {
        let mut i = 0;
        while i < tokens.len() {
            match &tokens[i] {
                proc_macro2::TokenTree::Ident(id) if id == "ResponseValue" => {
                    // `<` ... matching `>`
                    if let Some(proc_macro2::TokenTree::Punct(p)) = tokens.get(i + 1)
                        && p.as_char() == '<'
                    {
                        let mut depth = 0usize;
                        let mut j = i + 1;
                        while j < tokens.len() {
                            match &tokens[j] {
                                proc_macro2::TokenTree::Punct(p) if p.as_char() == '<' => {
                                    depth += 1
                                }
                                proc_macro2::TokenTree::Punct(p) if p.as_char() == '>' => {
                                    depth -= 1;
                                    if depth == 0 {
                                        break;
                                    }
                                }
                                proc_macro2::TokenTree::Ident(t) => roots.push(t.to_string()),
                                _ => {}
                            }
                            j += 1;
                        }
                        i = j;
                    }
                }
                proc_macro2::TokenTree::Group(g) => {
                    let inner: Vec<_> = g.stream().into_iter().collect();
                    scan(&inner, roots);
                }
                _ => {}
            }
            i += 1;
        }
    }
    scan(&text, &mut roots);
    let mut seen = BTreeSet::new();
    let mut todo: Vec<String> = roots
        .into_iter()
        .filter(|r| types.contains_key(r))
        .collect();
    while let Some(name) = todo.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        let mut named = Vec::new();
        match &types[&name] {
            syn::Item::Struct(s) => idents(s.fields.to_token_stream(), &mut named),
            syn::Item::Enum(e) => {
                for v in &e.variants {
                    idents(v.fields.to_token_stream(), &mut named);
                }
            }
            syn::Item::Type(t) => idents(t.ty.to_token_stream(), &mut named),
            _ => {}
        }
        todo.extend(named.into_iter().filter(|n| types.contains_key(n)));
    }
    seen
}

/// Whether `ty` is `Option<..>` (written any way progenitor writes it).
fn is_option(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Option"))
}

/// Whether `ty` is `Option<DateTime<..>>` (lighten.rs reads it leniently).
fn is_optional_date_time(ty: &syn::Type) -> bool {
    is_option(ty) && ty.to_token_stream().to_string().contains("DateTime")
}

/// What a field's `#[serde(..)]` attributes say, as written.
fn serde_words(field: &syn::Field) -> Vec<String> {
    field
        .attrs
        .iter()
        .filter(|a| a.path().is_ident("serde"))
        .map(|a| a.meta.to_token_stream().to_string())
        .collect()
}

/// The items of the `types` module of `file`.
fn types_items(file: &syn::File) -> Option<&Vec<syn::Item>> {
    file.items.iter().find_map(|i| match i {
        syn::Item::Mod(m) if m.ident == "types" => m.content.as_ref().map(|(_, c)| c),
        _ => None,
    })
}

/// Makes every optional field of every answer type lenient (module doc).
/// Returns how many fields were made lenient.
pub fn reading(file: &mut syn::File, w: &mut Warnings) -> usize {
    let Some(items) = types_items(file) else {
        w.add(
            "tolerant reading",
            "no `types` module in progenitor's output: answers read strictly (has progenitor's output changed?)",
        );
        return 0;
    };
    let by_name: BTreeMap<String, syn::Item> = items
        .iter()
        .filter_map(|i| {
            let name = match i {
                syn::Item::Struct(s) => s.ident.to_string(),
                syn::Item::Enum(e) => e.ident.to_string(),
                syn::Item::Type(t) => t.ident.to_string(),
                _ => return None,
            };
            Some((name, i.clone()))
        })
        .collect();
    let reached = answer_types(file, &by_name);
    let items = file
        .items
        .iter_mut()
        .find_map(|i| match i {
            syn::Item::Mod(m) if m.ident == "types" => m.content.as_mut().map(|(_, c)| c),
            _ => None,
        })
        .expect("found above");
    let mut lenient = 0;
    for item in items.iter_mut() {
        let syn::Item::Struct(s) = item else { continue };
        if !reached.contains(&s.ident.to_string()) {
            continue;
        }
        // Unknown fields are accepted.
        s.attrs.retain(|a| {
            !(a.path().is_ident("serde")
                && a.meta.to_token_stream().to_string() == "serde (deny_unknown_fields)")
        });
        let syn::Fields::Named(fields) = &mut s.fields else {
            continue;
        };
        for field in fields.named.iter_mut() {
            let words = serde_words(field).join(" ");
            let has_default = words.contains("default");
            if !(is_option(&field.ty) || has_default) || is_optional_date_time(&field.ty) {
                continue;
            }
            let name = field
                .ident
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default();
            if words.contains("flatten")
                || words.contains("with =")
                || words.contains("deserialize_with")
                || words.contains("default =")
            {
                w.add(
                    format!("{}.{name}", s.ident),
                    format!(
                        "an optional answer field with serde attributes of its own ({words}): read strictly"
                    ),
                );
                continue;
            }
            let attr: syn::Attribute = if has_default {
                syn::parse_quote!(#[serde(deserialize_with = #FIELD)])
            } else {
                syn::parse_quote!(#[serde(default, deserialize_with = #FIELD)])
            };
            field.attrs.push(attr);
            lenient += 1;
        }
    }
    lenient
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn optional_fields_of_answer_types_are_lenient_and_others_untouched() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                #[derive(Deserialize)]
                #[serde(deny_unknown_fields)]
                pub struct A {
                    pub id: i64,
                    #[serde(skip_serializing_if = "::std::option::Option::is_none")]
                    pub name: ::std::option::Option<::std::string::String>,
                    #[serde(default, skip_serializing_if = "::std::vec::Vec::is_empty")]
                    pub items: ::std::vec::Vec<B>,
                    pub at: ::std::option::Option<::chrono::DateTime<::chrono::offset::Utc>>,
                    #[serde(flatten, skip_serializing_if = "::std::option::Option::is_none")]
                    pub rest: ::std::option::Option<E>,
                }
                pub struct B { pub note: Option<String> }
                pub enum E { One(D) }
                pub struct D { #[serde(default = "defaults::d")] pub n: i64 }
                #[serde(deny_unknown_fields)]
                pub struct Request { pub n: Option<i64> }
            }
            impl Client {
                pub async fn send(self) -> Result<ResponseValue<::std::vec::Vec<types::A>>, Error<()>> { todo!() }
                pub async fn post(self, body: types::Request) -> Result<ResponseValue<()>, Error<()>> { todo!() }
            }
        };
        let mut w = Warnings::default();
        assert_eq!(reading(&mut file, &mut w), 3);
        let text = prettyplease::unparse(&file);
        let want = [
            "    #[derive(Deserialize)]\n    pub struct A {\n        pub id: i64,",
            "#[serde(skip_serializing_if = \"::std::option::Option::is_none\")]\n        #[serde(default, deserialize_with = \"crate::lenient::field\")]\n        pub name:",
            "#[serde(default, skip_serializing_if = \"::std::vec::Vec::is_empty\")]\n        #[serde(deserialize_with = \"crate::lenient::field\")]\n        pub items:",
            "        pub at: ::std::option::Option<::chrono::DateTime<::chrono::offset::Utc>>,",
            "        #[serde(flatten, skip_serializing_if = \"::std::option::Option::is_none\")]\n        pub rest:",
            "    pub struct B {\n        #[serde(default, deserialize_with = \"crate::lenient::field\")]\n        pub note: Option<String>,",
            "    pub struct D {\n        #[serde(default = \"defaults::d\")]\n        pub n: i64,",
            "    #[serde(deny_unknown_fields)]\n    pub struct Request {\n        pub n: Option<i64>,",
        ];
        for want in want {
            assert!(text.contains(want), "{want}\n---\n{text}");
        }
        let warned: Vec<String> = w.iter().map(|(s, m)| format!("{s}: {m}")).collect();
        assert_eq!(
            warned,
            [
                "A.rest: an optional answer field with serde attributes of its own (serde (flatten , skip_serializing_if = \"::std::option::Option::is_none\")): read strictly",
                "D.n: an optional answer field with serde attributes of its own (serde (default = \"defaults::d\")): read strictly",
            ]
        );
    }
}

//! Lighter request building in the generated client (a text pass over
//! progenitor's formatted output, run before the final rustfmt).
//!
//! progenitor builds every request with a few allocations it does not need:
//! a `HeaderMap` holding only the constant `api-version` header, merged into
//! the request afterwards, and a `String` per path parameter
//! (`encode_path(&id.to_string())`) before the URL's own. This pass:
//!
//! - sets `api-version` with one `.header(...)` of compile-time constants
//!   (`gen_api::transport::API_VERSION`/`API_VERSION_VALUE`) when it is the
//!   only header of the operation (operations with header parameters keep
//!   their map), and `Accept` with `gen_api::transport::APPLICATION_JSON`
//!   (a `HeaderValue::from_static` called in a function checks its bytes
//!   every time);
//! - writes each path parameter straight into the URL through
//!   `gen_api::transport::PathParam`, percent-encoded with progenitor's
//!   set (same bytes on the wire, no intermediate strings);
//! - decodes JSON answers with `gen_api::transport::decode`, which moves
//!   the answer's headers into the `ResponseValue` instead of cloning them
//!   (progenitor's `ResponseValue::from_response`);
//! - adds an optional query parameter with
//!   `gen_api::transport::QueryOpt::query_opt`, which leaves the URL alone
//!   when the parameter is not set (progenitor's `.query(..)` opens and
//!   closes the URL's query for every parameter, set or not). Which
//!   parameters are optional is read from the builders' field types
//!   (`Result<Option<_>, String>`) with syn.
//!
//! Each rewrite is checked: a shape it does not recognise is an error, so a
//! new progenitor cannot silently change what is sent.

use std::collections::HashMap;

use anyhow::{Context, Result, bail};

const API_VERSION_MAP: &str =
    "let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
            header_map.append(
                ::reqwest::header::HeaderName::from_static(\"api-version\"),
                ::reqwest::header::HeaderValue::from_static(super::Client::api_version()),
            );
";
const MERGE: &str = ".headers(header_map)";
const ONE_HEADER: &str =
    ".header(crate::transport::API_VERSION, crate::transport::API_VERSION_VALUE)";
/// A header value progenitor builds at run time on every call.
const ACCEPT_JSON: &str = "::reqwest::header::HeaderValue::from_static(\"application/json\")";

/// Applies the four rewrites (api-version header, path parameters,
/// decoding, optional query parameters) to the generated client's source.
pub fn requests(src: &str) -> Result<String> {
    let src = api_version_header(src)?;
    let src = path_params(&src)?;
    let src = optional_queries(&src)?;
    let out = src
        .replace(
            "ResponseValue::from_response(response)",
            "crate::transport::decode(response)",
        )
        .replace(ACCEPT_JSON, "crate::transport::APPLICATION_JSON");
    // A progenitor whose output no longer has the shapes above must fail
    // here, not leave the client silently unlightened.
    if out.contains("pub async fn send(") {
        let missed = [
            (
                !out.contains(ONE_HEADER),
                "no api-version header was rewritten",
            ),
            (out.contains("encode_path(&"), "an encode_path call is left"),
            (
                out.contains("from_response("),
                "a ResponseValue::from_response call is left",
            ),
            (
                !out.contains("crate::transport::decode(response)"),
                "no answer decoding was rewritten",
            ),
        ];
        if let Some((_, what)) = missed.iter().find(|(missed, _)| *missed) {
            bail!("lighten: {what}; has progenitor's output changed? See xtask/src/lighten.rs");
        }
    }
    Ok(out)
}

const QUERY: &str = ".query(&progenitor_client::QueryParam::new(";
/// The request builders' module (at the top level; `types` has its own).
const BUILDER_MOD: &str = "\npub mod builder {\n";
const QUERY_OPT_USE: &str = "    use crate::transport::QueryOpt as _;\n";

/// The fields of each request builder (`mod builder`), with whether each is
/// optional (`Result<Option<_>, _>`).
fn builder_fields(src: &str) -> Result<HashMap<String, HashMap<String, bool>>> {
    let file = syn::parse_file(src).context("lighten: the generated client does not parse")?;
    let Some(items) = file.items.iter().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == "builder" => m.content.as_ref().map(|(_, items)| items),
        _ => None,
    }) else {
        bail!("lighten: no `mod builder` in the generated client");
    };
    let mut out = HashMap::new();
    for item in items {
        let syn::Item::Struct(s) = item else { continue };
        let fields = s
            .fields
            .iter()
            .filter_map(|f| Some((f.ident.as_ref()?.to_string(), is_result_of_option(&f.ty))))
            .collect();
        out.insert(s.ident.to_string(), fields);
    }
    Ok(out)
}

/// `Result<Option<_>, _>` (any path prefix).
fn is_result_of_option(ty: &syn::Type) -> bool {
    fn last_is<'a>(ty: &'a syn::Type, name: &str) -> Option<&'a syn::PathSegment> {
        let syn::Type::Path(p) = ty else { return None };
        let last = p.path.segments.last()?;
        (last.ident == name).then_some(last)
    }
    let Some(result) = last_is(ty, "Result") else {
        return false;
    };
    let syn::PathArguments::AngleBracketed(args) = &result.arguments else {
        return false;
    };
    matches!(args.args.first(), Some(syn::GenericArgument::Type(t)) if last_is(t, "Option").is_some())
}

fn optional_queries(src: &str) -> Result<String> {
    if !src.contains(QUERY) {
        return Ok(src.to_owned());
    }
    let fields = builder_fields(src)?;
    let Some(module) = src.find(BUILDER_MOD) else {
        bail!("lighten: no `pub mod builder {{` line in the generated client");
    };
    let mut out = String::with_capacity(src.len());
    out.push_str(&src[..module + BUILDER_MOD.len()]);
    out.push_str(QUERY_OPT_USE);
    let mut rest = &src[module + BUILDER_MOD.len()..];
    let mut builder: Option<&str> = None;
    while let Some(at) = rest.find(QUERY) {
        let before = &rest[..at];
        // The builder whose `impl` block the call is in: the last
        // `impl<'a> Name<'a> {` before it.
        if let Some(i) = before.rfind("impl<'a> ") {
            let name = &before[i + "impl<'a> ".len()..];
            builder = name.split('<').next();
        }
        out.push_str(before);
        let after = &rest[at + QUERY.len()..];
        let Some(end) = after.find("))") else {
            bail!("lighten: a QueryParam call of an unknown shape");
        };
        // `"wire", &var` (rustfmt may break it over lines, with a trailing comma).
        let args = after[..end].trim().trim_end_matches(',');
        let (wire, var) = args
            .split_once(',')
            .map(|(w, v)| (w.trim(), v.trim()))
            .filter(|(w, v)| w.starts_with('"') && v.starts_with('&'))
            .ok_or_else(|| anyhow::anyhow!("lighten: a QueryParam call of an unknown shape"))?;
        let var = &var[1..];
        let optional = builder
            .and_then(|b| fields.get(b))
            .and_then(|f| f.get(var))
            .copied();
        match optional {
            Some(true) => out.push_str(&format!(".query_opt({wire}, &{var})")),
            Some(false) => out.push_str(&format!("{QUERY}{wire}, &{var}))")),
            None => bail!(
                "lighten: query parameter `{var}` is not a field of builder `{}`",
                builder.unwrap_or("?")
            ),
        }
        rest = &after[end + "))".len()..];
    }
    out.push_str(rest);
    Ok(out)
}

fn api_version_header(src: &str) -> Result<String> {
    let mut out = String::with_capacity(src.len());
    let mut rest = src;
    while let Some(at) = rest.find(API_VERSION_MAP) {
        out.push_str(&rest[..at]);
        // Drop the trailing indentation of the removed statement's line.
        while out.ends_with(' ') {
            out.pop();
        }
        rest = &rest[at + API_VERSION_MAP.len()..];
        let Some(merge) = rest.find(MERGE) else {
            bail!("lighten: an api-version header map that is never merged");
        };
        if rest[..merge].contains("async fn ") {
            bail!("lighten: the api-version header map is merged in another function");
        }
        out.push_str(&rest[..merge]);
        out.push_str(ONE_HEADER);
        rest = &rest[merge + MERGE.len()..];
    }
    out.push_str(rest);
    Ok(out)
}

fn path_params(src: &str) -> Result<String> {
    const OPEN: &str = "encode_path(&";
    const CLOSE: &str = ".to_string())";
    let mut out = String::with_capacity(src.len());
    let mut rest = src;
    while let Some(at) = rest.find(OPEN) {
        out.push_str(&rest[..at]);
        let after = &rest[at + OPEN.len()..];
        let Some(end) = after.find(CLOSE) else {
            bail!("lighten: an encode_path call of an unknown shape");
        };
        let name = &after[..end];
        if name.is_empty() || !name.chars().all(|c| c == '_' || c.is_ascii_alphanumeric()) {
            bail!("lighten: encode_path of `{name}`, not a plain parameter");
        }
        out.push_str("crate::transport::PathParam(&");
        out.push_str(name);
        out.push(')');
        rest = &after[end + CLOSE.len()..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lone_api_version_map_becomes_one_header_and_paths_need_no_strings() {
        let src = format!(
            "        pub async fn send(self) {{\n            let url = format!(\"{{}}/v1/x/{{}}\", client.baseurl, encode_path(&id.to_string()),);\n            {API_VERSION_MAP}            let request = client.client.get(url).headers(header_map).build()?;\n            ResponseValue::from_response(response).await\n        }}\n"
        );
        let out = requests(&src).unwrap();
        assert_eq!(
            out,
            format!(
                "        pub async fn send(self) {{\n            let url = format!(\"{{}}/v1/x/{{}}\", client.baseurl, crate::transport::PathParam(&id),);\n            let request = client.client.get(url){ONE_HEADER}.build()?;\n            crate::transport::decode(response).await\n        }}\n"
            )
        );
    }

    #[test]
    fn optional_query_parameters_are_added_only_when_set() {
        let src = "\npub mod builder {\n    pub struct ListX<'a> {\n        client: &'a super::Client,\n        agent_id: Result<i64, String>,\n        status: ::std::result::Result<::std::option::Option<types::Status>, String>,\n    }\n    impl<'a> ListX<'a> {\n        pub async fn send(self) {\n            let request = client.client.get(url).query(&progenitor_client::QueryParam::new(\"agent_id\", &agent_id)).query(&progenitor_client::QueryParam::new(\"status\", &status)).build()?;\n        }\n    }\n}\n";
        let out = optional_queries(src).unwrap();
        assert_eq!(
            out,
            src.replace(
                "\npub mod builder {\n",
                &format!("\npub mod builder {{\n{QUERY_OPT_USE}")
            )
            .replace(
                ".query(&progenitor_client::QueryParam::new(\"status\", &status))",
                ".query_opt(\"status\", &status)"
            )
        );
        // A query variable that is not a field of its builder: refused.
        let bad = src.replace("&status))", "&other))");
        assert!(optional_queries(&bad).is_err());
    }

    #[test]
    fn a_client_none_of_whose_shapes_match_is_an_error() {
        let src = "pub async fn send(self) { client.client.get(url).header(\"api-version\", V).build()?; from_response_v2(response).await }";
        let error = requests(src).unwrap_err().to_string();
        assert!(
            error.contains("no api-version header was rewritten"),
            "{error}"
        );
    }

    #[test]
    fn a_map_with_other_headers_is_kept() {
        let src = "let mut header_map = ::reqwest::header::HeaderMap::with_capacity(2usize);\n.headers(header_map)";
        assert_eq!(requests(src).unwrap(), src);
    }

    #[test]
    fn unknown_shapes_are_errors() {
        let src =
            format!("{API_VERSION_MAP}\n}}\n    pub async fn other() {{ x.headers(header_map) }}");
        assert!(requests(&src).is_err());
        assert!(requests("encode_path(&a.b.to_string())").is_err());
        assert!(requests("encode_path(&x)").is_err());
    }
}

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
//! - builds each URL with `gen_api::transport::url`, which sets the path on
//!   a copy of the base URL parsed once per thread, instead of formatting
//!   the whole URL for reqwest to parse again (the host's parsing, IDNA
//!   included, was about 6,500 instructions per call);
//! - reads `format: date-time` fields (`chrono::DateTime<Utc>`) with
//!   `gen_api::transport::rfc3339`/`rfc3339_opt` (`#[serde(with = ..)]`),
//!   which read the common `...T..:..:..Z` shape directly and leave every
//!   other string to chrono (chrono's parser was about 1,600 instructions
//!   per timestamp);
//! - reads every non-2xx answer with `gen_api::transport::error_answer`, a
//!   boxed future of its own, instead of progenitor's three arms in every
//!   call (the same errors; their code and state no longer sit in every
//!   call's future, between the instructions of a successful call);
//! - drops the `pre` and `post` hook awaits around `exec`: gen-api's
//!   `ClientHooks` implements `exec` only (a test below keeps it so), and
//!   the awaits kept the built request (264 bytes) and the answer in every
//!   call's future;
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

/// Applies the six rewrites (api-version header, path parameters, URLs,
/// timestamps, decoding, optional query parameters) to the generated client's source.
pub fn requests(src: &str) -> Result<String> {
    let src = api_version_header(src)?;
    let src = path_params(&src)?;
    let src = urls(&src)?;
    let src = timestamps(&src)?;
    let src = optional_queries(&src)?;
    let out = src
        .replace(
            "ResponseValue::from_response(response)",
            "crate::transport::decode(response)",
        )
        .replace(ACCEPT_JSON, "crate::transport::APPLICATION_JSON");
    let out = error_arms(&out)?;
    let out = without_hooks(&out)?;
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
                out.contains(URL_FORMAT),
                "a URL is still formatted as a whole",
            ),
            (!out.contains(URL_CALL), "no URL was rewritten"),
            (
                out.lines()
                    .filter(|l| {
                        let l = l.trim_start();
                        l.starts_with("pub ") && !l.starts_with("pub fn") && l.contains("DateTime<")
                    })
                    .count()
                    > out.matches("with = \"crate::transport::rfc3339").count(),
                "a date-time field was not rewritten",
            ),
            (out.contains(".pre(&mut request"), "a pre hook is left"),
            (
                out.contains("Error::UnexpectedResponse(response)"),
                "an error arm is left in a generated call",
            ),
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

const URL_FORMAT: &str = "let url = format!(";
const URL_CALL: &str = "let url = crate::transport::url(&client.baseurl, format_args!(";

/// `let url = format!("{}/v1/x/{}", client.baseurl, a,);` becomes
/// `let url = crate::transport::url(&client.baseurl, format_args!("/v1/x/{}", a,))
/// .map_err(Error::InvalidRequest)?;`.
fn urls(src: &str) -> Result<String> {
    let mut out = String::with_capacity(src.len());
    let mut rest = src;
    while let Some(at) = rest.find(URL_FORMAT) {
        out.push_str(&rest[..at]);
        let after = &rest[at + URL_FORMAT.len()..];
        // The macro's arguments, up to its closing parenthesis (template
        // literals hold no parentheses or quotes of their own).
        let mut depth = 1;
        let mut in_str = false;
        let mut end = None;
        for (i, c) in after.char_indices() {
            match c {
                '"' => in_str = !in_str,
                '(' if !in_str => depth += 1,
                ')' if !in_str => {
                    depth -= 1;
                    if depth == 0 {
                        end = Some(i);
                        break;
                    }
                }
                _ => {}
            }
        }
        let Some(end) = end else {
            bail!("lighten: a URL format! that never closes");
        };
        let args = after[..end].trim();
        let Some(template) = args.strip_prefix("\"{}") else {
            bail!("lighten: a URL format! that does not start with the base URL: {args}");
        };
        let Some((template, others)) = template.split_once('"') else {
            bail!("lighten: a URL format! of an unknown shape: {args}");
        };
        let others = others.trim_start();
        let Some(others) = others
            .strip_prefix(',')
            .map(str::trim_start)
            .and_then(|o| o.strip_prefix("client.baseurl"))
        else {
            bail!("lighten: a URL format! whose base is not client.baseurl: {args}");
        };
        let Some(after_close) = after[end + 1..].strip_prefix(';') else {
            bail!("lighten: a URL format! that is not a statement of its own");
        };
        out.push_str(URL_CALL);
        out.push('"');
        out.push_str(template);
        out.push('"');
        out.push_str(others);
        out.push_str(")).map_err(Error::InvalidRequest)?;");
        rest = after_close;
    }
    out.push_str(rest);
    Ok(out)
}

const PRE: &str = "client.pre(&mut request, &info).await?;";
const POST: &str = "client.post(&result, &info).await?;";

/// Removes the `pre`/`post` awaits of every generated call (they are
/// progenitor's defaults, which do nothing, in gen-api).
fn without_hooks(src: &str) -> Result<String> {
    let calls = src.matches("client.exec(request, &info).await").count();
    if src.matches(PRE).count() != calls || src.matches(POST).count() != calls {
        bail!("lighten: not every exec call has exactly one pre and one post hook around it");
    }
    let out: String = src
        .split_inclusive('\n')
        .filter(|l| l.trim() != PRE && l.trim() != POST)
        .collect();
    if out.contains(PRE) || out.contains(POST) {
        bail!("lighten: a pre or post hook shares its line with other code");
    }
    Ok(out)
}

/// progenitor's error arms of a call, whitespace removed.
const ERROR_ARMS: &str = "400u16..=499u16=>Err(Error::ErrorResponse(crate::transport::decode(response).await?)),500u16..=599u16=>Err(Error::ErrorResponse(crate::transport::decode(response).await?)),_=>Err(Error::UnexpectedResponse(response)),";
const ERROR_ARM: &str = "_ => crate::transport::error_answer(response).await,";

/// progenitor's `4xx`, `5xx` and `_` arms become one call of
/// `crate::transport::error_answer`.
fn error_arms(src: &str) -> Result<String> {
    const FIRST: &str = "400u16..=499u16 =>";
    const LAST: &str = "_ => Err(Error::UnexpectedResponse(response)),";
    let mut out = String::with_capacity(src.len());
    let mut rest = src;
    while let Some(at) = rest.find(FIRST) {
        out.push_str(&rest[..at]);
        let Some(end) = rest[at..].find(LAST).map(|e| at + e + LAST.len()) else {
            bail!("lighten: a 4xx arm without the arms progenitor writes after it");
        };
        let arms: String = rest[at..end]
            .split_whitespace()
            .collect::<String>()
            .replace(",)", ")");
        if arms != ERROR_ARMS {
            bail!("lighten: error arms of an unknown shape: {arms}");
        }
        out.push_str(ERROR_ARM);
        rest = &rest[end..];
    }
    out.push_str(rest);
    Ok(out)
}

const DATE_TIME: &str = "::chrono::DateTime<::chrono::offset::Utc>";
const OPT_DATE_TIME: &str = "::std::option::Option<::chrono::DateTime<::chrono::offset::Utc>>";

/// Every `pub` field of a generated type whose type is `DateTime<Utc>` or
/// `Option<DateTime<Utc>>` gets `#[serde(with = ...)]` (and `default` for
/// an optional one, which `with` would otherwise make required).
fn timestamps(src: &str) -> Result<String> {
    let lines: Vec<&str> = src.split_inclusive('\n').collect();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim_start();
        let field = trimmed
            .strip_prefix("pub ")
            .and_then(|f| f.split_once(':'))
            .filter(|(name, _)| {
                !name.is_empty() && name.chars().all(|c| c == '_' || c.is_ascii_alphanumeric())
            });
        let Some((_, ty)) = field else {
            out.push_str(line);
            i += 1;
            continue;
        };
        // The type, over as many lines as rustfmt gave it, up to its comma.
        let mut decl: String = ty.split_whitespace().collect();
        let mut last = i;
        while !decl.ends_with(',') && last + 1 < lines.len() && !decl.contains('{') {
            last += 1;
            decl.extend(lines[last].split_whitespace());
        }
        let decl = decl.trim_end_matches(',');
        let with = if decl == OPT_DATE_TIME {
            "crate::transport::rfc3339_opt"
        } else if decl == DATE_TIME {
            "crate::transport::rfc3339"
        } else {
            out.push_str(line);
            i += 1;
            continue;
        };
        // The field's serde attributes are the lines just above it.
        let attrs = out
            .lines()
            .rev()
            .take_while(|l| l.trim_start().starts_with("#["))
            .collect::<Vec<_>>()
            .concat();
        if attrs.contains("with =") || attrs.contains("deserialize_with") {
            bail!(
                "lighten: a date-time field already has a serde `with`: {}",
                trimmed.trim()
            );
        }
        let default = if decl == OPT_DATE_TIME && !attrs.contains("default") {
            "default, "
        } else {
            ""
        };
        let indent = &line[..line.len() - trimmed.len()];
        out.push_str(&format!("{indent}#[serde({default}with = \"{with}\")]\n"));
        for l in &lines[i..=last] {
            out.push_str(l);
        }
        i = last + 1;
    }
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
                "        pub async fn send(self) {{\n            let url = crate::transport::url(&client.baseurl, format_args!(\"/v1/x/{{}}\", crate::transport::PathParam(&id),)).map_err(Error::InvalidRequest)?;\n            let request = client.client.get(url){ONE_HEADER}.build()?;\n            crate::transport::decode(response).await\n        }}\n"
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
    fn date_time_fields_are_read_with_the_fast_parser() {
        let src = "    pub struct X {\n        #[serde(skip_serializing_if = \"::std::option::Option::is_none\")]\n        pub created_at: ::std::option::Option<::chrono::DateTime<::chrono::offset::Utc>>,\n        #[serde(rename = \"at\", default)]\n        pub at:\n            ::std::option::Option<::chrono::DateTime<::chrono::offset::Utc>>,\n        pub due: ::chrono::DateTime<::chrono::offset::Utc>,\n        pub name: ::std::string::String,\n    }\n";
        assert_eq!(
            timestamps(src).unwrap(),
            "    pub struct X {\n        #[serde(skip_serializing_if = \"::std::option::Option::is_none\")]\n        #[serde(default, with = \"crate::transport::rfc3339_opt\")]\n        pub created_at: ::std::option::Option<::chrono::DateTime<::chrono::offset::Utc>>,\n        #[serde(rename = \"at\", default)]\n        #[serde(with = \"crate::transport::rfc3339_opt\")]\n        pub at:\n            ::std::option::Option<::chrono::DateTime<::chrono::offset::Utc>>,\n        #[serde(with = \"crate::transport::rfc3339\")]\n        pub due: ::chrono::DateTime<::chrono::offset::Utc>,\n        pub name: ::std::string::String,\n    }\n"
        );
        // A field that already has its own `with` is not guessed at.
        let taken = "        #[serde(with = \"x\")]\n        pub at: ::chrono::DateTime<::chrono::offset::Utc>,\n";
        assert!(timestamps(taken).is_err());
    }

    #[test]
    fn the_error_arms_become_one_out_of_line_call() {
        let src = "match response.status().as_u16() {\n    200..=299 => crate::transport::decode(response).await,\n    400u16..=499u16 => Err(Error::ErrorResponse(\n        crate::transport::decode(response).await?,\n    )),\n    500u16..=599u16 => Err(Error::ErrorResponse(crate::transport::decode(response).await?)),\n    _ => Err(Error::UnexpectedResponse(response)),\n}\n";
        assert_eq!(
            error_arms(src).unwrap(),
            format!(
                "match response.status().as_u16() {{\n    200..=299 => crate::transport::decode(response).await,\n    {ERROR_ARM}\n}}\n"
            )
        );
        // Any other arm in between: refused, not guessed at.
        let other = src.replace("500u16..=599u16", "503u16");
        assert!(error_arms(&other).is_err());
    }

    #[test]
    fn the_hook_awaits_go_and_gen_api_hooks_are_exec_only() {
        let src = format!(
            "        let info = I;\n        {PRE}\n        let result = client.exec(request, &info).await;\n        {POST}\n        let response = result?;\n"
        );
        assert_eq!(
            without_hooks(&src).unwrap(),
            "        let info = I;\n        let result = client.exec(request, &info).await;\n        let response = result?;\n"
        );
        assert!(without_hooks(&src.replace(POST, "")).is_err());
        // Dropping the awaits is right only while gen-api's ClientHooks
        // keeps progenitor's `pre` and `post`, which do nothing.
        let hooks = include_str!("../../crates/gen-api/src/transport.rs");
        assert!(!hooks.contains("fn pre") && !hooks.contains("fn post"));
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

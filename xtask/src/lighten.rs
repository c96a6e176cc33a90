//! Lighter request building in the generated client (a text pass over
//! progenitor's formatted output, run before the final rustfmt).
//!
//! progenitor builds every request with a few allocations it does not need:
//! a `HeaderMap` holding only the constant `api-version` header, merged into
//! the request afterwards, and a `String` per path parameter
//! (`encode_path(&id.to_string())`) before the URL's own. This pass:
//!
//! - sets `api-version` with one `.header(...)` of compile-time constants
//!   (`genpro_api::transport::API_VERSION`/`API_VERSION_VALUE`) when it is the
//!   only header of the operation (operations with header parameters keep
//!   their map), and `Accept` with `genpro_api::transport::APPLICATION_JSON`
//!   (a `HeaderValue::from_static` called in a function checks its bytes
//!   every time);
//! - writes each path parameter straight into the URL through
//!   `genpro_api::transport::PathParam`, percent-encoded with progenitor's
//!   set (same bytes on the wire, no intermediate strings);
//! - decodes JSON answers with `genpro_api::transport::decode`, which moves
//!   the answer's headers into the `ResponseValue` instead of cloning them
//!   (progenitor's `ResponseValue::from_response`);
//! - builds each URL with `genpro_api::transport::url`, which sets the path on
//!   a copy of the base URL parsed once per thread, instead of formatting
//!   the whole URL for reqwest to parse again (the host's parsing, IDNA
//!   included, was about 6,500 instructions per call);
//! - reads `format: date-time` fields (`chrono::DateTime<Utc>`) with
//!   `genpro_api::transport::rfc3339`/`rfc3339_opt` (`#[serde(with = ..)]`),
//!   which read the common `...T..:..:..Z` shape directly and leave every
//!   other string to chrono (chrono's parser was about 1,600 instructions
//!   per timestamp);
//! - reads every non-2xx answer with `genpro_api::transport::error_answer`, a
//!   boxed future of its own, instead of progenitor's three arms in every
//!   call (the same errors; their code and state no longer sit in every
//!   call's future, between the instructions of a successful call);
//! - drops the `pre` and `post` hook awaits around `exec`: genpro-api's
//!   `ClientHooks` implements `exec` only (a test below keeps it so), and
//!   the awaits kept the built request (264 bytes) and the answer in every
//!   call's future;
//! - adds an optional query parameter with
//!   `genpro_api::transport::QueryOpt::query_opt`, which leaves the URL alone
//!   when the parameter is not set (progenitor's `.query(..)` opens and
//!   closes the URL's query for every parameter, set or not). Which
//!   parameters are optional is read from the builders' field types
//!   (`Result<Option<_>, String>`) with syn.
//!
//! Each rewrite is total: a shape it does not recognise is left exactly as
//! progenitor wrote it (correct, only slower) and named in a warning; it
//! never fails generation. A test (`codegen::tests`) keeps openapi.yaml's
//! own client free of such warnings, so a new progenitor that changes its
//! output is seen in CI rather than silently leaving the client
//! unlightened.

use std::collections::HashMap;

use crate::normalize::Warnings;

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

/// The builder whose code is at the end of `before` (`impl<'a> Name<'a> {`),
/// to name it in a warning.
fn builder_at(before: &str) -> String {
    before
        .rfind("impl<'a> ")
        .map(|i| &before[i + "impl<'a> ".len()..])
        .and_then(|n| n.split(['<', ' ']).next())
        .unwrap_or("the generated client")
        .to_owned()
}

/// Records that a rewrite left one place as progenitor wrote it.
fn left(w: &mut Warnings, before: &str, what: &str) {
    w.add(
        format!("lighten {}", builder_at(before)),
        format!("{what}: left as progenitor wrote it"),
    );
}

/// Applies the rewrites (api-version header, path parameters, URLs,
/// timestamps, decoding, error arms, hooks, optional query parameters) to
/// the generated client's source; what a rewrite does not recognise is
/// left as it is, with a warning in `w`.
pub fn requests(src: &str, w: &mut Warnings) -> String {
    let src = api_version_header(src, w);
    let src = path_params(&src, w);
    let src = urls(&src, w);
    let src = timestamps(&src, w);
    let src = optional_queries(&src, w);
    let out = src
        .replace(
            "ResponseValue::from_response(response)",
            "crate::transport::decode(response)",
        )
        .replace(ACCEPT_JSON, "crate::transport::APPLICATION_JSON");
    let out = error_arms(&out, w);
    let out = without_hooks(&out, w);
    // What no rewrite took, said once each.
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
                out.contains("from_response("),
                "a ResponseValue::from_response call is left",
            ),
        ];
        for (_, what) in missed.iter().filter(|(missed, _)| *missed) {
            w.add(
                "lighten",
                format!("{what} (has progenitor's output changed?)"),
            );
        }
    }
    out
}

const QUERY: &str = ".query(&progenitor_client::QueryParam::new(";
/// The request builders' module (at the top level; `types` has its own).
const BUILDER_MOD: &str = "\npub mod builder {\n";
const QUERY_OPT_USE: &str = "    use crate::transport::QueryOpt as _;\n";

/// The fields of each request builder (`mod builder`), with whether each is
/// optional (`Result<Option<_>, _>`).
fn builder_fields(src: &str) -> Option<HashMap<String, HashMap<String, bool>>> {
    let file = syn::parse_file(src).ok()?;
    let items = file.items.iter().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == "builder" => m.content.as_ref().map(|(_, items)| items),
        _ => None,
    })?;
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
    Some(out)
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

fn optional_queries(src: &str, w: &mut Warnings) -> String {
    if !src.contains(QUERY) {
        return src.to_owned();
    }
    let (Some(fields), Some(module)) = (builder_fields(src), src.find(BUILDER_MOD)) else {
        w.add(
            "lighten",
            "no `pub mod builder` read: optional query parameters left as progenitor wrote them",
        );
        return src.to_owned();
    };
    let mut out = String::with_capacity(src.len());
    out.push_str(&src[..module + BUILDER_MOD.len()]);
    out.push_str(QUERY_OPT_USE);
    let mut rest = &src[module + BUILDER_MOD.len()..];
    while let Some(at) = rest.find(QUERY) {
        let before = &rest[..at];
        out.push_str(before);
        let builder = builder_at(&out);
        let after = &rest[at + QUERY.len()..];
        // `"wire", &var` (rustfmt may break it over lines, with a trailing comma).
        let parsed = after.find("))").and_then(|end| {
            let args = after[..end].trim().trim_end_matches(',');
            let (wire, var) = args
                .split_once(',')
                .map(|(w, v)| (w.trim(), v.trim()))
                .filter(|(w, v)| w.starts_with('"') && v.starts_with('&'))?;
            let optional = fields.get(&builder)?.get(&var[1..]).copied()?;
            Some((end, wire, &var[1..], optional))
        });
        match parsed {
            Some((end, wire, var, true)) => {
                out.push_str(&format!(".query_opt({wire}, &{var})"));
                rest = &after[end + "))".len()..];
            }
            Some((end, wire, var, false)) => {
                out.push_str(&format!("{QUERY}{wire}, &{var}))"));
                rest = &after[end + "))".len()..];
            }
            None => {
                left(w, &out, "a query parameter of an unknown shape");
                out.push_str(QUERY);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn api_version_header(src: &str, w: &mut Warnings) -> String {
    let mut out = String::with_capacity(src.len());
    let mut rest = src;
    while let Some(at) = rest.find(API_VERSION_MAP) {
        let after = &rest[at + API_VERSION_MAP.len()..];
        let merge = after
            .find(MERGE)
            .filter(|m| !after[..*m].contains("async fn "));
        let Some(merge) = merge else {
            out.push_str(&rest[..at + API_VERSION_MAP.len()]);
            left(
                w,
                &out,
                "an api-version header map not merged in its own call",
            );
            rest = after;
            continue;
        };
        out.push_str(&rest[..at]);
        // Drop the trailing indentation of the removed statement's line.
        while out.ends_with(' ') {
            out.pop();
        }
        out.push_str(&after[..merge]);
        out.push_str(ONE_HEADER);
        rest = &after[merge + MERGE.len()..];
    }
    out.push_str(rest);
    out
}

const URL_FORMAT: &str = "let url = format!(";
const URL_CALL: &str = "let url = crate::transport::url(&client.baseurl, format_args!(";

/// `let url = format!("{}/v1/x/{}", client.baseurl, a,);` becomes
/// `let url = crate::transport::url(&client.baseurl, format_args!("/v1/x/{}", a,))
/// .map_err(Error::InvalidRequest)?;`.
fn urls(src: &str, w: &mut Warnings) -> String {
    let mut out = String::with_capacity(src.len());
    let mut rest = src;
    while let Some(at) = rest.find(URL_FORMAT) {
        out.push_str(&rest[..at]);
        let after = &rest[at + URL_FORMAT.len()..];
        match url_call(after) {
            Some((call, consumed)) => {
                out.push_str(&call);
                rest = &after[consumed..];
            }
            None => {
                left(w, &out, "a URL format! of an unknown shape");
                out.push_str(URL_FORMAT);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The rewritten statement for the text after `let url = format!(`, and
/// how much of that text it replaces; `None` for an unknown shape.
fn url_call(after: &str) -> Option<(String, usize)> {
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
    let end = end?;
    let args = after[..end].trim();
    let template = args.strip_prefix("\"{}")?;
    let (template, others) = template.split_once('"')?;
    if template.contains('\\') {
        return None;
    }
    let others = others
        .trim_start()
        .strip_prefix(',')
        .map(str::trim_start)
        .and_then(|o| o.strip_prefix("client.baseurl"))?;
    after[end + 1..].strip_prefix(';')?;
    Some((
        format!("{URL_CALL}\"{template}\"{others})).map_err(Error::InvalidRequest)?;"),
        end + 2,
    ))
}

const PRE: &str = "client.pre(&mut request, &info).await?;";
const POST: &str = "client.post(&result, &info).await?;";

/// Removes the `pre`/`post` awaits of every generated call (they are
/// progenitor's defaults, which do nothing, in genpro-api).
fn without_hooks(src: &str, w: &mut Warnings) -> String {
    let out: String = src
        .split_inclusive('\n')
        .filter(|l| l.trim() != PRE && l.trim() != POST)
        .collect();
    if out.contains(PRE) || out.contains(POST) {
        w.add(
            "lighten",
            "a pre or post hook shares its line with other code: left as progenitor wrote it",
        );
    }
    out
}

/// progenitor's error arms of a call, whitespace removed.
const ERROR_ARMS: &str = "400u16..=499u16=>Err(Error::ErrorResponse(crate::transport::decode(response).await?)),500u16..=599u16=>Err(Error::ErrorResponse(crate::transport::decode(response).await?)),_=>Err(Error::UnexpectedResponse(response)),";
const ERROR_ARM: &str = "_ => crate::transport::error_answer(response).await,";

/// progenitor's `4xx`, `5xx` and `_` arms become one call of
/// `crate::transport::error_answer`; arms of any other shape (an answer
/// without a body, no error answers declared...) stay as they are.
fn error_arms(src: &str, w: &mut Warnings) -> String {
    const FIRST: &str = "400u16..=499u16 =>";
    const LAST: &str = "_ => Err(Error::UnexpectedResponse(response)),";
    let mut out = String::with_capacity(src.len());
    let mut rest = src;
    while let Some(at) = rest.find(FIRST) {
        out.push_str(&rest[..at]);
        let end = rest[at..].find(LAST).map(|e| at + e + LAST.len());
        let known = end.filter(|end| {
            rest[at..*end]
                .split_whitespace()
                .collect::<String>()
                .replace(",)", ")")
                == ERROR_ARMS
        });
        match known {
            Some(end) => {
                out.push_str(ERROR_ARM);
                rest = &rest[end..];
            }
            None => {
                left(w, &out, "error arms of another shape");
                out.push_str(FIRST);
                rest = &rest[at + FIRST.len()..];
            }
        }
    }
    out.push_str(rest);
    out
}

const DATE_TIME: &str = "::chrono::DateTime<::chrono::offset::Utc>";
const OPT_DATE_TIME: &str = "::std::option::Option<::chrono::DateTime<::chrono::offset::Utc>>";

/// Every `pub` field of a generated type whose type is `DateTime<Utc>` or
/// `Option<DateTime<Utc>>` gets `#[serde(with = ...)]` (and `default` for
/// an optional one, which `with` would otherwise make required).
fn timestamps(src: &str, w: &mut Warnings) -> String {
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
            w.add(
                "lighten",
                format!(
                    "a date-time field with a serde `with` of its own ({}): left as progenitor wrote it",
                    trimmed.trim()
                ),
            );
            out.push_str(line);
            i += 1;
            continue;
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
    out
}

fn path_params(src: &str, w: &mut Warnings) -> String {
    const OPEN: &str = "encode_path(&";
    const CLOSE: &str = ".to_string())";
    let mut out = String::with_capacity(src.len());
    let mut rest = src;
    while let Some(at) = rest.find(OPEN) {
        out.push_str(&rest[..at]);
        let after = &rest[at + OPEN.len()..];
        let name = after.find(CLOSE).map(|end| &after[..end]).filter(|name| {
            !name.is_empty() && name.chars().all(|c| c == '_' || c.is_ascii_alphanumeric())
        });
        match name {
            Some(name) => {
                out.push_str("crate::transport::PathParam(&");
                out.push_str(name);
                out.push(')');
                rest = &after[name.len() + CLOSE.len()..];
            }
            None => {
                left(w, &out, "an encode_path call of an unknown shape");
                out.push_str(OPEN);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quiet<T>(f: impl FnOnce(&mut Warnings) -> T) -> T {
        let mut w = Warnings::default();
        let out = f(&mut w);
        assert!(w.is_empty(), "{w:?}");
        out
    }

    fn said<T>(f: impl FnOnce(&mut Warnings) -> T) -> (T, Vec<String>) {
        let mut w = Warnings::default();
        let out = f(&mut w);
        (out, w.iter().map(|(s, c)| format!("{s}: {c}")).collect())
    }

    #[test]
    fn the_lone_api_version_map_becomes_one_header_and_paths_need_no_strings() {
        let src = format!(
            "        pub async fn send(self) {{\n            let url = format!(\"{{}}/v1/x/{{}}\", client.baseurl, encode_path(&id.to_string()),);\n            {API_VERSION_MAP}            let request = client.client.get(url).headers(header_map).build()?;\n            ResponseValue::from_response(response).await\n        }}\n"
        );
        let out = quiet(|w| requests(&src, w));
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
        let out = quiet(|w| optional_queries(src, w));
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
        // A query variable that is not a field of its builder: left as
        // progenitor wrote it, and said.
        let bad = src.replace("&status))", "&other))");
        let (out, w) = said(|w| optional_queries(&bad, w));
        assert!(out.contains(".query(&progenitor_client::QueryParam::new(\"status\", &other))"));
        assert!(
            out.contains(".query(&progenitor_client::QueryParam::new(\"agent_id\", &agent_id))")
        );
        assert_eq!(
            w,
            vec![
                "lighten ListX: a query parameter of an unknown shape: left as progenitor wrote it"
            ]
        );
    }

    #[test]
    fn a_client_none_of_whose_shapes_match_is_left_and_said() {
        let src = "pub async fn send(self) { client.client.get(url).header(\"api-version\", V).build()?; from_response_v2(response).await }";
        let (out, w) = said(|w| requests(src, w));
        assert_eq!(out, src);
        assert_eq!(
            w,
            vec!["lighten: no api-version header was rewritten (has progenitor's output changed?)"]
        );
    }

    #[test]
    fn date_time_fields_are_read_with_the_fast_parser() {
        let src = "    pub struct X {\n        #[serde(skip_serializing_if = \"::std::option::Option::is_none\")]\n        pub created_at: ::std::option::Option<::chrono::DateTime<::chrono::offset::Utc>>,\n        #[serde(rename = \"at\", default)]\n        pub at:\n            ::std::option::Option<::chrono::DateTime<::chrono::offset::Utc>>,\n        pub due: ::chrono::DateTime<::chrono::offset::Utc>,\n        pub name: ::std::string::String,\n    }\n";
        assert_eq!(
            quiet(|w| timestamps(src, w)),
            "    pub struct X {\n        #[serde(skip_serializing_if = \"::std::option::Option::is_none\")]\n        #[serde(default, with = \"crate::transport::rfc3339_opt\")]\n        pub created_at: ::std::option::Option<::chrono::DateTime<::chrono::offset::Utc>>,\n        #[serde(rename = \"at\", default)]\n        #[serde(with = \"crate::transport::rfc3339_opt\")]\n        pub at:\n            ::std::option::Option<::chrono::DateTime<::chrono::offset::Utc>>,\n        #[serde(with = \"crate::transport::rfc3339\")]\n        pub due: ::chrono::DateTime<::chrono::offset::Utc>,\n        pub name: ::std::string::String,\n    }\n"
        );
        // A field that already has its own `with` is not guessed at.
        let taken = "        #[serde(with = \"x\")]\n        pub at: ::chrono::DateTime<::chrono::offset::Utc>,\n";
        let (out, w) = said(|w| timestamps(taken, w));
        assert_eq!(out, taken);
        assert_eq!(w.len(), 1);
    }

    #[test]
    fn the_error_arms_become_one_out_of_line_call() {
        let src = "match response.status().as_u16() {\n    200..=299 => crate::transport::decode(response).await,\n    400u16..=499u16 => Err(Error::ErrorResponse(\n        crate::transport::decode(response).await?,\n    )),\n    500u16..=599u16 => Err(Error::ErrorResponse(crate::transport::decode(response).await?)),\n    _ => Err(Error::UnexpectedResponse(response)),\n}\n";
        assert_eq!(
            quiet(|w| error_arms(src, w)),
            format!(
                "match response.status().as_u16() {{\n    200..=299 => crate::transport::decode(response).await,\n    {ERROR_ARM}\n}}\n"
            )
        );
        // Any other arm in between (or an answer without a body): left as
        // progenitor wrote it, not guessed at.
        let other = src.replace("500u16..=599u16", "503u16");
        let (out, w) = said(|w| error_arms(&other, w));
        assert_eq!(out, other);
        assert_eq!(
            w,
            vec![
                "lighten the generated client: error arms of another shape: left as progenitor wrote it"
            ]
        );
        let empty = "match s {\n    200u16 => Ok(ResponseValue::empty(response)),\n    400u16..=499u16 => Err(Error::ErrorResponse(ResponseValue::empty(response))),\n    _ => Err(Error::UnexpectedResponse(response)),\n}\n";
        assert_eq!(said(|w| error_arms(empty, w)).0, empty);
    }

    #[test]
    fn the_hook_awaits_go_and_gen_api_hooks_are_exec_only() {
        let src = format!(
            "        let info = I;\n        {PRE}\n        let result = client.exec(request, &info).await;\n        {POST}\n        let response = result?;\n"
        );
        assert_eq!(
            quiet(|w| without_hooks(&src, w)),
            "        let info = I;\n        let result = client.exec(request, &info).await;\n        let response = result?;\n"
        );
        let inline = src.replace(&format!("\n        {POST}"), &format!(" {POST}"));
        let (out, w) = said(|w| without_hooks(&inline, w));
        assert!(out.contains(POST));
        assert_eq!(w.len(), 1);
        // Dropping the awaits is right only while genpro-api's ClientHooks
        // keeps progenitor's `pre` and `post`, which do nothing.
        let hooks = include_str!("../../crates/gen-api/src/transport.rs");
        assert!(!hooks.contains("fn pre") && !hooks.contains("fn post"));
    }

    #[test]
    fn a_map_with_other_headers_is_kept() {
        let src = "let mut header_map = ::reqwest::header::HeaderMap::with_capacity(2usize);\n.headers(header_map)";
        assert_eq!(quiet(|w| api_version_header(src, w)), src);
    }

    #[test]
    fn unknown_shapes_are_left_as_they_are() {
        let src =
            format!("{API_VERSION_MAP}\n}}\n    pub async fn other() {{ x.headers(header_map) }}");
        assert_eq!(said(|w| api_version_header(&src, w)).0, src);
        for src in ["encode_path(&a.b.to_string())", "encode_path(&x)"] {
            let (out, w) = said(|w| path_params(src, w));
            assert_eq!(out, src);
            assert_eq!(
                w,
                vec![
                    "lighten the generated client: an encode_path call of an unknown shape: left as progenitor wrote it"
                ]
            );
        }
        let url = "let url = format!(\"{}/a/{}\", other.base, x);";
        assert_eq!(said(|w| urls(url, w)).0, url);
    }
}

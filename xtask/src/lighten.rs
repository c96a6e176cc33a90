//! Lighter request building in the generated client (a text pass over
//! progenitor's formatted output, run before the final rustfmt).
//!
//! progenitor builds every request with a few allocations it does not need:
//! a `HeaderMap` holding only the constant `api-version` header, merged into
//! the request afterwards, and a `String` per path parameter
//! (`encode_path(&id.to_string())`) before the URL's own. This pass:
//!
//! - sets `api-version` with one `.header(...)` when it is the only header
//!   of the operation (operations with header parameters keep their map);
//! - writes each path parameter straight into the URL through
//!   `gen_api::transport::PathParam`, percent-encoded with progenitor's
//!   set (same bytes on the wire, no intermediate strings);
//! - decodes JSON answers with `gen_api::transport::decode`, which moves
//!   the answer's headers into the `ResponseValue` instead of cloning them
//!   (progenitor's `ResponseValue::from_response`).
//!
//! Each rewrite is checked: a shape it does not recognise is an error, so a
//! new progenitor cannot silently change what is sent.

use anyhow::{Result, bail};

const API_VERSION_MAP: &str =
    "let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
            header_map.append(
                ::reqwest::header::HeaderName::from_static(\"api-version\"),
                ::reqwest::header::HeaderValue::from_static(super::Client::api_version()),
            );
";
const MERGE: &str = ".headers(header_map)";
const ONE_HEADER: &str = ".header(::reqwest::header::HeaderName::from_static(\"api-version\"), ::reqwest::header::HeaderValue::from_static(super::Client::api_version()))";

/// Applies the three rewrites (api-version header, path parameters, decoding)
/// to the generated client's source.
pub fn requests(src: &str) -> Result<String> {
    let src = api_version_header(src)?;
    let src = path_params(&src)?;
    Ok(src.replace(
        "ResponseValue::from_response(response)",
        "crate::transport::decode(response)",
    ))
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

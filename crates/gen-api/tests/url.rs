//! `genpro_api::transport::url` gives exactly the URL that parsing the whole
//! string gives (what progenitor's generated code did), for every base and
//! path shape, hostile ones included.

use genpro_api::transport::{PathParam, url};

const BASES: &[&str] = &[
    "http://127.0.0.1:8080",
    "http://127.0.0.1:8080/",
    "https://api.gen.pro",
    "https://api.gen.pro/",
    "https://api.gen.pro/prefix",
    "https://api.gen.pro/prefix/",
    "https://API.Gen.Pro",
    "https://api.gen.pro:443",
    "http://[::1]:9000/base",
    "http://h/a/../b",
    "http://h/a/..",
    "http://h/a%2e%2e/",
    "http://h/?q=1",
    "http://h/#frag",
    "http://user:pw@h/x",
    "https://bücher.example",
    "not a url",
    "",
    "mailto:x@y",
];

const PARAMS: &[&str] = &[
    "42", "a b", "..", ".", "%2e%2e", "a/b", "a?b", "a#b", "é", "a\\b", "{x}", "", "%", "%41",
];

fn whole(base: &str, path: &str) -> Result<String, ()> {
    reqwest::Url::parse(&format!("{base}{path}"))
        .map(|u| u.to_string())
        .map_err(|_| ())
}

#[test]
fn the_url_is_the_one_parsing_the_whole_string_gives() {
    let mut checked = 0;
    for base in BASES {
        for param in PARAMS {
            // As the generated builders write it (a template and encoded
            // parameters).
            let got = url(base, format_args!("/v1/x/{}/y", PathParam(param)))
                .map(|u| u.to_string())
                .map_err(|_| ());
            let want = whole(base, &format!("/v1/x/{}/y", PathParam(param)));
            assert_eq!(got, want, "base {base:?}, parameter {param:?}");
            // Raw paths, unencoded: dot segments, `?`, `#`, backslashes.
            for path in [
                format!("/v1/{param}"),
                format!("/v1/{param}/../z"),
                format!("//{param}"),
                param.to_string(),
            ] {
                let got = url(base, format_args!("{path}"))
                    .map(|u| u.to_string())
                    .map_err(|_| ());
                assert_eq!(got, whole(base, &path), "base {base:?}, path {path:?}");
                checked += 1;
            }
        }
    }
    assert_eq!(checked, BASES.len() * PARAMS.len() * 4);
}

#[test]
fn the_same_base_gives_the_same_url_again_and_bases_do_not_mix() {
    for _ in 0..3 {
        for (i, base) in ["http://a.test", "http://b.test/p"].iter().enumerate() {
            let got = url(base, format_args!("/v1/agents/{i}")).unwrap();
            assert_eq!(got.as_str(), format!("{base}/v1/agents/{i}"));
        }
    }
    // More bases than the thread keeps: still right.
    for i in 0..20 {
        let base = format!("http://h{i}.test");
        let got = url(&base, format_args!("/v1")).unwrap();
        assert_eq!(got.as_str(), format!("{base}/v1"));
    }
}

#[test]
fn a_base_that_is_not_a_url_is_an_error_naming_it() {
    let error = url("not a url", format_args!("/v1/agents")).unwrap_err();
    assert_eq!(
        error,
        "`not a url/v1/agents` is not a valid URL: relative URL without a base"
    );
}

//! The transport honours `HTTP_PROXY` / `HTTPS_PROXY` / `NO_PROXY` from the
//! environment as curl does (issue 9): plain-HTTP requests go to the proxy in
//! absolute form, HTTPS requests open a `CONNECT` tunnel that carries no API
//! key, and `NO_PROXY` (an IP, or a domain that also covers its subdomains)
//! sends the request straight to the host.
//!
//! The environment is per process and Rust 2024 makes `set_var` unsafe, so
//! each case runs the `gen` binary with its own environment. The "proxy" is
//! a tiny TCP server on 127.0.0.1 that records the request head it got; the
//! API hosts are `*.invalid` names (RFC 6761: they never resolve), so a
//! request that bypassed the proxy could not reach anything.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const KEY: &str = "sk-gen-PROXY-TEST-0123456789abcdef";

/// One recorded request head: the request line and the header lines.
#[derive(Clone, Debug)]
struct Head {
    request_line: String,
    headers: Vec<String>,
}

impl Head {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find_map(|h| {
            let (n, v) = h.split_once(':')?;
            n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }
}

/// A local server that records every request head and answers each with
/// `answer` (a whole HTTP/1.1 response), then closes the connection.
struct Recorder {
    addr: String,
    heads: Arc<Mutex<Vec<Head>>>,
}

impl Recorder {
    fn start(answer: &'static str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let heads = Arc::new(Mutex::new(Vec::new()));
        let seen = heads.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let seen = seen.clone();
                std::thread::spawn(move || serve(stream, answer, &seen));
            }
        });
        Recorder { addr, heads }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn heads(&self) -> Vec<Head> {
        self.heads.lock().unwrap().clone()
    }
}

fn serve(stream: TcpStream, answer: &str, seen: &Mutex<Vec<Head>>) {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
        return;
    }
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
            break;
        }
        headers.push(line.trim_end().to_owned());
    }
    seen.lock().unwrap().push(Head {
        request_line: request_line.trim_end().to_owned(),
        headers,
    });
    let mut stream = stream;
    let _ = stream.write_all(answer.as_bytes());
    let _ = stream.flush();
}

const ORG_JSON: &str = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 25\r\nconnection: close\r\n\r\n{\"id\":7,\"name\":\"proxied\"}";
const BAD_GATEWAY: &str =
    "HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\nconnection: close\r\n\r\n";

/// Runs `gen api get_organization --param id=7` with the given API base URL
/// and exactly the proxy variables given (all inherited ones removed).
fn gen_get_org(api_url: &str, proxy_env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gen"));
    cmd.args([
        "--api-url",
        api_url,
        "--agent-url",
        api_url,
        "--api-key",
        KEY,
        "api",
        "get_organization",
        "--param",
        "id=7",
    ]);
    for var in [
        "GEN_API_KEY",
        "GEN_API_URL",
        "GEN_AGENT_URL",
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
        "NO_PROXY",
        "no_proxy",
        "REQUEST_METHOD",
    ] {
        cmd.env_remove(var);
    }
    cmd.envs(proxy_env.iter().copied());
    cmd.output().expect("run gen")
}

fn text(output: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn http_proxy_gets_the_request_in_absolute_form() {
    for var in ["HTTP_PROXY", "http_proxy"] {
        let proxy = Recorder::start(ORG_JSON);
        // genpro-sdk refuses http:// to a non-loopback host (the key would
        // travel in clear), so the plain-HTTP case names a loopback port
        // where nothing listens: only the proxy can answer.
        let out = gen_get_org("http://127.0.0.1:9", &[(var, &proxy.url())]);
        assert!(out.status.success(), "{var}: {}", text(&out));
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("proxied"),
            "{var}: {}",
            text(&out)
        );
        let heads = proxy.heads();
        assert_eq!(heads.len(), 1, "{var}: {heads:?}");
        assert_eq!(
            heads[0].request_line, "GET http://127.0.0.1:9/v1/organizations/7 HTTP/1.1",
            "{var}"
        );
        assert_eq!(heads[0].header("host"), Some("127.0.0.1:9"), "{var}");
        // Plain HTTP through a forward proxy carries the request's headers:
        // that is what the user asked for by choosing http:// and a proxy.
        assert_eq!(heads[0].header("x-api-key"), Some(KEY), "{var}");
    }
}

#[test]
fn https_proxy_gets_a_connect_without_the_key() {
    for var in ["HTTPS_PROXY", "https_proxy"] {
        let proxy = Recorder::start(BAD_GATEWAY);
        let out = gen_get_org("https://gen-api.invalid", &[(var, &proxy.url())]);
        assert!(!out.status.success(), "{var}: {}", text(&out));
        let heads = proxy.heads();
        assert!(!heads.is_empty(), "{var}: the proxy got nothing");
        for head in &heads {
            assert_eq!(
                head.request_line, "CONNECT gen-api.invalid:443 HTTP/1.1",
                "{var}"
            );
            assert_eq!(head.header("x-api-key"), None, "{var}: {head:?}");
            assert!(
                !head.headers.iter().any(|h| h.contains(KEY)),
                "{var}: {head:?}"
            );
        }
        assert!(!text(&out).contains(KEY), "{var}: {}", text(&out));
    }
}

#[test]
fn http_proxy_is_not_used_for_https() {
    // curl: HTTP_PROXY applies to http:// URLs only.
    let proxy = Recorder::start(ORG_JSON);
    let out = gen_get_org("https://gen-api.invalid", &[("HTTP_PROXY", &proxy.url())]);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(proxy.heads().is_empty(), "{:?}", proxy.heads());
}

#[test]
fn no_proxy_ip_goes_straight_to_the_host() {
    let api = Recorder::start(ORG_JSON);
    let proxy = Recorder::start(BAD_GATEWAY);
    for no_proxy in ["NO_PROXY", "no_proxy"] {
        let out = gen_get_org(
            &api.url(),
            &[("HTTP_PROXY", &proxy.url()), (no_proxy, "127.0.0.1")],
        );
        assert!(out.status.success(), "{no_proxy}: {}", text(&out));
    }
    assert!(proxy.heads().is_empty(), "{:?}", proxy.heads());
    let heads = api.heads();
    assert_eq!(heads.len(), 2, "{heads:?}");
    for head in heads {
        // Origin form: a direct request, not a proxied one.
        assert_eq!(head.request_line, "GET /v1/organizations/7 HTTP/1.1");
        assert_eq!(head.header("x-api-key"), Some(KEY));
    }
}

#[test]
fn no_proxy_domain_covers_its_subdomains_and_nothing_else() {
    // curl: a NO_PROXY entry `invalid` (or `.invalid`) matches that domain
    // and its subdomains, so gen-api.invalid bypasses the proxy (and, being
    // unresolvable, fails to connect) ...
    for entry in ["invalid", ".invalid", "gen-api.invalid", "*"] {
        let proxy = Recorder::start(BAD_GATEWAY);
        let out = gen_get_org(
            "https://gen-api.invalid",
            &[("HTTPS_PROXY", &proxy.url()), ("NO_PROXY", entry)],
        );
        assert!(!out.status.success(), "{entry}: {}", text(&out));
        assert!(proxy.heads().is_empty(), "{entry}: {:?}", proxy.heads());
    }
    // ... while entries for other names leave the proxy in use.
    for entry in ["example.com", "api.invalid", "127.0.0.1"] {
        let proxy = Recorder::start(BAD_GATEWAY);
        let out = gen_get_org(
            "https://gen-api.invalid",
            &[("HTTPS_PROXY", &proxy.url()), ("NO_PROXY", entry)],
        );
        assert!(!out.status.success(), "{entry}: {}", text(&out));
        let heads = proxy.heads();
        assert!(!heads.is_empty(), "{entry}: the proxy got nothing");
        assert_eq!(
            heads[0].request_line, "CONNECT gen-api.invalid:443 HTTP/1.1",
            "{entry}"
        );
    }
}

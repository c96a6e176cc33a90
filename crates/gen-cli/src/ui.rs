//! Terminal output: progress on stderr (hidden off a terminal and under
//! `NO_COLOR`), results on stdout, errors by kind (each with its exit code),
//! and `--verbose` tracing with the key scrubbed.

use std::borrow::Cow;
use std::io::{IsTerminal, Write};
use std::sync::OnceLock;
use std::time::Duration;

use genpro_sdk::wait::WaitError;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;
use serde_json::{Value, json};

/// The API key of this run, scrubbed from everything the CLI prints.
static SECRET: OnceLock<String> = OnceLock::new();

/// Registers the API key so that no output of this process shows it, even
/// when a server echoes it into an answer.
pub fn set_secret(key: Option<&str>) {
    if let Some(key) = key.map(str::trim).filter(|k| !k.is_empty()) {
        let _ = SECRET.set(key.to_owned());
    }
}

/// `text` without the API key (replaced by `***`).
pub fn scrub(text: &str) -> Cow<'_, str> {
    match SECRET.get() {
        Some(key) if text.contains(key.as_str()) => Cow::Owned(text.replace(key.as_str(), "***")),
        _ => Cow::Borrowed(text),
    }
}

/// True when `NO_COLOR` is set to a non-empty value (<https://no-color.org>).
pub fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// Whether progress bars (which use colour and cursor movement) are drawn:
/// only on a terminal, and not under `NO_COLOR`.
fn draws_progress(stderr_is_terminal: bool, no_color: bool) -> bool {
    stderr_is_terminal && !no_color
}

/// Progress bars on stderr; drawn only when stderr is a terminal and
/// `NO_COLOR` is not set (otherwise only [`Progress::say`]'s lines appear).
#[derive(Clone)]
pub struct Progress {
    multi: MultiProgress,
}

impl Progress {
    /// Progress for this process.
    pub fn new() -> Self {
        let target = if draws_progress(std::io::stderr().is_terminal(), no_color()) {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        Self {
            multi: MultiProgress::with_draw_target(target),
        }
    }

    /// A spinner for one step.
    pub fn step(&self, label: impl Into<String>) -> ProgressBar {
        let pb = self.multi.add(ProgressBar::new_spinner());
        pb.set_style(
            ProgressStyle::with_template("{spinner:.cyan} {prefix:.bold} {msg} {elapsed:.dim}")
                .expect("valid template")
                .tick_chars("⠁⠂⠄⡀⢀⠠⠐⠈✔"),
        );
        pb.set_prefix(label.into());
        pb.enable_steady_tick(Duration::from_millis(120));
        pb
    }

    /// A byte-count bar (uploads, downloads).
    pub fn bytes(&self, label: impl Into<String>, total: u64) -> ProgressBar {
        let pb = self.multi.add(ProgressBar::new(total));
        pb.set_style(
            ProgressStyle::with_template(
                "{prefix:.bold} [{bar:30.cyan/blue}] {bytes}/{total_bytes} {bytes_per_sec} {eta}",
            )
            .expect("valid template")
            .progress_chars("=> "),
        );
        pb.set_prefix(label.into());
        pb
    }

    /// Print a line above the bars (stderr), even when bars are hidden.
    pub fn say(&self, line: impl AsRef<str>) {
        let line = scrub(line.as_ref());
        if self.multi.is_hidden() {
            eprintln!("{line}");
        } else {
            let _ = self.multi.println(line);
        }
    }
}

impl Default for Progress {
    fn default() -> Self {
        Self::new()
    }
}

/// Print the command's result: JSON with `--json`, else `human`.
pub fn output<T: Serialize>(json: bool, value: &T, human: impl FnOnce() -> String) {
    if json {
        match serde_json::to_string_pretty(value) {
            Ok(s) => println!("{}", scrub(&s)),
            Err(e) => eprintln!("error: cannot encode the result as JSON: {e}"),
        }
    } else {
        println!("{}", scrub(&human()));
    }
}

/// What kind of failure ended a run. Each kind has its own exit code
/// ([`Kind::exit_code`], listed in [`EXIT_CODES`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Anything else: a local file, a job's answer missing a value, a bug.
    Other,
    /// Bad input, refused before anything was sent (an invalid card or
    /// `--data`, `--param` or `--body`, a body over the cap, an unknown
    /// operation, an invalid URL).
    Input,
    /// No API key, or GEN refused it (401, 403).
    Auth,
    /// GEN answered with an error (any other 4xx or 5xx), or with an answer
    /// that could not be used.
    Api,
    /// GEN could not be reached (connection refused, DNS, reset).
    Network,
    /// A request timed out, or a wait ran out (`--max-wait`).
    Timeout,
    /// The job ended without completing (failed, rejected, stopped).
    Job,
    /// Interrupted (Ctrl-C).
    Interrupted,
}

impl Kind {
    /// The process exit code of this kind.
    pub fn exit_code(self) -> u8 {
        match self {
            Self::Other => 1,
            Self::Input => 3,
            Self::Auth => 4,
            Self::Api => 5,
            Self::Network => 6,
            Self::Timeout => 7,
            Self::Job => 8,
            Self::Interrupted => 130,
        }
    }

    /// The kind's name in `--json` errors (`"kind"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Other => "other",
            Self::Input => "input",
            Self::Auth => "auth",
            Self::Api => "api",
            Self::Network => "network",
            Self::Timeout => "timeout",
            Self::Job => "job",
            Self::Interrupted => "interrupted",
        }
    }
}

/// The exit codes of `gen`, as `gen --help` and the README show them.
pub const EXIT_CODES: &str = "\
Exit codes:
  0    success
  1    other failure (a local file, an unusable result)
  2    usage: unknown command or option, missing or invalid argument
  3    bad input, refused before sending (card, --data, --param, --body)
  4    authentication: no API key, or GEN refused it (401, 403)
  5    API error: GEN answered another 4xx or 5xx
  6    network: GEN could not be reached
  7    timeout: a request timed out, or --max-wait ran out
  8    the job ended without completing (failed, rejected, stopped)
  130  interrupted (Ctrl-C)
With --json a failure is one JSON object on stdout:
  {\"error\": {\"kind\", \"message\", \"status\", \"error_code\", \"request_id\", \"hint\"}}
(usage errors, exit 2, stay text on stderr).";

/// A failure the CLI itself finds, of a known [`Kind`].
#[derive(Debug)]
pub struct Failure {
    kind: Kind,
    message: String,
    hint: Option<String>,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

/// A [`Failure`] of `kind` as an [`anyhow::Error`].
pub fn fail(kind: Kind, message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(Failure {
        kind,
        message: message.into(),
        hint: None,
    })
}

/// [`fail`] with a hint.
pub fn fail_with_hint(
    kind: Kind,
    message: impl Into<String>,
    hint: impl Into<String>,
) -> anyhow::Error {
    anyhow::Error::new(Failure {
        kind,
        message: message.into(),
        hint: Some(hint.into()),
    })
}

/// A [`Kind::Input`] failure: bad input refused before sending.
pub fn refused(message: impl Into<String>) -> anyhow::Error {
    fail(Kind::Input, message)
}

/// A genpro-sdk error in an error's chain (boxed or not).
fn as_sdk<'a>(c: &'a (dyn std::error::Error + 'static)) -> Option<&'a genpro_sdk::Error> {
    c.downcast_ref::<genpro_sdk::Error>()
        .or_else(|| c.downcast_ref::<Box<genpro_sdk::Error>>().map(|b| &**b))
}

/// The kind of a genpro-sdk error.
fn sdk_kind(e: &genpro_sdk::Error) -> Kind {
    use genpro_sdk::ErrorKind as E;
    if matches!(e.status(), Some(401 | 403)) {
        return Kind::Auth;
    }
    match e.kind() {
        E::Timeout => Kind::Timeout,
        E::Transport => Kind::Network,
        E::Validation | E::Config | E::InvalidRequest => Kind::Input,
        E::Api | E::UnexpectedResponse | E::Decode | E::BodyTooLarge | E::MissingField => Kind::Api,
        E::Cancelled => Kind::Interrupted,
        _ => Kind::Other,
    }
}

/// The kind of a wait's error.
fn wait_kind(w: &WaitError) -> Kind {
    match w {
        WaitError::MaxWaitExceeded { .. } => Kind::Timeout,
        WaitError::Unreachable { .. } => Kind::Network,
        WaitError::Unsuccessful(_) => Kind::Job,
        WaitError::InsufficientCredit { .. } => Kind::Input,
        other => other.api_error().map_or(Kind::Other, sdk_kind),
    }
}

/// The kind of a failure: the outermost cause that has one.
pub fn kind_of(e: &anyhow::Error) -> Kind {
    for c in e.chain() {
        if let Some(f) = c.downcast_ref::<Failure>() {
            return f.kind;
        }
        if let Some(w) = c.downcast_ref::<WaitError>() {
            return wait_kind(w);
        }
        if let Some(s) = as_sdk(c) {
            return sdk_kind(s);
        }
    }
    Kind::Other
}

/// The first genpro-sdk error in the chain (through a wait's error).
fn sdk_error(e: &anyhow::Error) -> Option<&genpro_sdk::Error> {
    e.chain().find_map(|c| {
        as_sdk(c).or_else(|| c.downcast_ref::<WaitError>().and_then(WaitError::api_error))
    })
}

/// The failure's message: the chain of causes joined with `: `, each cause
/// once (an error whose text already includes its source's, as
/// genpro-sdk's do, does not print it again), on one line without terminal
/// control characters, the API key scrubbed.
pub fn message(e: &anyhow::Error) -> String {
    let mut cause = String::new();
    for c in e.chain() {
        let text = c.to_string();
        if text.is_empty() || cause.contains(&text) {
            continue;
        }
        if !cause.is_empty() {
            cause.push_str(": ");
        }
        cause.push_str(&text);
    }
    scrub(&one_line(&cause)).into_owned()
}

/// `text` with every control character (newlines, escapes) made a space.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// The documented fix for the failure, when one is known.
pub fn hint(e: &anyhow::Error) -> Option<String> {
    e.chain().find_map(|c| {
        if let Some(f) = c.downcast_ref::<Failure>() {
            return f.hint.clone();
        }
        if let Some(w) = c.downcast_ref::<WaitError>() {
            return w.hint().map(str::to_owned);
        }
        as_sdk(c)
            .and_then(genpro_sdk::Error::hint)
            .map(str::to_owned)
    })
}

/// The failure as people read it on stderr: `error: <message>`, and on a
/// second line `  hint: <hint>` when a fix is known.
pub fn error_text(e: &anyhow::Error) -> String {
    let mut text = format!("error: {}", message(e));
    if let Some(h) = hint(e) {
        text.push_str(&format!("\n  hint: {}", scrub(&one_line(&h))));
    }
    text
}

/// The failure as `--json` prints it (on stdout):
/// `{"error": {"kind", "message", "status", "error_code", "request_id",
/// "hint"}}`, each absent value `null`.
pub fn error_json(e: &anyhow::Error) -> Value {
    let sdk = sdk_error(e);
    let text = |s: Option<&str>| s.map(|s| scrub(&one_line(s)).into_owned());
    json!({
        "error": {
            "kind": kind_of(e).as_str(),
            "message": message(e),
            "status": sdk.and_then(genpro_sdk::Error::status),
            "error_code": text(sdk.and_then(|s| s.error_code()).map(|c| c.as_str()).filter(|c| !c.is_empty())),
            "request_id": text(sdk.and_then(genpro_sdk::Error::request_id)),
            "hint": text(hint(e).as_deref()),
        }
    })
}

/// Report a failure (JSON on stdout with `--json`, else text on stderr)
/// and return its exit code.
pub fn report(e: &anyhow::Error, json: bool) -> u8 {
    if json {
        let text = serde_json::to_string_pretty(&error_json(e)).unwrap_or_default();
        println!("{}", scrub(&text));
    } else {
        eprintln!("{}", error_text(e));
    }
    kind_of(e).exit_code()
}

/// Turn on tracing output to stderr for `-v` (`verbose` times): 1 shows
/// genpro's requests (INFO), 2 adds their details (DEBUG), 3 or more shows
/// everything (TRACE). `RUST_LOG` (EnvFilter syntax) replaces these levels
/// when set. Every line is scrubbed of the API key.
pub fn init_tracing(verbose: u8) {
    use tracing_subscriber::EnvFilter;
    use tracing_subscriber::fmt::format::FmtSpan;
    if verbose == 0 {
        return;
    }
    let levels = match verbose {
        1 => "warn,genpro_sdk=info,genpro_mcp=info,genpro_mock=info",
        2 => "info,genpro_sdk=debug,genpro_mcp=debug,genpro_mock=debug",
        _ => "trace",
    };
    let filter = std::env::var("RUST_LOG")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .and_then(|v| EnvFilter::try_new(v).ok())
        .unwrap_or_else(|| EnvFilter::new(levels));
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(ScrubbedStderr)
        .with_ansi(false)
        .with_span_events(FmtSpan::CLOSE)
        .finish();
    let _ = tracing::subscriber::set_global_default(subscriber);
}

/// The writer of `--verbose` lines: each line is gathered whole and
/// written to stderr scrubbed of the API key.
struct ScrubbedStderr;

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for ScrubbedStderr {
    type Writer = ScrubbedLine<std::io::Stderr>;

    fn make_writer(&'a self) -> Self::Writer {
        ScrubbedLine::new(std::io::stderr())
    }
}

/// One event's text, written scrubbed to `out` when dropped.
struct ScrubbedLine<W: Write> {
    buf: Vec<u8>,
    out: W,
}

impl<W: Write> ScrubbedLine<W> {
    fn new(out: W) -> Self {
        Self {
            buf: Vec::new(),
            out,
        }
    }
}

impl<W: Write> Write for ScrubbedLine<W> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<W: Write> Drop for ScrubbedLine<W> {
    fn drop(&mut self) {
        let text = String::from_utf8_lossy(&self.buf);
        let _ = self.out.write_all(scrub(&text).as_bytes());
        let _ = self.out.flush();
    }
}

/// A value the server may leave out (the tolerant reader keeps most answer
/// fields optional), or `?`.
pub fn or_unknown<T: std::fmt::Display>(value: Option<&T>) -> String {
    value.map_or_else(|| "?".to_owned(), ToString::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use genpro_sdk::ErrorCodeExt as _;

    fn api(status: u16, body: &[u8]) -> anyhow::Error {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("x-request-id", "req-7".parse().unwrap());
        anyhow::Error::new(genpro_sdk::Error::from_response_parts(
            reqwest::StatusCode::from_u16(status).unwrap(),
            &headers,
            body,
        ))
    }

    #[test]
    fn error_text_is_the_message_then_the_hint() {
        let e = api(
            422,
            br#"{"error":"Not enough credits","error_code":"insufficient_credits_for_job"}"#,
        );
        assert_eq!(
            error_text(&e),
            format!(
                "error: GEN API error 422 (insufficient_credits_for_job): Not enough credits (request id req-7)\n  hint: {}",
                genpro_sdk::ErrorCode::InsufficientCreditsForJob
                    .hint()
                    .map(str::to_owned)
                    .unwrap()
            )
        );
        assert_eq!(kind_of(&e), Kind::Api);
    }

    #[test]
    fn error_json_has_every_field() {
        let e = api(
            404,
            br#"{"error":"Generation not found","error_code":"not_found"}"#,
        );
        assert_eq!(
            error_json(&e),
            json!({"error": {
                "kind": "api",
                "message": "GEN API error 404 (not_found): Generation not found (request id req-7)",
                "status": 404,
                "error_code": "not_found",
                "request_id": "req-7",
                "hint": genpro_sdk::ErrorCode::NotFound.hint(),
            }})
        );
        let local = refused("--data is not valid JSON");
        assert_eq!(
            error_json(&local),
            json!({"error": {
                "kind": "input",
                "message": "--data is not valid JSON",
                "status": null,
                "error_code": null,
                "request_id": null,
                "hint": null,
            }})
        );
    }

    #[test]
    fn kinds_follow_the_status() {
        assert_eq!(kind_of(&api(401, b"{}")), Kind::Auth);
        assert_eq!(kind_of(&api(403, b"{}")), Kind::Auth);
        assert_eq!(kind_of(&api(500, b"oops")), Kind::Api);
        assert_eq!(kind_of(&anyhow::anyhow!("plain")), Kind::Other);
        // the outermost cause with a kind decides, through context
        assert_eq!(
            kind_of(&api(401, b"{}").context("reading credits")),
            Kind::Auth
        );
        let codes: Vec<u8> = [
            Kind::Other,
            Kind::Input,
            Kind::Auth,
            Kind::Api,
            Kind::Network,
            Kind::Timeout,
            Kind::Job,
            Kind::Interrupted,
        ]
        .iter()
        .map(|k| k.exit_code())
        .collect();
        assert_eq!(codes, [1, 3, 4, 5, 6, 7, 8, 130]);
        for code in codes {
            let line = format!("\n  {code:<4} ");
            assert!(EXIT_CODES.contains(&line), "{code} not in the table");
        }
    }

    #[test]
    fn error_text_prints_each_cause_once() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "No such file or directory");
        let e = genpro_sdk::Error::io("/nope/clip.mp4", io);
        let text = error_text(&anyhow::Error::new(e).context("uploading /nope/clip.mp4"));
        assert_eq!(
            text,
            "error: uploading /nope/clip.mp4: I/O error on /nope/clip.mp4: No such file or directory"
        );
    }

    #[test]
    fn error_text_drops_control_characters_from_server_text() {
        let e = api(
            400,
            b"{\"error\":\"bad\\u001b]0;pwned\\u0007\\nsecond line\"}",
        );
        let text = error_text(&e);
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "{text:?}"
        );
        assert!(text.contains("bad ]0;pwned  second line"), "{text:?}");
        assert_eq!(
            text.lines().next().map(|l| l.starts_with("error: ")),
            Some(true)
        );
    }

    #[test]
    fn progress_is_drawn_only_on_a_terminal_without_no_color() {
        assert!(draws_progress(true, false));
        assert!(!draws_progress(true, true));
        assert!(!draws_progress(false, false));
        assert!(!draws_progress(false, true));
    }

    #[test]
    fn verbose_lines_are_scrubbed_whole() {
        set_secret(Some("sk-unit-verbose-secret"));
        let mut out = Vec::new();
        {
            let mut line = ScrubbedLine::new(&mut out);
            // a key split across two writes is still caught
            line.write_all(b"header x-api-key=sk-unit-ver").unwrap();
            line.write_all(b"bose-secret sent\n").unwrap();
        }
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "header x-api-key=*** sent\n"
        );
    }
}

//! Terminal output: progress on stderr (hidden off a terminal), results on
//! stdout, one-line errors.

use std::borrow::Cow;
use std::io::IsTerminal;
use std::sync::OnceLock;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;

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

/// Progress bars on stderr; drawn only when stderr is a terminal.
#[derive(Clone)]
pub struct Progress {
    multi: MultiProgress,
}

impl Progress {
    /// Progress for this process.
    pub fn new() -> Self {
        let target = if std::io::stderr().is_terminal() {
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

/// One line for a failure: the cause, and GEN's documented fix when known.
///
/// The chain of causes is joined with `: `, each cause once: an error whose
/// text already includes its source's (genpro-sdk's errors do) does not print
/// it again. The API key is scrubbed.
pub fn error_line(e: &anyhow::Error) -> String {
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
    // One line, and no terminal control sequences from a server's text.
    let cause: String = cause
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let hint = e.chain().find_map(|c| {
        if let Some(w) = c.downcast_ref::<genpro_sdk::wait::WaitError>() {
            return w.hint();
        }
        c.downcast_ref::<genpro_sdk::Error>()
            .or_else(|| c.downcast_ref::<Box<genpro_sdk::Error>>().map(|b| &**b))
            .and_then(genpro_sdk::Error::hint)
    });
    let line = match hint {
        Some(h) => format!("error: {cause} — hint: {h}"),
        None => format!("error: {cause}"),
    };
    scrub(&line).into_owned()
}

/// A value the server may leave out (the tolerant reader keeps most answer
/// fields optional), or `?`.
pub fn or_unknown<T: std::fmt::Display>(value: Option<&T>) -> String {
    value.map_or_else(|| "?".to_owned(), ToString::to_string)
}

#[cfg(test)]
mod tests {
    use super::error_line;

    #[test]
    fn error_line_is_one_line_with_hint() {
        let e = genpro_sdk::Error::from_response_parts(
            reqwest::StatusCode::UNPROCESSABLE_ENTITY,
            &Default::default(),
            br#"{"error":"Not enough credits","error_code":"insufficient_credits_for_job"}"#,
        );
        let line = error_line(&anyhow::Error::new(e));
        assert!(!line.contains('\n'), "{line}");
        assert!(line.starts_with("error: "), "{line}");
        assert!(line.contains("Not enough credits"), "{line}");
        assert!(line.contains("hint: "), "{line}");
    }

    #[test]
    fn error_line_prints_each_cause_once() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "No such file or directory");
        let e = genpro_sdk::Error::io("/nope/clip.mp4", io);
        let line = error_line(&anyhow::Error::new(e).context("uploading /nope/clip.mp4"));
        assert_eq!(
            line,
            "error: uploading /nope/clip.mp4: I/O error on /nope/clip.mp4: No such file or directory"
        );
        assert_eq!(line.matches("No such file").count(), 1, "{line}");
    }

    #[test]
    fn error_line_drops_control_characters_from_server_text() {
        let e = genpro_sdk::Error::from_response_parts(
            reqwest::StatusCode::BAD_REQUEST,
            &Default::default(),
            b"{\"error\":\"bad\\u001b]0;pwned\\u0007\\nsecond line\"}",
        );
        let line = error_line(&anyhow::Error::new(e));
        assert!(!line.chars().any(char::is_control), "{line:?}");
        assert!(line.contains("bad ]0;pwned  second line"), "{line:?}");
    }
}

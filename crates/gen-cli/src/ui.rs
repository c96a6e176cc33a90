//! Terminal output: progress on stderr (hidden off a terminal), results on
//! stdout, one-line errors.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;

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
        if self.multi.is_hidden() {
            eprintln!("{}", line.as_ref());
        } else {
            let _ = self.multi.println(line.as_ref());
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
            Ok(s) => println!("{s}"),
            Err(e) => eprintln!("error: cannot encode the result as JSON: {e}"),
        }
    } else {
        println!("{}", human());
    }
}

/// One line for a failure: the cause, and GEN's documented fix when known.
pub fn error_line(e: &anyhow::Error) -> String {
    let cause = format!("{e:#}").replace('\n', " ");
    let hint = e
        .chain()
        .find_map(|c| {
            c.downcast_ref::<gen_sdk::Error>()
                .or_else(|| c.downcast_ref::<Box<gen_sdk::Error>>().map(|b| &**b))
        })
        .and_then(gen_sdk::Error::hint);
    match hint {
        Some(h) => format!("error: {cause} — hint: {h}"),
        None => format!("error: {cause}"),
    }
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
        let e = gen_sdk::Error::from_response_parts(
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
}

//! `gen batch`: crash-safe production runs (genpro-batch). `run` a JSON
//! Lines manifest, `status` and `report` read its journal.

use std::collections::BTreeMap;
use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Result;
use genpro_batch::{BatchError, BatchOptions, Event, Journal, RowState, SqliteJournal};
use indicatif::{ProgressBar, ProgressStyle};

use crate::Global;
use crate::commands::Connection;
use crate::ui::{self, Kind, Progress};

/// `gen batch`.
#[derive(Debug, clap::Args)]
pub struct BatchArgs {
    #[command(subcommand)]
    command: BatchCommand,
}

#[derive(Debug, clap::Subcommand)]
enum BatchCommand {
    /// Run a manifest (JSON Lines, one generation per line) to the end; run
    /// it again after a crash to take it up where it stopped.
    Run(RunArgs),
    /// Rows per state, from the journal.
    Status(ReadArgs),
    /// Every row: state, generation, credits, output and error (--json for JSON).
    Report(ReadArgs),
}

/// `gen batch run`.
#[derive(Debug, clap::Args)]
struct RunArgs {
    /// The manifest (JSON Lines).
    manifest: PathBuf,
    /// The journal (default: MANIFEST.journal beside it).
    #[arg(long, value_name = "PATH")]
    journal: Option<PathBuf>,
    /// Rows worked on at once.
    #[arg(long, default_value_t = BatchOptions::default().parallel, value_name = "N")]
    parallel: usize,
    /// New POSTs for a generation GEN reports failed (refunded), per row.
    #[arg(long, default_value_t = BatchOptions::default().retries, value_name = "N")]
    retries: u32,
    /// Stop starting paid work once the estimated credits of the rows
    /// started would pass N.
    #[arg(long, value_name = "N")]
    max_credits: Option<f64>,
    /// The workspace whose balance is checked before starting.
    #[arg(long, value_name = "ID")]
    organization: Option<i64>,
    /// Start even when the estimate exceeds the balance (without it, a
    /// terminal asks; anything else refuses).
    #[arg(long)]
    yes: bool,
    /// The longest wait for one generation, in seconds.
    #[arg(long, default_value_t = BatchOptions::default().max_wait.as_secs(), value_name = "SECS")]
    max_wait: u64,
    /// Seconds after its intent before an unanswered POST with no new
    /// generation on its cell counts as never sent.
    #[arg(long, default_value_t = BatchOptions::default().doubt_grace.as_secs(), value_name = "SECS")]
    doubt_grace: u64,
    /// The shortest pause between two status requests, in milliseconds.
    #[arg(
        long,
        default_value_t = BatchOptions::default().min_poll_interval.as_millis() as u64,
        value_name = "MS",
        hide = true
    )]
    min_poll_ms: u64,
}

/// `gen batch status` / `report`.
#[derive(Debug, clap::Args)]
struct ReadArgs {
    /// The manifest (its journal is MANIFEST.journal), or the journal itself
    /// with --journal.
    manifest: Option<PathBuf>,
    /// The journal.
    #[arg(long, value_name = "PATH")]
    journal: Option<PathBuf>,
}

fn journal_path(manifest: Option<&Path>, journal: Option<&Path>) -> Result<PathBuf> {
    match (journal, manifest) {
        (Some(j), _) => Ok(j.to_path_buf()),
        (None, Some(m)) => Ok(genpro_batch::default_journal_path(m)),
        (None, None) => Err(ui::refused("name the manifest (or --journal PATH)")),
    }
}

/// Run `gen batch`.
pub async fn run(global: &Global, args: BatchArgs) -> Result<()> {
    match args.command {
        BatchCommand::Run(args) => run_batch(global, args).await,
        BatchCommand::Status(args) => status(global, args),
        BatchCommand::Report(args) => report(global, args),
    }
}

fn open_read(args: &ReadArgs) -> Result<SqliteJournal> {
    let path = journal_path(args.manifest.as_deref(), args.journal.as_deref())?;
    SqliteJournal::open_read(&path).map_err(|e| ui::refused(e.to_string()))
}

fn counts(rows: &[genpro_batch::RowRecord]) -> BTreeMap<RowState, usize> {
    let mut counts: BTreeMap<RowState, usize> = RowState::ALL.iter().map(|s| (*s, 0)).collect();
    for r in rows {
        *counts.entry(r.state).or_default() += 1;
    }
    counts
}

fn status(global: &Global, args: ReadArgs) -> Result<()> {
    let journal = open_read(&args)?;
    let rows = journal.rows()?;
    let counts = counts(&rows);
    let credits: f64 = rows
        .iter()
        .filter(|r| r.state.is_charged())
        .map(|r| r.estimate)
        .sum();
    let value =
        serde_json::json!({"rows": rows.len(), "states": counts, "credits_estimated": credits});
    ui::output(global.json, &value, || {
        let mut text = format!("{} rows:", rows.len());
        for (state, n) in &counts {
            if *n > 0 {
                text.push_str(&format!(" {n} {state},"));
            }
        }
        format!(
            "{}; about {credits} credits charged",
            text.trim_end_matches(',')
        )
    });
    Ok(())
}

fn report(global: &Global, args: ReadArgs) -> Result<()> {
    let journal = open_read(&args)?;
    let rows = journal.rows()?;
    ui::output(global.json, &rows, || {
        let mut text = String::from("id\tstate\tgeneration\tcredits\toutput\terror");
        for r in &rows {
            let charged = r.state.is_charged();
            text.push_str(&format!(
                "\n{}\t{}\t{}\t{}\t{}\t{}",
                r.id,
                r.state,
                r.generation_id.map(|g| g.to_string()).unwrap_or_default(),
                if charged { r.estimate } else { 0.0 },
                r.output_path
                    .clone()
                    .or_else(|| r.output_url.clone())
                    .unwrap_or_default(),
                r.error.clone().unwrap_or_default()
            ));
        }
        text
    });
    Ok(())
}

/// Asks on the terminal whether to start although the balance is short.
fn confirm(message: &str) -> bool {
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return false;
    }
    eprint!("{message}\nStart anyway? [y/N] ");
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer).is_ok() && answer.trim().eq_ignore_ascii_case("y")
}

/// The lines of the live display: one bar of finished rows, one line of
/// counts.
struct Display {
    bar: ProgressBar,
    counts: ProgressBar,
    states: BTreeMap<String, RowState>,
    credits: f64,
    estimates: BTreeMap<String, f64>,
}

impl Display {
    fn new(progress: &Progress, rows: &[genpro_batch::RowRecord]) -> Self {
        let bar = progress.bytes("batch", rows.len() as u64);
        bar.set_style(
            ProgressStyle::with_template(
                "{prefix:.bold} [{bar:30.cyan/blue}] {pos}/{len} rows {elapsed}",
            )
            .expect("valid template")
            .progress_chars("=> "),
        );
        let counts = progress.step("rows");
        let mut display = Self {
            bar,
            counts,
            states: rows.iter().map(|r| (r.id.clone(), r.state)).collect(),
            credits: 0.0,
            estimates: rows.iter().map(|r| (r.id.clone(), r.estimate)).collect(),
        };
        display.refresh();
        display
    }

    fn set(&mut self, id: &str, state: RowState) {
        self.states.insert(id.to_owned(), state);
        self.refresh();
    }

    fn refresh(&mut self) {
        let mut n: BTreeMap<RowState, usize> = BTreeMap::new();
        for s in self.states.values() {
            *n.entry(*s).or_default() += 1;
        }
        self.credits = self
            .states
            .iter()
            .filter(|(_, s)| s.may_be_charged())
            .map(|(id, _)| self.estimates.get(id).copied().unwrap_or_default())
            .sum();
        let get = |s: RowState| n.get(&s).copied().unwrap_or_default();
        self.bar.set_position(
            (get(RowState::Done) + get(RowState::Failed) + get(RowState::InDoubt)) as u64,
        );
        self.counts.set_message(format!(
            "pending {} · running {} · done {} · failed {} · in doubt {} · ~{} credits",
            get(RowState::Pending),
            get(RowState::Sending)
                + get(RowState::Running)
                + get(RowState::Completed)
                + get(RowState::Fetched),
            get(RowState::Done),
            get(RowState::Failed),
            get(RowState::InDoubt),
            self.credits
        ));
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
        self.counts.finish_and_clear();
    }
}

async fn run_batch(global: &Global, args: RunArgs) -> Result<()> {
    let manifest = genpro_batch::manifest::read(&args.manifest)
        .map_err(|e| ui::refused(format!("reading {}: {e}", args.manifest.display())))?;
    let progress = Progress::new();
    for error in &manifest.errors {
        let line = format!(
            "{}: {error}: nothing is sent for it",
            args.manifest.display()
        );
        if global.json {
            println!(
                "{}",
                serde_json::json!({"event": "invalid_row", "line": error.line, "id": error.id, "error": error.message})
            );
        } else {
            progress.say(line);
        }
    }
    let path = journal_path(Some(&args.manifest), args.journal.as_deref())?;
    let journal = SqliteJournal::open(&path).map_err(|e| ui::refused(e.to_string()))?;
    let connection = Connection::open(global, false, &progress).await?;
    let mut options = BatchOptions::new()
        .parallel(args.parallel)
        .retries(args.retries)
        .max_credits(args.max_credits)
        .organization(args.organization)
        .allow_short_balance(args.yes)
        .max_wait(Duration::from_secs(args.max_wait))
        .doubt_grace(Duration::from_secs(args.doubt_grace))
        .min_poll_interval(Duration::from_millis(args.min_poll_ms));

    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Event>();
    let json = global.json;
    let rows = {
        genpro_batch::plan(&manifest, &journal)?;
        journal.rows()?
    };
    let listener = {
        let progress = progress.clone();
        tokio::spawn(async move {
            let mut display = (!json).then(|| Display::new(&progress, &rows));
            while let Some(event) = rx.recv().await {
                if json {
                    if let Ok(line) = serde_json::to_string(&event) {
                        println!("{}", ui::scrub(&line));
                    }
                    continue;
                }
                let Some(display) = display.as_mut() else {
                    continue;
                };
                match &event {
                    Event::Row {
                        id,
                        state,
                        generation_id,
                        note,
                    } => {
                        display.set(id, *state);
                        if matches!(state, RowState::Failed | RowState::InDoubt)
                            || note.as_deref().is_some_and(|n| n.starts_with("reconciled"))
                        {
                            progress.say(format!(
                                "{id}: {state}{}{}",
                                generation_id
                                    .map(|g| format!(" (generation {g})"))
                                    .unwrap_or_default(),
                                note.as_deref()
                                    .map(|n| format!(": {n}"))
                                    .unwrap_or_default()
                            ));
                        }
                    }
                    Event::Planned {
                        rows,
                        to_send,
                        estimate,
                        balance,
                    } => progress.say(format!(
                        "{rows} rows, {to_send} to send, about {estimate} credits{}",
                        balance
                            .map(|b| format!(" (balance {b})"))
                            .unwrap_or_default()
                    )),
                    Event::Paused { reason } => progress.say(format!("paused: {reason}")),
                    Event::Warning { message } => progress.say(format!("warning: {message}")),
                    _ => {}
                }
            }
            if let Some(display) = display {
                display.finish();
            }
        })
    };

    let mut result = genpro_batch::run(
        &connection.client,
        &manifest,
        &journal,
        options.clone(),
        Some(tx.clone()),
    )
    .await;
    if let Err(BatchError::ShortBalance { .. }) = &result
        && !args.yes
        && confirm(
            &result
                .as_ref()
                .err()
                .map(ToString::to_string)
                .unwrap_or_default(),
        )
    {
        options = options.allow_short_balance(true);
        result = genpro_batch::run(
            &connection.client,
            &manifest,
            &journal,
            options,
            Some(tx.clone()),
        )
        .await;
    }
    drop(tx);
    let _ = listener.await;
    connection.close().await;
    let summary = match result {
        Ok(summary) => summary,
        Err(e @ BatchError::ShortBalance { .. }) => return Err(ui::refused(e.to_string())),
        Err(e) => return Err(anyhow::Error::new(e)),
    };
    let invalid = manifest.errors.len();
    ui::output(
        json,
        &serde_json::json!({"event": "summary", "summary": &summary, "invalid_rows": invalid}),
        || {
            let mut text = String::from("batch:");
            for (state, n) in &summary.states {
                if *n > 0 {
                    text.push_str(&format!(" {n} {state},"));
                }
            }
            let mut text = format!(
                "{}; about {} credits charged",
                text.trim_end_matches(','),
                summary.credits
            );
            if invalid > 0 {
                text.push_str(&format!("; {invalid} invalid rows skipped"));
            }
            if let Some(reason) = &summary.paused {
                text.push_str(&format!("\npaused: {reason}"));
            }
            if !summary.in_doubt.is_empty() {
                text.push_str(&format!(
                    "\nin doubt (never re-sent; check them in GEN): {}",
                    summary.in_doubt.join(", ")
                ));
            }
            text
        },
    );
    if summary.all_done() && invalid == 0 {
        Ok(())
    } else {
        Err(ui::fail_with_hint(
            Kind::Job,
            "the batch did not finish every row",
            "run the same command again to take it up; `gen batch report` lists each row",
        ))
    }
}

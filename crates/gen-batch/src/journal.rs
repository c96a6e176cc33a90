//! The journal: each row's state, written before and after every step
//! that spends credits or writes a file, so that a run killed at any
//! moment is taken up where it stopped.
//!
//! [`Journal`] is the small trait a batch runs on; [`SqliteJournal`] (a
//! file beside the manifest, no server to run) is the default and
//! [`MemoryJournal`] keeps everything in memory (tests). The crate's
//! README holds the design of a PostgreSQL journal that several workers
//! share.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

/// Where a row stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RowState {
    /// Nothing is at GEN for the row's current attempt: it may be sent.
    Pending,
    /// The intent was recorded and the paid POST may have been sent; its
    /// answer was not recorded. Reconciled from GEN's state before
    /// anything is sent again.
    Sending,
    /// GEN accepted the generation ([`RowRecord::generation_id`]).
    Running,
    /// The generation completed; its output is not saved yet.
    Completed,
    /// The output was downloaded and its SHA-256 recorded; it is not yet
    /// at its final path.
    Fetched,
    /// Finished: completed, and the output saved and verified when asked.
    Done,
    /// Finished without an output: GEN failed it more times than the
    /// retries allow, rejected it, or refused the request.
    Failed,
    /// The paid POST may have reached GEN and reconciliation could not
    /// decide: left alone, never sent again by a run.
    InDoubt,
}

impl RowState {
    /// Every state.
    pub const ALL: &'static [RowState] = &[
        RowState::Pending,
        RowState::Sending,
        RowState::Running,
        RowState::Completed,
        RowState::Fetched,
        RowState::Done,
        RowState::Failed,
        RowState::InDoubt,
    ];

    /// The name stored in the journal (snake case).
    pub const fn as_str(self) -> &'static str {
        match self {
            RowState::Pending => "pending",
            RowState::Sending => "sending",
            RowState::Running => "running",
            RowState::Completed => "completed",
            RowState::Fetched => "fetched",
            RowState::Done => "done",
            RowState::Failed => "failed",
            RowState::InDoubt => "in_doubt",
        }
    }

    /// The state named `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|s| s.as_str() == name)
    }

    /// Whether the row's current generation was accepted by GEN and not
    /// refunded: its estimate counts as spent.
    pub const fn is_charged(self) -> bool {
        matches!(
            self,
            RowState::Running | RowState::Completed | RowState::Fetched | RowState::Done
        )
    }

    /// [`RowState::is_charged`], or its paid POST may have reached GEN
    /// ([`RowState::Sending`]): what a credit budget must count.
    pub const fn may_be_charged(self) -> bool {
        self.is_charged() || matches!(self, RowState::Sending)
    }

    /// Whether a run leaves the row alone (done, failed or in doubt).
    pub const fn is_final(self) -> bool {
        matches!(self, RowState::Done | RowState::Failed | RowState::InDoubt)
    }
}

impl std::fmt::Display for RowState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A row as the journal holds it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct RowRecord {
    /// The row's id (the manifest's `id`).
    pub id: String,
    /// Its line in the manifest when it was journaled.
    pub line: usize,
    /// The manifest row's fingerprint when it was journaled.
    pub fingerprint: String,
    /// Where it stands.
    pub state: RowState,
    /// Paid POSTs recorded for it (intents).
    pub attempts: u32,
    /// Generations of it that GEN failed (each refunded).
    pub failures: u32,
    /// The current generation, once known.
    pub generation_id: Option<i64>,
    /// The estimated cost of one generation of the row, in credits.
    pub estimate: f64,
    /// The output URL (or, for a text result, `None` and the text saved).
    pub output_url: Option<String>,
    /// The file the output was saved to.
    pub output_path: Option<String>,
    /// The SHA-256 (hex) of the saved output.
    pub sha256: Option<String>,
    /// The last error or note.
    pub error: Option<String>,
    /// When the last intent was recorded.
    pub intent_at: Option<DateTime<Utc>>,
    /// When the record last changed.
    pub updated_at: DateTime<Utc>,
}

impl RowRecord {
    /// A new pending row.
    pub fn new(
        id: impl Into<String>,
        line: usize,
        fingerprint: impl Into<String>,
        estimate: f64,
    ) -> Self {
        Self {
            id: id.into(),
            line,
            fingerprint: fingerprint.into(),
            state: RowState::Pending,
            attempts: 0,
            failures: 0,
            generation_id: None,
            estimate,
            output_url: None,
            output_path: None,
            sha256: None,
            error: None,
            intent_at: None,
            updated_at: Utc::now(),
        }
    }
}

/// A journal failure (the run stops: going on without a record could
/// spend credits twice).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JournalError {
    /// SQLite failed.
    #[error("journal {path}: {source}")]
    Sqlite {
        /// The journal file.
        path: PathBuf,
        /// The SQLite error.
        #[source]
        source: rusqlite::Error,
    },
    /// The journal file or its lock could not be opened.
    #[error("journal {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// Another run holds the journal.
    #[error("journal {path} is in use by another run (its lock file {lock} is held)")]
    Locked {
        /// The journal file.
        path: PathBuf,
        /// The lock file.
        lock: PathBuf,
    },
    /// A stored value could not be read back.
    #[error("journal {path}: {message}")]
    Corrupt {
        /// The journal file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// Where a batch keeps its state. Every write is durable when it returns:
/// a run records a row's intent, then sends its paid POST.
pub trait Journal: Send + Sync {
    /// Every row, in journal order.
    fn rows(&self) -> Result<Vec<RowRecord>, JournalError>;
    /// Adds the rows it does not hold yet (by id); the others are left as
    /// they are.
    fn add_rows(&self, rows: &[RowRecord]) -> Result<(), JournalError>;
    /// Writes `record` over the row of the same id and, in the same write,
    /// records its `generation_id` (as [`Journal::add_generation`] does):
    /// a row is never seen with its generation known but its state not.
    fn save(&self, record: &RowRecord) -> Result<(), JournalError>;
    /// Records that `generation_id` was created for the row `row_id`.
    fn add_generation(&self, row_id: &str, generation_id: i64) -> Result<(), JournalError>;
    /// Every generation recorded for any row.
    fn generations(&self) -> Result<BTreeSet<i64>, JournalError>;
    /// The generations an engine had before the batch sent anything to it
    /// (`None`: not taken yet).
    fn baseline(&self, engine_id: i64) -> Result<Option<BTreeSet<i64>>, JournalError>;
    /// Records an engine's baseline.
    fn set_baseline(
        &self,
        engine_id: i64,
        generation_ids: &BTreeSet<i64>,
    ) -> Result<(), JournalError>;
}

/// A journal in memory: nothing survives the process (tests, dry runs).
#[derive(Debug, Default)]
pub struct MemoryJournal {
    inner: Mutex<Memory>,
}

#[derive(Debug, Default)]
struct Memory {
    rows: Vec<RowRecord>,
    generations: BTreeMap<i64, String>,
    baselines: BTreeMap<i64, BTreeSet<i64>>,
}

impl MemoryJournal {
    /// An empty journal.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Memory> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Journal for MemoryJournal {
    fn rows(&self) -> Result<Vec<RowRecord>, JournalError> {
        Ok(self.lock().rows.clone())
    }

    fn add_rows(&self, rows: &[RowRecord]) -> Result<(), JournalError> {
        let mut m = self.lock();
        for row in rows {
            if !m.rows.iter().any(|r| r.id == row.id) {
                m.rows.push(row.clone());
            }
        }
        Ok(())
    }

    fn save(&self, record: &RowRecord) -> Result<(), JournalError> {
        let mut m = self.lock();
        match m.rows.iter_mut().find(|r| r.id == record.id) {
            Some(r) => *r = record.clone(),
            None => m.rows.push(record.clone()),
        }
        if let Some(id) = record.generation_id {
            m.generations.insert(id, record.id.clone());
        }
        Ok(())
    }

    fn add_generation(&self, row_id: &str, generation_id: i64) -> Result<(), JournalError> {
        self.lock()
            .generations
            .insert(generation_id, row_id.to_owned());
        Ok(())
    }

    fn generations(&self) -> Result<BTreeSet<i64>, JournalError> {
        Ok(self.lock().generations.keys().copied().collect())
    }

    fn baseline(&self, engine_id: i64) -> Result<Option<BTreeSet<i64>>, JournalError> {
        Ok(self.lock().baselines.get(&engine_id).cloned())
    }

    fn set_baseline(
        &self,
        engine_id: i64,
        generation_ids: &BTreeSet<i64>,
    ) -> Result<(), JournalError> {
        self.lock()
            .baselines
            .insert(engine_id, generation_ids.clone());
        Ok(())
    }
}

/// The default journal: one SQLite file in WAL mode, and a lock file
/// beside it so that two runs never share it. Every write survives the
/// process (a kill at any moment); a row's intent (state
/// [`RowState::Sending`], written before its paid POST), new rows and
/// baselines are also synced to disk before the call returns
/// (`synchronous=FULL`), so they survive a power loss too.
#[derive(Debug)]
pub struct SqliteJournal {
    path: PathBuf,
    conn: Mutex<Connection>,
    _lock: Option<File>,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS rows (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    line INTEGER NOT NULL,
    fingerprint TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    failures INTEGER NOT NULL,
    generation_id INTEGER,
    estimate REAL NOT NULL,
    output_url TEXT,
    output_path TEXT,
    sha256 TEXT,
    error TEXT,
    intent_at TEXT,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS generations (
    generation_id INTEGER PRIMARY KEY,
    row_id TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS baselines (
    engine_id INTEGER NOT NULL,
    generation_id INTEGER NOT NULL,
    PRIMARY KEY (engine_id, generation_id)
);
CREATE TABLE IF NOT EXISTS baseline_taken (
    engine_id INTEGER PRIMARY KEY
);
";

impl SqliteJournal {
    /// Opens (or creates) the journal at `path` for a run: takes its lock
    /// (`PATH.lock`), refusing with [`JournalError::Locked`] when another
    /// run holds it.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, JournalError> {
        let path = path.as_ref().to_path_buf();
        let lock_path = lock_path(&path);
        let lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|source| JournalError::Io {
                path: lock_path.clone(),
                source,
            })?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(JournalError::Locked {
                    path,
                    lock: lock_path,
                });
            }
            Err(std::fs::TryLockError::Error(source)) => {
                return Err(JournalError::Io {
                    path: lock_path,
                    source,
                });
            }
        }
        Self::connect(path, Some(lock))
    }

    /// Opens the journal at `path` to read it (`gen batch status`,
    /// `report`) while a run may hold it; it must exist.
    pub fn open_read(path: impl AsRef<Path>) -> Result<Self, JournalError> {
        let path = path.as_ref().to_path_buf();
        if !path.exists() {
            return Err(JournalError::Io {
                path,
                source: std::io::Error::new(std::io::ErrorKind::NotFound, "no journal here"),
            });
        }
        Self::connect(path, None)
    }

    fn connect(path: PathBuf, lock: Option<File>) -> Result<Self, JournalError> {
        let sql = |source| JournalError::Sqlite {
            path: path.clone(),
            source,
        };
        let conn = Connection::open(&path).map_err(sql)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(sql)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(sql)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(sql)?;
        conn.execute_batch(SCHEMA).map_err(sql)?;
        Ok(Self {
            path,
            conn: Mutex::new(conn),
            _lock: lock,
        })
    }

    /// The journal file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn with<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, rusqlite::Error>,
    ) -> Result<T, JournalError> {
        let mut conn = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut conn).map_err(|source| JournalError::Sqlite {
            path: self.path.clone(),
            source,
        })
    }
}

/// The lock file of the journal at `path`.
pub fn lock_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

fn time(text: Option<String>) -> Option<DateTime<Utc>> {
    text.and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
        .map(|t| t.with_timezone(&Utc))
}

fn insert_generation(
    c: &Connection,
    row_id: &str,
    generation_id: i64,
) -> Result<(), rusqlite::Error> {
    c.execute(
        "INSERT OR IGNORE INTO generations (generation_id, row_id) VALUES (?1, ?2)",
        params![generation_id, row_id],
    )
    .map(|_| ())
}

/// Writes every field of `row` over the stored row of the same id.
fn write_row(c: &Connection, row: &RowRecord) -> Result<(), rusqlite::Error> {
    c.execute(
        "UPDATE rows SET line = ?2, fingerprint = ?3, state = ?4, attempts = ?5, failures = ?6, generation_id = ?7, estimate = ?8, output_url = ?9, output_path = ?10, sha256 = ?11, error = ?12, intent_at = ?13, updated_at = ?14 WHERE id = ?1",
        params![
            row.id,
            row.line as i64,
            row.fingerprint,
            row.state.as_str(),
            row.attempts,
            row.failures,
            row.generation_id,
            row.estimate,
            row.output_url,
            row.output_path,
            row.sha256,
            row.error,
            row.intent_at.map(|t| t.to_rfc3339()),
            row.updated_at.to_rfc3339(),
        ],
    )
    .map(|_| ())
}

const COLUMNS: &str = "id, line, fingerprint, state, attempts, failures, generation_id, estimate, output_url, output_path, sha256, error, intent_at, updated_at";

impl Journal for SqliteJournal {
    fn rows(&self) -> Result<Vec<RowRecord>, JournalError> {
        let rows = self.with(|c| {
            let mut stmt = c.prepare(&format!("SELECT {COLUMNS} FROM rows ORDER BY seq"))?;
            let rows = stmt.query_map([], |r| {
                Ok((
                    RowRecord {
                        id: r.get(0)?,
                        line: r.get::<_, i64>(1)? as usize,
                        fingerprint: r.get(2)?,
                        state: RowState::Pending,
                        attempts: r.get(4)?,
                        failures: r.get(5)?,
                        generation_id: r.get(6)?,
                        estimate: r.get(7)?,
                        output_url: r.get(8)?,
                        output_path: r.get(9)?,
                        sha256: r.get(10)?,
                        error: r.get(11)?,
                        intent_at: time(r.get(12)?),
                        updated_at: time(r.get(13)?).unwrap_or_else(Utc::now),
                    },
                    r.get::<_, String>(3)?,
                ))
            })?;
            rows.collect::<Result<Vec<_>, _>>()
        })?;
        rows.into_iter()
            .map(|(mut record, state)| {
                record.state =
                    RowState::from_name(&state).ok_or_else(|| JournalError::Corrupt {
                        path: self.path.clone(),
                        message: format!("row `{}` has an unknown state `{state}`", record.id),
                    })?;
                Ok(record)
            })
            .collect()
    }

    fn add_rows(&self, rows: &[RowRecord]) -> Result<(), JournalError> {
        self.with(|c| {
            c.pragma_update(None, "synchronous", "FULL")?;
            let tx = c.transaction()?;
            let mut seq: i64 = tx.query_row("SELECT COALESCE(MAX(seq), 0) FROM rows", [], |r| r.get(0))?;
            for row in rows {
                let exists: Option<i64> = tx
                    .query_row("SELECT 1 FROM rows WHERE id = ?1", [&row.id], |r| r.get(0))
                    .optional()?;
                if exists.is_some() {
                    continue;
                }
                seq += 1;
                tx.execute(
                    "INSERT INTO rows (seq, id, line, fingerprint, state, attempts, failures, estimate, updated_at) VALUES (?1, ?2, 0, '', 'pending', 0, 0, 0, '')",
                    params![seq, row.id],
                )?;
                write_row(&tx, row)?;
            }
            tx.commit()
        })
    }

    fn save(&self, row: &RowRecord) -> Result<(), JournalError> {
        self.with(|c| {
            // An intent is synced to disk before it returns (the paid POST
            // follows). Other records need only survive the process: a
            // record lost with the machine's power is rebuilt by
            // reconciliation, a wait or a download, and the next intent's
            // sync writes them too (the WAL is sequential).
            let sync = if row.state == RowState::Sending {
                "FULL"
            } else {
                "NORMAL"
            };
            c.pragma_update(None, "synchronous", sync)?;
            let tx = c.transaction()?;
            write_row(&tx, row)?;
            if let Some(id) = row.generation_id {
                insert_generation(&tx, &row.id, id)?;
            }
            tx.commit()
        })
    }

    fn add_generation(&self, row_id: &str, generation_id: i64) -> Result<(), JournalError> {
        self.with(|c| insert_generation(c, row_id, generation_id))
    }

    fn generations(&self) -> Result<BTreeSet<i64>, JournalError> {
        self.with(|c| {
            let mut stmt = c.prepare("SELECT generation_id FROM generations")?;
            let ids = stmt.query_map([], |r| r.get(0))?;
            ids.collect()
        })
    }

    fn baseline(&self, engine_id: i64) -> Result<Option<BTreeSet<i64>>, JournalError> {
        self.with(|c| {
            let taken: Option<i64> = c
                .query_row(
                    "SELECT 1 FROM baseline_taken WHERE engine_id = ?1",
                    [engine_id],
                    |r| r.get(0),
                )
                .optional()?;
            if taken.is_none() {
                return Ok(None);
            }
            let mut stmt = c.prepare("SELECT generation_id FROM baselines WHERE engine_id = ?1")?;
            let ids = stmt.query_map([engine_id], |r| r.get(0))?;
            ids.collect::<Result<BTreeSet<i64>, _>>().map(Some)
        })
    }

    fn set_baseline(
        &self,
        engine_id: i64,
        generation_ids: &BTreeSet<i64>,
    ) -> Result<(), JournalError> {
        self.with(|c| {
            c.pragma_update(None, "synchronous", "FULL")?;
            let tx = c.transaction()?;
            for id in generation_ids {
                tx.execute(
                    "INSERT OR IGNORE INTO baselines (engine_id, generation_id) VALUES (?1, ?2)",
                    params![engine_id, id],
                )?;
            }
            tx.execute(
                "INSERT OR IGNORE INTO baseline_taken (engine_id) VALUES (?1)",
                [engine_id],
            )?;
            tx.commit()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exercise(journal: &dyn Journal) {
        let a = RowRecord::new("a", 1, "fa", 50.0);
        let b = RowRecord::new("b", 2, "fb", 3.0);
        journal.add_rows(&[a.clone(), b.clone()]).unwrap();
        let mut changed = a.clone();
        changed.state = RowState::Running;
        changed.attempts = 1;
        changed.generation_id = Some(9000);
        changed.intent_at = Some(Utc::now());
        journal.save(&changed).unwrap();
        // Saving a row records its generation in the same write.
        assert_eq!(journal.generations().unwrap(), BTreeSet::from([9000]));
        // Adding again keeps what is there.
        journal
            .add_rows(&[a.clone(), RowRecord::new("c", 3, "fc", 0.0)])
            .unwrap();
        let rows = journal.rows().unwrap();
        let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["a", "b", "c"]);
        assert_eq!(rows[0].state, RowState::Running);
        assert_eq!(rows[0].generation_id, Some(9000));
        assert_eq!(rows[1], b);
        journal.add_generation("a", 9000).unwrap();
        journal.add_generation("a", 9001).unwrap();
        assert_eq!(journal.generations().unwrap(), BTreeSet::from([9000, 9001]));
        assert_eq!(journal.baseline(101).unwrap(), None);
        journal.set_baseline(101, &BTreeSet::new()).unwrap();
        assert_eq!(journal.baseline(101).unwrap(), Some(BTreeSet::new()));
        journal.set_baseline(102, &BTreeSet::from([1, 2])).unwrap();
        assert_eq!(journal.baseline(102).unwrap(), Some(BTreeSet::from([1, 2])));
    }

    #[test]
    fn memory_and_sqlite_journals_behave_alike() {
        exercise(&MemoryJournal::new());
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("batch.journal");
        {
            let journal = SqliteJournal::open(&path).unwrap();
            exercise(&journal);
            // A second run is refused while the first holds the lock.
            let err = SqliteJournal::open(&path).unwrap_err();
            assert!(matches!(err, JournalError::Locked { .. }), "{err}");
            // Readers are not.
            assert_eq!(
                SqliteJournal::open_read(&path)
                    .unwrap()
                    .rows()
                    .unwrap()
                    .len(),
                3
            );
        }
        // Reopened: everything is still there.
        let journal = SqliteJournal::open(&path).unwrap();
        let rows = journal.rows().unwrap();
        assert_eq!(rows[0].state, RowState::Running);
        assert!(rows[0].intent_at.is_some());
        assert_eq!(journal.generations().unwrap().len(), 2);
    }
}

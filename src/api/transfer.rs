//! Importing and exporting CSV files from the UI (the desktop app picks the file with a native
//! dialog; `hall serve` takes a path on the same machine): customers in and out, bills in. An
//! import reports its progress under a key the UI chose, which `import.progress` reads.

use std::collections::HashMap;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{App, Caller, require_caller};
use crate::error::{Error, Result, UserMessage};
use crate::transfer::{self, ImportReport};

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct FileArgs {
    pub path: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct ImportArgs {
    pub path: String,
    /// A random key under which `import.progress` reports how far the import is.
    #[serde(default)]
    #[ts(optional)]
    pub progress: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct ProgressArgs {
    pub key: String,
}

/// How far an import is: `done` of `total` (bytes of a customer file, rows of a bill file); zero
/// of zero when no import runs under the key.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ImportProgress {
    pub done: u64,
    pub total: u64,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct ExportResult {
    pub customers: u64,
    pub path: String,
}

/// The imports (and other long jobs: bulk notices) in progress. An import holds the store's lock from start to end, so its progress
/// is kept here, where `import.progress` reads it without that lock (and without a session, which
/// would need the store): the key is a secret only the importing screen knows, and the answer is
/// two numbers.
#[derive(Default)]
pub(super) struct Progress(Mutex<HashMap<String, ImportProgress>>);

impl Progress {
    fn set(&self, key: &str, done: u64, total: u64) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).insert(key.to_owned(), ImportProgress { done, total });
    }

    fn end(&self, key: &str) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).remove(key);
    }

    fn get(&self, key: &str) -> ImportProgress {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).get(key).copied().unwrap_or_default()
    }

    /// Runs `import` with a callback that records its progress under `key` (if any).
    pub(super) fn track<T>(&self, key: Option<&str>, import: impl FnOnce(&mut dyn FnMut(u64, u64)) -> T) -> T {
        let mut report = |done, total| {
            if let Some(key) = key {
                self.set(key, done, total);
            }
        };
        let result = import(&mut report);
        if let Some(key) = key {
            self.end(key);
        }
        result
    }
}

fn file_error(path: &str, e: std::io::Error) -> Error {
    Error::invalid(
        UserMessage::new("file.unavailable", format!("无法打开文件{path}：{e}"), format!("Cannot open the file {path}: {e}")).at("path"),
    )
}

fn open(path: &str) -> Result<(std::io::BufReader<std::fs::File>, u64)> {
    let file = std::fs::File::open(path).map_err(|e| file_error(path, e))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    Ok((std::io::BufReader::new(file), size))
}

pub(super) fn import_customers(app: &App, caller: Option<&Caller>, args: ImportArgs) -> Result<ImportReport> {
    let caller = require_caller(caller)?;
    let (input, size) = open(&args.path)?;
    let actor = app.actor(Some(&caller.user));
    app.imports.track(args.progress.as_deref(), |report| {
        transfer::import_customers(&mut app.store(), &actor, input, Some(size), |bytes| report(bytes, size))
    })
}

pub(super) fn import_bills(app: &App, caller: Option<&Caller>, args: ImportArgs) -> Result<ImportReport> {
    let caller = require_caller(caller)?;
    let (input, _) = open(&args.path)?;
    let actor = app.actor(Some(&caller.user));
    app.imports.track(args.progress.as_deref(), |report| transfer::import_bills(&mut app.store(), &actor, input, report))
}

/// Anyone may ask (the import holds the store, so no session can be checked meanwhile); the key
/// is the secret, so it must be one the UI drew at random (a UUID), not a guessable word.
pub(super) fn progress(app: &App, _: Option<&Caller>, args: ProgressArgs) -> Result<ImportProgress> {
    if args.key.len() < 32 || args.key.len() > 64 {
        return Err(Error::invalid(UserMessage::new("import.progress_key", "进度编号无效", "Invalid progress key").at("key")));
    }
    Ok(app.imports.get(&args.key))
}

pub(super) fn export_customers(app: &App, caller: Option<&Caller>, args: FileArgs) -> Result<ExportResult> {
    let caller = require_caller(caller)?;
    let file = std::fs::File::create(&args.path).map_err(|e| file_error(&args.path, e))?;
    let mut store = app.store();
    let customers = transfer::export_customers(&store, std::io::BufWriter::new(file))?;
    let actor = app.actor(Some(&caller.user));
    store.write(|tx| {
        crate::store::audit::append(
            tx,
            &actor,
            "customers.export",
            "customers",
            &serde_json::json!({ "customers": customers, "path": args.path }),
        )
    })?;
    Ok(ExportResult { customers, path: args.path })
}

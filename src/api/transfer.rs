//! Importing and exporting customer CSV files from the UI (the desktop app picks the file with a
//! native dialog; `hall serve` takes a path on the same machine).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{App, Caller, require_caller};
use crate::error::{Error, Result, UserMessage};
use crate::transfer::{self, ImportReport};

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct FileArgs {
    pub path: String,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct ExportResult {
    pub customers: u64,
    pub path: String,
}

fn file_error(path: &str, e: std::io::Error) -> Error {
    Error::invalid(
        UserMessage::new("file.unavailable", format!("无法打开文件{path}：{e}"), format!("Cannot open the file {path}: {e}")).at("path"),
    )
}

pub(super) fn import_customers(app: &App, caller: Option<&Caller>, args: FileArgs) -> Result<ImportReport> {
    let caller = require_caller(caller)?;
    let file = std::fs::File::open(&args.path).map_err(|e| file_error(&args.path, e))?;
    let size = file.metadata().map(|m| m.len()).ok();
    let actor = app.actor(Some(&caller.user));
    transfer::import_customers(&mut app.store(), &actor, std::io::BufReader::new(file), size, |_| {})
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

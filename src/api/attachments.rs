//! Attachment commands: a scanned document in, its bytes and its thumbnail out.
//!
//! CONTRACT FIRST: these types are the interface the UI is built against; the handlers are being
//! written on the `apps-docs` branch and every one still answers "not built".

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{App, Caller};
use crate::error::{Error, Result};

/// Where the file comes from: its bytes (the browser), or a path the desktop's file dialog chose.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum AttachmentSource {
    Base64(String),
    Path(String),
}

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct AddAttachmentArgs {
    /// Shown to the clerk; the type is read from the bytes, never from this name.
    pub file_name: String,
    pub source: AttachmentSource,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct AttachmentInfo {
    pub sha256: String,
    /// `application/pdf`, `image/jpeg` or `image/png`.
    pub mime: String,
    pub size_bytes: u64,
    pub file_name: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct AttachmentRef {
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct AttachmentContent {
    pub mime: String,
    pub base64: String,
}

fn not_built() -> Error {
    Error::Internal("attachments: not built yet (apps-docs branch)".into())
}

pub(super) fn add(_app: &App, _caller: Option<&Caller>, _args: AddAttachmentArgs) -> Result<AttachmentInfo> {
    Err(not_built())
}

pub(super) fn content(_app: &App, _caller: Option<&Caller>, _args: AttachmentRef) -> Result<AttachmentContent> {
    Err(not_built())
}

/// A small PNG of an image (a PDF's first page is drawn by the UI from its content).
pub(super) fn thumbnail(_app: &App, _caller: Option<&Caller>, _args: AttachmentRef) -> Result<AttachmentContent> {
    Err(not_built())
}

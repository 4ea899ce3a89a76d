//! Attachment commands: a scanned document in, its bytes and its thumbnail out. The checks and
//! the storage are `store::attachments`; this reads the file from where the caller has it.

use base64::Engine;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{App, Caller, require_caller};
use crate::error::{Error, Result, UserMessage};
pub use crate::store::attachments::AttachmentInfo;
use crate::store::attachments::{self as repo};

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

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
pub struct AttachmentRef {
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct AttachmentContent {
    pub mime: String,
    pub base64: String,
}

pub(super) fn add(app: &App, caller: Option<&Caller>, args: AddAttachmentArgs) -> Result<AttachmentInfo> {
    let caller = require_caller(caller)?;
    let limit = repo::max_bytes(app.store().conn())?;
    let unreadable = |detail: String| {
        Error::invalid(
            UserMessage::new(
                "attachment.unreadable",
                format!("无法读取文件“{}”：{detail}", args.file_name),
                format!("The file “{}” cannot be read: {detail}", args.file_name),
            )
            .at("file"),
        )
    };
    // The size is checked before the bytes are read or decoded.
    let bytes = match &args.source {
        AttachmentSource::Base64(text) => {
            if (text.len() as u64 / 4) * 3 > limit + 2 {
                return Err(repo::too_large(&args.file_name, limit));
            }
            base64::engine::general_purpose::STANDARD.decode(text.trim()).map_err(|e| unreadable(e.to_string()))?
        }
        AttachmentSource::Path(path) => {
            let meta = std::fs::metadata(path).map_err(|e| unreadable(e.to_string()))?;
            if !meta.is_file() {
                return Err(unreadable("not a file / 不是文件".into()));
            }
            if meta.len() > limit {
                return Err(repo::too_large(&args.file_name, limit));
            }
            std::fs::read(path).map_err(|e| unreadable(e.to_string()))?
        }
    };
    let actor = app.actor(Some(&caller.user));
    let mut store = app.store();
    let data_dir = store.data_dir().to_owned();
    store.write(|tx| repo::put(tx, &actor, &data_dir, &args.file_name, &bytes))
}

pub(super) fn content(app: &App, caller: Option<&Caller>, args: AttachmentRef) -> Result<AttachmentContent> {
    require_caller(caller)?;
    let store = app.store();
    let (info, bytes) = repo::content(store.conn(), store.data_dir(), &args.sha256)?;
    Ok(AttachmentContent { mime: info.mime, base64: base64::engine::general_purpose::STANDARD.encode(bytes) })
}

/// A small PNG of an image (a PDF's first page is drawn by the UI from its content).
pub(super) fn thumbnail(app: &App, caller: Option<&Caller>, args: AttachmentRef) -> Result<AttachmentContent> {
    require_caller(caller)?;
    let store = app.store();
    let png = repo::thumbnail(store.conn(), store.data_dir(), &args.sha256)?;
    Ok(AttachmentContent { mime: repo::PNG.to_owned(), base64: base64::engine::general_purpose::STANDARD.encode(png) })
}

//! Attached files (a scanned ID, a property certificate, drawings), stored by their SHA-256.
//!
//! The bytes live in `<the database's directory>/attachments/ab/abcdef…` (the first two hex digits
//! as a folder, so no folder grows past a few thousand files); the `attachments` table says what
//! each one is. A file's type is judged from its bytes, never its name: the magic number, then a
//! full decode (images) or parse (PDFs), so a renamed program or a truncated scan is refused.
//! Nothing here knows what the file is attached to: applications, and later service requests and
//! inspections, keep their own links to the hash.

use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};

use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;

use super::{Actor, Tx, audit, outbox, settings};
use crate::clock::stamp;
use crate::error::{Error, Result, UserMessage};

pub const PDF: &str = "application/pdf";
pub const JPEG: &str = "image/jpeg";
pub const PNG: &str = "image/png";

/// The folder under the data directory that holds the files (and, in a backup folder, their copies).
pub const DIR: &str = "attachments";
/// A thumbnail's long side, in pixels.
pub const THUMBNAIL_PX: u32 = 240;
/// The longest file name kept (longer names are cut: the name is for display only).
const MAX_NAME_CHARS: usize = 120;
/// An image larger than this in either direction is refused before it is decoded (a scan at
/// 600 dpi of an A3 page is about 7000 × 10000).
const MAX_IMAGE_SIDE: u32 = 12_000;

/// What one stored file is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AttachmentInfo {
    pub sha256: String,
    /// `application/pdf`, `image/jpeg` or `image/png`.
    pub mime: String,
    pub size_bytes: u64,
    /// A PDF's number of pages (the UI draws the first); `None` for an image.
    pub page_count: Option<u32>,
    /// The name it was first added under, for display only.
    pub file_name: String,
}

/// The largest file accepted, in bytes (the setting `attachment.max_mib`).
pub fn max_bytes(conn: &rusqlite::Connection) -> Result<u64> {
    let mib = settings::get_i64(conn, settings::ATTACHMENT_MAX_MIB, settings::DEFAULT_ATTACHMENT_MAX_MIB)?;
    Ok(mib.max(1) as u64 * 1024 * 1024)
}

/// The largest request body that can carry the largest file `attachment.max_mib` allows, as
/// base64 (4 characters for 3 bytes) inside a JSON command, whatever the setting is now.
pub fn max_request_bytes() -> usize {
    let file = settings::ATTACHMENT_MAX_MIB_CEILING as usize * 1024 * 1024;
    file.div_ceil(3) * 4 + 64 * 1024
}

/// The refusal of a file over the limit, before its bytes are read (the API checks a path's size
/// or a base64 text's length with it).
pub fn too_large(file_name: &str, max_bytes: u64) -> Error {
    let mib = max_bytes / (1024 * 1024);
    invalid(
        "attachment.too_large",
        format!("文件“{file_name}”超过{mib} MB，不能上传"),
        format!("The file “{file_name}” is larger than {mib} MB"),
    )
}

fn invalid(code: &str, zh: String, en: String) -> Error {
    Error::invalid(UserMessage::new(code, zh, en).at("file"))
}

/// Checks `bytes` and stores them under `data_dir`, then records them in the caller's write.
/// The same bytes added again are not stored twice: the first record is returned (with the name
/// they were first added under) and only the audit entry is new.
pub fn put(tx: &Tx, actor: &Actor, data_dir: &Path, file_name: &str, bytes: &[u8]) -> Result<AttachmentInfo> {
    let file_name = display_name(file_name)?;
    let limit = max_bytes(tx)?;
    if bytes.is_empty() {
        return Err(invalid("attachment.empty", format!("文件“{file_name}”是空的"), format!("The file “{file_name}” is empty")));
    }
    if bytes.len() as u64 > limit {
        return Err(too_large(&file_name, limit));
    }
    let (mime, page_count) = judge(&file_name, bytes)?;
    let sha256 = hex::encode(Sha256::digest(bytes));
    if let Some(existing) = info(tx, &sha256)? {
        // The row exists, so the file was stored (rows are written only after the file is); one
        // lost since is put back from these bytes.
        store_file(data_dir, &sha256, bytes)?;
        audit::append(tx, actor, "attachment.add", &sha256, &serde_json::json!({ "file_name": file_name, "again": true }))?;
        return Ok(existing);
    }
    store_file(data_dir, &sha256, bytes)?;
    let info = AttachmentInfo { sha256: sha256.clone(), mime: mime.to_owned(), size_bytes: bytes.len() as u64, page_count, file_name };
    tx.execute(
        "INSERT INTO attachments (sha256, mime, size_bytes, page_count, file_name, added_at, added_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        (&info.sha256, &info.mime, info.size_bytes as i64, info.page_count, &info.file_name, stamp(actor.at), &actor.user_id),
    )?;
    // Metadata only: sync carries the bytes beside the event, by their hash.
    outbox::append(tx, actor, "attachment.added", &sha256, &info)?;
    audit::append(tx, actor, "attachment.add", &sha256, &serde_json::json!({ "file_name": info.file_name, "mime": info.mime }))?;
    Ok(info)
}

/// The recorded file with this hash, if any.
pub fn info(conn: &rusqlite::Connection, sha256: &str) -> Result<Option<AttachmentInfo>> {
    Ok(conn
        .prepare_cached("SELECT sha256, mime, size_bytes, page_count, file_name FROM attachments WHERE sha256 = ?1")?
        .query_row([sha256], |r| {
            Ok(AttachmentInfo {
                sha256: r.get(0)?,
                mime: r.get(1)?,
                size_bytes: r.get::<_, i64>(2)? as u64,
                page_count: r.get(3)?,
                file_name: r.get(4)?,
            })
        })
        .optional()?)
}

/// A recorded file's description and bytes, checked against its hash (a file changed on disk is
/// the machine's failure, not the clerk's).
pub fn content(conn: &rusqlite::Connection, data_dir: &Path, sha256: &str) -> Result<(AttachmentInfo, Vec<u8>)> {
    let info = recorded(conn, sha256)?;
    let path = file_path(data_dir, &info.sha256);
    let bytes = std::fs::read(&path).map_err(|e| Error::Internal(format!("attachment {}: {e}", path.display())))?;
    if hex::encode(Sha256::digest(&bytes)) != info.sha256 {
        return Err(Error::Internal(format!("attachment {}: the file no longer matches its hash", path.display())));
    }
    Ok((info, bytes))
}

/// A PNG of an image at most [`THUMBNAIL_PX`] on its long side, made once and kept beside the file.
/// A PDF has none: the UI draws its first page from the content.
pub fn thumbnail(conn: &rusqlite::Connection, data_dir: &Path, sha256: &str) -> Result<Vec<u8>> {
    let info = recorded(conn, sha256)?;
    let format = match info.mime.as_str() {
        JPEG => image::ImageFormat::Jpeg,
        PNG => image::ImageFormat::Png,
        _ => {
            return Err(Error::invalid(UserMessage::new(
                "attachment.no_thumbnail",
                format!("“{}”是PDF文件，没有缩略图，请打开查看", info.file_name),
                format!("“{}” is a PDF: it has no thumbnail, open it to see it", info.file_name),
            )));
        }
    };
    let cached = thumbnail_path(data_dir, &info.sha256);
    if let Ok(png) = std::fs::read(&cached) {
        return Ok(png);
    }
    let (_, bytes) = content(conn, data_dir, sha256)?;
    let image = decode(&bytes, format).map_err(|e| Error::Internal(format!("attachment {sha256}: {e}")))?;
    let mut png = Vec::new();
    image
        .thumbnail(THUMBNAIL_PX, THUMBNAIL_PX)
        .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
        .map_err(|e| Error::Internal(format!("thumbnail {sha256}: {e}")))?;
    write_atomically(&cached, &png)?;
    Ok(png)
}

/// Where the file with this hash is kept under `root` (the data directory or a backup folder).
pub fn file_path(root: &Path, sha256: &str) -> PathBuf {
    root.join(DIR).join(&sha256[..2]).join(sha256)
}

fn thumbnail_path(root: &Path, sha256: &str) -> PathBuf {
    root.join(DIR).join(&sha256[..2]).join(format!("{sha256}.thumb.png"))
}

/// Whether `text` is a hash as this module writes them (64 lowercase hex digits): anything else
/// never reaches a path.
pub fn is_hash(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn recorded(conn: &rusqlite::Connection, sha256: &str) -> Result<AttachmentInfo> {
    let missing =
        || Error::NotFound(UserMessage::new("attachment.not_found", "没有找到该附件", "There is no such attachment").at("sha256"));
    if !is_hash(sha256) {
        return Err(missing());
    }
    info(conn, sha256)?.ok_or_else(missing)
}

/// The name shown for a file: its last path component, trimmed and cut to a sensible length.
fn display_name(file_name: &str) -> Result<String> {
    let name = file_name.rsplit(['/', '\\']).next().unwrap_or_default().trim();
    if name.is_empty() {
        return Err(Error::invalid(UserMessage::new("attachment.no_name", "请填写文件名", "The file needs a name").at("file_name")));
    }
    Ok(name.chars().filter(|c| !c.is_control()).take(MAX_NAME_CHARS).collect())
}

/// The file's type from its bytes, and a PDF's page count; a refusal names the file.
fn judge(file_name: &str, bytes: &[u8]) -> Result<(&'static str, Option<u32>)> {
    let damaged = |kind: &str, kind_zh: &str| {
        invalid(
            "attachment.damaged",
            format!("文件“{file_name}”看起来是{kind_zh}，但已损坏或不完整，无法打开"),
            format!("The file “{file_name}” looks like a {kind} but is damaged or incomplete and cannot be opened"),
        )
    };
    if bytes.starts_with(b"%PDF-") {
        return match pdf_pages(bytes) {
            Some(pages) => Ok((PDF, Some(pages))),
            None => Err(damaged("PDF", "PDF")),
        };
    }
    let format = if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        image::ImageFormat::Jpeg
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        image::ImageFormat::Png
    } else {
        return Err(invalid(
            "attachment.type",
            format!("文件“{file_name}”不是PDF、JPEG或PNG文件（按文件内容判断，与扩展名无关）"),
            format!("The file “{file_name}” is not a PDF, JPEG or PNG file (judged from its content, whatever its name)"),
        ));
    };
    // The JPEG decoder fills in what a truncated file lacks, so a JPEG must also end as a complete
    // one does, with its end-of-image marker (some cameras append a little after it).
    let jpeg_ends = || bytes[bytes.len().saturating_sub(1024)..].windows(2).any(|w| w == [0xFF, 0xD9]);
    match decode(bytes, format) {
        Ok(_) if format == image::ImageFormat::Jpeg && !jpeg_ends() => Err(damaged("JPEG image", "JPEG图片")),
        Ok(_) if format == image::ImageFormat::Jpeg => Ok((JPEG, None)),
        Ok(_) => Ok((PNG, None)),
        Err(_) if format == image::ImageFormat::Jpeg => Err(damaged("JPEG image", "JPEG图片")),
        Err(_) => Err(damaged("PNG image", "PNG图片")),
    }
}

fn decode(bytes: &[u8], format: image::ImageFormat) -> image::ImageResult<image::DynamicImage> {
    let mut reader = image::ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_IMAGE_SIDE);
    limits.max_image_height = Some(MAX_IMAGE_SIDE);
    // A small, highly compressed file can claim a huge picture: 300 MiB holds a 600 dpi A3 colour
    // scan (7000 × 10000 × 3 bytes), not a 12,000-pixel square of 16-bit colour.
    limits.max_alloc = Some(300 * 1024 * 1024);
    reader.limits(limits);
    reader.decode()
}

/// A PDF's page count, if it parses and ends as a complete file does. lopdf rebuilds a damaged
/// cross-reference table, so a file cut short could still parse: the end-of-file marker must be
/// within its last bytes too.
fn pdf_pages(bytes: &[u8]) -> Option<u32> {
    let tail = &bytes[bytes.len().saturating_sub(1024)..];
    if !tail.windows(5).any(|w| w == b"%%EOF") {
        return None;
    }
    let document = lopdf::Document::load_mem(bytes).ok()?;
    let pages = document.get_pages().len() as u32;
    (pages > 0).then_some(pages)
}

/// Stores `bytes` as the file for `sha256` unless it is there already: a renamed file is complete,
/// so one that exists has these bytes.
fn store_file(data_dir: &Path, sha256: &str, bytes: &[u8]) -> Result<()> {
    let path = file_path(data_dir, sha256);
    if path.is_file() {
        return Ok(());
    }
    write_atomically(&path, bytes)
}

/// Every recorded file's hash.
pub fn hashes(conn: &rusqlite::Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare("SELECT sha256 FROM attachments")?;
    let hashes = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    Ok(hashes)
}

/// What [`copy_missing`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Copied {
    pub copied: usize,
    /// Already at the destination (content addressed: the same name is the same bytes).
    pub present: usize,
    /// In neither place: recorded, but its file is gone from `from` (logged, not fatal, so that
    /// one lost file does not stop every later backup).
    pub missing: usize,
}

/// Copies the files of `hashes` from `from`'s attachments folder to `to`'s, each one not there
/// yet, through a synced temporary file and a rename. A backup folder's copy is incremental.
pub fn copy_missing(from: &Path, to: &Path, hashes: &[String]) -> Result<Copied> {
    let mut done = Copied::default();
    for sha256 in hashes.iter().filter(|h| is_hash(h)) {
        let dest = file_path(to, sha256);
        if dest.is_file() {
            done.present += 1;
            continue;
        }
        let source = file_path(from, sha256);
        if !source.is_file() {
            eprintln!("attachments: {} is recorded but not in {}", sha256, from.join(DIR).display());
            done.missing += 1;
            continue;
        }
        copy_atomically(&source, &dest)?;
        done.copied += 1;
    }
    Ok(done)
}

/// Removes from `root`'s attachments folder every file whose hash is not in `keep` (a backup
/// folder's, once the backups that listed them are gone); returns how many went. Temporary files
/// of a copy under way are left alone.
pub fn remove_others(root: &Path, keep: &std::collections::HashSet<String>) -> Result<usize> {
    let mut removed = 0;
    let Ok(folders) = std::fs::read_dir(root.join(DIR)) else { return Ok(0) };
    for folder in folders.filter_map(|e| e.ok()).filter(|e| e.path().is_dir()) {
        for file in std::fs::read_dir(folder.path())?.filter_map(|e| e.ok()) {
            let name = file.file_name().to_string_lossy().into_owned();
            let hash = name.strip_suffix(".thumb.png").unwrap_or(&name);
            if is_hash(hash) && !keep.contains(hash) {
                std::fs::remove_file(file.path())?;
                removed += 1;
            }
        }
    }
    Ok(removed)
}

fn copy_atomically(source: &Path, dest: &Path) -> Result<()> {
    let io = |e: std::io::Error| Error::Internal(format!("attachment copy to {}: {e}", dest.display()));
    let dir = dest.parent().ok_or_else(|| Error::Internal(format!("attachment {}: no folder", dest.display())))?;
    std::fs::create_dir_all(dir).map_err(io)?;
    let temp = dir.join(format!(".{}.{}.tmp", dest.file_name().and_then(|n| n.to_str()).unwrap_or("file"), uuid::Uuid::now_v7().simple()));
    let copied = (|| {
        std::fs::copy(source, &temp)?;
        std::fs::File::open(&temp)?.sync_all()?;
        std::fs::rename(&temp, dest)?;
        #[cfg(unix)]
        std::fs::File::open(dir)?.sync_all()?;
        Ok(())
    })();
    if copied.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    copied.map_err(io)
}

/// Writes `bytes` to a temporary file beside `path`, syncs it and renames it into place, so a
/// crash leaves either no file or the whole one.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let io = |e: std::io::Error| Error::Internal(format!("attachment {}: {e}", path.display()));
    let dir = path.parent().ok_or_else(|| Error::Internal(format!("attachment {}: no folder", path.display())))?;
    std::fs::create_dir_all(dir).map_err(io)?;
    let temp = dir.join(format!(".{}.{}.tmp", path.file_name().and_then(|n| n.to_str()).unwrap_or("file"), uuid::Uuid::now_v7().simple()));
    let written = (|| {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp, path)?;
        // The rename itself is durable once the folder is synced (not possible on Windows).
        #[cfg(unix)]
        std::fs::File::open(dir)?.sync_all()?;
        Ok(())
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written.map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_lowercase_hex_of_the_right_length_is_a_hash() {
        assert!(is_hash(&"ab".repeat(32)));
        assert!(!is_hash(&"AB".repeat(32)));
        assert!(!is_hash("../../etc/passwd"));
        assert!(!is_hash(&format!("{}/", "a".repeat(63))));
    }

    #[test]
    fn a_name_keeps_only_its_last_component() {
        assert_eq!(display_name("C:\\scans\\身份证.jpg").unwrap(), "身份证.jpg");
        assert_eq!(display_name("/home/x/a.pdf ").unwrap(), "a.pdf");
        assert!(display_name("dir/").is_err());
    }
}

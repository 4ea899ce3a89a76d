//! Attachments: a real PDF, JPEG and PNG are stored by their hash; a renamed program, a text file,
//! a truncated image or PDF, an empty file and one over the limit are refused, naming the file,
//! with nothing written to the database or the attachments folder.

mod common;

use std::io::Cursor;
use std::path::{Path, PathBuf};

use base64::Engine;
use common::Fixture;
use hall::api::{AddAttachmentArgs, AttachmentContent, AttachmentInfo, AttachmentRef, AttachmentSource, Request, SetSettingArgs};
use hall::error::Error;
use sha2::{Digest, Sha256};

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn add(f: &Fixture, token: &str, name: &str, bytes: &[u8]) -> Result<AttachmentInfo, Error> {
    let args = AddAttachmentArgs { file_name: name.into(), source: AttachmentSource::Base64(b64(bytes)) };
    f.app.call(Some(token), Request::AddAttachment(args)).map(|v| serde_json::from_value(v).unwrap())
}

fn add_path(f: &Fixture, token: &str, path: &Path) -> Result<AttachmentInfo, Error> {
    let args = AddAttachmentArgs {
        file_name: path.file_name().unwrap().to_string_lossy().into_owned(),
        source: AttachmentSource::Path(path.to_string_lossy().into_owned()),
    };
    f.app.call(Some(token), Request::AddAttachment(args)).map(|v| serde_json::from_value(v).unwrap())
}

fn fetch(f: &Fixture, token: &str, request: fn(AttachmentRef) -> Request, sha256: &str) -> Result<(String, Vec<u8>), Error> {
    let reply = f.app.call(Some(token), request(AttachmentRef { sha256: sha256.into() }))?;
    let content: AttachmentContent = serde_json::from_value(reply).unwrap();
    Ok((content.mime, base64::engine::general_purpose::STANDARD.decode(content.base64).unwrap()))
}

fn pdf() -> Vec<u8> {
    let mut sheet = hall::print::Sheet::new("附件测试", 210.0, 297.0);
    sheet.text(20.0, 30.0, 12.0, hall::print::Align::Left, "房产证 property certificate");
    sheet.new_page();
    sheet.text(20.0, 30.0, 12.0, hall::print::Align::Left, "第二页");
    sheet.finish()
}

fn picture(width: u32, height: u32) -> image::RgbImage {
    image::RgbImage::from_fn(width, height, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8]))
}

fn encoded(width: u32, height: u32, format: image::ImageFormat) -> Vec<u8> {
    let mut bytes = Vec::new();
    image::DynamicImage::ImageRgb8(picture(width, height)).write_to(&mut Cursor::new(&mut bytes), format).unwrap();
    bytes
}

fn attachments_dir(f: &Fixture) -> PathBuf {
    f.dir.path().join("attachments")
}

/// Every file under the attachments folder, relative to it.
fn files(f: &Fixture) -> Vec<String> {
    fn walk(dir: &Path, root: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, root, out);
            } else {
                out.push(path.strip_prefix(root).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    let mut out = Vec::new();
    walk(&attachments_dir(f), &attachments_dir(f), &mut out);
    out.sort();
    out
}

fn footprint(f: &Fixture) -> (Vec<i64>, Vec<String>) {
    let store = f.app.store();
    let rows = ["attachments", "outbox", "audit_log"]
        .iter()
        .map(|t| store.conn().query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0)).unwrap())
        .collect();
    drop(store);
    (rows, files(f))
}

fn outbox_events(f: &Fixture, kind: &str) -> i64 {
    f.app.store().conn().query_row("SELECT count(*) FROM outbox WHERE kind = ?1", [kind], |r| r.get(0)).unwrap()
}

#[test]
fn a_pdf_a_jpeg_and_a_png_are_stored_by_their_hash_and_read_back() {
    let f = common::fixture();
    let clerk = f.login("clerk");
    for (name, bytes, mime, pages) in [
        ("房产证.pdf", pdf(), "application/pdf", Some(2)),
        ("身份证.jpg", encoded(640, 400, image::ImageFormat::Jpeg), "image/jpeg", None),
        ("营业执照.png", encoded(300, 500, image::ImageFormat::Png), "image/png", None),
    ] {
        let info = add(&f, &clerk, name, &bytes).unwrap();
        let sha = hex::encode(Sha256::digest(&bytes));
        assert_eq!(
            info,
            AttachmentInfo {
                sha256: sha.clone(),
                mime: mime.into(),
                size_bytes: bytes.len() as u64,
                page_count: pages,
                file_name: name.into()
            }
        );
        // Stored under attachments/ab/abcdef…, the bytes unchanged.
        let stored = attachments_dir(&f).join(&sha[..2]).join(&sha);
        assert_eq!(std::fs::read(&stored).unwrap(), bytes, "{name}");
        assert_eq!(fetch(&f, &clerk, Request::AttachmentContent, &sha).unwrap(), (mime.to_owned(), bytes.clone()));
    }
    assert_eq!(outbox_events(&f, "attachment.added"), 3);
    // No temporary file is left behind.
    assert!(files(&f).iter().all(|p| !p.contains(".tmp")), "{:?}", files(&f));
}

#[test]
fn the_same_bytes_twice_are_stored_once() {
    let f = common::fixture();
    let clerk = f.login("clerk");
    let bytes = encoded(64, 64, image::ImageFormat::Png);
    let first = add(&f, &clerk, "第一次.png", &bytes).unwrap();
    let again = add(&f, &clerk, "再一次.png", &bytes).unwrap();
    assert_eq!(again, first, "the first record, with the name it was first added under");
    assert_eq!(files(&f).len(), 1);
    let rows: i64 = f.app.store().conn().query_row("SELECT count(*) FROM attachments", [], |r| r.get(0)).unwrap();
    assert_eq!(rows, 1);
    assert_eq!(outbox_events(&f, "attachment.added"), 1, "one event: sync carries the bytes once");
}

#[test]
fn a_file_chosen_by_path_is_read_from_disk() {
    let f = common::fixture();
    let clerk = f.login("clerk");
    let path = f.dir.path().join("scan.pdf");
    std::fs::write(&path, pdf()).unwrap();
    let info = add_path(&f, &clerk, &path).unwrap();
    assert_eq!((info.mime.as_str(), info.file_name.as_str()), ("application/pdf", "scan.pdf"));
    let missing = add_path(&f, &clerk, &f.dir.path().join("nowhere.pdf")).unwrap_err();
    assert_eq!(missing.code(), "attachment.unreadable");
}

#[test]
fn bad_files_are_refused_naming_the_file_and_nothing_is_written() {
    let f = common::fixture();
    let clerk = f.login("clerk");
    let admin = f.login("admin");
    // The limit down to 1 MiB, so the test file over it stays small.
    f.app.call(Some(&admin), Request::SetSetting(SetSettingArgs { key: "attachment.max_mib".into(), value: "1".into() })).unwrap();
    let mut exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00".to_vec();
    exe.extend(std::iter::repeat_n(0x90u8, 4000));
    let png = encoded(200, 200, image::ImageFormat::Png);
    let jpeg = encoded(200, 200, image::ImageFormat::Jpeg);
    let pdf = pdf();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("setup.pdf", exe, "attachment.type"),
        ("说明.jpg", "这是一个文本文件，不是图片。\n".as_bytes().to_vec(), "attachment.type"),
        ("half.png", png[..png.len() / 2].to_vec(), "attachment.damaged"),
        ("half.jpg", jpeg[..jpeg.len() / 2].to_vec(), "attachment.damaged"),
        ("half.pdf", pdf[..pdf.len() / 2].to_vec(), "attachment.damaged"),
        // The magic number alone is not a PDF.
        ("fake.pdf", b"%PDF-1.7\n this is not a pdf\n%%EOF\n".to_vec(), "attachment.damaged"),
        ("empty.png", Vec::new(), "attachment.empty"),
        ("big.pdf", vec![b'%'; 1024 * 1024 + 1], "attachment.too_large"),
    ];
    let before = footprint(&f);
    for (name, bytes, code) in cases {
        let error = add(&f, &clerk, name, &bytes).unwrap_err();
        assert_eq!(error.code(), code, "{name}");
        let message = &error.messages()[0];
        assert!(message.zh.contains(name) && message.en.contains(name), "{name}: {message:?}");
        assert_eq!(message.field.as_deref(), Some("file"));
        assert_eq!(footprint(&f), before, "{name}: nothing written");
    }
    // Over the limit by path: refused from its size.
    let big = f.dir.path().join("big.pdf");
    std::fs::write(&big, vec![0u8; 1024 * 1024 + 1]).unwrap();
    assert_eq!(add_path(&f, &clerk, &big).unwrap_err().code(), "attachment.too_large");
    assert_eq!(footprint(&f), before);
    let message = add(&f, &clerk, "大文件.pdf", &vec![b'%'; 1024 * 1024 + 1]).unwrap_err().messages()[0].clone();
    assert_eq!(message.zh, "文件“大文件.pdf”超过1 MB，不能上传");
    assert_eq!(message.en, "The file “大文件.pdf” is larger than 1 MB");
}

#[test]
fn an_image_has_a_png_thumbnail_within_240_px_kept_beside_it_and_a_pdf_has_none() {
    let f = common::fixture();
    let clerk = f.login("clerk");
    let wide = add(&f, &clerk, "wide.jpg", &encoded(1000, 400, image::ImageFormat::Jpeg)).unwrap();
    let tall = add(&f, &clerk, "tall.png", &encoded(300, 900, image::ImageFormat::Png)).unwrap();
    for (info, (w, h)) in [(&wide, (240, 96)), (&tall, (80, 240))] {
        let (mime, png) = fetch(&f, &clerk, Request::AttachmentThumbnail, &info.sha256).unwrap();
        assert_eq!(mime, "image/png");
        let thumb = image::load_from_memory_with_format(&png, image::ImageFormat::Png).unwrap();
        // 1000 × 400 scaled by 240/1000 is 240 × 96; 300 × 900 by 240/900 is 80 × 240.
        assert_eq!((thumb.width(), thumb.height()), (w, h), "{}", info.file_name);
        let cached = attachments_dir(&f).join(&info.sha256[..2]).join(format!("{}.thumb.png", info.sha256));
        assert_eq!(std::fs::read(&cached).unwrap(), png, "cached beside the file");
        assert_eq!(fetch(&f, &clerk, Request::AttachmentThumbnail, &info.sha256).unwrap().1, png);
    }
    let pdf = add(&f, &clerk, "scan.pdf", &pdf()).unwrap();
    assert_eq!(fetch(&f, &clerk, Request::AttachmentThumbnail, &pdf.sha256).unwrap_err().code(), "attachment.no_thumbnail");
}

#[test]
fn an_unknown_or_malformed_hash_is_not_found_and_reaches_no_path() {
    let f = common::fixture();
    let clerk = f.login("clerk");
    for sha in ["../../hall.db".to_owned(), "0".repeat(64), "A".repeat(64)] {
        assert_eq!(fetch(&f, &clerk, Request::AttachmentContent, &sha).unwrap_err().code(), "attachment.not_found", "{sha}");
    }
}

#[test]
fn a_file_changed_on_disk_is_reported_not_served() {
    let f = common::fixture();
    let clerk = f.login("clerk");
    let info = add(&f, &clerk, "a.png", &encoded(10, 10, image::ImageFormat::Png)).unwrap();
    std::fs::write(attachments_dir(&f).join(&info.sha256[..2]).join(&info.sha256), b"changed").unwrap();
    assert!(matches!(fetch(&f, &clerk, Request::AttachmentContent, &info.sha256), Err(Error::Internal(_))));
}

#[test]
fn put_writes_inside_the_callers_transaction() {
    // The way the application workflow attaches a document: in its own write, so a refused
    // transition leaves no attachment row.
    let f = common::fixture();
    let actor = hall::store::Actor { user_id: None, at: common::start_time() };
    let dir = f.dir.path().to_owned();
    let bytes = encoded(20, 20, image::ImageFormat::Png);
    let refused: Result<(), Error> = f.app.store().write(|tx| {
        hall::store::attachments::put(tx, &actor, &dir, "a.png", &bytes)?;
        Err(Error::Internal("the rest of the write failed".into()))
    });
    assert!(refused.is_err());
    assert!(hall::store::attachments::info(f.app.store().conn(), &hex::encode(Sha256::digest(&bytes))).unwrap().is_none());
    let info = f.app.store().write(|tx| hall::store::attachments::put(tx, &actor, &dir, "a.png", &bytes)).unwrap();
    assert_eq!(hall::store::attachments::info(f.app.store().conn(), &info.sha256).unwrap(), Some(info));
}

#[test]
fn a_backup_carries_its_attachments_incrementally_and_a_restore_brings_them_back() {
    use hall::api::NoArgs;
    use hall::api::backup::{BackupStatus, RestoreArgs};
    let f = common::fixture();
    let admin = f.login("admin");
    let clerk = f.login("clerk");
    let backups = tempfile::tempdir().unwrap();
    f.app
        .call(Some(&admin), Request::SetSetting(SetSettingArgs { key: "backup.dir".into(), value: backups.path().display().to_string() }))
        .unwrap();
    let backup = || -> String {
        let status: BackupStatus = serde_json::from_value(f.app.call(Some(&admin), Request::RunBackup(NoArgs {})).unwrap()).unwrap();
        let last = status.last.unwrap();
        assert_eq!(last.error, None);
        last.file.unwrap()
    };
    let copy_of = |sha: &str| backups.path().join("attachments").join(&sha[..2]).join(sha);

    let pdf_bytes = pdf();
    let png_bytes = encoded(50, 50, image::ImageFormat::Png);
    let first_pdf = add(&f, &clerk, "a.pdf", &pdf_bytes).unwrap();
    let first_png = add(&f, &clerk, "b.png", &png_bytes).unwrap();
    // A thumbnail is a cache: it stays out of the backup.
    fetch(&f, &clerk, Request::AttachmentThumbnail, &first_png.sha256).unwrap();
    let first = backup();
    assert_eq!(std::fs::read(copy_of(&first_pdf.sha256)).unwrap(), pdf_bytes);
    assert_eq!(std::fs::read(copy_of(&first_png.sha256)).unwrap(), png_bytes);
    let copied_at = std::fs::metadata(copy_of(&first_pdf.sha256)).unwrap().modified().unwrap();

    f.clock.advance(chrono::Duration::minutes(1));
    let jpeg_bytes = encoded(40, 30, image::ImageFormat::Jpeg);
    let later = add(&f, &clerk, "c.jpg", &jpeg_bytes).unwrap();
    backup();
    assert_eq!(std::fs::read(copy_of(&later.sha256)).unwrap(), jpeg_bytes);
    assert_eq!(std::fs::metadata(copy_of(&first_pdf.sha256)).unwrap().modified().unwrap(), copied_at, "not copied again");
    let mut in_backup = Vec::new();
    for dir in std::fs::read_dir(backups.path().join("attachments")).unwrap() {
        in_backup.extend(std::fs::read_dir(dir.unwrap().path()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()));
    }
    in_backup.sort();
    let mut expected = vec![first_pdf.sha256.clone(), first_png.sha256.clone(), later.sha256.clone()];
    expected.sort();
    assert_eq!(in_backup, expected, "the files alone: no thumbnail, no temporary file");

    // The disk's attachments lost; the first backup restored brings its two back.
    std::fs::remove_dir_all(attachments_dir(&f)).unwrap();
    f.app.call(Some(&admin), Request::RestoreBackup(RestoreArgs { file: first })).unwrap();
    let clerk = f.login("clerk");
    assert_eq!(fetch(&f, &clerk, Request::AttachmentContent, &first_pdf.sha256).unwrap().1, pdf_bytes);
    assert_eq!(fetch(&f, &clerk, Request::AttachmentContent, &first_png.sha256).unwrap().1, png_bytes);
    assert_eq!(files(&f).len(), 2, "only the restored database's files: {:?}", files(&f));
    assert_eq!(fetch(&f, &clerk, Request::AttachmentContent, &later.sha256).unwrap_err().code(), "attachment.not_found");
}

#[test]
fn copies_no_remaining_backup_lists_are_pruned_with_their_backups() {
    use hall::api::NoArgs;
    use hall::api::backup::{RestoreArgs, run_if_due};
    let f = common::fixture();
    let admin = f.login("admin");
    let backups = tempfile::tempdir().unwrap();
    for (key, value) in [("backup.dir", backups.path().display().to_string()), ("backup.keep_days", "1".into())] {
        f.app.call(Some(&admin), Request::SetSetting(SetSettingArgs { key: key.into(), value })).unwrap();
    }
    let run = |f: &Fixture| -> String {
        let status: hall::api::backup::BackupStatus =
            serde_json::from_value(f.app.call(Some(&admin), Request::RunBackup(NoArgs {})).unwrap()).unwrap();
        status.last.unwrap().file.unwrap()
    };
    let before = run(&f);
    f.clock.advance(chrono::Duration::minutes(1));
    let kept = add(&f, &admin, "kept.png", &encoded(30, 30, image::ImageFormat::Png)).unwrap();
    run(&f);
    let copy = backups.path().join("attachments").join(&kept.sha256[..2]).join(&kept.sha256);
    assert!(copy.is_file());
    // Back to the backup without it: no later backup lists the file.
    f.app.call(Some(&admin), Request::RestoreBackup(RestoreArgs { file: before })).unwrap();
    f.clock.advance(chrono::Duration::days(3));
    let third = run_if_due(&f.app).unwrap().unwrap();
    assert_eq!(third.error, None);
    // keep_days 1: the two older backups went, and with them the only backups listing the copy.
    assert_eq!(hall::store::backup::list(backups.path()).unwrap().len(), 1);
    assert!(!copy.exists(), "the copy no remaining backup lists is removed");
}

#[test]
fn a_file_lost_from_disk_is_put_back_when_the_same_bytes_come_again() {
    let f = common::fixture();
    let clerk = f.login("clerk");
    let bytes = encoded(12, 12, image::ImageFormat::Png);
    let info = add(&f, &clerk, "a.png", &bytes).unwrap();
    std::fs::remove_file(attachments_dir(&f).join(&info.sha256[..2]).join(&info.sha256)).unwrap();
    assert_eq!(add(&f, &clerk, "a.png", &bytes).unwrap(), info);
    assert_eq!(fetch(&f, &clerk, Request::AttachmentContent, &info.sha256).unwrap().1, bytes);
}

//! The desktop shell: one window over the UI, a menu, native file and folder dialogs, PDFs opened in the
//! system's viewer, and every UI command
//! forwarded to `hall::api::dispatch_json`. It holds no business logic of its own.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::path::PathBuf;
use std::sync::Arc;

use hall::api::{App as HallApp, Reply, dispatch_json};
use hall::store::Store;
use tauri::menu::{MenuBuilder, MenuItemBuilder, SubmenuBuilder};
use tauri::{AppHandle, Manager, State};
use tauri_plugin_dialog::{DialogExt, MessageDialogKind};
use tauri_plugin_opener::OpenerExt;

/// The UI's one command: a serialised `{cmd, args}` and the session token.
#[tauri::command]
async fn dispatch(app: State<'_, Arc<HallApp>>, body: String, token: Option<String>) -> Result<Reply, String> {
    let app = Arc::clone(&app);
    // Off the UI thread: a search or a save must never freeze the window.
    tauri::async_runtime::spawn_blocking(move || dispatch_json(&app, token.as_deref(), &body)).await.map_err(|e| e.to_string())
}

/// A native file dialog; returns the chosen path, or nothing if the clerk cancelled. `purpose`:
/// `open` or `save` a CSV file, `save-pdf` a receipt or a day-end paper (named `suggested`),
/// `attach` a scanned document (the core reads its type from the bytes; the filter only helps),
/// `calendar` a year of the working-day calendar published by head office.
#[tauri::command]
async fn choose_file(handle: AppHandle, purpose: String, suggested: Option<String>) -> Option<String> {
    let picked = match purpose.as_str() {
        "save-pdf" => handle
            .dialog()
            .file()
            .add_filter("PDF", &["pdf"])
            .set_file_name(suggested.unwrap_or_else(|| "receipt.pdf".into()))
            .blocking_save_file(),
        "attach" => handle
            .dialog()
            .file()
            .set_title("选择附件 Choose a document")
            .add_filter("PDF, JPEG, PNG", &["pdf", "jpg", "jpeg", "png"])
            .blocking_pick_file(),
        "calendar" => handle.dialog().file().blocking_pick_file(),
        "save" => handle.dialog().file().add_filter("CSV", &["csv"]).set_file_name("customers.csv").blocking_save_file(),
        _ => handle.dialog().file().add_filter("CSV", &["csv"]).blocking_pick_file(),
    };
    picked.and_then(|p| p.into_path().ok()).map(|p| p.display().to_string())
}

/// A native folder dialog (the backup directory: a second disk, a USB drive); returns the chosen
/// folder, or nothing if cancelled.
#[tauri::command]
async fn choose_directory(handle: AppHandle) -> Option<String> {
    handle
        .dialog()
        .file()
        .set_title("选择备份目录 Choose the backup folder")
        .blocking_pick_folder()
        .and_then(|p| p.into_path().ok())
        .map(|p| p.display().to_string())
}

/// Opens a PDF (a receipt, a day-end paper) in the system's PDF viewer, which can also print it:
/// the file is written to the app's cache directory under its own name and handed to the
/// platform's opener (`xdg-open`, Windows' shell). Returns the path written.
#[tauri::command]
async fn open_pdf(handle: AppHandle, file_name: String, base64: String) -> Result<String, String> {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD.decode(base64).map_err(|e| format!("PDF 数据无效 Invalid PDF data: {e}"))?;
    // Only the last component of the name: the page cannot choose where the file goes.
    let name = std::path::Path::new(&file_name)
        .file_name()
        .filter(|n| n.to_string_lossy().ends_with(".pdf"))
        .ok_or("PDF 文件名无效 Invalid PDF name")?;
    let dir = handle.path().app_cache_dir().map_err(|e| e.to_string())?.join("pdf");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let path = dir.join(name);
    std::fs::write(&path, bytes).map_err(|e| format!("无法写入 Cannot write {}: {e}", path.display()))?;
    handle
        .opener()
        .open_path(path.display().to_string(), None::<&str>)
        .map_err(|e| format!("无法打开 PDF 阅读器 Cannot open a PDF viewer: {e}"))?;
    Ok(path.display().to_string())
}

/// The database lives in the platform's app-data directory unless `HALL_DB` names another file.
fn database_path(handle: &AppHandle) -> Result<PathBuf, Box<dyn std::error::Error>> {
    if let Some(path) = std::env::var_os("HALL_DB") {
        return Ok(PathBuf::from(path));
    }
    let dir = handle.path().app_data_dir()?;
    std::fs::create_dir_all(&dir)?;
    Ok(dir.join("hall.db"))
}

fn open_store(handle: &AppHandle) -> Result<Store, Box<dyn std::error::Error>> {
    let path = database_path(handle)?;
    // A first start creates the database only: the login screen then offers enrolment with head
    // office (`sync.enrol`) or the demo outlet (`setup.demo`).
    Ok(Store::open(&path)?)
}

/// The machine's clock; in a debug build `HALL_NOW` (RFC 3339) starts it at that instant instead,
/// running on from there, so that the desktop suite sees the dates its deadlines were worked out
/// for. A release build always reads the machine's clock.
fn clock() -> Arc<dyn hall::clock::Clock> {
    if cfg!(debug_assertions)
        && let Some(start) = std::env::var("HALL_NOW").ok().and_then(|text| hall::clock::parse_stamp(&text))
    {
        return Arc::new(hall::clock::ShiftedClock::starting_at(start));
    }
    Arc::new(hall::clock::SystemClock)
}

fn build_menu(handle: &AppHandle) -> tauri::Result<tauri::menu::Menu<tauri::Wry>> {
    let quit = MenuItemBuilder::with_id("quit", "退出 Quit").accelerator("CmdOrCtrl+Q").build(handle)?;
    let reload = MenuItemBuilder::with_id("reload", "重新载入 Reload").accelerator("F5").build(handle)?;
    let about = MenuItemBuilder::with_id("about", "关于 About").build(handle)?;
    let file = SubmenuBuilder::new(handle, "文件 File").item(&quit).build()?;
    let view = SubmenuBuilder::new(handle, "视图 View").item(&reload).build()?;
    let help = SubmenuBuilder::new(handle, "帮助 Help").item(&about).build()?;
    MenuBuilder::new(handle).items(&[&file, &view, &help]).build()
}

fn main() {
    tauri::Builder::default()
        .plugin(tauri_plugin_single_instance::init(|handle, _args, _cwd| {
            // A second start brings the running window forward instead of opening another.
            if let Some(window) = handle.get_webview_window("main") {
                let _ = window.unminimize();
                let _ = window.set_focus();
            }
        }))
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .setup(|app| {
            let store = open_store(app.handle())?;
            let workstation = Arc::new(HallApp::new(store, clock()));
            // The daily backup, on its own thread and its own read connection.
            hall::api::backup::start(Arc::clone(&workstation));
            // Sync with head office on its own thread and connection; idle until enrolled.
            hall::api::start_sync(&workstation);
            app.manage(workstation);
            app.set_menu(build_menu(app.handle())?)?;
            Ok(())
        })
        .on_menu_event(|handle, event| match event.id().as_ref() {
            "quit" => handle.exit(0),
            "reload" => {
                if let Some(window) = handle.get_webview_window("main") {
                    let _ = window.reload();
                }
            }
            "about" => {
                handle
                    .dialog()
                    .message(format!("营业厅工作站 Service Hall Workstation\n{}", env!("CARGO_PKG_VERSION")))
                    .title("关于 About")
                    .kind(MessageDialogKind::Info)
                    .show(|_| {});
            }
            _ => {}
        })
        .invoke_handler(tauri::generate_handler![dispatch, choose_file, choose_directory, open_pdf])
        .run(tauri::generate_context!())
        .expect("the desktop shell failed to start");
}

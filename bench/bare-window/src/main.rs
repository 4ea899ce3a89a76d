//! A bare Tauri window: the floor that the workstation's start-up time is compared against.
fn main() {
    tauri::Builder::default().run(tauri::generate_context!()).expect("bare window");
}

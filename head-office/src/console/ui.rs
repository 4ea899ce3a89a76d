//! The built console UI (`ui/dist`, Vite's `console.html` entry and its assets), served at
//! `/console/`. The directory is `HALL_HQ_UI`, or `ui/dist` under the working directory.

use std::path::PathBuf;

use axum::Router;
use axum::response::Redirect;
use axum::routing::get;
use tower_http::services::{ServeDir, ServeFile};

use crate::AppState;

pub fn ui_dir() -> PathBuf {
    std::env::var_os("HALL_HQ_UI").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("ui/dist"))
}

/// `/console/` is the console's page; `/console/assets/…` its scripts; `/console` redirects so
/// that the page's relative asset paths resolve under `/console/`.
pub fn router() -> Router<AppState> {
    let dir = ui_dir();
    let page = ServeFile::new(dir.join("console.html"));
    Router::new()
        .route("/console", get(|| async { Redirect::permanent("/console/") }))
        .route_service("/console/", page)
        .nest_service("/console/assets", ServeDir::new(dir.join("assets")))
}

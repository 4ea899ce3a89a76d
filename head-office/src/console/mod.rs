//! The head-office console's JSON API, nested by the server's router under `/console/api`; its UI
//! (`ui/console.html`, `ui/src/console/`) is served from `ui/dist` at `/console/`. Every endpoint
//! but `POST /login` needs an operator's session (`Authorization: Bearer <token>`). The types and
//! the endpoint table are in [`types`].

mod auth;
pub mod cli;
mod error;
mod outlets;
mod publish;
mod quarantine;
mod receipts;
mod reviews;
mod sql;
mod tickets;
pub mod types;
mod ui;

use axum::Router;
use axum::routing::{get, post};

pub use auth::upsert_operator;
pub use error::ConsoleError;
pub use ui::router as ui_router;

use crate::AppState;

/// hq-server's error (from the shared operator actions in `crate::admin`) as the console's.
fn hq_error(error: crate::error::Error) -> ConsoleError {
    if matches!(error, crate::error::Error::Database(_) | crate::error::Error::Pool(_) | crate::error::Error::Internal(_)) {
        eprintln!("console: {error}");
    }
    let body = error.body();
    ConsoleError { status: error.status(), body: types::ConsoleErrorBody { code: body.code, zh: body.zh, en: body.en } }
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/me", get(auth::me))
        .route("/outlets", get(outlets::list).post(outlets::create))
        .route("/outlets/{code}", get(outlets::detail))
        .route("/outlets/{code}/codes", post(outlets::new_code))
        .route("/workstations/{id}/revoke", post(outlets::revoke))
        .route("/quarantine", get(quarantine::list))
        .route("/quarantine/{id}/resolve", post(quarantine::resolve))
        .route("/late-money", get(reviews::late_money))
        .route("/late-money/{key}/reviewed", post(reviews::late_money_reviewed))
        .route("/conflicts", get(reviews::conflicts))
        .route("/conflicts/{id}/reviewed", post(reviews::conflict_reviewed))
        .route("/publish", post(publish::publish))
        .route("/receipts/lookup", post(receipts::lookup))
        .route("/receipts/verify", post(receipts::verify))
        .route("/tickets", get(tickets::list).post(tickets::dispatch))
}

//! Publishing to an outlet's areas from the console: tariffs, a calendar year, users, the billing
//! centre's monthly bills CSV. The work is hq-server's publishing functions (the same ones
//! `hall-hq publish` calls); this only hands the uploaded text to them and reports the result.

use axum::Json;
use axum::extract::State;

use super::auth::Operator;
use super::error::{ConsoleError, ConsoleResult};
use super::types::{PublishArgs, PublishReply};
use crate::AppState;

pub async fn publish(
    State(state): State<AppState>,
    operator: Operator,
    Json(args): Json<PublishArgs>,
) -> ConsoleResult<Json<PublishReply>> {
    let _ = (&state, &operator);
    Err(ConsoleError::new(
        axum::http::StatusCode::NOT_IMPLEMENTED,
        "publish.pending",
        "发布功能待总部服务器提供",
        &format!("Publishing {:?} waits for head office's publishing functions", args.kind),
    ))
}

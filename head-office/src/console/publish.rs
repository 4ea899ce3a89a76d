//! Publishing from the console: tariffs, a calendar year, users, the billing centre's monthly
//! bills CSV. The work is hq-server's `crate::admin::publish_*` (the same functions `hall-hq
//! publish` calls); this only hands the uploaded text to them and reports the result. Tariffs and
//! calendars reach every outlet; each bill goes to the outlets serving its area (a bill whose area
//! no outlet serves is a rejected line); each user names its outlet.

use axum::Json;
use axum::extract::State;

use super::auth::Operator;
use super::error::{ConsoleError, ConsoleResult};
use super::hq_error;
use super::types::{PublishArgs, PublishKind, PublishReply, RejectedLine};
use crate::AppState;
use crate::admin;

pub async fn publish(
    State(state): State<AppState>,
    operator: Operator,
    Json(args): Json<PublishArgs>,
) -> ConsoleResult<Json<PublishReply>> {
    if args.body.trim().is_empty() {
        return Err(ConsoleError::bad_request("publish.empty", "文件内容为空", "The file is empty"));
    }
    let pool = &state.pool;
    let reply = |zh: String, en: String, accepted: usize, published: usize, rejected: Vec<RejectedLine>| PublishReply {
        kind: args.kind,
        zh,
        en,
        accepted: accepted as i64,
        published: published as i64,
        rejected,
    };
    let done = match args.kind {
        PublishKind::Tariffs => {
            let version = args.version.trim();
            if version.is_empty() {
                return Err(ConsoleError::bad_request("publish.version", "请填写电价表版本", "Name the tariff table's version"));
            }
            let n = admin::publish_tariffs(pool, version, &args.body).await.map_err(hq_error)?;
            reply(format!("电价表 {version}（{n} 个版本段）"), format!("tariff table {version} ({n} versions)"), n, 1, vec![])
        }
        PublishKind::Calendar => {
            let year = admin::publish_calendar(pool, &args.body).await.map_err(hq_error)?;
            reply(format!("{year} 年工作日历"), format!("the {year} calendar"), 1, 1, vec![])
        }
        PublishKind::Users => {
            let users = admin::parse_users(&args.body).map_err(hq_error)?;
            let published = admin::publish_users(pool, &users).await.map_err(hq_error)?;
            reply(format!("{} 个用户", published.len()), format!("{} users", published.len()), users.len(), published.len(), vec![])
        }
        PublishKind::Bills => {
            let report = admin::publish_bills(pool, &args.body).await.map_err(hq_error)?;
            let rejected = report
                .rejected
                .iter()
                .map(|(line, reason)| RejectedLine {
                    line: *line as i64,
                    zh: format!("第 {line} 行：{reason}"),
                    en: format!("line {line}: {reason}"),
                })
                .collect();
            reply(format!("{} 张账单", report.accepted), format!("{} bills", report.accepted), report.accepted, report.published, rejected)
        }
    };
    eprintln!("console: {} published {}", operator.username, done.en);
    Ok(Json(done))
}

//! Operators' actions, shared by the `hall-hq` command line and the console: outlets,
//! workstations and their enrolment codes, users, and publishing reference data and bills.
//! Each publish writes its rows and their changes in one transaction.

use std::collections::BTreeMap;

use deadpool_postgres::Pool;
use hall_domain::model::user::{Role, check_password, check_username};
use hall_protocol::records::{self, BillRecord, CalendarRecord, TariffRecord, UserRecord};
use serde::{Deserialize, Serialize};

use crate::auth::sha256_hex;
use crate::changes::{NewChange, append_global, append_outlet};
use crate::enrol::normalise_code;
use crate::error::{Error, Result};

fn check_outlet_code(code: &str) -> Result<()> {
    let ok = (1..=32).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(Error::invalid("outlet.code", "营业厅编码须为1至32位字母、数字、_ 或 -", "An outlet code is 1 to 32 letters, digits, _ or -"))
    }
}

fn no_outlet(code: &str) -> Error {
    Error::NotFound(hall_protocol::ErrorBody::new("outlet.not_found", format!("没有营业厅 {code}"), format!("No outlet {code}")))
}

pub async fn outlet_add(pool: &Pool, code: &str, name: &str, areas: &[String]) -> Result<()> {
    check_outlet_code(code)?;
    if name.trim().is_empty() || areas.iter().any(|a| a.trim().is_empty()) {
        return Err(Error::invalid("outlet.name", "营业厅名称和片区不能为空", "An outlet's name and areas must not be empty"));
    }
    let client = pool.get().await?;
    let areas: Vec<String> = areas.iter().map(|a| a.trim().to_owned()).collect();
    let added = client
        .execute("INSERT INTO outlets (code, name, areas) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", &[&code, &name.trim(), &areas])
        .await?;
    if added == 0 {
        return Err(Error::invalid("outlet.exists", format!("营业厅 {code} 已存在"), format!("Outlet {code} already exists")));
    }
    Ok(())
}

#[derive(Debug, Clone, Serialize)]
pub struct Outlet {
    pub code: String,
    pub name: String,
    pub areas: Vec<String>,
}

pub async fn outlets(pool: &Pool) -> Result<Vec<Outlet>> {
    let client = pool.get().await?;
    let rows = client.query("SELECT code, name, areas FROM outlets ORDER BY code", &[]).await?;
    Ok(rows.iter().map(|r| Outlet { code: r.get(0), name: r.get(1), areas: r.get(2) }).collect())
}

const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// Makes a one-time enrolment code for counter `counter_no` of the outlet, valid for 7 days.
pub async fn workstation_add(pool: &Pool, outlet: &str, counter_no: i64) -> Result<String> {
    use rand::Rng;
    if counter_no < 1 {
        return Err(Error::invalid("workstation.counter", "窗口号须为正整数", "The counter number must be positive"));
    }
    let client = pool.get().await?;
    client.query_opt("SELECT 1 FROM outlets WHERE code = $1", &[&outlet]).await?.ok_or_else(|| no_outlet(outlet))?;
    // The generator is not Send: it must be gone before the next await.
    let groups: Vec<String> = {
        let mut rng = rand::thread_rng();
        (0..4).map(|_| (0..4).map(|_| CODE_ALPHABET[rng.gen_range(0..CODE_ALPHABET.len())] as char).collect()).collect()
    };
    let code = format!("{outlet}.{}", groups.join("-"));
    client
        .execute(
            "INSERT INTO enrol_codes (outlet_code, code_hash, counter_no, expires_at) VALUES ($1, $2, $3, now() + interval '7 days')",
            &[&outlet, &sha256_hex(&normalise_code(&code)), &counter_no],
        )
        .await?;
    Ok(code)
}

fn no_workstation() -> Error {
    Error::NotFound(hall_protocol::ErrorBody::new("workstation.not_found", "没有该工作站", "No such workstation"))
}

pub async fn workstation_revoke(pool: &Pool, outlet: &str, workstation_id: &str) -> Result<()> {
    let client = pool.get().await?;
    let n = client
        .execute(
            "UPDATE workstations SET revoked_at = least(revoked_at, now()) WHERE outlet_code = $1 AND workstation_id = $2",
            &[&outlet, &workstation_id],
        )
        .await?;
    if n == 0 { Err(no_workstation()) } else { Ok(()) }
}

/// An operator has dealt with the quarantined events: the fence is lifted and they are marked resolved.
pub async fn unfence(pool: &Pool, outlet: &str, workstation_id: &str, operator: &str) -> Result<()> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let n = tx
        .execute(
            "UPDATE workstations SET fenced = NULL, fenced_at = NULL WHERE outlet_code = $1 AND workstation_id = $2",
            &[&outlet, &workstation_id],
        )
        .await?;
    if n == 0 {
        return Err(no_workstation());
    }
    tx.execute(
        "UPDATE quarantine SET resolved_at = now(), resolved_by = $3 WHERE outlet_code = $1 AND workstation_id = $2 AND resolved_at IS NULL",
        &[&outlet, &workstation_id, &operator],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

fn user_change(outlet: &str, user: &UserRecord) -> NewChange {
    let _ = outlet;
    NewChange { kind: records::USER, key: user.id.clone(), body: serde_json::to_value(user).expect("a user serialises") }
}

/// Adds a user to an outlet with a password (hashed here with Argon2id, the PHC string the
/// workstation verifies) and publishes it to the outlet.
pub async fn user_add(pool: &Pool, outlet: &str, username: &str, display_name: &str, role: &str, password: &str) -> Result<UserRecord> {
    let username = check_username(username).map_err(|m| Error::invalid(&m.code, m.zh, m.en))?;
    check_password(password).map_err(|m| Error::invalid(&m.code, m.zh, m.en))?;
    let hash = hall_domain::password::hash(password).map_err(|e| Error::Internal(e.to_string()))?;
    let user = UserRecord {
        id: uuid::Uuid::now_v7().to_string(),
        username,
        display_name: display_name.trim().to_owned(),
        role: role.to_owned(),
        password_hash: hash,
        active: true,
        updated_at: hall_domain::clock::stamp(chrono::Utc::now()),
    };
    let report = publish_users(pool, &[(outlet.to_owned(), user)]).await?;
    Ok(report.into_iter().next().expect("one user published"))
}

/// One user of a `publish users` file (JSON array).
#[derive(Debug, Clone, Deserialize)]
pub struct PublishedUser {
    pub outlet_code: String,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub password_hash: String,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// Reads a `publish users` file: every entry checked before anything is written.
pub fn parse_users(text: &str) -> Result<Vec<(String, UserRecord)>> {
    let entries: Vec<PublishedUser> = serde_json::from_str(text).map_err(|e| Error::Malformed(e.to_string()))?;
    entries
        .into_iter()
        .map(|u| {
            let username = check_username(&u.username).map_err(|m| Error::invalid(&m.code, m.zh, m.en))?;
            Ok((
                u.outlet_code,
                UserRecord {
                    id: uuid::Uuid::now_v7().to_string(),
                    username,
                    display_name: u.display_name.trim().to_owned(),
                    role: u.role,
                    password_hash: u.password_hash,
                    active: u.active,
                    updated_at: hall_domain::clock::stamp(chrono::Utc::now()),
                },
            ))
        })
        .collect()
}

/// Publishes users to their outlets: a user is matched by (outlet, username) and keeps its id.
pub async fn publish_users(pool: &Pool, users: &[(String, UserRecord)]) -> Result<Vec<UserRecord>> {
    for (outlet, user) in users {
        check_outlet_code(outlet)?;
        if Role::from_code(&user.role).is_none() {
            return Err(Error::invalid("user.role", format!("未知角色 {}", user.role), format!("Unknown role {}", user.role)));
        }
        if !hall_domain::password::is_argon2id(&user.password_hash) {
            return Err(Error::invalid(
                "user.password_hash",
                "密码哈希须为 Argon2id 的 PHC 字符串",
                "A password hash must be an Argon2id PHC string",
            ));
        }
        if user.display_name.is_empty() {
            return Err(Error::invalid("user.display_name", "姓名不能为空", "A display name is required"));
        }
    }
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let mut per_outlet: BTreeMap<&str, Vec<UserRecord>> = BTreeMap::new();
    for (outlet, user) in users {
        tx.query_opt("SELECT 1 FROM outlets WHERE code = $1", &[outlet]).await?.ok_or_else(|| no_outlet(outlet))?;
        let id: String = tx
            .query_one(
                "INSERT INTO users (outlet_code, id, username, display_name, role, password_hash, active) VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (outlet_code, username) DO UPDATE SET display_name = excluded.display_name, role = excluded.role,
                     password_hash = excluded.password_hash, active = excluded.active, updated_at = excluded.updated_at
                 RETURNING id",
                &[outlet, &user.id, &user.username, &user.display_name, &user.role, &user.password_hash, &user.active],
            )
            .await?
            .get(0);
        per_outlet.entry(outlet).or_default().push(UserRecord { id, ..user.clone() });
    }
    let mut published = Vec::new();
    for (outlet, list) in per_outlet {
        let changes: Vec<NewChange> = list.iter().map(|u| user_change(outlet, u)).collect();
        append_outlet(&tx, outlet, &changes).await?;
        published.extend(list);
    }
    tx.commit().await?;
    Ok(published)
}

fn domain_invalid(e: hall_domain::Error) -> Error {
    Error::invalid("publish.invalid", format!("发布内容无效：{e}"), format!("The published file is not valid: {e}"))
}

/// Publishes a tariff file (`assets/tariffs/` TOML) under `version`, after checking it parses.
pub async fn publish_tariffs(pool: &Pool, version: &str, body: &str) -> Result<usize> {
    let versions = hall_domain::model::tariff::parse_file(body).map_err(domain_invalid)?;
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    tx.execute(
        "INSERT INTO tariffs (version, body) VALUES ($1, $2) ON CONFLICT (version) DO UPDATE SET body = excluded.body, published_at = excluded.published_at",
        &[&version, &body],
    )
    .await?;
    let record = TariffRecord { version: version.to_owned(), body: body.to_owned() };
    append_global(
        &tx,
        &[NewChange { kind: records::TARIFF, key: version.to_owned(), body: serde_json::to_value(&record).expect("serialises") }],
    )
    .await?;
    tx.commit().await?;
    Ok(versions.len())
}

/// Publishes one calendar year (`assets/calendar/` TOML), after checking it.
pub async fn publish_calendar(pool: &Pool, body: &str) -> Result<i32> {
    let year = hall_domain::calendar::Calendar::parse_year(body).map_err(domain_invalid)?.year();
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    tx.execute(
        "INSERT INTO calendars (year, body) VALUES ($1, $2) ON CONFLICT (year) DO UPDATE SET body = excluded.body, published_at = excluded.published_at",
        &[&year, &body],
    )
    .await?;
    let record = CalendarRecord { year, body: body.to_owned() };
    append_global(
        &tx,
        &[NewChange { kind: records::CALENDAR, key: year.to_string(), body: serde_json::to_value(&record).expect("serialises") }],
    )
    .await?;
    tx.commit().await?;
    Ok(year)
}

/// What `publish bills` did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct BillsReport {
    /// Valid lines read.
    pub accepted: usize,
    /// Rows written or changed across outlets (a bill goes to every outlet serving its area).
    pub published: usize,
    /// (line number, reason) of each rejected line; the others are published.
    pub rejected: Vec<(usize, String)>,
}

#[derive(Deserialize)]
struct BillLine {
    id: String,
    customer_id: String,
    account: String,
    area: String,
    period: String,
    tariff_code: String,
    tariff_effective_from: String,
    kwh: String,
    amount_fen: String,
    due_date: String,
    issued_at: String,
    #[serde(default)]
    lines: Option<String>,
}

fn date(text: &str) -> bool {
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok()
}

fn bill(line: BillLine) -> std::result::Result<BillRecord, String> {
    let field = |ok: bool, name: &str| if ok { Ok(()) } else { Err(format!("{name}: invalid")) };
    field(!line.id.trim().is_empty() && line.id.len() <= 64, "id")?;
    field(uuid::Uuid::parse_str(&line.customer_id).is_ok(), "customer_id")?;
    field(line.account.len() == 10 && line.account.bytes().all(|b| b.is_ascii_digit()), "account")?;
    field(!line.area.trim().is_empty(), "area")?;
    field(chrono::NaiveDate::parse_from_str(&format!("{}-01", line.period), "%Y-%m-%d").is_ok() && line.period.len() == 7, "period")?;
    field(!line.tariff_code.trim().is_empty(), "tariff_code")?;
    field(date(&line.tariff_effective_from), "tariff_effective_from")?;
    field(date(&line.due_date), "due_date")?;
    field(hall_domain::clock::parse_stamp(&line.issued_at).is_some(), "issued_at")?;
    let kwh: i64 = line.kwh.trim().parse().ok().filter(|k| *k >= 0).ok_or("kwh: invalid")?;
    let amount_fen: i64 = line.amount_fen.trim().parse().ok().filter(|a| *a >= 0).ok_or("amount_fen: invalid")?;
    let lines = match line.lines.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
        None => serde_json::Value::Array(Vec::new()),
        Some(text) => serde_json::from_str(text).ok().filter(serde_json::Value::is_array).ok_or("lines: not a JSON array")?,
    };
    Ok(BillRecord {
        id: line.id.trim().to_owned(),
        customer_id: line.customer_id,
        account: line.account,
        area: line.area.trim().to_owned(),
        period: line.period,
        source: "billing_centre".into(),
        tariff_code: line.tariff_code.trim().to_owned(),
        tariff_effective_from: line.tariff_effective_from,
        kwh,
        amount_fen,
        due_date: line.due_date,
        lines,
        issued_at: line.issued_at,
    })
}

/// (line number, bill) of each valid line and (line number, reason) of each rejected one.
pub type ParsedBills = (Vec<(usize, BillRecord)>, Vec<(usize, String)>);

/// Reads the billing centre's CSV: the valid bills (with their line numbers) and the rejected lines.
pub fn parse_bills(csv_text: &str) -> ParsedBills {
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::Headers).from_reader(csv_text.as_bytes());
    let (mut bills, mut rejected) = (Vec::new(), Vec::new());
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (i, row) in reader.deserialize::<BillLine>().enumerate() {
        let line_no = i + 2; // after the header line
        match row.map_err(|e| e.to_string()).and_then(bill) {
            // One file carries a bill once; a second line with its id would make the publish
            // ambiguous (and PostgreSQL refuses to update a row twice in one statement).
            Ok(bill) if seen.contains_key(&bill.id) => {
                rejected.push((line_no, format!("bill {}: already on line {} of this file", bill.id, seen[&bill.id])))
            }
            Ok(bill) => {
                seen.insert(bill.id.clone(), line_no);
                bills.push((line_no, bill))
            }
            Err(reason) => rejected.push((line_no, reason)),
        }
    }
    (bills, rejected)
}

const CHUNK: usize = 5_000;

/// Publishes bills to the outlets of their areas; a bill whose area no outlet serves is rejected.
/// A bill re-published with other content replaces the old one, which is marked superseded
/// (payments made against it arrive as late money for review).
/// A publish of at least this many bills analyses the table afterwards.
const ANALYZE_AFTER_BILLS: usize = 10_000;

pub async fn publish_bills(pool: &Pool, csv_text: &str) -> Result<BillsReport> {
    let (bills, mut rejected) = parse_bills(csv_text);
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let outlets: Vec<(String, Vec<String>)> =
        tx.query("SELECT code, areas FROM outlets", &[]).await?.iter().map(|r| (r.get(0), r.get(1))).collect();
    let mut per_outlet: BTreeMap<&str, Vec<&BillRecord>> = BTreeMap::new();
    let mut accepted = 0;
    for (line_no, bill) in &bills {
        let serving: Vec<&str> = outlets.iter().filter(|(_, areas)| areas.contains(&bill.area)).map(|(code, _)| code.as_str()).collect();
        if serving.is_empty() {
            rejected.push((*line_no, format!("area {}: no outlet serves it", bill.area)));
            continue;
        }
        accepted += 1;
        for outlet in serving {
            per_outlet.entry(outlet).or_default().push(bill);
        }
    }
    rejected.sort();
    let mut published = 0;
    for (outlet, list) in per_outlet {
        for chunk in list.chunks(CHUNK) {
            let ids: Vec<&str> = chunk.iter().map(|b| b.id.as_str()).collect();
            let areas: Vec<&str> = chunk.iter().map(|b| b.area.as_str()).collect();
            let bodies: Vec<serde_json::Value> = chunk.iter().map(|b| serde_json::to_value(b).expect("serialises")).collect();
            let changed = tx
                .query(
                    "INSERT INTO bills (outlet_code, id, area, record) SELECT $1, * FROM unnest($2::text[], $3::text[], $4::jsonb[])
                     ON CONFLICT (outlet_code, id) DO UPDATE SET record = excluded.record, area = excluded.area,
                         superseded_at = excluded.published_at, published_at = excluded.published_at
                     WHERE bills.record IS DISTINCT FROM excluded.record
                     RETURNING id, record",
                    &[&outlet, &ids, &areas, &bodies],
                )
                .await?;
            let changes: Vec<NewChange> =
                changed.iter().map(|row| NewChange { kind: records::BILL, key: row.get(0), body: row.get(1) }).collect();
            published += changes.len();
            append_outlet(&tx, outlet, &changes).await?;
        }
    }
    tx.commit().await?;
    // A month's bills are most of the table's rows: analyse now, so that the outlets' snapshots
    // and the console plan with the new counts instead of waiting for autovacuum.
    if bills.len() >= ANALYZE_AFTER_BILLS {
        client.batch_execute("ANALYZE bills").await?;
    }
    Ok(BillsReport { accepted, published, rejected })
}

/// Head office at a glance (`hall-hq status`).
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    pub outlets: i64,
    pub workstations: i64,
    pub revoked: i64,
    pub fenced: i64,
    pub events: i64,
    pub quarantined_open: i64,
    pub late_money_open: i64,
    pub ledger_total_fen: i64,
}

pub async fn status(pool: &Pool) -> Result<Status> {
    let client = pool.get().await?;
    let row = client
        .query_one(
            "SELECT (SELECT count(*) FROM outlets),
                    (SELECT count(*) FROM workstations),
                    (SELECT count(*) FROM workstations WHERE revoked_at IS NOT NULL),
                    (SELECT count(*) FROM workstations WHERE fenced IS NOT NULL),
                    (SELECT count(*) FROM events),
                    (SELECT count(*) FROM quarantine WHERE resolved_at IS NULL),
                    (SELECT count(*) FROM late_money WHERE resolved_at IS NULL),
                    (SELECT coalesce(sum(amount_fen), 0)::bigint FROM ledger)",
            &[],
        )
        .await?;
    Ok(Status {
        outlets: row.get(0),
        workstations: row.get(1),
        revoked: row.get(2),
        fenced: row.get(3),
        events: row.get(4),
        quarantined_open: row.get(5),
        late_money_open: row.get(6),
        ledger_total_fen: row.get(7),
    })
}

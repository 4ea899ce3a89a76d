//! What new events change at head office besides the event store: the money ledger, the days each
//! workstation closed, the late-money review bucket, and (through [`customers`]) the merged
//! customers. Runs in the push's transaction on new events only, so a replay changes nothing.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use hall_protocol::push::WireEvent;
use serde::Deserialize;
use tokio_postgres::Transaction;

use crate::error::Result;

pub use hall_protocol::push::money_sign;

#[derive(Deserialize)]
struct Money {
    receipt_no: String,
    business_date: NaiveDate,
    amount: i64,
    #[serde(default)]
    settled: Vec<Settled>,
}

#[derive(Deserialize)]
struct Settled {
    bill_id: String,
}

/// Projects the batch's new events (in series order); returns how many went to late-money review.
pub async fn project(tx: &Transaction<'_>, outlet: &str, workstation: &str, events: &[&WireEvent]) -> Result<u64> {
    let money: Vec<(&WireEvent, Money)> = events
        .iter()
        .filter(|e| money_sign(&e.kind).is_some())
        // A money payload the server cannot read is still stored as an event; it is not guessed at.
        .filter_map(|e| serde_json::from_str::<Money>(&e.payload).ok().map(|m| (*e, m)))
        .collect();
    let days: Vec<&WireEvent> = events.iter().copied().filter(|e| e.kind == "day.closed" || e.kind == "day.reopened").collect();
    let mut in_review = 0;
    if !money.is_empty() || !days.is_empty() {
        let dates: Vec<NaiveDate> = money.iter().map(|(_, m)| m.business_date).collect();
        let mut closed: HashSet<NaiveDate> = tx
            .query(
                "SELECT business_date FROM closed_days WHERE outlet_code = $1 AND workstation_id = $2 AND business_date = ANY($3)",
                &[&outlet, &workstation, &dates],
            )
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect();
        let bill_ids: Vec<&str> = money.iter().flat_map(|(_, m)| m.settled.iter().map(|s| s.bill_id.as_str())).collect();
        // When each settled bill was last replaced by other content.
        let superseded: HashMap<String, DateTime<Utc>> = tx
            .query(
                "SELECT id, superseded_at FROM bills WHERE outlet_code = $1 AND id = ANY($2) AND superseded_at IS NOT NULL",
                &[&outlet, &bill_ids],
            )
            .await?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
        let money_at: HashMap<(i64, i64), &Money> = money.iter().map(|(e, m)| ((e.epoch, e.seq), m)).collect();
        let mut ledger = Ledger::default();
        for event in events {
            match event.kind.as_str() {
                "day.closed" | "day.reopened" => {
                    let Ok(date) = event.entity_id.parse::<NaiveDate>() else { continue };
                    if event.kind == "day.closed" {
                        closed.insert(date);
                        tx.execute(
                            "INSERT INTO closed_days (outlet_code, workstation_id, business_date) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                            &[&outlet, &workstation, &date],
                        )
                        .await?;
                    } else {
                        closed.remove(&date);
                        tx.execute(
                            "DELETE FROM closed_days WHERE outlet_code = $1 AND workstation_id = $2 AND business_date = $3",
                            &[&outlet, &workstation, &date],
                        )
                        .await?;
                    }
                }
                kind => {
                    let (Some(sign), Some(m)) = (money_sign(kind), money_at.get(&(event.epoch, event.seq))) else { continue };
                    let reason = if closed.contains(&m.business_date) {
                        Some("day_closed")
                    } else if m.settled.iter().any(|s| paid_before(superseded.get(&s.bill_id), &event.recorded_at)) {
                        Some("bill_superseded")
                    } else {
                        None
                    };
                    ledger.push(event, m, sign * m.amount, reason);
                    in_review += u64::from(reason.is_some());
                }
            }
        }
        ledger.write(tx, outlet, workstation).await?;
    }
    crate::customers::project(tx, outlet, workstation, events).await?;
    crate::tickets::project(tx, outlet, events).await?;
    Ok(in_review)
}

/// Projects a quarantined event an operator accepted: money is booked (its ledger row's `fork` is
/// the quarantine row's id, beside the event first stored under the key; accepting it was its
/// review), customer records merge by their stamps like any other. Other kinds change nothing.
pub async fn project_accepted_fork(
    tx: &Transaction<'_>,
    outlet: &str,
    workstation: &str,
    event: &WireEvent,
    quarantine_id: i64,
) -> Result<()> {
    if let Some(sign) = money_sign(&event.kind) {
        let Ok(m) = serde_json::from_str::<Money>(&event.payload) else { return Ok(()) };
        tx.execute(
            "INSERT INTO ledger (outlet_code, workstation_id, epoch, seq, kind, receipt_no, business_date, amount_fen, late, fork)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, true, $9) ON CONFLICT DO NOTHING",
            &[
                &outlet,
                &workstation,
                &event.epoch,
                &event.seq,
                &event.kind,
                &m.receipt_no,
                &m.business_date,
                &(sign * m.amount),
                &quarantine_id,
            ],
        )
        .await?;
        return Ok(());
    }
    crate::customers::project(tx, outlet, workstation, &[event]).await
}

#[derive(Default)]
struct Ledger {
    epochs: Vec<i64>,
    seqs: Vec<i64>,
    kinds: Vec<String>,
    receipts: Vec<String>,
    dates: Vec<NaiveDate>,
    amounts: Vec<i64>,
    late: Vec<bool>,
    reasons: Vec<Option<&'static str>>,
}

impl Ledger {
    fn push(&mut self, event: &WireEvent, money: &Money, amount: i64, reason: Option<&'static str>) {
        self.epochs.push(event.epoch);
        self.seqs.push(event.seq);
        self.kinds.push(event.kind.clone());
        self.receipts.push(money.receipt_no.clone());
        self.dates.push(money.business_date);
        self.amounts.push(amount);
        self.late.push(reason.is_some());
        self.reasons.push(reason);
    }

    async fn write(&self, tx: &Transaction<'_>, outlet: &str, workstation: &str) -> Result<()> {
        if self.epochs.is_empty() {
            return Ok(());
        }
        tx.execute(
            "INSERT INTO ledger (outlet_code, workstation_id, epoch, seq, kind, receipt_no, business_date, amount_fen, late)
             SELECT $1, $2, * FROM unnest($3::bigint[], $4::bigint[], $5::text[], $6::text[], $7::date[], $8::bigint[], $9::bool[])",
            &[&outlet, &workstation, &self.epochs, &self.seqs, &self.kinds, &self.receipts, &self.dates, &self.amounts, &self.late],
        )
        .await?;
        let reasons: Vec<String> = self.reasons.iter().map(|r| r.unwrap_or("").to_owned()).collect();
        tx.execute(
            "INSERT INTO late_money (outlet_code, workstation_id, epoch, seq, receipt_no, reason, business_date, amount_fen)
             SELECT $1, $2, epoch, seq, receipt, reason, day, amount
             FROM unnest($3::bigint[], $4::bigint[], $5::text[], $6::text[], $7::date[], $8::bigint[]) AS l(epoch, seq, receipt, reason, day, amount)
             WHERE reason <> ''",
            &[&outlet, &workstation, &self.epochs, &self.seqs, &self.receipts, &reasons, &self.dates, &self.amounts],
        )
        .await?;
        Ok(())
    }
}

/// Whether a payment recorded at `recorded_at` settled a bill's content from before its
/// replacement at `superseded_at`: only those are late money. A payment of the corrected bill is
/// not (an unreadable stamp counts as before: review rather than miss one).
fn paid_before(superseded_at: Option<&DateTime<Utc>>, recorded_at: &str) -> bool {
    superseded_at.is_some_and(|at| DateTime::parse_from_rfc3339(recorded_at).map_or(true, |paid| paid < *at))
}

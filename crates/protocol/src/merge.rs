//! The customer merge: two [`CustomerRecord`]s of one customer joined field by field, the last
//! writer winning by [`Hlc`] (whose last component, the workstation id, breaks ties between places).
//!
//! The rule is total: two stamps that are equal (which one place never produces, but a bad or
//! replayed record might) are ordered by the values' canonical JSON. So the merge picks the maximum
//! of each field under one total order, which makes it a join: commutative, associative and
//! idempotent. Every replica that has seen the same edits holds the same record, whatever order and
//! however many times the edits arrived.
//!
//! A merge also returns the values that lost, so that a reviewer (head office's conflict review,
//! the customer's history at an outlet) can see what an edit elsewhere overwrote.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use crate::ErrorBody;
use crate::hlc::{Hlc, HlcClock};
use crate::records::{CustomerRecord, Stamped};

/// Which of the two merged records a value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The first argument of [`merge`]: the record held here.
    Local,
    /// The second argument: the record that arrived.
    Remote,
}

/// A value that lost a field to a later edit.
#[derive(Debug, Clone, PartialEq)]
pub struct Overwritten {
    pub field: String,
    /// The record the losing value was in.
    pub side: Side,
    pub lost: Stamped,
    pub winner: Stamped,
}

/// The outcome of [`merge`].
#[derive(Debug, Clone, PartialEq)]
pub struct Merged {
    pub record: CustomerRecord,
    /// Fields where the two records held different values, each with the one that lost, in field
    /// order. A field held with the same value under two stamps lost nothing and is not listed.
    pub overwritten: Vec<Overwritten>,
}

impl Merged {
    /// The values of the record held here that the arrived one overwrote.
    pub fn local_losses(&self) -> impl Iterator<Item = &Overwritten> {
        self.overwritten.iter().filter(|o| o.side == Side::Local)
    }
}

/// Two records of different customers cannot be merged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DifferentCustomers {
    pub local: String,
    pub remote: String,
}

impl DifferentCustomers {
    pub fn body(&self) -> ErrorBody {
        ErrorBody::new(
            "merge.different_customers",
            format!("客户档案{}与{}不是同一户，不能合并", self.local, self.remote),
            format!("Customer records {} and {} are different customers and cannot be merged", self.local, self.remote),
        )
    }
}

impl std::fmt::Display for DifferentCustomers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.body().fmt(f)
    }
}

impl std::error::Error for DifferentCustomers {}

/// Whether `a` beats `b` for a field: the later stamp, or at equal stamps the greater canonical
/// value (so that the order is total). A value never beats itself.
pub fn beats(a: &Stamped, b: &Stamped) -> bool {
    compare(a, b) == Ordering::Greater
}

fn compare(a: &Stamped, b: &Stamped) -> Ordering {
    a.hlc.cmp(&b.hlc).then_with(|| canonical(&a.value).cmp(&canonical(&b.value)))
}

/// Merges the record that arrived (`remote`) into the one held here (`local`).
///
/// The record's `outlet_code` and `area` (where head office files it; they change only when head
/// office moves a customer) are taken from the record whose newest stamp is later, again with a
/// total tie-break, so they too are a join.
pub fn merge(local: &CustomerRecord, remote: &CustomerRecord) -> Result<Merged, DifferentCustomers> {
    if local.id != remote.id {
        return Err(DifferentCustomers { local: local.id.clone(), remote: remote.id.clone() });
    }
    let mut fields = BTreeMap::new();
    let mut overwritten = Vec::new();
    for (field, mine) in &local.fields {
        match remote.fields.get(field) {
            None => {
                fields.insert(field.clone(), mine.clone());
            }
            Some(theirs) => {
                let (winner, loser, side) =
                    if compare(theirs, mine) == Ordering::Greater { (theirs, mine, Side::Local) } else { (mine, theirs, Side::Remote) };
                if winner.value != loser.value {
                    overwritten.push(Overwritten { field: field.clone(), side, lost: loser.clone(), winner: winner.clone() });
                }
                fields.insert(field.clone(), winner.clone());
            }
        }
    }
    for (field, theirs) in &remote.fields {
        fields.entry(field.clone()).or_insert_with(|| theirs.clone());
    }
    let home = if placement(remote) > placement(local) { remote } else { local };
    Ok(Merged {
        record: CustomerRecord { id: local.id.clone(), outlet_code: home.outlet_code.clone(), area: home.area.clone(), fields },
        overwritten,
    })
}

/// The order in which two records' `outlet_code` and `area` compete.
fn placement(record: &CustomerRecord) -> (Option<&Hlc>, &str, &str) {
    (newest_stamp(record), &record.outlet_code, &record.area)
}

/// The join of many records of one customer (none: `None`).
pub fn merge_all<'a>(records: impl IntoIterator<Item = &'a CustomerRecord>) -> Result<Option<CustomerRecord>, DifferentCustomers> {
    let mut merged: Option<CustomerRecord> = None;
    for record in records {
        merged = Some(match merged {
            None => record.clone(),
            Some(so_far) => merge(&so_far, record)?.record,
        });
    }
    Ok(merged)
}

/// The latest stamp of any field of the record.
pub fn newest_stamp(record: &CustomerRecord) -> Option<&Hlc> {
    record.fields.values().map(|s| &s.hlc).max()
}

/// A record as [`observe_record`] let it in.
#[derive(Debug, Clone, PartialEq)]
pub struct Clamped {
    pub record: CustomerRecord,
    /// The fields whose stamps were too far ahead of the receiver's clock and were clamped, each
    /// with the stamp as it arrived, for the receiver to flag.
    pub clamped: Vec<(String, Hlc)>,
}

/// Takes in a record from elsewhere: every stamp is observed by the receiver's `clock` (so that
/// its later edits sort after them), and a stamp more than [`crate::hlc::MAX_AHEAD_MS`] ahead of
/// `wall_ms` is clamped to that bound, so that a workstation whose clock is a day fast does not win
/// every merge for a day. Head office clamps what it is pushed before merging it and flags the
/// fields returned; the stored record then carries the clamped stamps to every replica.
pub fn observe_record(clock: &mut HlcClock, record: &CustomerRecord, wall_ms: i64) -> Clamped {
    let mut clamped = Vec::new();
    let fields = record
        .fields
        .iter()
        .map(|(field, stamped)| {
            let seen = clock.observe(&stamped.hlc, wall_ms);
            if seen.clamped {
                clamped.push((field.clone(), stamped.hlc.clone()));
            }
            (field.clone(), Stamped { value: stamped.value.clone(), hlc: seen.stamp })
        })
        .collect();
    Clamped { record: CustomerRecord { fields, ..record.clone() }, clamped }
}

/// A JSON value's canonical text: object keys sorted at every level, no whitespace. Equal values
/// have equal text whatever order their keys were built in.
pub fn canonical(value: &serde_json::Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &serde_json::Value, out: &mut String) {
    match value {
        serde_json::Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::Value::String(key.clone()).to_string());
                out.push(':');
                write_canonical(item, out);
            }
            out.push('}');
        }
        serde_json::Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;
    use crate::hlc::MAX_AHEAD_MS;

    fn hlc(millis: i64, counter: u32, node: &str) -> Hlc {
        Hlc { millis, counter, node: node.into() }
    }

    fn record(fields: &[(&str, serde_json::Value, Hlc)]) -> CustomerRecord {
        CustomerRecord {
            id: "c1".into(),
            outlet_code: "0101".into(),
            area: "城东".into(),
            fields: fields.iter().map(|(f, v, h)| (f.to_string(), Stamped { value: v.clone(), hlc: h.clone() })).collect(),
        }
    }

    #[test]
    fn each_field_goes_to_its_later_stamp_and_the_losers_are_reported() {
        let local = record(&[("name", json!("张三"), hlc(10, 0, "a")), ("notes", json!("旧"), hlc(30, 0, "a"))]);
        let remote = record(&[("name", json!("张叁"), hlc(20, 0, "b")), ("notes", json!("新"), hlc(25, 0, "b"))]);
        let merged = merge(&local, &remote).unwrap();
        assert_eq!(merged.record.fields["name"].value, json!("张叁"));
        assert_eq!(merged.record.fields["notes"].value, json!("旧"));
        assert_eq!(merged.overwritten.len(), 2);
        let name = &merged.overwritten[0];
        assert_eq!((name.field.as_str(), name.side), ("name", Side::Local));
        assert_eq!(name.lost.value, json!("张三"));
        assert_eq!(name.winner.hlc.node, "b");
        let notes = &merged.overwritten[1];
        assert_eq!((notes.field.as_str(), notes.side, notes.lost.value.clone()), ("notes", Side::Remote, json!("新")));
        assert_eq!(merged.local_losses().count(), 1);
    }

    #[test]
    fn the_workstation_id_breaks_a_tie_of_time_and_counter() {
        let local = record(&[("name", json!("甲"), hlc(10, 0, "ws-b"))]);
        let remote = record(&[("name", json!("乙"), hlc(10, 0, "ws-a"))]);
        assert_eq!(merge(&local, &remote).unwrap().record.fields["name"].value, json!("甲"));
        assert_eq!(merge(&remote, &local).unwrap().record.fields["name"].value, json!("甲"));
    }

    #[test]
    fn equal_stamps_with_different_values_still_merge_the_same_both_ways() {
        let a = record(&[("tags", json!(["x"]), hlc(10, 0, "a"))]);
        let b = record(&[("tags", json!(["y"]), hlc(10, 0, "a"))]);
        let ab = merge(&a, &b).unwrap().record;
        assert_eq!(ab, merge(&b, &a).unwrap().record);
        assert_eq!(ab.fields["tags"].value, json!(["y"]));
    }

    #[test]
    fn fields_only_one_side_has_are_kept_and_lose_nothing() {
        let a = record(&[("name", json!("甲"), hlc(10, 0, "a"))]);
        let b = record(&[("address", json!("城东路1号"), hlc(5, 0, "b"))]);
        let merged = merge(&a, &b).unwrap();
        assert_eq!(merged.record.fields.len(), 2);
        assert!(merged.overwritten.is_empty());
    }

    #[test]
    fn a_value_set_again_under_a_later_stamp_is_not_an_overwrite() {
        let a = record(&[("name", json!("甲"), hlc(10, 0, "a"))]);
        let b = record(&[("name", json!("甲"), hlc(20, 0, "b"))]);
        let merged = merge(&a, &b).unwrap();
        assert_eq!(merged.record.fields["name"].hlc, hlc(20, 0, "b"));
        assert!(merged.overwritten.is_empty());
    }

    #[test]
    fn records_of_different_customers_are_refused_in_both_languages() {
        let a = record(&[]);
        let b = CustomerRecord { id: "c2".into(), ..record(&[]) };
        let error = merge(&a, &b).unwrap_err();
        let body = error.body();
        assert_eq!(body.code, "merge.different_customers");
        assert!(body.zh.contains("c2") && body.en.contains("c2"));
    }

    #[test]
    fn the_home_outlet_follows_the_newest_edit() {
        let a = record(&[("name", json!("甲"), hlc(10, 0, "a"))]);
        let b = CustomerRecord { outlet_code: "0202".into(), ..record(&[("notes", json!("n"), hlc(20, 0, "b"))]) };
        assert_eq!(merge(&a, &b).unwrap().record.outlet_code, "0202");
        assert_eq!(merge(&b, &a).unwrap().record.outlet_code, "0202");
    }

    #[test]
    fn canonical_text_ignores_key_order() {
        let a: serde_json::Value = serde_json::from_str(r#"{"b":1,"a":{"d":[1,"x"],"c":null}}"#).unwrap();
        assert_eq!(canonical(&a), r#"{"a":{"c":null,"d":[1,"x"]},"b":1}"#);
        let mut built = serde_json::Map::new();
        built.insert("z".into(), json!(true));
        built.insert("a".into(), json!("\"q\""));
        assert_eq!(canonical(&serde_json::Value::Object(built)), r#"{"a":"\"q\"","z":true}"#);
    }

    #[test]
    fn a_record_stamped_a_day_ahead_is_clamped_field_by_field_and_the_fields_named() {
        let wall = 1_764_550_800_000;
        let day = 86_400_000;
        let incoming = record(&[("name", json!("甲"), hlc(wall + day, 2, "fast")), ("notes", json!("n"), hlc(wall + 1_000, 0, "ok"))]);
        let mut clock = HlcClock::new(Hlc::zero("hq"));
        let seen = observe_record(&mut clock, &incoming, wall);
        assert_eq!(seen.clamped, vec![("name".to_string(), hlc(wall + day, 2, "fast"))]);
        assert_eq!(seen.record.fields["name"].hlc, hlc(wall + MAX_AHEAD_MS, 2, "fast"));
        assert_eq!(seen.record.fields["notes"].hlc, hlc(wall + 1_000, 0, "ok"));
        assert_eq!(seen.record.fields["name"].value, json!("甲"));
        // The receiver's next edit sorts after what it let in, but not a day ahead.
        let next = clock.tick(wall);
        assert!(next > seen.record.fields["name"].hlc);
        assert!(next.millis <= wall + MAX_AHEAD_MS);
    }

    const FIELDS: [&str; 4] = ["name", "phones", "notes", "status"];

    /// A stamped value from a small space, so that equal stamps and equal values both occur.
    fn stamped() -> impl Strategy<Value = Stamped> {
        (0i64..6, 0u32..2, prop::sample::select(vec!["a", "b", "c"]), 0u8..4).prop_map(|(millis, counter, node, v)| Stamped {
            value: match v {
                0 => json!(null),
                1 => json!("张三"),
                2 => json!(["13800000000", "13900000000"]),
                _ => json!({"k": v, "a": [1, 2]}),
            },
            hlc: hlc(millis, counter, node),
        })
    }

    fn any_record() -> impl Strategy<Value = CustomerRecord> {
        (prop::collection::btree_map(prop::sample::select(FIELDS.to_vec()), stamped(), 0..=4), prop::sample::select(vec!["0101", "0202"]))
            .prop_map(|(fields, outlet)| CustomerRecord {
                id: "c1".into(),
                outlet_code: outlet.into(),
                area: format!("area-{outlet}"),
                fields: fields.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
            })
    }

    fn join(a: &CustomerRecord, b: &CustomerRecord) -> CustomerRecord {
        merge(a, b).unwrap().record
    }

    proptest! {
        #[test]
        fn merge_is_commutative(a in any_record(), b in any_record()) {
            prop_assert_eq!(join(&a, &b), join(&b, &a));
        }

        #[test]
        fn merge_is_associative(a in any_record(), b in any_record(), c in any_record()) {
            prop_assert_eq!(join(&join(&a, &b), &c), join(&a, &join(&b, &c)));
        }

        #[test]
        fn merge_is_idempotent(a in any_record(), b in any_record()) {
            prop_assert_eq!(join(&a, &a), a.clone());
            let ab = join(&a, &b);
            prop_assert_eq!(join(&ab, &b), ab.clone());
            prop_assert_eq!(join(&ab, &a), ab);
        }

        #[test]
        fn every_winner_beats_or_equals_what_it_replaced(a in any_record(), b in any_record()) {
            let merged = merge(&a, &b).unwrap();
            for lost in &merged.overwritten {
                prop_assert!(beats(&lost.winner, &lost.lost));
                prop_assert_eq!(&merged.record.fields[&lost.field], &lost.winner);
            }
        }

        /// Edits spread over replicas, each taking them in its own order with repeats, converge
        /// to the join of all of them however the replicas then exchange.
        #[test]
        fn any_interleaving_and_duplication_of_edits_converges(
            edits in prop::collection::vec(any_record(), 1..12),
            orders in prop::collection::vec(prop::collection::vec(any::<prop::sample::Index>(), 0..24), 3),
            shuffle in any::<u64>(),
        ) {
            let expected = merge_all(&edits).unwrap().unwrap();
            // Three replicas, each seeing every edit at least once, in a different order, plus
            // repeats of random ones.
            let mut replicas = Vec::new();
            for (r, extra) in orders.iter().enumerate() {
                let mut sequence: Vec<&CustomerRecord> = edits.iter().collect();
                let len = sequence.len();
                sequence.rotate_left((shuffle as usize + r * 7) % len);
                if r % 2 == 1 {
                    sequence.reverse();
                }
                for index in extra {
                    sequence.insert(index.index(sequence.len() + 1), &edits[index.index(len)]);
                }
                replicas.push(merge_all(sequence).unwrap().unwrap());
            }
            for replica in &replicas {
                prop_assert_eq!(replica, &expected);
            }
            // Exchanging whole replicas in any order changes nothing.
            prop_assert_eq!(join(&join(&replicas[2], &replicas[0]), &replicas[1]), expected);
        }
    }
}

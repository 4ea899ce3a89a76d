//! The customer merge between workstations, each a real SQLite file: per-field stamps on every
//! local write, `customers::apply_remote` of records from elsewhere in any order, the history of
//! overwritten values, clamping of far-future stamps, and the clock across a restart.
//!
//! Head office is played by the protocol's pure merge (`hall_protocol::merge`), which is what it
//! runs on the records it is pushed: it clamps each arriving record against its own clock and
//! joins it into the record it holds.

mod common;

use chrono::{DateTime, Duration, Utc};
use common::{draft, start_time};
use hall::model::customer::*;
use hall::store::customers::{self, Applied, RECORD_FIELDS};
use hall::store::{Actor, Store, customer_clocks, outbox};
use hall_protocol::hlc::{Hlc, HlcClock, MAX_AHEAD_MS};
use hall_protocol::merge;
use hall_protocol::records::CustomerRecord;

struct Place {
    _dir: tempfile::TempDir,
    store: Store,
}

fn place() -> Place {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("hall.db")).unwrap();
    store.set_outlet_code("330101").unwrap();
    Place { _dir: dir, store }
}

fn at(minutes: i64) -> Actor {
    Actor { user_id: None, at: start_time() + Duration::minutes(minutes) }
}

fn actor_at(time: DateTime<Utc>) -> Actor {
    Actor { user_id: None, at: time }
}

impl Place {
    fn id(&self) -> String {
        self.store.workstation().unwrap().workstation_id
    }

    fn create(&mut self, actor: &Actor, account: &str, name: &str) -> Customer {
        self.store.write(|tx| customers::create(tx, actor, &draft(account, name), customers::AuditEach::Yes)).unwrap()
    }

    fn edit(&mut self, actor: &Actor, id: &str, change: impl FnOnce(&mut CustomerDraft)) -> Customer {
        let current = customers::get(self.store.conn(), id).unwrap();
        let mut next = current.record.clone();
        change(&mut next);
        self.store.write(|tx| customers::update(tx, actor, id, current.version, &next)).unwrap().0
    }

    fn record(&self, id: &str) -> CustomerRecord {
        customers::to_record(self.store.conn(), id).unwrap()
    }

    fn apply(&mut self, actor: &Actor, record: &CustomerRecord) -> Applied {
        self.store.write(|tx| customers::apply_remote(tx, actor, record)).unwrap()
    }

    /// The customer as a clerk sees it, without this replica's own count and time of writes.
    fn visible(&self, id: &str) -> Customer {
        Customer { version: 0, updated_at: String::new(), ..customers::get(self.store.conn(), id).unwrap() }
    }

    fn events(&self) -> usize {
        outbox::all(self.store.conn()).unwrap().len()
    }
}

/// Head office: the record it holds of each customer, and its clock.
struct HeadOffice {
    clock: HlcClock,
    held: Option<CustomerRecord>,
    flagged: Vec<(String, Hlc)>,
}

impl HeadOffice {
    fn new() -> HeadOffice {
        HeadOffice { clock: HlcClock::new(Hlc::zero("hq")), held: None, flagged: Vec::new() }
    }

    fn push(&mut self, record: &CustomerRecord, wall: DateTime<Utc>) {
        let seen = merge::observe_record(&mut self.clock, record, wall.timestamp_millis());
        self.flagged.extend(seen.clamped);
        self.held = Some(match self.held.take() {
            None => seen.record,
            Some(held) => merge::merge(&held, &seen.record).unwrap().record,
        });
    }

    fn record(&self) -> &CustomerRecord {
        self.held.as_ref().unwrap()
    }
}

/// A customer made at `a` and received by the others through head office.
fn shared_customer(places: &mut [Place], hq: &mut HeadOffice) -> String {
    let created = places[0].create(&at(0), "3300000001", "张三");
    hq.push(&places[0].record(&created.id), start_time());
    for place in &mut places[1..] {
        let applied = place.apply(&at(1), hq.record());
        assert!(applied.created);
    }
    created.id
}

fn assert_converged(places: &[Place], id: &str) {
    let record = places[0].record(id);
    let visible = places[0].visible(id);
    for place in &places[1..] {
        assert_eq!(place.record(id), record);
        assert_eq!(place.visible(id), visible);
    }
}

#[test]
fn three_workstations_editing_one_customer_offline_converge_whatever_order_the_records_arrive_in() {
    // The same offline edits, then exchanged through head office in each of three orders.
    let orders: [[usize; 3]; 3] = [[0, 1, 2], [2, 1, 0], [1, 2, 0]];
    let mut outcomes = Vec::new();
    for order in orders {
        let mut places = vec![place(), place(), place()];
        let mut hq = HeadOffice::new();
        let id = shared_customer(&mut places, &mut hq);
        // Offline: a renames and changes the phone; b renames later and adds a tag; c closes.
        places[0].edit(&at(10), &id, |d| {
            d.name = "张叁".into();
            d.phones = vec!["13900001111".into()];
        });
        places[1].edit(&at(20), &id, |d| {
            d.name = "张三丰".into();
            d.tags = vec!["重要".into()];
        });
        let manager = "m";
        places[2].store.write(|tx| customers::close(tx, &at(15), &id, "迁出", manager)).unwrap();
        for &p in &order {
            let record = places[p].record(&id);
            hq.push(&record, start_time() + Duration::minutes(30));
        }
        let events_before: Vec<usize> = places.iter().map(Place::events).collect();
        for (i, place) in places.iter_mut().enumerate() {
            // Some places hear from head office twice: a duplicate is harmless.
            place.apply(&at(31), hq.record());
            if i == order[0] {
                place.apply(&at(32), hq.record());
            }
        }
        assert_converged(&places, &id);
        // A remote change writes no outbox event (it would echo back for ever).
        assert_eq!(places.iter().map(Place::events).collect::<Vec<_>>(), events_before);
        let merged = places[0].visible(&id);
        assert_eq!(merged.record.name, "张三丰", "the later rename wins");
        assert_eq!(merged.record.phones, vec!["13900001111".to_string()], "a's phone, which nobody else changed, stays");
        assert_eq!(merged.record.tags, vec!["重要".to_string()]);
        assert_eq!(merged.status, CustomerStatus::Closed);
        assert_eq!(merged.close_reason.as_deref(), Some("迁出"));
        assert_eq!(places[0].record(&id), *hq.record());
        // Each round has its own workstations and customer id: compare what they do not name.
        let values: Vec<serde_json::Value> = places[0].record(&id).fields.into_values().map(|s| s.value).collect();
        outcomes.push((values, Customer { id: String::new(), ..merged }));
    }
    assert!(outcomes.windows(2).all(|w| w[0] == w[1]), "every order gives the same customer");
}

#[test]
fn workstations_exchanging_records_directly_in_different_orders_converge() {
    let mut places = vec![place(), place(), place()];
    let mut hq = HeadOffice::new();
    let id = shared_customer(&mut places, &mut hq);
    places[0].edit(&at(5), &id, |d| d.notes = "a的备注".into());
    places[1].edit(&at(6), &id, |d| d.notes = "b的备注".into());
    places[2].edit(&at(4), &id, |d| d.address = "浙江省杭州市西湖区文二路1号".into());
    let records: Vec<CustomerRecord> = places.iter().map(|p| p.record(&id)).collect();
    // Each place hears the other two in its own order, one of them twice.
    let plans: [&[usize]; 3] = [&[2, 1], &[0, 2, 0], &[1, 0]];
    for (p, plan) in plans.iter().enumerate() {
        for &from in plan.iter() {
            places[p].apply(&at(10), &records[from]);
        }
    }
    assert_converged(&places, &id);
    let visible = places[0].visible(&id);
    assert_eq!(visible.record.notes, "b的备注");
    assert_eq!(visible.record.address, "浙江省杭州市西湖区文二路1号");
}

#[test]
fn an_overwritten_value_stays_in_the_customer_history_with_the_winning_workstation() {
    let mut places = vec![place(), place()];
    let mut hq = HeadOffice::new();
    let id = shared_customer(&mut places, &mut hq);
    places[0].edit(&at(10), &id, |d| d.name = "张叁".into());
    places[1].edit(&at(20), &id, |d| d.name = "张三丰".into());
    let from = places[1].record(&id);
    let applied = places[0].apply(&at(30), &from);
    assert_eq!(applied.changed, vec!["name".to_string()]);
    let lost: Vec<_> = applied.overwritten.iter().filter(|o| o.side == merge::Side::Local).collect();
    assert_eq!(lost.len(), 1);
    assert_eq!(lost[0].lost.value, serde_json::json!("张叁"));

    let history = customers::history(places[0].store.conn(), &id).unwrap();
    let last = history.last().unwrap();
    assert_eq!((last.field.as_str(), last.old.as_str(), last.new.as_str()), ("name", "张叁", "张三丰"));
    assert_eq!(last.workstation_id, places[1].id());
    assert_eq!(last.version, applied.version);
    assert!(last.user_id.is_none());
    let note = last.note.as_ref().expect("a merged change is noted");
    assert!(note.zh.contains("被其他网点的修改覆盖") && note.zh.contains(&places[1].id()), "{note:?}");
    assert!(note.en.contains("Overwritten by an edit elsewhere"), "{note:?}");
    let stamp: Hlc = last.merged_hlc.as_deref().unwrap().parse().unwrap();
    assert_eq!(stamp.node, places[1].id());
    // The local edit it overwrote is still there, above it, as made here.
    let own = &history[history.len() - 2];
    assert_eq!((own.new.as_str(), own.workstation_id.clone(), own.note.is_none()), ("张叁", places[0].id(), true));

    // The customer received at b shows where it was created.
    let created = &customers::history(places[1].store.conn(), &id).unwrap()[0];
    assert_eq!(created.field, customers::CREATED_FIELD);
    assert_eq!(created.workstation_id, places[0].id());
    assert_eq!(created.note.as_ref().unwrap().code, "history.created_elsewhere");

    // The losing side sees nothing to change; b's history is untouched.
    let before = customers::history(places[1].store.conn(), &id).unwrap().len();
    let from = places[0].record(&id);
    let back = places[1].apply(&at(31), &from);
    assert!(back.changed.is_empty());
    assert_eq!(customers::history(places[1].store.conn(), &id).unwrap().len(), before);
}

#[test]
fn a_merged_change_goes_through_the_search_index_and_a_new_version() {
    let mut places = vec![place(), place()];
    let mut hq = HeadOffice::new();
    let id = shared_customer(&mut places, &mut hq);
    let version = customers::get(places[0].store.conn(), &id).unwrap().version;
    places[1].edit(&at(10), &id, |d| {
        d.name = "欧阳修".into();
        d.phones = vec!["13700002222".into()];
        d.meters[0].number = "MNEW0001".into();
    });
    let from = places[1].record(&id);
    let applied = places[0].apply(&at(11), &from);
    assert_eq!(applied.version, version + 1);
    let conn = places[0].store.conn();
    for text in ["欧阳修", "oyx", "13700002222", "2222"] {
        let page = hall::store::search::search(conn, &hall::store::search::SearchQuery { text: text.into(), offset: 0, limit: 5 }).unwrap();
        assert!(page.hits.iter().any(|h| h.id == id), "{text} finds the merged customer");
    }
    let page = hall::store::search::search(conn, &hall::store::search::SearchQuery { text: "张三".into(), offset: 0, limit: 5 }).unwrap();
    assert!(page.hits.iter().all(|h| h.id != id), "the old name is gone from the index");
    let meters: Vec<String> =
        conn.prepare("SELECT number FROM meters").unwrap().query_map([], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap();
    assert_eq!(meters, vec!["MNEW0001".to_string()]);
}

#[test]
fn local_writes_stamp_only_the_fields_they_change_and_their_events_carry_the_stamps() {
    let mut a = place();
    let created = a.create(&at(0), "3300000001", "张三");
    let events = outbox::all(a.store.conn()).unwrap();
    let payload: serde_json::Value = serde_json::from_str(&events.last().unwrap().payload).unwrap();
    // The existing payload is kept; the stamp and the stamped record are added.
    assert_eq!(payload["account"], "3300000001");
    let create_stamp: Hlc = payload["hlc"].as_str().unwrap().parse().unwrap();
    assert_eq!(create_stamp.node, a.id());
    assert_eq!(create_stamp.millis, start_time().timestamp_millis());
    let record: CustomerRecord = serde_json::from_value(payload["record"].clone()).unwrap();
    assert_eq!(record.fields.len(), RECORD_FIELDS.len());
    assert_eq!(record, a.record(&created.id));

    a.edit(&at(5), &created.id, |d| d.notes = "改过".into());
    let payload: serde_json::Value = serde_json::from_str(&outbox::all(a.store.conn()).unwrap().last().unwrap().payload).unwrap();
    assert_eq!(payload["changes"][0]["field"], "notes");
    let edit_stamp: Hlc = payload["hlc"].as_str().unwrap().parse().unwrap();
    assert!(edit_stamp > create_stamp);
    let partial: CustomerRecord = serde_json::from_value(payload["record"].clone()).unwrap();
    assert_eq!(partial.fields.keys().collect::<Vec<_>>(), vec!["notes"]);
    let now = a.record(&created.id);
    assert_eq!(now.fields["notes"].hlc, edit_stamp);
    assert_eq!(now.fields["name"].hlc, create_stamp);
    // Head office merging the events alone reaches the record as it stands.
    assert_eq!(merge::merge(&record, &partial).unwrap().record, now);

    a.store.write(|tx| customers::set_supply_suspended(tx, &at(6), &created.id, true)).unwrap();
    a.store.write(|tx| customers::close(tx, &at(7), &created.id, "拆除", "m")).unwrap();
    let events = outbox::all(a.store.conn()).unwrap();
    let suspended: serde_json::Value = serde_json::from_str(&events[events.len() - 2].payload).unwrap();
    assert_eq!(suspended["record"]["fields"].as_object().unwrap().keys().collect::<Vec<_>>(), vec!["supply_suspended"]);
    let closed: serde_json::Value = serde_json::from_str(&events[events.len() - 1].payload).unwrap();
    assert_eq!(closed["reason"], "拆除");
    let mut fields: Vec<&String> = closed["record"]["fields"].as_object().unwrap().keys().collect();
    fields.sort();
    assert_eq!(fields, vec!["close_reason", "closed_at", "status"]);
    let record = a.record(&created.id);
    assert_eq!(record.fields["status"].hlc.to_string(), closed["hlc"].as_str().unwrap());
    assert_eq!(record.fields["supply_suspended"].hlc.to_string(), suspended["hlc"].as_str().unwrap());
    assert!(record.fields["status"].hlc > record.fields["supply_suspended"].hlc);
}

#[test]
fn an_import_stamps_every_customer_with_one_stamp_and_no_field_map() {
    let mut a = place();
    let actor = at(0);
    hall::demo::populate(&mut a.store, &actor, 300, 3, |_| {}).unwrap();
    let conn = a.store.conn();
    let (rows, distinct, mapped): (i64, i64, i64) = conn
        .query_row(
            "SELECT count(*), count(DISTINCT hlc_ms || '-' || hlc_counter), count(field_hlcs) FROM customers WHERE hlc_node IS NULL",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!((rows, distinct, mapped), (300, 1, 0));
    let event = outbox::all(conn).unwrap().into_iter().find(|e| e.kind == "customers.imported").unwrap();
    let payload: serde_json::Value = serde_json::from_str(&event.payload).unwrap();
    let stamp: Hlc = payload["hlc"].as_str().unwrap().parse().unwrap();
    let first = payload["ids"][0].as_str().unwrap();
    let record = a.record(first);
    assert!(record.fields.values().all(|s| s.hlc == stamp));
    assert_eq!(record.outlet_code, a.store.workstation().unwrap().outlet_code);
    assert_eq!(record.area, record.fields["supply_area"].value.as_str().unwrap());
    assert_eq!(customer_clocks::last(conn).unwrap(), stamp);
}

#[test]
fn a_stamp_a_day_in_the_future_is_clamped_and_flagged() {
    let mut places = vec![place(), place()];
    let mut hq = HeadOffice::new();
    let id = shared_customer(&mut places, &mut hq);
    let wall = start_time() + Duration::minutes(10);
    let day_ahead = Hlc { millis: (wall + Duration::days(1)).timestamp_millis(), counter: 0, node: "fast-ws".into() };
    let mut record = places[0].record(&id);
    record.fields.get_mut("notes").unwrap().value = serde_json::json!("来自快钟的修改");
    record.fields.get_mut("notes").unwrap().hlc = day_ahead.clone();

    let applied = places[1].apply(&actor_at(wall), &record);
    assert_eq!(applied.clamped, vec![("notes".to_string(), day_ahead.clone())]);
    // A workstation takes what it applies whole (head office clamped it already): its clock goes
    // to the stamp, so that its own next edit sorts after what it has seen, and stays there after
    // a restart.
    let last = customer_clocks::last(places[1].store.conn()).unwrap();
    assert_eq!(last.millis, day_ahead.millis);
    assert_eq!(last.node, places[1].id());
    // Flagged in the audit log, for a reviewer.
    let flagged: Vec<_> = hall::store::audit::recent(places[1].store.conn(), 10)
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "customer.clock_ahead" && e.entity == id)
        .collect();
    assert_eq!(flagged.len(), 1);
    assert!(flagged[0].detail.contains(&day_ahead.to_string()), "{:?}", flagged[0].detail);
    // Head office, which clamps what it is pushed, flags it too and holds the clamped stamp.
    hq.push(&record, wall);
    assert_eq!(hq.flagged, vec![("notes".to_string(), day_ahead)]);
    assert_eq!(hq.record().fields["notes"].hlc.millis, wall.timestamp_millis() + MAX_AHEAD_MS);
}

#[test]
fn a_workstation_whose_clock_is_a_day_fast_does_not_win_the_next_day_of_edits() {
    let mut places = vec![place(), place()];
    let mut hq = HeadOffice::new();
    let id = shared_customer(&mut places, &mut hq);
    // a's clock is a day fast: its edit is stamped tomorrow.
    places[0].edit(&actor_at(start_time() + Duration::days(1)), &id, |d| d.notes = "快钟".into());
    hq.push(&places[0].record(&id), start_time() + Duration::minutes(2));
    assert_eq!(hq.flagged.len(), 1);
    // Head office's clamped stamp comes back to a, which takes it for its own edit.
    places[0].apply(&at(3), hq.record());
    places[1].apply(&at(3), hq.record());
    assert_converged(&places, &id);
    // Ten minutes later (past the clamp's bound) b edits the same field: b wins everywhere.
    places[1].edit(&at(12), &id, |d| d.notes = "正常".into());
    hq.push(&places[1].record(&id), start_time() + Duration::minutes(13));
    places[0].apply(&at(14), hq.record());
    assert_converged(&places, &id);
    assert_eq!(places[0].visible(&id).record.notes, "正常");
}

#[test]
fn the_clock_never_goes_back_across_a_restart_even_when_the_wall_clock_does() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hall.db");
    let (id, first) = {
        let mut store = Store::open(&path).unwrap();
        let c = store.write(|tx| customers::create(tx, &at(60), &draft("3300000001", "张三"), customers::AuditEach::Yes)).unwrap();
        (c.id.clone(), customers::to_record(store.conn(), &c.id).unwrap().fields["name"].hlc.clone())
    };
    let mut store = Store::open(&path).unwrap();
    assert_eq!(customer_clocks::last(store.conn()).unwrap(), first);
    // The machine's clock was set back an hour meanwhile.
    let current = customers::get(store.conn(), &id).unwrap();
    let mut next = current.record.clone();
    next.notes = "回拨之后".into();
    store.write(|tx| customers::update(tx, &at(0), &id, current.version, &next)).unwrap();
    let second = customers::to_record(store.conn(), &id).unwrap().fields["notes"].hlc.clone();
    assert!(second > first, "{second} after {first}");
    assert_eq!((second.millis, second.counter), (first.millis, first.counter + 1));
    // A rolled-back write leaves the clock where it was.
    let before = customer_clocks::last(store.conn()).unwrap();
    let refused = store.write(|tx| {
        customers::update(tx, &at(90), &id, current.version + 1, &CustomerDraft { notes: "x".into(), ..next.clone() })?;
        Err::<(), _>(hall::error::Error::Internal("abort".into()))
    });
    assert!(refused.is_err());
    assert_eq!(customer_clocks::last(store.conn()).unwrap(), before);
}

#[test]
fn observing_a_remote_stamp_makes_later_local_edits_win_over_it() {
    let mut places = vec![place(), place()];
    let mut hq = HeadOffice::new();
    let id = shared_customer(&mut places, &mut hq);
    // b's clock is four minutes ahead (within the bound): its edit is stamped later than a's wall.
    places[1].edit(&at(14), &id, |d| d.notes = "b".into());
    let from = places[1].record(&id);
    places[0].apply(&at(10), &from);
    // a edits the same field a minute later by its own wall clock: still after what it saw.
    places[0].edit(&at(11), &id, |d| d.notes = "a".into());
    let from = places[0].record(&id);
    places[1].apply(&at(15), &from);
    assert_converged(&places, &id);
    assert_eq!(places[1].visible(&id).record.notes, "a");
}

#[test]
fn bad_records_are_refused_with_a_clear_error_and_write_nothing() {
    let mut places = vec![place(), place()];
    let mut hq = HeadOffice::new();
    let id = shared_customer(&mut places, &mut hq);
    let b = &mut places[1];
    let before: i64 = b.store.conn().query_row("SELECT count(*) FROM customer_history", [], |r| r.get(0)).unwrap();
    let clock_before = customer_clocks::last(b.store.conn()).unwrap();

    let mut unknown = b.record(&id);
    let stamp = unknown.fields["name"].hlc.clone();
    unknown
        .fields
        .insert("favourite_colour".into(), hall_protocol::records::Stamped { value: serde_json::json!("red"), hlc: stamp.clone() });
    let mut partial_new = b.record(&id);
    partial_new.id = "0193-not-here".into();
    partial_new.fields.remove("meters");
    let mut bad_value = b.record(&id);
    bad_value.fields.get_mut("class").unwrap().value = serde_json::json!("spaceship");
    bad_value.fields.get_mut("class").unwrap().hlc = Hlc { millis: stamp.millis + 1, ..stamp.clone() };
    let mut taken_account = b.record(&id);
    taken_account.id = "0193-another".into();

    for (record, code) in [
        (&unknown, "customer_record.unknown_field"),
        (&partial_new, "customer_record.incomplete"),
        (&bad_value, "customer_record.value"),
        (&taken_account, "account.taken"),
    ] {
        let error = b.store.write(|tx| customers::apply_remote(tx, &at(5), record)).unwrap_err();
        let messages = error.messages();
        assert_eq!(messages[0].code, code, "{error:?}");
        assert!(!messages[0].zh.is_empty() && !messages[0].en.is_empty() && messages[0].zh != messages[0].en);
    }
    let after: i64 = b.store.conn().query_row("SELECT count(*) FROM customer_history", [], |r| r.get(0)).unwrap();
    assert_eq!(after, before);
    assert_eq!(customers::count(b.store.conn()).unwrap(), 1);
    assert_eq!(customer_clocks::last(b.store.conn()).unwrap(), clock_before);
}

#[test]
fn a_customer_written_before_field_clocks_is_stamped_by_its_last_write() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hall.db");
    {
        let mut conn = hall::store::open_connection(&path).unwrap();
        hall::store::migrate_to(&mut conn, 14).unwrap();
        // Written at version 14 through SQL as the old code wrote it: no stamps.
        conn.execute_batch(
            "INSERT INTO workstation (singleton, workstation_id, outlet_code, epoch, next_seq, created_at)
             VALUES (1, 'old-ws', '330101', 1, 1, '2026-01-01T00:00:00.000Z');
             INSERT INTO customers (pk, id, account, name, class, id_kind, id_number, address, supply_area, voltage, capacity_kva,
                 tariff_code, payment_method, credit_rating, big_customer, account_manager, tags, notes, status, version,
                 created_at, updated_at)
             VALUES (1, 'c-old', '3300000009', '李四', 'residential', 'other', 'X1', '某地', '某所', '220V', 8, 'ZJ-RES-TIER',
                 'counter', 'A', 0, NULL, '[]', '', 'active', 3, '2026-01-01T00:00:00.000Z', '2026-02-01T08:00:00.000Z');",
        )
        .unwrap();
    }
    let store = Store::open(&path).unwrap();
    let record = customers::to_record(store.conn(), "c-old").unwrap();
    let updated = chrono::DateTime::parse_from_rfc3339("2026-02-01T08:00:00.000Z").unwrap().timestamp_millis();
    assert!(record.fields.values().all(|s| s.hlc == Hlc { millis: updated, counter: 0, node: "old-ws".into() }));
    assert_eq!(customer_clocks::last(store.conn()).unwrap().millis, updated);
}

#[test]
fn a_customer_from_another_outlet_names_its_home_outlet_in_every_replica() {
    let mut places = vec![place(), place()];
    places[1].store.set_outlet_code("330102").unwrap();
    let mut hq = HeadOffice::new();
    let id = shared_customer(&mut places, &mut hq);
    places[1].edit(&at(5), &id, |d| d.notes = "邻所代办".into());
    let from_b = places[1].record(&id);
    assert_eq!(from_b.outlet_code, "330101", "b edits a's customer; it stays a's");
    places[0].apply(&at(6), &from_b);
    assert_converged(&places, &id);
    // b's own customers are b's.
    let own = places[1].create(&at(7), "3300000002", "李四");
    assert_eq!(places[1].record(&own.id).outlet_code, "330102");
}

mod interleavings {
    use proptest::prelude::*;

    use super::*;

    #[derive(Debug, Clone)]
    enum Step {
        /// Place `.0` edits field choice `.1` to value `.2` at minute `.3` of its (unsynchronised) wall clock.
        Edit(usize, u8, u8, i64),
        Push(usize),
        Pull(usize),
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            4 => (0usize..3, 0u8..5, 0u8..3, 0i64..40).prop_map(|(p, f, v, m)| Step::Edit(p, f, v, m)),
            1 => (0usize..3).prop_map(Step::Push),
            1 => (0usize..3).prop_map(Step::Pull),
        ]
    }

    fn edit(place: &mut Place, id: &str, field: u8, value: u8, minute: i64) {
        let actor = at(minute);
        let result = match field {
            0 => {
                let current = customers::get(place.store.conn(), id).unwrap();
                let mut next = current.record.clone();
                next.notes = format!("备注{value}");
                place.store.write(|tx| customers::update(tx, &actor, id, current.version, &next)).map(|_| ())
            }
            1 => {
                let current = customers::get(place.store.conn(), id).unwrap();
                let mut next = current.record.clone();
                next.name = ["张三", "张叁", "章三"][value as usize].into();
                next.tags = vec![format!("标签{value}")];
                place.store.write(|tx| customers::update(tx, &actor, id, current.version, &next)).map(|_| ())
            }
            2 => {
                let current = customers::get(place.store.conn(), id).unwrap();
                let mut next = current.record.clone();
                next.phones = vec![format!("1380000000{value}")];
                place.store.write(|tx| customers::update(tx, &actor, id, current.version, &next)).map(|_| ())
            }
            3 => place.store.write(|tx| customers::set_supply_suspended(tx, &actor, id, value.is_multiple_of(2))).map(|_| ()),
            _ => place.store.write(|tx| customers::close(tx, &actor, id, "迁出", "m")).map(|_| ()),
        };
        // A refused edit (closed account, already suspended) leaves nothing, which is all it must do here.
        if let Err(e) = result {
            assert!(matches!(e, hall::error::Error::Conflict(_)), "{e:?}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

        /// Three workstations edit one customer while pushes to and pulls from head office
        /// interleave at random; after everyone has pushed and pulled once more, every replica and
        /// head office hold the same record.
        #[test]
        fn any_interleaving_of_edits_pushes_and_pulls_converges(steps in prop::collection::vec(step(), 1..25)) {
            let mut places = vec![place(), place(), place()];
            let mut hq = HeadOffice::new();
            let id = shared_customer(&mut places, &mut hq);
            let mut minute = 2;
            for step in steps {
                minute += 1;
                match step {
                    Step::Edit(p, field, value, wall) => edit(&mut places[p], &id, field, value, wall),
                    Step::Push(p) => hq.push(&places[p].record(&id), start_time() + Duration::minutes(minute)),
                    Step::Pull(p) => { places[p].apply(&at(minute), hq.record()); }
                }
            }
            for place in &places {
                hq.push(&place.record(&id), start_time() + Duration::minutes(60));
            }
            for place in &mut places {
                place.apply(&at(61), hq.record());
            }
            for place in &places {
                prop_assert_eq!(&place.record(&id), hq.record());
            }
            assert_converged(&places, &id);
        }
    }
}

//! The local store: pragmas, migrations from empty and from every earlier version, the outbox,
//! backup and restore.

mod common;

use hall::store::{LATEST_VERSION, Store, migrate_to, open_connection, outbox};

#[test]
fn a_new_database_uses_wal_full_sync_and_foreign_keys() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("a.db")).unwrap();
    let conn = store.conn();
    let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    let sync: i64 = conn.query_row("PRAGMA synchronous", [], |r| r.get(0)).unwrap();
    let fk: i64 = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0)).unwrap();
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!((mode.as_str(), sync, fk, version), ("wal", 2, 1, LATEST_VERSION as i64));
}

/// A customer row as schema version 2 stored it, before the search columns existed.
const V2_CUSTOMER: &str = "INSERT INTO customers (id, account, name, class, id_kind, id_number, address, supply_area, voltage,
        capacity_kva, tariff_code, payment_method, credit_rating, big_customer, tags, notes, status, version, created_at, updated_at)
    VALUES ('c1', '3300000001', '曾小明', 'residential', 'resident_id', '11010519491231002X', '杭州市西湖区文一路1号', '西湖区供电所',
        '220V', 8, 'ZJ-RES-TIER', 'counter', 'A', 0, '[]', '', 'active', 1, '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z')";

/// Its phone, written with its digits as versions 2 to 5 kept them.
const V2_PHONE: &str = "INSERT INTO customer_phones (customer_pk, position, phone, digits)
    VALUES ((SELECT pk FROM customers WHERE id = 'c1'), 0, '138-0013-8000', '13800138000')";

/// Every earlier schema version, holding data written at that version, upgrades to the latest
/// and the data is then found by search.
#[test]
fn migrations_upgrade_from_every_earlier_version() {
    for from in 0..LATEST_VERSION {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        {
            let mut conn = open_connection(&path).unwrap();
            migrate_to(&mut conn, from.min(2)).unwrap();
            if from >= 2 {
                // Later versions give it their columns through their own migrations, as a real
                // database would.
                conn.execute_batch(V2_CUSTOMER).unwrap();
                conn.execute_batch(V2_PHONE).unwrap();
            }
            migrate_to(&mut conn, from).unwrap();
        }
        let store = Store::open(&path).unwrap();
        let version: i64 = store.conn().query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(version, LATEST_VERSION as i64, "from version {from}");
        if from >= 2 {
            for text in ["zxm", "曾小明", "小明", "文一路", "13800138000", "8000"] {
                let page =
                    hall::store::search::search(store.conn(), &hall::store::search::SearchQuery { text: text.into(), offset: 0, limit: 5 })
                        .unwrap();
                assert_eq!(page.hits.len(), 1, "{text} after upgrading from version {from}");
            }
        }
    }
}

/// A payment written at version 4 (a UUID, and its number in a separate `receipts` table) keeps
/// its receipt number, series position, tenders and status through the rebuild of version 5.
#[test]
fn version_4_payments_keep_their_receipts_through_the_upgrade() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v4.db");
    {
        let mut conn = open_connection(&path).unwrap();
        migrate_to(&mut conn, 4).unwrap();
        conn.execute_batch(V2_CUSTOMER).unwrap();
        conn.execute_batch(
            "INSERT INTO users (id, username, display_name, role, password_hash, created_at, updated_at)
             VALUES ('u1', 'clerk', '王收费', 'clerk', 'x', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
             INSERT INTO desk_sessions (pk, id, clerk_id, business_date, opened_at, float_fen, status)
             VALUES (1, 'd1', 'u1', '2026-01-05', '2026-01-05T01:00:00Z', 10000, 'open');
             INSERT INTO receipts (epoch, seq, receipt_no, status, issued_at) VALUES
                (1, 1, '330106-01-1-000001', 'voided', '2026-01-05T01:10:00Z'),
                (1, 2, '330106-01-1-000002', 'issued', '2026-01-05T01:20:00Z');
             INSERT INTO payments (pk, id, receipt_no, kind, status, customer_pk, session_pk, clerk_id, business_date, posted_at,
                amount_fen, tendered_fen, change_fen, bills_fen, late_fee_fen, prepaid_before_fen, prepaid_after_fen, idempotency_key, reversed_at)
             VALUES
                (1, 'uuid-1', '330106-01-1-000001', 'payment', 'reversed', 1, 1, 'u1', '2026-01-05', '2026-01-05T01:10:00Z',
                 5000, 5000, 0, 0, 0, 0, 5000, 'k1', '2026-01-05T01:15:00Z'),
                (2, 'uuid-2', '330106-01-1-000002', 'payment', 'posted', 1, 1, 'u1', '2026-01-05', '2026-01-05T01:20:00Z',
                 3000, 5000, 2000, 0, 0, 0, 3000, 'k2', NULL);
             INSERT INTO payment_tenders (payment_pk, position, kind, amount_fen) VALUES (1, 0, 'cash', 5000), (2, 0, 'cash', 5000);
             INSERT INTO outbox (epoch, seq, kind, entity_id, payload, recorded_at) VALUES
                (1, 1, 'payment.posted', 'uuid-2', '{}', '2026-01-05T01:20:00Z'),
                (2, 1, 'customer.created', 'c1', '{}', '2026-01-06T01:20:00Z'),
                (1, 2, 'payment.reversed', 'uuid-1', '{}', '2026-01-05T01:21:00Z');",
        )
        .unwrap();
    }
    let store = Store::open(&path).unwrap();
    let conn = store.conn();
    let voided = hall::store::payments::by_receipt(conn, "330106-01-1-000001").unwrap();
    assert_eq!((voided.status, voided.amount.0, voided.tenders.len()), (hall::model::payment::PaymentStatus::Reversed, 5000, 1));
    let posted = hall::store::payments::by_receipt(conn, "330106-01-1-000002").unwrap();
    assert_eq!((posted.change.0, posted.clerk_name.as_str(), posted.tenders[0].amount.0), (2000, "王收费", 5000));
    assert!(hall::store::receipts::gaps(conn).unwrap().is_empty());
    let missing: i64 = conn.query_row("SELECT count(*) FROM sqlite_schema WHERE name IN ('receipts', 'payments_by_date', 'payments_v5', 'bills_unpaid', 'allocations_by_bill')", [], |r| r.get(0)).unwrap();
    assert_eq!(missing, 0);
    // The outbox keeps its events and their (epoch, seq) keys, in order.
    let keys: Vec<(i64, i64, String)> = outbox::all(conn).unwrap().into_iter().map(|e| (e.epoch, e.seq, e.kind)).collect();
    assert_eq!(keys, vec![(1, 1, "payment.posted".into()), (1, 2, "payment.reversed".into()), (2, 1, "customer.created".into())]);
    let fk_violations: i64 = conn.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r.get(0)).unwrap();
    assert_eq!(fk_violations, 0);
}

#[test]
fn a_rolled_back_write_leaves_no_outbox_gap() {
    let f = common::fixture();
    let actor = hall::store::Actor { user_id: None, at: common::start_time() };
    let before = outbox::all(f.app.store().conn()).unwrap().len();
    let failed: hall::Result<()> = f.app.store().write(|tx| {
        outbox::append(tx, &actor, "test.event", "x", &serde_json::json!({}))?;
        Err(hall::Error::Internal("fail after the event".into()))
    });
    assert!(failed.is_err());
    f.app.store().write(|tx| outbox::append(tx, &actor, "test.event", "y", &serde_json::json!({})).map(|_| ())).unwrap();
    let events = outbox::all(f.app.store().conn()).unwrap();
    assert_eq!(events.len(), before + 1);
    let seqs: Vec<i64> = events.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=events.len() as i64).collect::<Vec<_>>());
    assert_eq!(events.last().unwrap().entity_id, "y");
}

#[test]
fn backup_and_restore_keep_the_data_and_start_a_new_epoch() {
    let f = common::fixture();
    let token = f.login("clerk");
    f.app.call(Some(&token), hall::api::Request::CreateCustomer(common::draft("3300000001", "张三"))).unwrap();
    let backup = f.dir.path().join("backup.db");
    f.app.store().backup_to(&backup).unwrap();
    assert_eq!(f.app.store().backup_to(&backup).unwrap_err().code(), "backup.exists");

    let restored_path = f.dir.path().join("restored.db");
    let actor = hall::store::Actor { user_id: None, at: common::start_time() };
    let restored = Store::restore(&backup, &restored_path, &actor).unwrap();
    assert_eq!(hall::store::customers::count(restored.conn()).unwrap(), 1);
    let original = f.app.store().workstation().unwrap();
    let after = restored.workstation().unwrap();
    assert_eq!(after.workstation_id, original.workstation_id);
    assert_eq!(after.epoch, original.epoch + 1, "a restored copy must not reuse event keys");
    assert_eq!(after.next_seq, 1);
}

#[test]
fn restore_refuses_a_damaged_file() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, b"this is not a database").unwrap();
    let actor = hall::store::Actor { user_id: None, at: common::start_time() };
    assert_eq!(Store::restore(&junk, &dir.path().join("x.db"), &actor).err().map(|e| e.code()).as_deref(), Some("restore.corrupt"));
}

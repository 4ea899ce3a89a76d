//! CSV import (with a report of rejected rows) and export.

mod common;

use hall::store::{Actor, customers};
use hall::transfer::{COLUMNS, export_customers, import_customers, to_row};

fn csv_of(rows: &[Vec<String>]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(COLUMNS).unwrap();
    for r in rows {
        w.write_record(r).unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

#[test]
fn import_reports_each_rejected_line_and_imports_the_rest_in_one_go() {
    let f = common::fixture();
    let actor = Actor { user_id: None, at: common::start_time() };
    let good = to_row(&common::draft("3300000001", "张三")).to_vec();
    let mut bad_id = to_row(&common::draft("3300000002", "李四")).to_vec();
    bad_id[4] = "110105194912310021".into();
    let duplicate = to_row(&common::draft("3300000001", "王五")).to_vec();
    let mut bad_class = to_row(&common::draft("3300000003", "赵六")).to_vec();
    bad_class[2] = "外星人".into();
    let mut chinese_labels = to_row(&common::draft("3300000004", "钱七")).to_vec();
    chinese_labels[2] = "居民".into();
    chinese_labels[3] = "居民身份证".into();
    let text = csv_of(&[good, bad_id, duplicate, bad_class, chinese_labels]);

    let mut store = f.app.store();
    let report = import_customers(&mut store, &actor, text.as_bytes(), None, |_| {}).unwrap();
    assert_eq!(report.imported, 2);
    let rejected: Vec<(u64, String)> = report.rejected.iter().map(|r| (r.line, r.messages[0].code.clone())).collect();
    assert_eq!(rejected, vec![(3, "id_number.check_digit".into()), (4, "account.taken".into()), (5, "class.unknown".into())]);
    assert_eq!(customers::count(store.conn()).unwrap(), 2);
    assert!(customers::by_account(store.conn(), "3300000002").unwrap().is_none());
}

#[test]
fn import_refuses_a_file_without_the_needed_columns() {
    let f = common::fixture();
    let actor = Actor { user_id: None, at: common::start_time() };
    let err = import_customers(&mut f.app.store(), &actor, "account,name\n3300000001,张三\n".as_bytes(), None, |_| {}).unwrap_err();
    assert_eq!(err.code(), "import.columns");
}

/// A file large against the store is loaded with the secondary indexes dropped and rebuilt; they
/// must all be back, and search must work, afterwards.
#[test]
fn a_bulk_import_rebuilds_the_indexes() {
    let f = common::fixture();
    let actor = Actor { user_id: None, at: common::start_time() };
    let indexes = |store: &hall::store::Store| -> Vec<String> {
        let mut stmt = store.conn().prepare("SELECT name FROM sqlite_schema WHERE type = 'index' ORDER BY name").unwrap();
        stmt.query_map([], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap()
    };
    let mut store = f.app.store();
    let before = indexes(&store);
    let mut generator = hall::demo::Generator::new(5);
    let text = csv_of(&(0..300).map(|i| to_row(&generator.customer(i)).to_vec()).collect::<Vec<_>>());
    let report = import_customers(&mut store, &actor, text.as_bytes(), Some(100_000_000), |_| {}).unwrap();
    assert_eq!(report.imported, 300);
    assert_eq!(indexes(&store), before);
    let page =
        hall::store::search::search(store.conn(), &hall::store::search::SearchQuery { text: "3300000123".into(), offset: 0, limit: 5 })
            .unwrap();
    assert_eq!(page.hits[0].account, "3300000123");
    let plan: String = store
        .conn()
        .query_row("EXPLAIN QUERY PLAN SELECT pk FROM customers WHERE name_initials >= 'zs' AND name_initials < 'zt'", [], |r| r.get(3))
        .unwrap();
    assert!(plan.contains("customers_by_initials"), "{plan}");
}

/// A large import checks accounts and meter numbers in memory rather than through the indexes
/// it has dropped: against the customers already stored and against the file's earlier rows. It
/// leaves every row's references intact and the store as it found it (WAL, foreign keys on).
#[test]
fn a_bulk_import_refuses_accounts_and_meters_taken_in_the_store_or_earlier_in_the_file() {
    let f = common::fixture();
    let actor = Actor { user_id: None, at: common::start_time() };
    let mut store = f.app.store();
    let stored = csv_of(&[to_row(&common::draft("3300000001", "张三")).to_vec()]);
    assert_eq!(import_customers(&mut store, &actor, stored.as_bytes(), None, |_| {}).unwrap().imported, 1);

    // A small full-text buffer, so that this load flushes and merges segments as a million-row one does.
    store
        .conn()
        .execute_batch(
            "INSERT INTO customer_name_text (customer_name_text, rank) VALUES ('hashsize', 1000);
             INSERT INTO customer_address_text (customer_address_text, rank) VALUES ('hashsize', 1000);",
        )
        .unwrap();
    let mut generator = hall::demo::Generator::new(3);
    let mut rows: Vec<Vec<String>> = (100..400).map(|i| to_row(&generator.customer(i)).to_vec()).collect();
    rows[10][0] = "3300000001".into(); // the stored customer's account
    rows[20][17] = "M3300000001".into(); // the stored customer's meter
    rows[30][0] = rows[5][0].clone(); // an account earlier in the file
    rows[40][17] = rows[6][17].clone(); // a meter earlier in the file
    let report = import_customers(&mut store, &actor, csv_of(&rows).as_bytes(), Some(100_000_000), |_| {}).unwrap();
    let rejected: Vec<(u64, &str)> = report.rejected.iter().map(|r| (r.line, r.messages[0].code.as_str())).collect();
    assert_eq!(rejected, vec![(12, "account.taken"), (22, "meters.taken"), (32, "account.taken"), (42, "meters.taken")]);
    assert_eq!(report.imported, 296);
    assert_eq!(customers::count(store.conn()).unwrap(), 297);

    let conn = store.conn();
    let broken: i64 = conn.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r.get(0)).unwrap();
    let histories: i64 = conn.query_row("SELECT count(DISTINCT customer_pk) FROM customer_history", [], |r| r.get(0)).unwrap();
    let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    let fk: i64 = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0)).unwrap();
    assert_eq!((broken, histories, mode.as_str(), fk), (0, 297, "wal", 1));
    // Nothing is left open that would keep the WAL from being checkpointed.
    let busy: i64 = conn.query_row("PRAGMA main.wal_checkpoint(TRUNCATE)", [], |r| r.get(0)).unwrap();
    assert_eq!(busy, 0);
    // Every imported customer's phones and meters are its own.
    for row in [&rows[0], &rows[150], &rows[299]] {
        let customer = customers::by_account(conn, &row[0]).unwrap().unwrap();
        assert_eq!(customer.record.phones.join(";"), row[5]);
        assert_eq!(customer.record.meters[0].number, row[17].split(':').next().unwrap());
    }
}

/// An import tells head office of every customer it created, and of no other: `customers.imported`
/// events name them by id, at most `EVENT_BATCH` to an event, gap-free after the events before.
#[test]
fn an_import_names_each_imported_customer_in_the_outbox_once() {
    let f = common::fixture();
    let actor = Actor { user_id: None, at: common::start_time() };
    let mut store = f.app.store();
    let events_before = hall::store::outbox::all(store.conn()).unwrap().len();
    let mut generator = hall::demo::Generator::new(9);
    let mut rows: Vec<Vec<String>> = (0..2_500).map(|i| to_row(&generator.customer(i)).to_vec()).collect();
    rows[17][4] = "110105194912310021".into(); // a wrong check digit: rejected, not announced
    let report = import_customers(&mut store, &actor, csv_of(&rows).as_bytes(), None, |_| {}).unwrap();
    assert_eq!((report.imported, report.rejected.len()), (2_499, 1));

    let events = hall::store::outbox::all(store.conn()).unwrap();
    let seqs: Vec<i64> = events.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=events.len() as i64).collect::<Vec<_>>());
    let imported: Vec<&hall::store::outbox::Event> = events[events_before..].iter().filter(|e| e.kind == "customers.imported").collect();
    let sizes: Vec<usize> =
        imported.iter().map(|e| serde_json::from_str::<serde_json::Value>(&e.payload).unwrap()["ids"].as_array().unwrap().len()).collect();
    assert_eq!(sizes, vec![customers::EVENT_BATCH, customers::EVENT_BATCH, 499]);
    let mut named: Vec<String> = imported
        .iter()
        .flat_map(|e| {
            serde_json::from_str::<serde_json::Value>(&e.payload).unwrap()["ids"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        })
        .collect();
    let mut stored: Vec<String> =
        store.conn().prepare("SELECT id FROM customers").unwrap().query_map([], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap();
    named.sort();
    stored.sort();
    assert_eq!(named, stored);
}

#[test]
fn export_then_import_reproduces_every_field() {
    let f = common::fixture();
    let actor = Actor { user_id: None, at: common::start_time() };
    let mut generator = hall::demo::Generator::new(3);
    let drafts: Vec<_> = (0..200).map(|i| generator.customer(i)).collect();
    let text = csv_of(&drafts.iter().map(|d| to_row(d).to_vec()).collect::<Vec<_>>());
    let mut store = f.app.store();
    assert_eq!(import_customers(&mut store, &actor, text.as_bytes(), None, |_| {}).unwrap().imported, 200);
    let mut exported = Vec::new();
    assert_eq!(export_customers(&store, &mut exported).unwrap(), 200);
    assert_eq!(String::from_utf8(exported).unwrap(), text);
}

#[test]
fn managers_import_and_export_through_the_command_set() {
    use hall::api::{FileArgs, ImportArgs, Request};
    let f = common::fixture();
    let path = f.dir.path().join("export.csv");
    let args = || FileArgs { path: path.display().to_string() };
    let import = || ImportArgs { path: path.display().to_string(), progress: None };
    let clerk = f.login("clerk");
    assert_eq!(f.app.call(Some(&clerk), Request::ExportCustomers(args())).unwrap_err().code(), "role.denied");
    let manager = f.login("manager");
    f.app.call(Some(&manager), Request::CreateCustomer(common::draft("3300000001", "张三"))).unwrap();
    let exported = f.app.call(Some(&manager), Request::ExportCustomers(args())).unwrap();
    assert_eq!(exported["customers"], 1);
    // Importing the same file again refuses the duplicate account, at its line.
    let report = f.app.call(Some(&manager), Request::ImportCustomers(import())).unwrap();
    assert_eq!(report["imported"], 0);
    assert_eq!(report["rejected"][0]["line"], 2);
    assert_eq!(report["rejected"][0]["messages"][0]["code"], "account.taken");
    let missing = ImportArgs { progress: None, path: f.dir.path().join("nope.csv").display().to_string() };
    assert_eq!(f.app.call(Some(&manager), Request::ImportCustomers(missing)).unwrap_err().code(), "file.unavailable");
}

#[test]
fn managers_import_bills_through_the_command_set_with_each_rejected_line() {
    use hall::api::{ImportArgs, ImportProgress, ProgressArgs, Request};
    let f = common::fixture();
    let manager = f.login("manager");
    f.app.call(Some(&manager), Request::CreateCustomer(common::draft("3300000012", "张三"))).unwrap();
    let path = f.dir.path().join("bills.csv");
    std::fs::write(
        &path,
        "account,period,kwh,amount,tariff_code,due_date\n3300000012,2026-01,300,161.40,,\n3300009999,2026-01,300,161.40,,\n",
    )
    .unwrap();
    const KEY: &str = "0b9f4e2c-7d1a-4c5e-9f3b-2a6d8e1c4b7a";
    let args = || ImportArgs { path: path.display().to_string(), progress: Some(KEY.into()) };
    let clerk = f.login("clerk");
    assert_eq!(f.app.call(Some(&clerk), Request::ImportBills(args())).unwrap_err().code(), "role.denied");
    let report = f.app.call(Some(&manager), Request::ImportBills(args())).unwrap();
    assert_eq!(report["imported"], 1);
    assert_eq!(report["rejected"][0]["line"], 3);
    assert_eq!(report["rejected"][0]["messages"][0]["code"], "bill_import.account");
    // The import's progress is gone once it has finished; it never needed a session.
    let progress = f.app.call(None, Request::ImportProgress(ProgressArgs { key: KEY.into() })).unwrap();
    assert_eq!(serde_json::from_value::<ImportProgress>(progress).unwrap(), ImportProgress { done: 0, total: 0 });
    // A guessable key is refused: the random key is what keeps another's progress private.
    let guess = f.app.call(None, Request::ImportProgress(ProgressArgs { key: "1".into() })).unwrap_err();
    assert_eq!(guess.code(), "import.progress_key");
}

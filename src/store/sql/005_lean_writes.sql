-- A clerk's commit costs what it writes, page by page, so a payment now writes fewer of them:
-- - a payment is identified by its receipt number, already unique across outlets and never reused;
--   the separate UUID and the `receipts` table (which repeated every number under two more
--   indexes) are gone;
-- - the index of payments by date is gone: the day-end finds the day's payments through its desk
--   sessions;
-- - the outbox's key (epoch, seq) is its rowid, `(epoch << 32) | seq`, instead of a second
--   unique index beside the rowid: every event wrote two pages, now one;
-- - the partial index of unpaid bills is gone (a customer's bills are found by the unique
--   (customer_pk, period) index, a few dozen rows), and so is the index of allocations by bill,
--   which no query used.
--
-- Receipt numbers keep their series: (receipt_epoch, receipt_seq) is gap-free per epoch, and a
-- voided number is the receipt of a payment whose status is 'reversed'.

CREATE TABLE payments_v5 (
    pk                 INTEGER PRIMARY KEY,
    receipt_no         TEXT NOT NULL UNIQUE,
    receipt_epoch      INTEGER NOT NULL,
    receipt_seq        INTEGER NOT NULL,
    kind               TEXT NOT NULL,
    status             TEXT NOT NULL,
    customer_pk        INTEGER NOT NULL REFERENCES customers (pk),
    session_pk         INTEGER NOT NULL REFERENCES desk_sessions (pk),
    clerk_id           TEXT NOT NULL,
    business_date      TEXT NOT NULL,
    posted_at          TEXT NOT NULL,
    amount_fen         INTEGER NOT NULL,
    tendered_fen       INTEGER NOT NULL,
    change_fen         INTEGER NOT NULL,
    bills_fen          INTEGER NOT NULL,
    late_fee_fen       INTEGER NOT NULL,
    prepaid_before_fen INTEGER NOT NULL,
    prepaid_after_fen  INTEGER NOT NULL,
    idempotency_key    TEXT UNIQUE,
    corrects_pk        INTEGER REFERENCES payments (pk),
    reason_code        TEXT,
    reason_note        TEXT,
    approved_by        TEXT,
    reversed_at        TEXT,
    print_count        INTEGER NOT NULL DEFAULT 0
);

INSERT INTO payments_v5 (pk, receipt_no, receipt_epoch, receipt_seq, kind, status, customer_pk, session_pk, clerk_id,
    business_date, posted_at, amount_fen, tendered_fen, change_fen, bills_fen, late_fee_fen, prepaid_before_fen,
    prepaid_after_fen, idempotency_key, corrects_pk, reason_code, reason_note, approved_by, reversed_at, print_count)
SELECT p.pk, p.receipt_no, r.epoch, r.seq, p.kind, p.status, p.customer_pk, p.session_pk, p.clerk_id,
    p.business_date, p.posted_at, p.amount_fen, p.tendered_fen, p.change_fen, p.bills_fen, p.late_fee_fen, p.prepaid_before_fen,
    p.prepaid_after_fen, p.idempotency_key, p.corrects_pk, p.reason_code, p.reason_note, p.approved_by, p.reversed_at, p.print_count
FROM payments p JOIN receipts r ON r.receipt_no = p.receipt_no;

DROP TABLE payments;
DROP TABLE receipts;
ALTER TABLE payments_v5 RENAME TO payments;
CREATE INDEX payments_by_customer ON payments (customer_pk, pk);
CREATE INDEX payments_by_session ON payments (session_pk);

DROP INDEX bills_unpaid;
DROP INDEX allocations_by_bill;

CREATE TABLE outbox_v5 (
    pos         INTEGER PRIMARY KEY,
    epoch       INTEGER GENERATED ALWAYS AS (pos >> 32) VIRTUAL,
    seq         INTEGER GENERATED ALWAYS AS (pos & 4294967295) VIRTUAL,
    kind        TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    payload     TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    acked_at    TEXT
);
INSERT INTO outbox_v5 (pos, kind, entity_id, payload, recorded_at, acked_at)
SELECT (epoch << 32) | seq, kind, entity_id, payload, recorded_at, acked_at FROM outbox ORDER BY epoch, seq;
DROP TABLE outbox;
ALTER TABLE outbox_v5 RENAME TO outbox;

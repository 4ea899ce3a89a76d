-- Bills, payments, receipts and the cash desk (SPEC §3, §4). Money is integer fen throughout.

-- The counter's number within its outlet (it goes into receipt numbers) and the receipt series.
-- A receipt series belongs to an epoch, like the outbox: a restored database starts a new series
-- and so can never issue a number the lost copy may already have printed.
ALTER TABLE workstation ADD COLUMN counter_no INTEGER NOT NULL DEFAULT 1;
ALTER TABLE workstation ADD COLUMN next_receipt_seq INTEGER NOT NULL DEFAULT 1;

-- The workstation's Ed25519 key, which signs the QR code of every receipt.
CREATE TABLE signing_keys (
    key_id     TEXT PRIMARY KEY,
    secret     BLOB NOT NULL,
    public     BLOB NOT NULL,
    created_at TEXT NOT NULL
) WITHOUT ROWID;

-- Every tariff version this workstation has billed with or received; a version in force is never
-- changed (store::billing::record_tariffs refuses it).
CREATE TABLE tariff_versions (
    code           TEXT NOT NULL,
    effective_from TEXT NOT NULL,
    body           TEXT NOT NULL,
    sha256         TEXT NOT NULL,
    PRIMARY KEY (code, effective_from)
) WITHOUT ROWID;

CREATE TABLE readings (
    pk             INTEGER PRIMARY KEY,
    id             TEXT NOT NULL UNIQUE,
    customer_pk    INTEGER NOT NULL REFERENCES customers (pk),
    meter_number   TEXT NOT NULL,
    period         TEXT NOT NULL,
    previous_total INTEGER NOT NULL,
    total          INTEGER NOT NULL,
    peak           INTEGER,
    valley         INTEGER,
    reactive       INTEGER,
    max_demand_kw  INTEGER,
    multiplier     INTEGER NOT NULL,
    user_id        TEXT,
    recorded_at    TEXT NOT NULL,
    UNIQUE (meter_number, period)
);

CREATE TABLE bills (
    pk                    INTEGER PRIMARY KEY,
    id                    TEXT NOT NULL UNIQUE,
    customer_pk           INTEGER NOT NULL REFERENCES customers (pk),
    period                TEXT NOT NULL,
    source                TEXT NOT NULL,
    tariff_code           TEXT NOT NULL,
    tariff_effective_from TEXT NOT NULL,
    kwh                   INTEGER NOT NULL,
    amount_fen            INTEGER NOT NULL CHECK (amount_fen >= 0),
    paid_fen              INTEGER NOT NULL DEFAULT 0 CHECK (paid_fen >= 0 AND paid_fen <= amount_fen),
    due_date              TEXT NOT NULL,
    waived_through        TEXT,
    lines                 TEXT NOT NULL,
    reading_pk            INTEGER REFERENCES readings (pk),
    issued_at             TEXT NOT NULL,
    UNIQUE (customer_pk, period)
);
CREATE INDEX bills_unpaid ON bills (customer_pk, period) WHERE paid_fen < amount_fen;

-- Prepayment (预存) per customer; absent means zero.
CREATE TABLE balances (
    customer_pk INTEGER PRIMARY KEY REFERENCES customers (pk),
    prepaid_fen INTEGER NOT NULL CHECK (prepaid_fen >= 0)
);

-- A cash desk session (收费台): one clerk's float, takings and count. One open at a time.
CREATE TABLE desk_sessions (
    pk              INTEGER PRIMARY KEY,
    id              TEXT NOT NULL UNIQUE,
    clerk_id        TEXT NOT NULL REFERENCES users (id),
    business_date   TEXT NOT NULL,
    opened_at       TEXT NOT NULL,
    float_fen       INTEGER NOT NULL CHECK (float_fen >= 0),
    status          TEXT NOT NULL,
    closed_at       TEXT,
    count           TEXT,
    counted_cash_fen INTEGER,
    expected        TEXT,
    over_short_fen  INTEGER,
    confirmed_by    TEXT REFERENCES users (id)
);
CREATE UNIQUE INDEX desk_sessions_one_open ON desk_sessions (status) WHERE status = 'open';
CREATE INDEX desk_sessions_by_date ON desk_sessions (business_date);

CREATE TABLE desk_movements (
    pk          INTEGER PRIMARY KEY,
    session_pk  INTEGER NOT NULL REFERENCES desk_sessions (pk),
    direction   TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    amount_fen  INTEGER NOT NULL CHECK (amount_fen > 0),
    reason      TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    at          TEXT NOT NULL
);

-- Every receipt number ever issued, voided ones included: (epoch, seq) has no gaps.
CREATE TABLE receipts (
    epoch      INTEGER NOT NULL,
    seq        INTEGER NOT NULL,
    receipt_no TEXT NOT NULL UNIQUE,
    status     TEXT NOT NULL CHECK (status IN ('issued', 'voided')),
    issued_at  TEXT NOT NULL,
    PRIMARY KEY (epoch, seq)
) WITHOUT ROWID;

-- kind: 'payment' (收费), 'red_letter' (冲红, negative), 'refund' (预存退费, negative).
-- status: 'posted', 'reversed' (冲正, same day), 'corrected' (a red letter posted against it).
CREATE TABLE payments (
    pk                 INTEGER PRIMARY KEY,
    id                 TEXT NOT NULL UNIQUE,
    receipt_no         TEXT NOT NULL UNIQUE REFERENCES receipts (receipt_no),
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
CREATE INDEX payments_by_customer ON payments (customer_pk, pk);
CREATE INDEX payments_by_date ON payments (business_date);
CREATE INDEX payments_by_session ON payments (session_pk);

CREATE TABLE payment_tenders (
    payment_pk INTEGER NOT NULL REFERENCES payments (pk),
    position   INTEGER NOT NULL,
    kind       TEXT NOT NULL,
    amount_fen INTEGER NOT NULL,
    reference  TEXT,
    PRIMARY KEY (payment_pk, position)
) WITHOUT ROWID;

CREATE TABLE allocations (
    payment_pk    INTEGER NOT NULL REFERENCES payments (pk),
    bill_pk       INTEGER NOT NULL REFERENCES bills (pk),
    principal_fen INTEGER NOT NULL,
    late_fee_fen  INTEGER NOT NULL,
    late_days     INTEGER NOT NULL,
    PRIMARY KEY (payment_pk, bill_pk)
) WITHOUT ROWID;
CREATE INDEX allocations_by_bill ON allocations (bill_pk);

-- Prepayment a new bill consumed when it was issued.
CREATE TABLE prepayment_uses (
    bill_pk    INTEGER PRIMARY KEY REFERENCES bills (pk),
    amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
    at         TEXT NOT NULL
);

CREATE TABLE late_fee_waivers (
    pk             INTEGER PRIMARY KEY,
    bill_pk        INTEGER NOT NULL REFERENCES bills (pk),
    through_date   TEXT NOT NULL,
    reason         TEXT NOT NULL,
    approved_by    TEXT NOT NULL,
    user_id        TEXT NOT NULL,
    at             TEXT NOT NULL
);

CREATE TABLE day_closures (
    business_date  TEXT PRIMARY KEY,
    closed_at      TEXT NOT NULL,
    closed_by      TEXT NOT NULL,
    pending_events INTEGER NOT NULL
) WITHOUT ROWID;

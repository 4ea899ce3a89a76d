-- Arrears actions (store::arrears): the notices printed, the disconnections and the reconnections
-- they lead to.
CREATE TABLE arrears_notices (
    pk           INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    customer_pk  INTEGER NOT NULL REFERENCES customers (pk),
    kind         TEXT NOT NULL CHECK (kind IN ('payment', 'disconnection')),
    delivery     TEXT NOT NULL CHECK (delivery IN ('in_person', 'posted', 'sms')),
    -- What was owed overdue when it was printed, and the date a disconnection notice names.
    owed_fen     INTEGER NOT NULL,
    planned_date TEXT,
    sms_text     TEXT,
    printed_at   TEXT NOT NULL,
    printed_by   TEXT NOT NULL REFERENCES users (id),
    CHECK ((kind = 'disconnection') = (planned_date IS NOT NULL))
);
CREATE INDEX arrears_notices_by_customer ON arrears_notices (customer_pk, pk);

CREATE TABLE disconnections (
    pk            INTEGER PRIMARY KEY,
    id            TEXT NOT NULL UNIQUE,
    customer_pk   INTEGER NOT NULL REFERENCES customers (pk),
    notice_pk     INTEGER NOT NULL REFERENCES arrears_notices (pk),
    owed_fen      INTEGER NOT NULL,
    ordered_at    TEXT NOT NULL,
    ordered_by    TEXT NOT NULL REFERENCES users (id),
    -- Raised by the payment that cleared the arrears: restoration is due 24 hours after it.
    paid_at       TEXT,
    paid_receipt  TEXT,
    reconnect_due TEXT,
    reconnected_at TEXT,
    reconnected_by TEXT REFERENCES users (id),
    CHECK ((paid_at IS NULL) = (reconnect_due IS NULL))
);
-- At most one open disconnection per customer; the payment hook reads it by this index.
CREATE UNIQUE INDEX disconnections_open ON disconnections (customer_pk) WHERE reconnected_at IS NULL;
CREATE INDEX disconnections_to_reconnect ON disconnections (reconnect_due) WHERE reconnect_due IS NOT NULL AND reconnected_at IS NULL;

-- The aging reads every open bill with what it needs from this index alone, in customer order,
-- and each customer's class and area from the next one alone (not the wide customer rows).
CREATE INDEX bills_open_aging ON bills (customer_pk, due_date, period, amount_fen, paid_fen, waived_through) WHERE paid_fen < amount_fen;
CREATE INDEX customers_class_area ON customers (pk, class, supply_area);

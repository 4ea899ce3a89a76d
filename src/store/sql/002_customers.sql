-- `pk` is the local row key (it keys the side tables and the full-text index); `id` is the
-- record's identity everywhere else, head office included.
CREATE TABLE customers (
    pk              INTEGER PRIMARY KEY,
    id              TEXT NOT NULL UNIQUE,
    account         TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    class           TEXT NOT NULL,
    id_kind         TEXT NOT NULL,
    id_number       TEXT NOT NULL,
    address         TEXT NOT NULL,
    supply_area     TEXT NOT NULL,
    voltage         TEXT NOT NULL,
    capacity_kva    INTEGER NOT NULL,
    tariff_code     TEXT NOT NULL,
    payment_method  TEXT NOT NULL,
    credit_rating   TEXT NOT NULL,
    big_customer    INTEGER NOT NULL,
    account_manager TEXT,
    tags            TEXT NOT NULL,
    notes           TEXT NOT NULL,
    status          TEXT NOT NULL,
    version         INTEGER NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    closed_at       TEXT,
    close_reason    TEXT
);

CREATE TABLE customer_phones (
    customer_pk INTEGER NOT NULL REFERENCES customers (pk),
    position    INTEGER NOT NULL,
    phone       TEXT NOT NULL,
    digits      TEXT NOT NULL,
    PRIMARY KEY (customer_pk, position)
) WITHOUT ROWID;

CREATE TABLE meters (
    number      TEXT PRIMARY KEY,
    customer_pk INTEGER NOT NULL REFERENCES customers (pk),
    position    INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    multiplier  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX meters_by_customer ON meters (customer_pk);

CREATE TABLE customer_history (
    id             INTEGER PRIMARY KEY,
    customer_pk    INTEGER NOT NULL REFERENCES customers (pk),
    version        INTEGER NOT NULL,
    field          TEXT NOT NULL,
    old_value      TEXT NOT NULL,
    new_value      TEXT NOT NULL,
    user_id        TEXT,
    workstation_id TEXT NOT NULL,
    at             TEXT NOT NULL
);
CREATE INDEX customer_history_by_customer ON customer_history (customer_pk, id);

-- Head office's core schema, laid out for Citus from the start (see hq-server-schema.md):
-- every table that grows with traffic carries `outlet_code`, the distribution column, and every
-- primary, unique and foreign key between such tables includes it. Reference data (outlets,
-- tariffs, calendars, the global change log and its head) are plain tables that `migrate --citus`
-- turns into reference tables. No foreign key goes from a reference table to a distributed one.

-- Reference: the outlets and the areas (供电所 / 台区 groups) each serves.
CREATE TABLE outlets (
    code       text PRIMARY KEY,
    name       text NOT NULL,
    areas      text[] NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Reference: published tariff tables and calendar years (the TOML as published).
CREATE TABLE tariffs (
    version      text PRIMARY KEY,
    body         text NOT NULL,
    published_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE calendars (
    year         integer PRIMARY KEY,
    body         text NOT NULL,
    published_at timestamptz NOT NULL DEFAULT now()
);

-- Reference: the global change scope (tariffs, calendars). `head` is the last position given;
-- a writer takes the next positions by UPDATE … RETURNING in its own transaction, so the row lock
-- orders commits and no reader sees position n+1 before n.
CREATE TABLE global_head (
    id   integer PRIMARY KEY CHECK (id = 1),
    head bigint NOT NULL
);
INSERT INTO global_head VALUES (1, 0);

CREATE TABLE global_changes (
    pos        bigint PRIMARY KEY,
    kind       text NOT NULL,
    schema     integer NOT NULL,
    key        text NOT NULL,
    body       jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Distributed: one-time enrolment codes (only their SHA-256 is kept).
CREATE TABLE enrol_codes (
    outlet_code text NOT NULL,
    code_hash   text NOT NULL,
    counter_no  bigint NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    used_by     text,
    PRIMARY KEY (outlet_code, code_hash)
);

-- Distributed: enrolled workstations. The credential is `<outlet>.<workstation>.<secret>`; only
-- the secret's SHA-256 is kept.
CREATE TABLE workstations (
    outlet_code        text NOT NULL,
    workstation_id     text NOT NULL,
    counter_no         bigint NOT NULL,
    credential_hash    text NOT NULL,
    receipt_public_key text NOT NULL,
    hostname           text NOT NULL,
    app_version        text NOT NULL,
    enrolled_at        timestamptz NOT NULL DEFAULT now(),
    revoked_at         timestamptz,
    fenced             text,
    fenced_at          timestamptz,
    last_push_at       timestamptz,
    PRIMARY KEY (outlet_code, workstation_id)
);

-- Distributed: every event pushed, once per key, with its content hash.
CREATE TABLE events (
    outlet_code    text NOT NULL,
    workstation_id text NOT NULL,
    epoch          bigint NOT NULL,
    seq            bigint NOT NULL,
    kind           text NOT NULL,
    entity_id      text NOT NULL,
    payload        text NOT NULL,
    recorded_at    text NOT NULL,
    hash           text NOT NULL,
    received_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (outlet_code, workstation_id, epoch, seq)
);

-- Distributed: the head of each (workstation, epoch) series, kept with every push, so the state
-- and its gaps are read without scanning the events.
CREATE TABLE series (
    outlet_code    text NOT NULL,
    workstation_id text NOT NULL,
    epoch          bigint NOT NULL,
    highest        bigint NOT NULL,
    stored         bigint NOT NULL,
    PRIMARY KEY (outlet_code, workstation_id, epoch)
);

-- Distributed: events whose key was already stored with other content (a clone or a restore), or
-- that arrived under a regressed epoch. Kept for the operator, never applied.
CREATE TABLE quarantine (
    outlet_code    text NOT NULL,
    id             bigserial,
    workstation_id text NOT NULL,
    epoch          bigint NOT NULL,
    seq            bigint NOT NULL,
    kind           text NOT NULL,
    entity_id      text NOT NULL,
    payload        text NOT NULL,
    recorded_at    text NOT NULL,
    hash           text NOT NULL,
    stored_hash    text,
    reason         text NOT NULL,
    received_at    timestamptz NOT NULL DEFAULT now(),
    resolved_at    timestamptz,
    resolved_by    text,
    PRIMARY KEY (outlet_code, id)
);

-- Distributed: money as facts, one row per money event (payment.posted, payment.reversed,
-- payment.red_letter, prepayment.refunded), in fen. A reversal books the opposite amount.
CREATE TABLE ledger (
    outlet_code    text NOT NULL,
    workstation_id text NOT NULL,
    epoch          bigint NOT NULL,
    seq            bigint NOT NULL,
    kind           text NOT NULL,
    receipt_no     text NOT NULL,
    business_date  date NOT NULL,
    amount_fen     bigint NOT NULL,
    late           boolean NOT NULL DEFAULT false,
    PRIMARY KEY (outlet_code, workstation_id, epoch, seq)
);

-- Distributed: business days head office has seen a workstation close (day.closed; day.reopened
-- clears it). A payment for such a day arriving later (a restored machine) is late money.
CREATE TABLE closed_days (
    outlet_code    text NOT NULL,
    workstation_id text NOT NULL,
    business_date  date NOT NULL,
    closed_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (outlet_code, workstation_id, business_date)
);

-- Distributed: late money for review (a payment for a closed day or a superseded bill): stored,
-- counted in the ledger, acknowledged, and listed here.
CREATE TABLE late_money (
    outlet_code    text NOT NULL,
    workstation_id text NOT NULL,
    epoch          bigint NOT NULL,
    seq            bigint NOT NULL,
    receipt_no     text NOT NULL,
    reason         text NOT NULL,
    business_date  date NOT NULL,
    amount_fen     bigint NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    resolved_at    timestamptz,
    resolved_by    text,
    PRIMARY KEY (outlet_code, workstation_id, epoch, seq)
);

-- Distributed: each outlet's change scope (`outlet:<code>`): its head, locked and moved by the
-- writing transaction, and its log.
CREATE TABLE outlet_heads (
    outlet_code text PRIMARY KEY,
    head        bigint NOT NULL DEFAULT 0
);

CREATE TABLE outlet_changes (
    outlet_code text NOT NULL,
    pos         bigint NOT NULL,
    kind        text NOT NULL,
    schema      integer NOT NULL,
    key         text NOT NULL,
    body        jsonb NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (outlet_code, pos)
);

-- Distributed: the outlet's users as head office administers them.
CREATE TABLE users (
    outlet_code   text NOT NULL,
    id            text NOT NULL,
    username      text NOT NULL,
    display_name  text NOT NULL,
    role          text NOT NULL,
    password_hash text NOT NULL,
    active        boolean NOT NULL DEFAULT true,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (outlet_code, id),
    UNIQUE (outlet_code, username)
);

-- Distributed: customers as merged at head office (the merged record, hall_protocol::merge).
CREATE TABLE customers (
    outlet_code text NOT NULL,
    id          text NOT NULL,
    area        text NOT NULL,
    record      jsonb NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (outlet_code, id)
);

-- Distributed: the billing centre's bills, copied to every outlet that serves the bill's area (so
-- a pull never leaves the outlet's shard). A re-published bill with other content supersedes the
-- old one: `superseded_at` is set and the new content replaces it.
CREATE TABLE bills (
    outlet_code   text NOT NULL,
    id            text NOT NULL,
    area          text NOT NULL,
    record        jsonb NOT NULL,
    superseded_at timestamptz,
    published_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (outlet_code, id)
);

-- Distributed: values a merge overwrote (per field, last writer by HLC), for the reviewer. The
-- stamps are in their text form, which carries the workstation id.
CREATE TABLE customer_overwrites (
    outlet_code       text NOT NULL,
    id                bigserial,
    customer_id       text NOT NULL,
    field             text NOT NULL,
    kept_value        jsonb NOT NULL,
    kept_hlc          text NOT NULL,
    overwritten_value jsonb NOT NULL,
    overwritten_hlc   text NOT NULL,
    merged_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (outlet_code, id)
);

-- Distributed: field stamps that arrived too far ahead of head office's clock and were clamped.
CREATE TABLE customer_clamps (
    outlet_code    text NOT NULL,
    id             bigserial,
    customer_id    text NOT NULL,
    field          text NOT NULL,
    workstation_id text NOT NULL,
    arrived_hlc    text NOT NULL,
    clamped_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (outlet_code, id)
);

-- The workstation's identity and its event numbering. `epoch` grows whenever the database is
-- restored from a backup, so a restored or cloned workstation cannot reuse (workstation, epoch, seq).
CREATE TABLE workstation (
    singleton      INTEGER PRIMARY KEY CHECK (singleton = 1),
    workstation_id TEXT NOT NULL,
    outlet_code    TEXT NOT NULL,
    epoch          INTEGER NOT NULL,
    next_seq       INTEGER NOT NULL,
    created_at     TEXT NOT NULL
);

CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL
) WITHOUT ROWID;

-- Change events for head office, written in the same transaction as the rows they describe. Every
-- event here is this workstation's own, so its key (workstation_id, epoch, seq) is completed from
-- the `workstation` row when read; a plain rowid table suits the large payloads.
CREATE TABLE outbox (
    epoch       INTEGER NOT NULL,
    seq         INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    payload     TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    acked_at    TEXT,
    UNIQUE (epoch, seq)
);

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    active        INTEGER NOT NULL DEFAULT 1,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until  TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
) WITHOUT ROWID;

-- Only a hash of each session token is stored: a copied database file grants no session.
CREATE TABLE sessions (
    token_hash     TEXT PRIMARY KEY,
    user_id        TEXT NOT NULL REFERENCES users (id),
    created_at     TEXT NOT NULL,
    last_active_at TEXT NOT NULL,
    ended_at       TEXT
) WITHOUT ROWID;

-- Append-only; each row's hash covers its content and the previous row's hash.
CREATE TABLE audit_log (
    seq            INTEGER PRIMARY KEY,
    at             TEXT NOT NULL,
    workstation_id TEXT NOT NULL,
    user_id        TEXT,
    action         TEXT NOT NULL,
    entity         TEXT NOT NULL,
    detail         TEXT NOT NULL,
    prev_hash      TEXT NOT NULL,
    hash           TEXT NOT NULL
);

-- Sync with head office (issue 12): the enrolment, the pull cursor, the state of the background
-- task and the changes this build cannot apply yet.

-- One row once the workstation is enrolled (`hall enrol`, `sync.enrol`).
CREATE TABLE sync_enrolment (
    singleton   INTEGER PRIMARY KEY CHECK (singleton = 1),
    -- Head office's base URL, `https://…`.
    url         TEXT NOT NULL,
    -- The bearer credential, as issued. It is stored as it is, not hashed or wrapped, because it
    -- must be presented as it is on every request, and a key to unwrap it would sit in this same
    -- file (as the receipt-signing secret already does, which is worth more). A backup restored
    -- on a new machine must be able to sync again, which an OS keyring would not carry over.
    -- Head office keeps only its hash and can revoke it; a copied file is caught by the fence.
    credential  TEXT NOT NULL,
    -- A CA certificate (PEM) trusted in addition to the system's roots (a private head office).
    ca_pem      TEXT,
    outlet_name TEXT NOT NULL,
    -- The areas whose customers the outlet serves, JSON list of codes.
    areas       TEXT NOT NULL,
    enrolled_at TEXT NOT NULL
);

-- The sync task's state: one row.
CREATE TABLE sync_state (
    singleton        INTEGER PRIMARY KEY CHECK (singleton = 1),
    -- `hall_protocol::pull::Cursor` text: one position per scope, moved in the transaction that
    -- applies the page it ends.
    pull_cursor      TEXT NOT NULL DEFAULT '',
    -- The initial snapshot: the table it is on (NULL before it starts and once it is done), the
    -- key after which its next page starts, and the change cursor of its first page, which the
    -- pull follows from once the last table is done. Each page moves these in its transaction.
    snapshot_table   TEXT,
    snapshot_after   TEXT,
    snapshot_cursor  TEXT,
    snapshot_done_at TEXT,
    last_attempt_at  TEXT,
    last_success_at  TEXT,
    -- The last failure as a `UserMessage` (JSON), cleared by a success.
    last_error       TEXT,
    -- Failures in a row, for the backoff; and when the task tries next.
    failures         INTEGER NOT NULL DEFAULT 0 CHECK (failures >= 0),
    next_attempt_at  TEXT,
    -- Head office's reason when it fences this workstation (`clone_suspected`, `revoked`, …).
    fenced           TEXT
);
INSERT INTO sync_state (singleton) VALUES (1);

-- Pulled changes this build cannot apply: a kind or a schema version it does not know, or one
-- whose applier is not in this build yet. Kept as received and applied, oldest first, when the
-- workstation starts on a build that knows them (`store::replica::reapply_kept`); never dropped.
CREATE TABLE sync_kept_changes (
    pk          INTEGER PRIMARY KEY,
    scope       TEXT NOT NULL,
    pos         INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    schema      INTEGER NOT NULL,
    key         TEXT NOT NULL,
    body        TEXT NOT NULL,
    -- Why it was kept: `unknown_kind`, `newer_schema`, `awaiting_customer`.
    reason      TEXT NOT NULL,
    received_at TEXT NOT NULL
);

-- The head-office console's own tables: its operators and their sessions, and the operators'
-- decisions on what the sync put aside (quarantined events, late money, overwritten customer
-- values). They name the sync's rows by their keys, never by foreign keys, so that on Citus they
-- can be reference tables (operators) or follow their outlet (decisions), see head-office/citus/.

CREATE TABLE console_operator (
    username      text PRIMARY KEY,
    display_name  text NOT NULL,
    -- Argon2id, PHC string.
    password_hash text NOT NULL,
    active        boolean NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE console_session (
    -- SHA-256 of the bearer token (hex): a leaked table opens no session.
    token_hash  text PRIMARY KEY,
    username    text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    last_seen   timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL
);
CREATE INDEX console_session_username ON console_session (username);

-- An operator's decision on one quarantined event.
CREATE TABLE console_quarantine_resolution (
    outlet_code    text NOT NULL,
    quarantine_id  bigint NOT NULL,
    choice         text NOT NULL CHECK (choice IN ('accept_new', 'discard')),
    note           text NOT NULL DEFAULT '',
    resolved_by    text NOT NULL,
    resolved_at    timestamptz NOT NULL DEFAULT now(),
    unfenced       boolean NOT NULL,
    PRIMARY KEY (outlet_code, quarantine_id)
);

-- A late payment an operator has looked at.
CREATE TABLE console_late_money_review (
    outlet_code    text NOT NULL,
    workstation_id text NOT NULL,
    epoch          bigint NOT NULL,
    seq            bigint NOT NULL,
    note           text NOT NULL DEFAULT '',
    reviewed_by    text NOT NULL,
    reviewed_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (outlet_code, workstation_id, epoch, seq)
);

-- An overwritten customer value an operator has looked at.
CREATE TABLE console_conflict_review (
    outlet_code  text NOT NULL,
    conflict_id  bigint NOT NULL,
    note         text NOT NULL DEFAULT '',
    reviewed_by  text NOT NULL,
    reviewed_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (outlet_code, conflict_id)
);

-- A quarantined event an operator accepted ("accept the new one"): the later content under a key
-- already stored, kept beside the stored event as a fork-resolution record (the stored event is
-- never rewritten). Distributed by outlet like the events.
CREATE TABLE fork_resolution (
    outlet_code    text NOT NULL,
    workstation_id text NOT NULL,
    epoch          bigint NOT NULL,
    seq            bigint NOT NULL,
    kind           text NOT NULL,
    entity_id      text NOT NULL,
    payload        text NOT NULL,
    hash           text NOT NULL,
    recorded_at    text NOT NULL,
    quarantine_id  bigint NOT NULL,
    resolved_by    text NOT NULL,
    resolved_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (outlet_code, workstation_id, epoch, seq, hash)
);

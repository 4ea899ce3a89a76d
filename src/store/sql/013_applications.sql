-- Applications (业扩报装), their steps and their timeline. A first cut written with the API
-- contract; the apps-core branch owns it until it is merged.
CREATE TABLE applications (
    pk             INTEGER PRIMARY KEY,
    id             TEXT NOT NULL UNIQUE,
    number         TEXT NOT NULL UNIQUE,
    number_epoch   INTEGER NOT NULL,
    number_seq     INTEGER NOT NULL,
    kind           TEXT NOT NULL,
    state          TEXT NOT NULL,
    rules_version  TEXT NOT NULL,
    customer_pk    INTEGER REFERENCES customers (pk),
    draft          TEXT NOT NULL,
    accepted_at    TEXT NOT NULL,
    accepted_by    TEXT NOT NULL REFERENCES users (id),
    promised_date  TEXT NOT NULL,
    version        INTEGER NOT NULL,
    UNIQUE (number_epoch, number_seq)
);

CREATE TABLE application_steps (
    application_pk INTEGER NOT NULL REFERENCES applications (pk),
    position       INTEGER NOT NULL,
    kind           TEXT NOT NULL,
    owner          TEXT REFERENCES users (id),
    limit_days     INTEGER,
    started_at     TEXT,
    due_date       TEXT,
    finished_at    TEXT,
    PRIMARY KEY (application_pk, position)
) WITHOUT ROWID;

CREATE TABLE application_events (
    pk             INTEGER PRIMARY KEY,
    application_pk INTEGER NOT NULL REFERENCES applications (pk),
    at             TEXT NOT NULL,
    by_user        TEXT NOT NULL REFERENCES users (id),
    action         TEXT NOT NULL,
    step_position  INTEGER,
    note           TEXT NOT NULL DEFAULT ''
);
CREATE INDEX application_events_by_application ON application_events (application_pk, pk);

CREATE TABLE application_documents (
    application_pk INTEGER NOT NULL REFERENCES applications (pk),
    sha256         TEXT NOT NULL REFERENCES attachments (sha256),
    kind           TEXT NOT NULL,
    step_position  INTEGER,
    PRIMARY KEY (application_pk, sha256, kind)
) WITHOUT ROWID;

ALTER TABLE workstation ADD COLUMN next_application_seq INTEGER NOT NULL DEFAULT 1;

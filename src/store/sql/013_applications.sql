-- Applications (业扩报装), their steps, their timeline and their documents (store::applications).
CREATE TABLE applications (
    pk               INTEGER PRIMARY KEY,
    id               TEXT NOT NULL UNIQUE,
    -- YK<outlet>-<counter>-<epoch>-<seq>, from the workstation row in the intake's transaction.
    number           TEXT NOT NULL UNIQUE,
    number_epoch     INTEGER NOT NULL,
    number_seq       INTEGER NOT NULL,
    kind             TEXT NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('active', 'suspended', 'completed', 'withdrawn', 'rejected')),
    -- The effective date of the rules it was accepted under; kept when newer rules take effect.
    rules_version    TEXT NOT NULL,
    -- The existing customer, or for a new connection the customer it created at 装表接电.
    customer_pk      INTEGER REFERENCES customers (pk),
    applicant_name   TEXT NOT NULL,
    draft            TEXT NOT NULL,
    accepted_at      TEXT NOT NULL,
    accepted_by      TEXT NOT NULL REFERENCES users (id),
    promise_days     INTEGER NOT NULL,
    -- The total promise, moved on by suspensions.
    promised_date    TEXT NOT NULL,
    -- The open step, kept on the row so that the due lists read one index.
    current_position INTEGER,
    current_owner    TEXT REFERENCES users (id),
    current_due      TEXT,
    -- The earlier of the open step's due date and the total promise while the clock runs (state
    -- active); NULL while suspended and once ended. The due, overdue and at-risk lists are ranges
    -- of this column.
    deadline         TEXT,
    suspended_at     TEXT,
    finished_at      TEXT,
    version          INTEGER NOT NULL,
    UNIQUE (number_epoch, number_seq),
    CHECK ((state = 'active') = (deadline IS NOT NULL))
);
CREATE INDEX applications_by_deadline ON applications (deadline) WHERE deadline IS NOT NULL;
CREATE INDEX applications_by_owner_deadline ON applications (current_owner, deadline) WHERE deadline IS NOT NULL;
CREATE INDEX applications_by_customer ON applications (customer_pk, pk) WHERE customer_pk IS NOT NULL;
CREATE INDEX applications_by_state ON applications (state, pk);

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

-- A customer-file change made by an application names it in the history.
ALTER TABLE customer_history ADD COLUMN application_number TEXT;
-- 暂停 and its 恢复: supply suspended at the customer's request (the history shows when).
ALTER TABLE customers ADD COLUMN supply_suspended INTEGER NOT NULL DEFAULT 0 CHECK (supply_suspended IN (0, 1));

-- Service requests (客户服务工单) and their timeline (store::service).
CREATE TABLE service_requests (
    pk                INTEGER PRIMARY KEY,
    id                TEXT NOT NULL UNIQUE,
    -- GD<outlet>-<counter>-<epoch>-<seq>, from the workstation row in the intake's transaction.
    number            TEXT NOT NULL UNIQUE,
    number_epoch      INTEGER NOT NULL,
    number_seq        INTEGER NOT NULL,
    category          TEXT NOT NULL,
    complaint_class   TEXT,
    service_kind      TEXT,
    area_type         TEXT NOT NULL CHECK (area_type IN ('urban', 'rural', 'remote')),
    customer_pk       INTEGER REFERENCES customers (pk),
    caller_name       TEXT NOT NULL,
    caller_phone      TEXT NOT NULL,
    address           TEXT NOT NULL,
    content           TEXT NOT NULL,
    state             TEXT NOT NULL CHECK (state IN ('accepted', 'assigned', 'replied', 'reopened', 'closed')),
    -- The effective date of the deadlines it was accepted under; kept when newer ones take effect.
    rules_version     TEXT NOT NULL,
    accepted_at       TEXT NOT NULL,
    accepted_by       TEXT NOT NULL REFERENCES users (id),
    assignee          TEXT REFERENCES users (id),
    -- Each milestone's due instant (NULL: none applies) and when it was met.
    arrival_due       TEXT,
    arrived_at        TEXT,
    restore_due       TEXT,
    restored_at       TEXT,
    contact_due       TEXT,
    contacted_at      TEXT,
    reply_due         TEXT,
    replied_at        TEXT,
    reply             TEXT,
    -- Callbacks since the last reply: calls that reached no one, and the satisfaction recorded.
    unreachable_tries INTEGER NOT NULL DEFAULT 0,
    satisfaction      TEXT CHECK (satisfaction IN ('satisfied', 'fairly_satisfied')),
    closed_at         TEXT,
    -- The earliest due instant of a milestone not yet met while the request is open; NULL once
    -- every deadline is met and once closed. The due-soon and overdue lists are ranges of it.
    next_due          TEXT,
    version           INTEGER NOT NULL,
    UNIQUE (number_epoch, number_seq),
    CHECK (state <> 'closed' OR next_due IS NULL)
);
CREATE INDEX service_requests_by_next_due ON service_requests (next_due) WHERE next_due IS NOT NULL;
CREATE INDEX service_requests_by_assignee_due ON service_requests (assignee, next_due) WHERE next_due IS NOT NULL;
CREATE INDEX service_requests_by_state ON service_requests (state, pk);
CREATE INDEX service_requests_by_customer ON service_requests (customer_pk, pk) WHERE customer_pk IS NOT NULL;

CREATE TABLE service_events (
    pk         INTEGER PRIMARY KEY,
    request_pk INTEGER NOT NULL REFERENCES service_requests (pk),
    at         TEXT NOT NULL,
    by_user    TEXT NOT NULL REFERENCES users (id),
    action     TEXT NOT NULL,
    -- A callback's outcome (satisfied, fairly_satisfied, unsatisfied, unreachable).
    outcome    TEXT,
    note       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX service_events_by_request ON service_events (request_pk, pk);

ALTER TABLE workstation ADD COLUMN next_request_seq INTEGER NOT NULL DEFAULT 1;

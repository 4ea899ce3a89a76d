-- 95598 tickets (SPEC §6): a work order the centre took and head office dispatched arrives
-- through sync and becomes a request accepted by no user here, with the centre's number beside
-- ours. `accepted_by` and a timeline row's `by_user` may now be NULL (the system), which SQLite
-- lets a column become only by rebuilding its table (foreign keys are off while migrations run).

CREATE TABLE service_requests_v19 (
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
    -- NULL for a 95598 ticket head office dispatched (the centre took the call).
    accepted_by       TEXT REFERENCES users (id),
    -- The 95598 centre's work-order number of a dispatched ticket.
    ticket_no         TEXT UNIQUE,
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
INSERT INTO service_requests_v19 (pk, id, number, number_epoch, number_seq, category, complaint_class, service_kind, area_type, customer_pk, caller_name, caller_phone, address, content, state, rules_version, accepted_at, accepted_by, assignee, arrival_due, arrived_at, restore_due, restored_at, contact_due, contacted_at, reply_due, replied_at, reply, unreachable_tries, satisfaction, closed_at, next_due, version)
SELECT pk, id, number, number_epoch, number_seq, category, complaint_class, service_kind, area_type, customer_pk, caller_name, caller_phone, address, content, state, rules_version, accepted_at, accepted_by, assignee, arrival_due, arrived_at, restore_due, restored_at, contact_due, contacted_at, reply_due, replied_at, reply, unreachable_tries, satisfaction, closed_at, next_due, version FROM service_requests;

CREATE TABLE service_events_v19 (
    pk         INTEGER PRIMARY KEY,
    request_pk INTEGER NOT NULL REFERENCES service_requests (pk),
    at         TEXT NOT NULL,
    -- NULL for the system (a ticket's dispatch by head office).
    by_user    TEXT REFERENCES users (id),
    action     TEXT NOT NULL,
    -- A callback's outcome (satisfied, fairly_satisfied, unsatisfied, unreachable).
    outcome    TEXT,
    note       TEXT NOT NULL DEFAULT ''
);
INSERT INTO service_events_v19 (pk, request_pk, at, by_user, action, outcome, note)
SELECT pk, request_pk, at, by_user, action, outcome, note FROM service_events;

DROP TABLE service_events;
DROP TABLE service_requests;
ALTER TABLE service_requests_v19 RENAME TO service_requests;
ALTER TABLE service_events_v19 RENAME TO service_events;

CREATE INDEX service_requests_by_next_due ON service_requests (next_due) WHERE next_due IS NOT NULL;
CREATE INDEX service_requests_by_assignee_due ON service_requests (assignee, next_due) WHERE next_due IS NOT NULL;
CREATE INDEX service_requests_by_state ON service_requests (state, pk);
CREATE INDEX service_requests_by_customer ON service_requests (customer_pk, pk) WHERE customer_pk IS NOT NULL;
CREATE INDEX service_events_by_request ON service_events (request_pk, pk);

-- Safety inspections (store::inspections): each visit with its checklist, and the defects found,
-- each with its rectification deadline and the follow-up visits until it is put right.
CREATE TABLE inspections (
    pk           INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    customer_pk  INTEGER NOT NULL REFERENCES customers (pk),
    inspected_on TEXT NOT NULL,
    inspector    TEXT NOT NULL REFERENCES users (id),
    -- The checklist as recorded: [{item, ok, defect}].
    findings     TEXT NOT NULL,
    notes        TEXT NOT NULL DEFAULT '',
    recorded_at  TEXT NOT NULL
);
CREATE INDEX inspections_by_customer ON inspections (customer_pk, inspected_on);

CREATE TABLE defects (
    pk            INTEGER PRIMARY KEY,
    id            TEXT NOT NULL UNIQUE,
    inspection_pk INTEGER NOT NULL REFERENCES inspections (pk),
    customer_pk   INTEGER NOT NULL REFERENCES customers (pk),
    item          TEXT NOT NULL,
    description   TEXT NOT NULL,
    deadline      TEXT NOT NULL,
    -- Set by the follow-up visit that found it put right; NULL while open.
    closed_on     TEXT
);
CREATE INDEX defects_open_by_deadline ON defects (deadline) WHERE closed_on IS NULL;

CREATE TABLE defect_visits (
    pk         INTEGER PRIMARY KEY,
    defect_pk  INTEGER NOT NULL REFERENCES defects (pk),
    visited_on TEXT NOT NULL,
    by_user    TEXT NOT NULL REFERENCES users (id),
    rectified  INTEGER NOT NULL CHECK (rectified IN (0, 1)),
    note       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX defects_by_inspection ON defects (inspection_pk);
CREATE INDEX defects_open_by_customer ON defects (customer_pk) WHERE closed_on IS NULL;
CREATE INDEX defect_visits_by_defect ON defect_visits (defect_pk);

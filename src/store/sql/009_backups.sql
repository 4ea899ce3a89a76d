-- Every backup attempt, automatic or asked for: when, where, how large, or why it failed in words
-- the settings screen shows.
CREATE TABLE backup_runs (
    id          INTEGER PRIMARY KEY,
    started_at  TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    trigger     TEXT NOT NULL CHECK (trigger IN ('auto', 'manual')),
    file        TEXT,
    bytes       INTEGER,
    error_code  TEXT,
    error_zh    TEXT,
    error_en    TEXT,
    CHECK ((file IS NULL) = (error_code IS NOT NULL))
);

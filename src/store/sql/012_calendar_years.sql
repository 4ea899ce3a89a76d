-- Working-day calendars for years published after this build (by head office, or from a file the
-- operator loads). The years shipped in assets/calendar/ are not stored; a year stored here
-- replaces the shipped one.
CREATE TABLE calendar_years (
    year      INTEGER PRIMARY KEY,
    -- The published table as loaded (TOML, the format of assets/calendar/).
    body      TEXT NOT NULL,
    source    TEXT NOT NULL CHECK (source IN ('file', 'head_office')),
    loaded_at TEXT NOT NULL,
    loaded_by TEXT REFERENCES users (id)
);

-- A password set by an administrator (a new user's first one, or a reset) must be replaced by the
-- user before anything else.
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;

-- When the user locked the screen themselves (the top bar's lock button); NULL when not so
-- locked. Idleness is computed from last_active_at and needs no column.
ALTER TABLE sessions ADD COLUMN locked_at TEXT;

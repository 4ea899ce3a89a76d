-- Files kept with business records (a scanned ID, a property certificate, a business licence,
-- drawings). The bytes live under the app-data directory, named by their SHA-256, so the same
-- scan attached twice is stored once; this table says what each file is. Nothing here is tied to
-- one kind of record: applications, service requests and inspections link to it.
CREATE TABLE attachments (
    sha256     TEXT PRIMARY KEY CHECK (length(sha256) = 64),
    -- Read from the file's bytes, never from its name.
    mime       TEXT NOT NULL CHECK (mime IN ('application/pdf', 'image/jpeg', 'image/png')),
    size_bytes INTEGER NOT NULL CHECK (size_bytes > 0),
    -- A PDF's pages (the UI draws the first); NULL for an image.
    page_count INTEGER CHECK ((mime = 'application/pdf') = (page_count IS NOT NULL) AND (page_count IS NULL OR page_count > 0)),
    -- The name it was first added under, for display only.
    file_name  TEXT NOT NULL,
    added_at   TEXT NOT NULL,
    added_by   TEXT REFERENCES users (id)
) WITHOUT ROWID;

-- Per-field clocks of customer records, for the merge of edits made at different places
-- (hall_protocol::merge; store::customer_clocks).
--
-- A customer's fields carry the hybrid-logical-clock stamp of the edit that last set them. Most
-- fields of most customers were set by one write (a create, an import), so the row holds one stamp
-- for the whole record, as integers (`hlc_node` NULL means this workstation, the common case: an
-- import of a million customers adds a few bytes per row and no rows elsewhere), and `field_hlcs`
-- holds only the fields set later, as a JSON object {field: "MMMMMMMMMMMMM-CCCCCC-node"} (NULL
-- while there are none). A row written before this migration has `hlc_ms` 0: its stamp is its
-- `updated_at` here, counter 0.
ALTER TABLE customers ADD COLUMN hlc_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE customers ADD COLUMN hlc_counter INTEGER NOT NULL DEFAULT 0;
ALTER TABLE customers ADD COLUMN hlc_node TEXT;
ALTER TABLE customers ADD COLUMN field_hlcs TEXT;

-- The workstation's clock: the last stamp it issued or observed, kept with the data it stamped
-- (in the same transactions), so that a restart never goes back. It starts after every record
-- already written here.
ALTER TABLE workstation ADD COLUMN hlc_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE workstation ADD COLUMN hlc_counter INTEGER NOT NULL DEFAULT 0;
UPDATE workstation SET hlc_ms = coalesce(
    (SELECT CAST(round((julianday(max(updated_at)) - 2440587.5) * 86400000) AS INTEGER) FROM customers), 0);

-- A history row written by a merge: the stamp of the edit made elsewhere that won the field (its
-- workstation is the row's workstation_id); NULL for edits made here.
ALTER TABLE customer_history ADD COLUMN merged_hlc TEXT;

-- Search keys that a bulk import builds in less time:
-- - a phone is found by its whole number or by its last four digits; both are now one index, on
--   the digits kept last-first (the whole number is an equality on it, the tail a prefix), where
--   there were two (the digits, and an expression index on their last four);
-- - the full-text tables buffer 64 MiB of new postings before writing a segment (FTS5's default
--   is 1 MiB): an import of a million addresses writes and merges far fewer, smaller segments. A
--   clerk's single edit flushes at its commit as before.
DROP INDEX phones_by_digits;
DROP INDEX phones_by_tail;
ALTER TABLE customer_phones ADD COLUMN digits_reversed TEXT NOT NULL DEFAULT '';
UPDATE customer_phones SET digits_reversed = hall_phone_key(phone);
ALTER TABLE customer_phones DROP COLUMN digits;
CREATE INDEX phones_by_reversed_digits ON customer_phones (digits_reversed);

INSERT INTO customer_name_text (customer_name_text, rank) VALUES ('hashsize', 67108864);
INSERT INTO customer_address_text (customer_address_text, rank) VALUES ('hashsize', 67108864);

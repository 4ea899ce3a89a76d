-- Search keys (SPEC §2). Name and address fragments go through a full-text index whose tokens are
-- overlapping character pairs, so a fragment of two or more characters (a two-character name
-- included) is a phrase of short posting lists; pinyin keys and phone tails are plain indexed
-- columns searched by prefix or equality.
ALTER TABLE customers ADD COLUMN name_initials TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN name_pinyin TEXT NOT NULL DEFAULT '';
UPDATE customers SET name_initials = hall_initials(name), name_pinyin = hall_pinyin(name);

CREATE INDEX customers_by_name ON customers (name);
CREATE INDEX customers_by_initials ON customers (name_initials);
CREATE INDEX customers_by_pinyin ON customers (name_pinyin);
CREATE INDEX customers_by_id_number ON customers (id_number);
CREATE INDEX phones_by_digits ON customer_phones (digits);
CREATE INDEX phones_by_tail ON customer_phones (substr(digits, -4));

-- One table per field: in a shared table a name query would walk the posting lists of address
-- pairs too (金华 the name, 金华市 in tens of thousands of addresses).
CREATE VIRTUAL TABLE customer_name_text USING fts5 (
    name, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 0'
);
CREATE VIRTUAL TABLE customer_address_text USING fts5 (
    address, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 0'
);
INSERT INTO customer_name_text (rowid, name) SELECT pk, hall_text_tokens(name) FROM customers;
INSERT INTO customer_address_text (rowid, address) SELECT pk, hall_text_tokens(address) FROM customers;

-- Pinyin keys read with the surname table (assets/surnames.tsv: compound surnames first, then
-- single surnames with a reading of their own, 单 shan, 曾 zeng …) and with ü and v both written u
-- (吕 is found by lv and lu). Keys written before were read with each character's common reading.
-- hall_initials and hall_pinyin are the Rust functions every connection registers
-- (store::register_functions); only the rows whose keys change are rewritten.
UPDATE customers SET name_initials = hall_initials(name), name_pinyin = hall_pinyin(name)
WHERE name_initials <> hall_initials(name) OR name_pinyin <> hall_pinyin(name);

-- orgca schema, version 20 (sqlite): search words read again. Keep in step with the PostgreSQL file.
-- The search words are read again: a word is kept to its letters and digits after it is
-- lower-cased ("İnci" was "i" and a combining dot, "inci" now). The words of every
-- certificate are written again, and the people's keys, by the migration's code.
DELETE FROM certificate_words;

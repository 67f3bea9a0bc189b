-- Duplicates (issue 15 item 2): each lookup row carries `near`, the dHash of the framing whose pHash band its
-- key is (domain.duplicates.key_rows), and a lookup keeps only rows within PREFILTER_DHASH bits of its own
-- (dup_near, registered on every connection): random 16-bit band collisions (1 photo in 1,000) stop at the
-- index. The rows of photos stored before are filled here from their fingerprint (dup_prints.fp, the text of
-- Fingerprint.to_text: pixels(32) "|" phash(16) ":" dhash(16) "|" then three "phash:dhash" crops, 34 characters
-- apart); a key of band i ("b" i value) takes the dHash of the first framing whose band i is its value. A row
-- left NULL (none matched) meets every probe, as before.
ALTER TABLE dup_keys ADD COLUMN near TEXT;
UPDATE dup_keys SET near = (
    SELECT CASE
        WHEN substr(p.fp, 34 + 4 * CAST(substr(dup_keys.key, 2, 1) AS INTEGER), 4) = substr(dup_keys.key, 3)
            THEN substr(p.fp, 51, 16)
        WHEN substr(p.fp, 84, 1) = ':'
             AND substr(p.fp, 68 + 4 * CAST(substr(dup_keys.key, 2, 1) AS INTEGER), 4) = substr(dup_keys.key, 3)
            THEN substr(p.fp, 85, 16)
        WHEN substr(p.fp, 118, 1) = ':'
             AND substr(p.fp, 102 + 4 * CAST(substr(dup_keys.key, 2, 1) AS INTEGER), 4) = substr(dup_keys.key, 3)
            THEN substr(p.fp, 119, 16)
        WHEN substr(p.fp, 152, 1) = ':'
             AND substr(p.fp, 136 + 4 * CAST(substr(dup_keys.key, 2, 1) AS INTEGER), 4) = substr(dup_keys.key, 3)
            THEN substr(p.fp, 153, 16)
    END
    FROM dup_prints p WHERE p.photo_id = dup_keys.photo_id)
WHERE key LIKE 'b%';

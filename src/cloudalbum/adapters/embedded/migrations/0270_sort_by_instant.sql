-- Time that means something (issue 16 item 1): the list order key (sort_key) becomes the UTC instant of taken_at
-- (domain.times.instant_key), so a "+02:00" photo and a "Z" photo compare as the moments they are. Only times
-- that carry an offset change ("Z", "+HH:MM" or "+HHMM"); a naive time is read as UTC and keeps its key, and so
-- do partial dates and photos without taken_at (their uploaded_at is UTC already). strftime() understands
-- "[+-]HH:MM" and "Z" and converts to UTC; "+HHMM" gets its colon first.
CREATE TEMP TABLE instant_keys AS
SELECT id, strftime('%Y-%m-%dT%H:%M:%S',
                    CASE WHEN taken_at GLOB '*[+-][0-9][0-9][0-9][0-9]'
                         THEN substr(taken_at, 1, length(taken_at) - 2) || ':' || substr(taken_at, -2)
                         ELSE taken_at END) AS key
FROM photos
WHERE length(taken_at) > 10
  AND (taken_at GLOB '*Z' OR taken_at GLOB '*[+-][0-9][0-9]:[0-9][0-9]'
       OR taken_at GLOB '*[0-9]:[0-9][0-9]*[+-][0-9][0-9][0-9][0-9]');
DELETE FROM instant_keys WHERE key IS NULL OR key = (SELECT sort_key FROM photos p WHERE p.id = instant_keys.id);
UPDATE photos SET sort_key = (SELECT key FROM instant_keys k WHERE k.id = photos.id)
WHERE id IN (SELECT id FROM instant_keys);
UPDATE search_doc SET sort_key = (SELECT key FROM instant_keys k WHERE k.id = search_doc.photo_id)
WHERE photo_id IN (SELECT id FROM instant_keys);
UPDATE search_label SET sort_key = (SELECT key FROM instant_keys k WHERE k.id = search_label.photo_id)
WHERE photo_id IN (SELECT id FROM instant_keys);
UPDATE search_term SET sort_key = (SELECT key FROM instant_keys k WHERE k.id = search_term.photo_id)
WHERE photo_id IN (SELECT id FROM instant_keys);
UPDATE album_photos SET sort_key = (SELECT key FROM instant_keys k WHERE k.id = album_photos.photo_id)
WHERE photo_id IN (SELECT id FROM instant_keys);
DROP TABLE instant_keys;

-- Inferred places (issue 16 item 2): each search_doc row says whether its photo's place can place others
-- ('anchor': GPS, a track or the user) or may be inferred ('open': none yet, or an inferred one), from
-- domain.places.place_role. Each role has a partial index by instant, so "the owner's nearest anchor before T"
-- and "the owner's open photos between T1 and T2" read a few index entries, never the library.
ALTER TABLE search_doc ADD COLUMN place_role TEXT;

UPDATE search_doc SET place_role = (
    SELECT CASE
        WHEN search_doc.taken_ts IS NULL THEN NULL
        WHEN json_extract(p.doc, '$.location') IS NOT NULL
             AND (json_extract(p.doc, '$.location.source') IN ('exif', 'user', 'track')
                  OR EXISTS (SELECT 1 FROM json_each(p.doc, '$.user_fields') WHERE value = 'location'))
            THEN 'anchor'
        WHEN NOT EXISTS (SELECT 1 FROM json_each(p.doc, '$.user_fields') WHERE value = 'location')
             AND (json_extract(p.doc, '$.location') IS NULL OR json_extract(p.doc, '$.location.source') = 'inferred')
             AND p.status IN ('done', 'needs_input', 'failed')
            THEN 'open'
    END
    FROM photos p WHERE p.id = search_doc.photo_id);

CREATE INDEX search_doc_owner_anchor ON search_doc (owner_id, taken_ts, photo_id) WHERE place_role = 'anchor';
CREATE INDEX search_doc_owner_open ON search_doc (owner_id, taken_ts, photo_id) WHERE place_role = 'open';

-- The account's time zone (PATCH /api/me/settings "timezone", IANA): a GPS track's default for photo times
-- without a UTC offset.
ALTER TABLE users ADD COLUMN timezone TEXT;

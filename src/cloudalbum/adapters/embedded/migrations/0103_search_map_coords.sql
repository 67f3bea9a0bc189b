-- GeoJSON coordinates "[lon,lat]" as exact JSON text (written by the index, shortest round-trip floats), so
-- the map's features are assembled by SQLite from the covering index alone.
ALTER TABLE search_doc ADD COLUMN coords TEXT;
UPDATE search_doc SET coords = '[' || lon || ',' || lat || ']' WHERE lat IS NOT NULL;
DROP INDEX IF EXISTS search_doc_owner_sort;
CREATE INDEX search_doc_owner_sort ON search_doc (owner_id, sort_key DESC, photo_id DESC, lat, lon, taken_day, status,
                                                  taken_at, label_names, coords);

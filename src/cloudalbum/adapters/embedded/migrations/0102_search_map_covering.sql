-- The owner's photos in list order, covering what map markers and the cheap filters read (position, day,
-- status, label names): a map of 10,000 points and a date-range walk never touch the table rows.
-- The day index is no longer used: a date range is a sort_key range of this index.
DROP INDEX IF EXISTS search_doc_owner_day;
DROP INDEX IF EXISTS search_doc_owner_sort;
CREATE INDEX search_doc_owner_sort ON search_doc (owner_id, sort_key DESC, photo_id DESC, lat, lon, taken_day, status,
                                                  taken_at, label_names);

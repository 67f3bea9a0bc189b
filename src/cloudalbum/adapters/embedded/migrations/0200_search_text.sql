-- Text in photos (issue 17): free text gains a "text" column (the words read in the photo). FTS5 cannot add a
-- column: the table is rebuilt with the existing rows copied (no photo had text read before this migration).
-- text= (whole words) uses search_term rows of kind 'text' (folded, unstemmed words): no schema change there.
DROP TRIGGER search_doc_cleanup;
ALTER TABLE search_fts RENAME TO search_fts_0130;
CREATE VIRTUAL TABLE search_fts USING fts5 (
    labels, categories, place, camera, title, description, answers, date, people, text,
    tokenize = 'unicode61', prefix = '2 3 4'
);
INSERT INTO search_fts (rowid, labels, categories, place, camera, title, description, answers, date, people, text)
    SELECT rowid, labels, categories, place, camera, title, description, answers, date, people, ''
    FROM search_fts_0130;
DROP TABLE search_fts_0130;
CREATE TRIGGER search_doc_cleanup AFTER DELETE ON search_doc BEGIN
    DELETE FROM search_fts WHERE rowid = old.docid;
    DELETE FROM search_geo WHERE docid = old.docid;
END;

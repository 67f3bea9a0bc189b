-- Timeline (issue 16): photos per owner and month of their local taken day, kept by triggers on search_doc in
-- the photo write's own transaction, so GET /api/timeline reads one short primary-key range (a row per month)
-- however large the library. month is "YYYY-MM", or '' for photos without a taken date.
CREATE TABLE search_month (
    owner_id TEXT NOT NULL,
    month    TEXT NOT NULL,
    count    INTEGER NOT NULL,
    PRIMARY KEY (owner_id, month)
) WITHOUT ROWID;

INSERT INTO search_month (owner_id, month, count)
    SELECT owner_id, COALESCE(substr(taken_day, 1, 7), ''), COUNT(*) FROM search_doc GROUP BY 1, 2;

CREATE TRIGGER search_month_add AFTER INSERT ON search_doc BEGIN
    INSERT INTO search_month (owner_id, month, count)
        VALUES (new.owner_id, COALESCE(substr(new.taken_day, 1, 7), ''), 1)
        ON CONFLICT (owner_id, month) DO UPDATE SET count = count + 1;
END;

CREATE TRIGGER search_month_remove AFTER DELETE ON search_doc BEGIN
    UPDATE search_month SET count = count - 1
        WHERE owner_id = old.owner_id AND month = COALESCE(substr(old.taken_day, 1, 7), '');
    DELETE FROM search_month
        WHERE owner_id = old.owner_id AND month = COALESCE(substr(old.taken_day, 1, 7), '') AND count <= 0;
END;

CREATE TRIGGER search_month_move AFTER UPDATE OF owner_id, taken_day ON search_doc BEGIN
    UPDATE search_month SET count = count - 1
        WHERE owner_id = old.owner_id AND month = COALESCE(substr(old.taken_day, 1, 7), '');
    DELETE FROM search_month
        WHERE owner_id = old.owner_id AND month = COALESCE(substr(old.taken_day, 1, 7), '') AND count <= 0;
    INSERT INTO search_month (owner_id, month, count)
        VALUES (new.owner_id, COALESCE(substr(new.taken_day, 1, 7), ''), 1)
        ON CONFLICT (owner_id, month) DO UPDATE SET count = count + 1;
END;

-- Memories ("on this day"): an owner's photos by month and day of their local taken day, any year.
CREATE INDEX search_doc_owner_monthday ON search_doc (owner_id, substr(taken_day, 6, 5), taken_day);

-- The gallery's last section (search undated=true): the owner's photos without a taken day, in list order.
CREATE INDEX search_doc_owner_undated ON search_doc (owner_id, sort_key DESC, photo_id DESC) WHERE taken_day IS NULL;

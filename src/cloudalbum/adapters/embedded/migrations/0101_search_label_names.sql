-- Map markers read label names straight from the index: a JSON array of the visible labels' names.
ALTER TABLE search_doc ADD COLUMN label_names TEXT NOT NULL DEFAULT '[]';
UPDATE search_doc SET label_names = (SELECT json_group_array(json_extract(value, '$[0]')) FROM json_each(labels));

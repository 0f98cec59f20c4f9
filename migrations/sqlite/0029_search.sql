-- Gallery search (issue 18): a trigram index over each image's title and
-- tags, so "piece 01" finds "Piece 0142" without reading every title.
--
-- `image_search` holds one row per image: its title and its tags joined by
-- a line break (no title or tag holds one, so a phrase never spans two
-- tags). Its INTEGER PRIMARY KEY gives the FTS5 index a rowid that VACUUM
-- keeps. `image_search_fts` indexes it (external content: the text is
-- stored once, here). Both are derived: triggers keep them in step with
-- `images` and `image_tags`, so no archive carries them (see the archive
-- catalogue's NEVER): an import, restore or copy inserts images and tags,
-- and the triggers index them.

CREATE TABLE image_search (
    id           INTEGER PRIMARY KEY,
    workspace_id BLOB NOT NULL,
    image_id     BLOB NOT NULL,
    title        TEXT NOT NULL,
    tags         TEXT NOT NULL DEFAULT '',
    UNIQUE (workspace_id, image_id)
);

-- The trigram tokenizer matches any substring of 3+ characters, folding
-- case (Unicode, not only ASCII).
CREATE VIRTUAL TABLE image_search_fts USING fts5(
    title, tags, content = 'image_search', content_rowid = 'id', tokenize = 'trigram'
);

-- The index follows image_search.
CREATE TRIGGER image_search_indexed AFTER INSERT ON image_search BEGIN
    INSERT INTO image_search_fts (rowid, title, tags) VALUES (new.id, new.title, new.tags);
END;
CREATE TRIGGER image_search_unindexed AFTER DELETE ON image_search BEGIN
    INSERT INTO image_search_fts (image_search_fts, rowid, title, tags) VALUES ('delete', old.id, old.title, old.tags);
END;
CREATE TRIGGER image_search_reindexed AFTER UPDATE ON image_search BEGIN
    INSERT INTO image_search_fts (image_search_fts, rowid, title, tags) VALUES ('delete', old.id, old.title, old.tags);
    INSERT INTO image_search_fts (rowid, title, tags) VALUES (new.id, new.title, new.tags);
END;

-- image_search follows images (a trigger, not a foreign key, so it holds
-- even on a connection without foreign_keys).
CREATE TRIGGER images_searchable AFTER INSERT ON images BEGIN
    INSERT INTO image_search (workspace_id, image_id, title, tags)
    VALUES (new.workspace_id, new.id, new.title,
            COALESCE((SELECT group_concat(tag, char(10)) FROM image_tags
                      WHERE workspace_id = new.workspace_id AND image_id = new.id), ''));
END;
CREATE TRIGGER images_search_retitled AFTER UPDATE OF title ON images WHEN new.title IS NOT old.title BEGIN
    UPDATE image_search SET title = new.title WHERE workspace_id = new.workspace_id AND image_id = new.id;
END;
CREATE TRIGGER images_search_deleted AFTER DELETE ON images BEGIN
    DELETE FROM image_search WHERE workspace_id = old.workspace_id AND image_id = old.id;
END;

-- ...and image_tags: the image's tags are joined again on every change.
CREATE TRIGGER image_tags_search_added AFTER INSERT ON image_tags BEGIN
    UPDATE image_search
    SET tags = COALESCE((SELECT group_concat(tag, char(10)) FROM image_tags
                         WHERE workspace_id = new.workspace_id AND image_id = new.image_id), '')
    WHERE workspace_id = new.workspace_id AND image_id = new.image_id;
END;
CREATE TRIGGER image_tags_search_removed AFTER DELETE ON image_tags BEGIN
    UPDATE image_search
    SET tags = COALESCE((SELECT group_concat(tag, char(10)) FROM image_tags
                         WHERE workspace_id = old.workspace_id AND image_id = old.image_id), '')
    WHERE workspace_id = old.workspace_id AND image_id = old.image_id;
END;
CREATE TRIGGER image_tags_search_changed AFTER UPDATE ON image_tags BEGIN
    UPDATE image_search
    SET tags = COALESCE((SELECT group_concat(tag, char(10)) FROM image_tags
                         WHERE workspace_id = old.workspace_id AND image_id = old.image_id), '')
    WHERE workspace_id = old.workspace_id AND image_id = old.image_id;
    UPDATE image_search
    SET tags = COALESCE((SELECT group_concat(tag, char(10)) FROM image_tags
                         WHERE workspace_id = new.workspace_id AND image_id = new.image_id), '')
    WHERE workspace_id = new.workspace_id AND image_id = new.image_id;
END;

-- The images already there.
INSERT INTO image_search (workspace_id, image_id, title, tags)
SELECT i.workspace_id, i.id, i.title,
       COALESCE((SELECT group_concat(t.tag, char(10)) FROM image_tags t
                 WHERE t.workspace_id = i.workspace_id AND t.image_id = i.id), '')
FROM images i;

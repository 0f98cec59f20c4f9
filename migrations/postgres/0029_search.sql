-- Gallery search (issue 18): an index of every suffix of each image's
-- (lowercased) title and of each tag, so a substring search is a range
-- scan: "piece 01" is a substring of "piece 0142" because it begins one of
-- its suffixes.
--
-- Why not pg_trgm: its GIN index serves LIKE, and LIKE is not LEAKPROOF,
-- so on a table with forced row-level security PostgreSQL will not use an
-- index for it (the policy must run first); every search would still read
-- every title of the workspace. Equality and ordering of text are
-- LEAKPROOF, so a btree range over suffixes is used under RLS.
--
-- Suffixes are cut to 32 characters (a search longer than that reads the
-- titles instead), and stored with the "C" collation, whose order is the
-- order of code points, so `suffix >= q AND suffix < next(q)` holds exactly
-- the suffixes that begin with q. The table is derived: triggers keep it in
-- step with `images` and `image_tags`, and no archive carries it (see the
-- archive catalogue's NEVER); an import, restore, copy or move inserts
-- images and tags, and the triggers index them.

CREATE TABLE image_search_suffixes (
    workspace_id UUID NOT NULL,
    image_id     UUID NOT NULL,
    -- '' for the title's suffixes, else the tag's (a tag is never '').
    tag          TEXT NOT NULL,
    position     INTEGER NOT NULL,
    suffix       TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (workspace_id, image_id, tag, position),
    FOREIGN KEY (workspace_id, image_id) REFERENCES images (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX image_search_suffixes_by_suffix ON image_search_suffixes (workspace_id, suffix) INCLUDE (image_id);

-- Workspace data: forced row-level security (see 0001 and 0009).
ALTER TABLE image_search_suffixes ENABLE ROW LEVEL SECURITY;
ALTER TABLE image_search_suffixes FORCE ROW LEVEL SECURITY;
CREATE POLICY workspace_isolation ON image_search_suffixes
    USING (workspace_id = (SELECT NULLIF(current_setting('app.workspace_id', true), '')::uuid)
           OR (SELECT current_setting('app.platform_admin', true)) = 'on')
    WITH CHECK (workspace_id = (SELECT NULLIF(current_setting('app.workspace_id', true), '')::uuid)
                OR (SELECT current_setting('app.platform_admin', true)) = 'on');

-- Indexes `text` as the title's ('' tag) or a tag's suffixes.
CREATE FUNCTION image_search_index(ws UUID, image UUID, of_tag TEXT, text TEXT) RETURNS VOID
LANGUAGE sql AS $$
    INSERT INTO image_search_suffixes (workspace_id, image_id, tag, position, suffix)
    SELECT ws, image, of_tag, n, left(substr(text, n), 32)
    FROM generate_series(1, char_length(text)) AS n;
$$;

CREATE FUNCTION images_search_sync() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        DELETE FROM image_search_suffixes WHERE workspace_id = OLD.workspace_id AND image_id = OLD.id AND tag = '';
    END IF;
    PERFORM image_search_index(NEW.workspace_id, NEW.id, '', lower(NEW.title));
    RETURN NULL;
END;
$$;
CREATE TRIGGER images_searchable AFTER INSERT ON images
    FOR EACH ROW EXECUTE FUNCTION images_search_sync();
CREATE TRIGGER images_search_retitled AFTER UPDATE OF title ON images
    FOR EACH ROW WHEN (NEW.title IS DISTINCT FROM OLD.title) EXECUTE FUNCTION images_search_sync();
-- A deleted image takes its suffixes with it (the foreign key cascades).

-- Tags match as they are stored (already lowercase), as `tag LIKE` did.
CREATE FUNCTION image_tags_search_sync() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        DELETE FROM image_search_suffixes
        WHERE workspace_id = OLD.workspace_id AND image_id = OLD.image_id AND tag = OLD.tag;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        PERFORM image_search_index(NEW.workspace_id, NEW.image_id, NEW.tag, NEW.tag);
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER image_tags_searchable AFTER INSERT OR UPDATE OR DELETE ON image_tags
    FOR EACH ROW EXECUTE FUNCTION image_tags_search_sync();

-- The images and tags already there (every workspace's: this migration
-- reads across them as the platform admin does, for this transaction only).
SELECT set_config('app.platform_admin', 'on', true);
SELECT image_search_index(workspace_id, id, '', lower(title)) FROM images;
SELECT image_search_index(workspace_id, image_id, tag, tag) FROM image_tags;
SELECT set_config('app.platform_admin', '', true);

-- The artwork library: images, their tags, collections, and storage use.
-- Workspace-owned: keyed (workspace_id, id), children by composite keys.

CREATE TABLE images (
    workspace_id  UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    id            UUID NOT NULL,
    sha256        TEXT NOT NULL,
    original_name TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    extension     TEXT NOT NULL,
    byte_size     BIGINT NOT NULL,
    stored_bytes  BIGINT NOT NULL,
    width         BIGINT NOT NULL,
    height        BIGINT NOT NULL,
    title         TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    medium        TEXT NOT NULL DEFAULT '',
    dimensions    TEXT NOT NULL DEFAULT '',
    year          INTEGER,
    price         TEXT NOT NULL DEFAULT '',
    availability  TEXT NOT NULL DEFAULT 'available' CHECK (availability IN ('available', 'sold', 'not_for_sale')),
    alt_text      TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (workspace_id, id),
    UNIQUE (workspace_id, sha256)
);

CREATE TABLE image_tags (
    workspace_id UUID NOT NULL,
    image_id     UUID NOT NULL,
    tag          TEXT NOT NULL,
    PRIMARY KEY (workspace_id, image_id, tag),
    FOREIGN KEY (workspace_id, image_id) REFERENCES images (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX image_tags_by_tag ON image_tags (workspace_id, tag);

CREATE TABLE collections (
    workspace_id UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    id           UUID NOT NULL,
    name         TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (workspace_id, id)
);

CREATE TABLE collection_images (
    workspace_id  UUID NOT NULL,
    collection_id UUID NOT NULL,
    image_id      UUID NOT NULL,
    position      BIGINT NOT NULL,
    is_cover      BOOLEAN NOT NULL DEFAULT FALSE,
    added_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (workspace_id, collection_id, image_id),
    FOREIGN KEY (workspace_id, collection_id) REFERENCES collections (workspace_id, id) ON DELETE CASCADE,
    FOREIGN KEY (workspace_id, image_id) REFERENCES images (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX collection_images_by_image ON collection_images (workspace_id, image_id);
CREATE UNIQUE INDEX collection_images_one_cover ON collection_images (workspace_id, collection_id) WHERE is_cover;

CREATE TABLE workspace_usage (
    workspace_id  UUID PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    image_count   BIGINT NOT NULL DEFAULT 0,
    storage_bytes BIGINT NOT NULL DEFAULT 0
);

-- Row-level security: forced, one policy per table (see 0001).
ALTER TABLE images ENABLE ROW LEVEL SECURITY;
ALTER TABLE images FORCE ROW LEVEL SECURITY;
CREATE POLICY workspace_isolation ON images
    USING (workspace_id = (SELECT NULLIF(current_setting('app.workspace_id', true), '')::uuid))
    WITH CHECK (workspace_id = (SELECT NULLIF(current_setting('app.workspace_id', true), '')::uuid));
ALTER TABLE image_tags ENABLE ROW LEVEL SECURITY;
ALTER TABLE image_tags FORCE ROW LEVEL SECURITY;
CREATE POLICY workspace_isolation ON image_tags
    USING (workspace_id = (SELECT NULLIF(current_setting('app.workspace_id', true), '')::uuid))
    WITH CHECK (workspace_id = (SELECT NULLIF(current_setting('app.workspace_id', true), '')::uuid));
ALTER TABLE collections ENABLE ROW LEVEL SECURITY;
ALTER TABLE collections FORCE ROW LEVEL SECURITY;
CREATE POLICY workspace_isolation ON collections
    USING (workspace_id = (SELECT NULLIF(current_setting('app.workspace_id', true), '')::uuid))
    WITH CHECK (workspace_id = (SELECT NULLIF(current_setting('app.workspace_id', true), '')::uuid));
ALTER TABLE collection_images ENABLE ROW LEVEL SECURITY;
ALTER TABLE collection_images FORCE ROW LEVEL SECURITY;
CREATE POLICY workspace_isolation ON collection_images
    USING (workspace_id = (SELECT NULLIF(current_setting('app.workspace_id', true), '')::uuid))
    WITH CHECK (workspace_id = (SELECT NULLIF(current_setting('app.workspace_id', true), '')::uuid));
ALTER TABLE workspace_usage ENABLE ROW LEVEL SECURITY;
ALTER TABLE workspace_usage FORCE ROW LEVEL SECURITY;
CREATE POLICY workspace_isolation ON workspace_usage
    USING (workspace_id = (SELECT NULLIF(current_setting('app.workspace_id', true), '')::uuid))
    WITH CHECK (workspace_id = (SELECT NULLIF(current_setting('app.workspace_id', true), '')::uuid));

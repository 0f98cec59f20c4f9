-- The artwork library: images, their tags, collections, and storage use.
-- Workspace-owned: keyed (workspace_id, id), children by composite keys.

CREATE TABLE images (
    workspace_id  BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    id            BLOB NOT NULL,
    sha256        TEXT NOT NULL,
    original_name TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    extension     TEXT NOT NULL,
    byte_size     INTEGER NOT NULL,
    stored_bytes  INTEGER NOT NULL,
    width         INTEGER NOT NULL,
    height        INTEGER NOT NULL,
    title         TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    medium        TEXT NOT NULL DEFAULT '',
    dimensions    TEXT NOT NULL DEFAULT '',
    year          INTEGER,
    price         TEXT NOT NULL DEFAULT '',
    availability  TEXT NOT NULL DEFAULT 'available' CHECK (availability IN ('available', 'sold', 'not_for_sale')),
    alt_text      TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (workspace_id, id),
    UNIQUE (workspace_id, sha256)
);

CREATE TABLE image_tags (
    workspace_id BLOB NOT NULL,
    image_id     BLOB NOT NULL,
    tag          TEXT NOT NULL,
    PRIMARY KEY (workspace_id, image_id, tag),
    FOREIGN KEY (workspace_id, image_id) REFERENCES images (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX image_tags_by_tag ON image_tags (workspace_id, tag);

CREATE TABLE collections (
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    id           BLOB NOT NULL,
    name         TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (workspace_id, id)
);

CREATE TABLE collection_images (
    workspace_id  BLOB NOT NULL,
    collection_id BLOB NOT NULL,
    image_id      BLOB NOT NULL,
    position      INTEGER NOT NULL,
    is_cover      BOOLEAN NOT NULL DEFAULT FALSE,
    added_at      TEXT NOT NULL,
    PRIMARY KEY (workspace_id, collection_id, image_id),
    FOREIGN KEY (workspace_id, collection_id) REFERENCES collections (workspace_id, id) ON DELETE CASCADE,
    FOREIGN KEY (workspace_id, image_id) REFERENCES images (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX collection_images_by_image ON collection_images (workspace_id, image_id);
CREATE UNIQUE INDEX collection_images_one_cover ON collection_images (workspace_id, collection_id) WHERE is_cover;

CREATE TABLE workspace_usage (
    workspace_id  BLOB PRIMARY KEY NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    image_count   INTEGER NOT NULL DEFAULT 0,
    storage_bytes INTEGER NOT NULL DEFAULT 0
);

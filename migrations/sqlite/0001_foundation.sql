-- People, workspaces and who belongs where. Ids are UUID v7 as 16-byte blobs;
-- times are UTC.

CREATE TABLE users (
    id                 BLOB PRIMARY KEY NOT NULL,
    email              TEXT NOT NULL UNIQUE,
    name               TEXT NOT NULL,
    password_hash      TEXT,
    -- Bumped to end every session of this person at once.
    session_generation INTEGER NOT NULL DEFAULT 0,
    created_at         TEXT NOT NULL
);

CREATE TABLE workspaces (
    id         BLOB PRIMARY KEY NOT NULL,
    name       TEXT NOT NULL,
    created_by BLOB REFERENCES users (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE memberships (
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    user_id      BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role         TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
    created_at   TEXT NOT NULL,
    PRIMARY KEY (workspace_id, user_id)
);
CREATE INDEX memberships_by_user ON memberships (user_id, created_at);

-- Workspace-owned: one row per workspace.
CREATE TABLE workspace_settings (
    workspace_id BLOB PRIMARY KEY NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    display_name TEXT NOT NULL,
    time_zone    TEXT NOT NULL DEFAULT 'UTC',
    updated_at   TEXT NOT NULL
);

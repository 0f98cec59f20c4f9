-- People, workspaces and who belongs where.

CREATE TABLE users (
    id                 UUID PRIMARY KEY,
    email              TEXT NOT NULL UNIQUE,
    name               TEXT NOT NULL,
    password_hash      TEXT,
    -- Bumped to end every session of this person at once.
    session_generation BIGINT NOT NULL DEFAULT 0,
    created_at         TIMESTAMPTZ NOT NULL
);

CREATE TABLE workspaces (
    id         UUID PRIMARY KEY,
    name       TEXT NOT NULL,
    created_by UUID REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE memberships (
    workspace_id UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    user_id      UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role         TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
    created_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (workspace_id, user_id)
);
CREATE INDEX memberships_by_user ON memberships (user_id, created_at);

-- Workspace-owned: one row per workspace.
CREATE TABLE workspace_settings (
    workspace_id UUID PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    display_name TEXT NOT NULL,
    time_zone    TEXT NOT NULL DEFAULT 'UTC',
    updated_at   TIMESTAMPTZ NOT NULL
);

-- Row-level security, enabled and forced (so the owning role obeys it too).
-- The app sets app.workspace_id per transaction; with nothing set, nothing is
-- visible. NULLIF because a setting used and then reset reads as ''.
ALTER TABLE workspace_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE workspace_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY workspace_isolation ON workspace_settings
    USING (workspace_id = (SELECT NULLIF(current_setting('app.workspace_id', true), '')::uuid))
    WITH CHECK (workspace_id = (SELECT NULLIF(current_setting('app.workspace_id', true), '')::uuid));

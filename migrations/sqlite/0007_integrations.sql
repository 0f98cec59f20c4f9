-- Each workspace's own integrations: sealed API keys and their settings.
CREATE TABLE workspace_secrets (
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    field        TEXT NOT NULL,
    sealed       TEXT NOT NULL,
    last4        TEXT NOT NULL,
    set_by       TEXT NOT NULL,
    set_at       TEXT NOT NULL,
    PRIMARY KEY (workspace_id, field)
);

CREATE TABLE workspace_integrations (
    workspace_id        BLOB PRIMARY KEY NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    openai_base_url     TEXT NOT NULL DEFAULT '',
    openai_model        TEXT NOT NULL DEFAULT '',
    publer_workspace_id TEXT NOT NULL DEFAULT ''
);

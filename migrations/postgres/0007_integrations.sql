-- Each workspace's own integrations: sealed API keys and their settings.
CREATE TABLE workspace_secrets (
    workspace_id UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    field        TEXT NOT NULL,
    sealed       TEXT NOT NULL,
    last4        TEXT NOT NULL,
    set_by       TEXT NOT NULL,
    set_at       TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (workspace_id, field)
);

CREATE TABLE workspace_integrations (
    workspace_id        UUID PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    openai_base_url     TEXT NOT NULL DEFAULT '',
    openai_model        TEXT NOT NULL DEFAULT '',
    publer_workspace_id TEXT NOT NULL DEFAULT ''
);

-- Workspace data: forced row-level security (see 0001).
ALTER TABLE workspace_secrets ENABLE ROW LEVEL SECURITY;
ALTER TABLE workspace_secrets FORCE ROW LEVEL SECURITY;
CREATE POLICY workspace_isolation ON workspace_secrets
    USING (workspace_id = (SELECT NULLIF(current_setting('app.workspace_id', true), '')::uuid))
    WITH CHECK (workspace_id = (SELECT NULLIF(current_setting('app.workspace_id', true), '')::uuid));
ALTER TABLE workspace_integrations ENABLE ROW LEVEL SECURITY;
ALTER TABLE workspace_integrations FORCE ROW LEVEL SECURITY;
CREATE POLICY workspace_isolation ON workspace_integrations
    USING (workspace_id = (SELECT NULLIF(current_setting('app.workspace_id', true), '')::uuid))
    WITH CHECK (workspace_id = (SELECT NULLIF(current_setting('app.workspace_id', true), '')::uuid));

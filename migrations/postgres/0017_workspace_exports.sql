-- "Export this workspace": each archive an owner asked for, and how far it
-- got. The file itself lives under <EASEL_DATA_DIR>/exports/<workspace id>/;
-- this row is the job's state, so every instance (and a restarted one) sees
-- the same thing. A running export holds a lease that its worker renews; a
-- row whose lease ran out belongs to a worker that died, and is marked failed.
CREATE TABLE workspace_exports (
    workspace_id UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    id           UUID NOT NULL,
    requested_by UUID REFERENCES users (id) ON DELETE SET NULL,
    state        TEXT NOT NULL CHECK (state IN ('queued', 'running', 'ready', 'failed', 'expired')),
    error        TEXT NOT NULL DEFAULT '',
    bytes        BIGINT NOT NULL DEFAULT 0,
    created_at   TIMESTAMPTZ NOT NULL,
    finished_at  TIMESTAMPTZ,
    expires_at   TIMESTAMPTZ,
    lease_until  TIMESTAMPTZ,
    PRIMARY KEY (workspace_id, id)
);
-- One export at a time per workspace, kept by the database itself.
CREATE UNIQUE INDEX workspace_exports_one_at_a_time ON workspace_exports (workspace_id)
    WHERE state IN ('queued', 'running');

-- Workspace data: forced row-level security (see 0001 and 0009).
ALTER TABLE workspace_exports ENABLE ROW LEVEL SECURITY;
ALTER TABLE workspace_exports FORCE ROW LEVEL SECURITY;
CREATE POLICY workspace_isolation ON workspace_exports
    USING (workspace_id = (SELECT NULLIF(current_setting('app.workspace_id', true), '')::uuid)
           OR (SELECT current_setting('app.platform_admin', true)) = 'on')
    WITH CHECK (workspace_id = (SELECT NULLIF(current_setting('app.workspace_id', true), '')::uuid)
                OR (SELECT current_setting('app.platform_admin', true)) = 'on');

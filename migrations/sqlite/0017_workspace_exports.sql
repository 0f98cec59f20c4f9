-- "Export this workspace": each archive an owner asked for, and how far it
-- got. The file itself lives under <EASEL_DATA_DIR>/exports/<workspace id>/;
-- this row is the job's state, so every instance (and a restarted one) sees
-- the same thing. A running export holds a lease that its worker renews; a
-- row whose lease ran out belongs to a worker that died, and is marked failed.
CREATE TABLE workspace_exports (
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    id           BLOB NOT NULL,
    requested_by BLOB REFERENCES users (id) ON DELETE SET NULL,
    state        TEXT NOT NULL CHECK (state IN ('queued', 'running', 'ready', 'failed', 'expired')),
    error        TEXT NOT NULL DEFAULT '',
    bytes        INTEGER NOT NULL DEFAULT 0,
    created_at   TEXT NOT NULL,
    finished_at  TEXT,
    expires_at   TEXT,
    lease_until  TEXT,
    PRIMARY KEY (workspace_id, id)
);
-- One export at a time per workspace, kept by the database itself.
CREATE UNIQUE INDEX workspace_exports_one_at_a_time ON workspace_exports (workspace_id)
    WHERE state IN ('queued', 'running');

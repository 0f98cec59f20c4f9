-- Teams: invitations (found by token before anyone is a member, so global)
-- and the per-workspace audit log.

CREATE TABLE invitations (
    id           BLOB PRIMARY KEY NOT NULL,
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    email        TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
    token_hash   TEXT NOT NULL UNIQUE,
    invited_by   BLOB REFERENCES users (id) ON DELETE SET NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    accepted_at  TEXT,
    revoked_at   TEXT
);
CREATE INDEX invitations_by_workspace ON invitations (workspace_id, created_at);

CREATE TABLE audit_log (
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    id           BLOB NOT NULL,
    actor_id     BLOB,
    actor_name   TEXT NOT NULL,
    action       TEXT NOT NULL,
    target       TEXT NOT NULL DEFAULT '',
    detail       TEXT NOT NULL DEFAULT '',
    ip           TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX audit_log_by_action ON audit_log (workspace_id, action);

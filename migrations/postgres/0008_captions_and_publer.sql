-- AI captions and sending posts to Publer.

ALTER TABLE workspace_integrations ADD COLUMN openai_vision BOOLEAN NOT NULL DEFAULT FALSE;

-- What a workspace used in a calendar month (UTC, 'YYYY-MM'), for plan limits.
CREATE TABLE monthly_usage (
    workspace_id   UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    month          TEXT NOT NULL,
    ai_generations BIGINT NOT NULL DEFAULT 0,
    ai_tokens      BIGINT NOT NULL DEFAULT 0,
    publer_posts   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (workspace_id, month)
);

-- The social accounts of the workspace's Publer workspace, as last listed.
CREATE TABLE publer_accounts (
    workspace_id UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    id           TEXT NOT NULL,
    name         TEXT NOT NULL,
    provider     TEXT NOT NULL,
    kind         TEXT NOT NULL DEFAULT '',
    listed_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (workspace_id, id)
);

-- Which Publer account a calendar's posts go to; platform '' is the
-- calendar's default, a platform's own row wins over it.
CREATE TABLE publer_routes (
    workspace_id UUID NOT NULL,
    calendar_id  UUID NOT NULL,
    platform     TEXT NOT NULL DEFAULT '',
    account_id   TEXT NOT NULL,
    PRIMARY KEY (workspace_id, calendar_id, platform),
    FOREIGN KEY (workspace_id, calendar_id) REFERENCES calendars (workspace_id, id) ON DELETE CASCADE,
    FOREIGN KEY (workspace_id, account_id) REFERENCES publer_accounts (workspace_id, id) ON DELETE CASCADE
);

-- A post handed to Publer. step records how far the hand-over got, so a
-- restart resumes it without ever scheduling it twice.
CREATE TABLE publer_sends (
    workspace_id    UUID NOT NULL,
    event_id        UUID NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('sending', 'scheduled', 'failed')),
    step            TEXT NOT NULL CHECK (step IN ('queued', 'scheduling', 'polling', 'done')),
    account_id      TEXT NOT NULL,
    media_ids       TEXT NOT NULL DEFAULT '',
    job_id          TEXT NOT NULL DEFAULT '',
    publer_post_ids TEXT NOT NULL DEFAULT '',
    error           TEXT NOT NULL DEFAULT '',
    attempts        BIGINT NOT NULL DEFAULT 0,
    requested_by    TEXT NOT NULL,
    requested_at    TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (workspace_id, event_id),
    FOREIGN KEY (workspace_id, event_id) REFERENCES events (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX publer_sends_in_flight ON publer_sends (state) WHERE state = 'sending';

-- Workspace data: forced row-level security (see 0001).
ALTER TABLE monthly_usage ENABLE ROW LEVEL SECURITY;
ALTER TABLE monthly_usage FORCE ROW LEVEL SECURITY;
CREATE POLICY workspace_isolation ON monthly_usage
    USING (workspace_id = (SELECT NULLIF(current_setting('app.workspace_id', true), '')::uuid))
    WITH CHECK (workspace_id = (SELECT NULLIF(current_setting('app.workspace_id', true), '')::uuid));
ALTER TABLE publer_accounts ENABLE ROW LEVEL SECURITY;
ALTER TABLE publer_accounts FORCE ROW LEVEL SECURITY;
CREATE POLICY workspace_isolation ON publer_accounts
    USING (workspace_id = (SELECT NULLIF(current_setting('app.workspace_id', true), '')::uuid))
    WITH CHECK (workspace_id = (SELECT NULLIF(current_setting('app.workspace_id', true), '')::uuid));
ALTER TABLE publer_routes ENABLE ROW LEVEL SECURITY;
ALTER TABLE publer_routes FORCE ROW LEVEL SECURITY;
CREATE POLICY workspace_isolation ON publer_routes
    USING (workspace_id = (SELECT NULLIF(current_setting('app.workspace_id', true), '')::uuid))
    WITH CHECK (workspace_id = (SELECT NULLIF(current_setting('app.workspace_id', true), '')::uuid));
ALTER TABLE publer_sends ENABLE ROW LEVEL SECURITY;
ALTER TABLE publer_sends FORCE ROW LEVEL SECURITY;
CREATE POLICY workspace_isolation ON publer_sends
    USING (workspace_id = (SELECT NULLIF(current_setting('app.workspace_id', true), '')::uuid))
    WITH CHECK (workspace_id = (SELECT NULLIF(current_setting('app.workspace_id', true), '')::uuid));

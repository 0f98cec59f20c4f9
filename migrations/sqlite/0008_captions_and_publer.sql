-- AI captions and sending posts to Publer.

ALTER TABLE workspace_integrations ADD COLUMN openai_vision INTEGER NOT NULL DEFAULT 0;

-- What a workspace used in a calendar month (UTC, 'YYYY-MM'), for plan limits.
CREATE TABLE monthly_usage (
    workspace_id   BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    month          TEXT NOT NULL,
    ai_generations INTEGER NOT NULL DEFAULT 0,
    ai_tokens      INTEGER NOT NULL DEFAULT 0,
    publer_posts   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (workspace_id, month)
);

-- The social accounts of the workspace's Publer workspace, as last listed.
CREATE TABLE publer_accounts (
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    id           TEXT NOT NULL,
    name         TEXT NOT NULL,
    provider     TEXT NOT NULL,
    kind         TEXT NOT NULL DEFAULT '',
    listed_at    TEXT NOT NULL,
    PRIMARY KEY (workspace_id, id)
);

-- Which Publer account a calendar's posts go to; platform '' is the
-- calendar's default, a platform's own row wins over it.
CREATE TABLE publer_routes (
    workspace_id BLOB NOT NULL,
    calendar_id  BLOB NOT NULL,
    platform     TEXT NOT NULL DEFAULT '',
    account_id   TEXT NOT NULL,
    PRIMARY KEY (workspace_id, calendar_id, platform),
    FOREIGN KEY (workspace_id, calendar_id) REFERENCES calendars (workspace_id, id) ON DELETE CASCADE,
    FOREIGN KEY (workspace_id, account_id) REFERENCES publer_accounts (workspace_id, id) ON DELETE CASCADE
);

-- A post handed to Publer. step records how far the hand-over got, so a
-- restart resumes it without ever scheduling it twice.
CREATE TABLE publer_sends (
    workspace_id    BLOB NOT NULL,
    event_id        BLOB NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('sending', 'scheduled', 'failed')),
    step            TEXT NOT NULL CHECK (step IN ('queued', 'scheduling', 'polling', 'done')),
    account_id      TEXT NOT NULL,
    media_ids       TEXT NOT NULL DEFAULT '',
    job_id          TEXT NOT NULL DEFAULT '',
    publer_post_ids TEXT NOT NULL DEFAULT '',
    error           TEXT NOT NULL DEFAULT '',
    attempts        INTEGER NOT NULL DEFAULT 0,
    requested_by    TEXT NOT NULL,
    requested_at    TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    PRIMARY KEY (workspace_id, event_id),
    FOREIGN KEY (workspace_id, event_id) REFERENCES events (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX publer_sends_in_flight ON publer_sends (state) WHERE state = 'sending';

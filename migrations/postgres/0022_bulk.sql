-- Captions for many posts at once: a job per request, its progress, and a
-- result per post. The job's row is its state, so any instance (and a
-- restarted one) shows the same progress; the instance writing it holds a
-- lease it renews, and a job whose lease ran out is taken over.
CREATE TABLE caption_jobs (
    workspace_id UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    id           UUID NOT NULL,
    source       TEXT NOT NULL CHECK (source IN ('ai', 'template')),
    landing      TEXT NOT NULL CHECK (landing IN ('save', 'suggest', 'unsaved')),
    state        TEXT NOT NULL CHECK (state IN ('running', 'done')),
    total        BIGINT NOT NULL,
    done         BIGINT NOT NULL DEFAULT 0,
    failed       BIGINT NOT NULL DEFAULT 0,
    requested_by TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL,
    finished_at  TIMESTAMPTZ,
    lease_owner  TEXT NOT NULL DEFAULT '',
    lease_until  TIMESTAMPTZ,
    PRIMARY KEY (workspace_id, id)
);

CREATE TABLE caption_job_posts (
    workspace_id UUID NOT NULL,
    job_id       UUID NOT NULL,
    event_id     UUID NOT NULL,
    position     BIGINT NOT NULL,
    state        TEXT NOT NULL DEFAULT 'waiting' CHECK (state IN ('waiting', 'written', 'failed')),
    caption      TEXT NOT NULL DEFAULT '',
    hashtags     TEXT NOT NULL DEFAULT '',
    error        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (workspace_id, job_id, event_id),
    FOREIGN KEY (workspace_id, job_id) REFERENCES caption_jobs (workspace_id, id) ON DELETE CASCADE,
    FOREIGN KEY (workspace_id, event_id) REFERENCES events (workspace_id, id) ON DELETE CASCADE
);

-- A caption written "as a draft revision": offered in the editor (use it or
-- discard it) while the post's own caption stays as it is.
ALTER TABLE events ADD COLUMN suggested_caption TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN suggested_hashtags TEXT NOT NULL DEFAULT '';

-- Workspace data: forced row-level security (see 0001 and 0009).
ALTER TABLE caption_jobs ENABLE ROW LEVEL SECURITY;
ALTER TABLE caption_jobs FORCE ROW LEVEL SECURITY;
CREATE POLICY workspace_isolation ON caption_jobs
    USING (workspace_id = (SELECT NULLIF(current_setting('app.workspace_id', true), '')::uuid)
           OR (SELECT current_setting('app.platform_admin', true)) = 'on')
    WITH CHECK (workspace_id = (SELECT NULLIF(current_setting('app.workspace_id', true), '')::uuid)
                OR (SELECT current_setting('app.platform_admin', true)) = 'on');
ALTER TABLE caption_job_posts ENABLE ROW LEVEL SECURITY;
ALTER TABLE caption_job_posts FORCE ROW LEVEL SECURITY;
CREATE POLICY workspace_isolation ON caption_job_posts
    USING (workspace_id = (SELECT NULLIF(current_setting('app.workspace_id', true), '')::uuid)
           OR (SELECT current_setting('app.platform_admin', true)) = 'on')
    WITH CHECK (workspace_id = (SELECT NULLIF(current_setting('app.workspace_id', true), '')::uuid)
                OR (SELECT current_setting('app.platform_admin', true)) = 'on');

-- Captions for many posts at once: a job per request, its progress, and a
-- result per post. The job's row is its state, so any instance (and a
-- restarted one) shows the same progress; the instance writing it holds a
-- lease it renews, and a job whose lease ran out is taken over.
CREATE TABLE caption_jobs (
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    id           BLOB NOT NULL,
    source       TEXT NOT NULL CHECK (source IN ('ai', 'template')),
    landing      TEXT NOT NULL CHECK (landing IN ('save', 'suggest', 'unsaved')),
    state        TEXT NOT NULL CHECK (state IN ('running', 'done')),
    total        INTEGER NOT NULL,
    done         INTEGER NOT NULL DEFAULT 0,
    failed       INTEGER NOT NULL DEFAULT 0,
    requested_by TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    finished_at  TEXT,
    lease_owner  TEXT NOT NULL DEFAULT '',
    lease_until  TEXT,
    PRIMARY KEY (workspace_id, id)
);

CREATE TABLE caption_job_posts (
    workspace_id BLOB NOT NULL,
    job_id       BLOB NOT NULL,
    event_id     BLOB NOT NULL,
    position     INTEGER NOT NULL,
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

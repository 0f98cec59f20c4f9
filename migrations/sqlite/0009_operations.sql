-- Agency operations: platform admins and their audit log, plans and limits,
-- suspension, white-label branding, last activity and daily usage snapshots.

ALTER TABLE users ADD COLUMN is_platform_admin INTEGER NOT NULL DEFAULT 0;

-- A plan is a bundle of limits; NULL means no limit.
CREATE TABLE plans (
    key                TEXT PRIMARY KEY NOT NULL,
    name               TEXT NOT NULL,
    position           INTEGER NOT NULL,
    max_images         INTEGER,
    max_storage_bytes  INTEGER,
    max_members        INTEGER,
    max_ai_generations INTEGER,
    max_publer_posts   INTEGER,
    can_hide_branding  INTEGER NOT NULL DEFAULT 0
);
INSERT INTO plans (key, name, position, max_images, max_storage_bytes, max_members, max_ai_generations, max_publer_posts, can_hide_branding) VALUES
    ('free', 'Free', 0, 100, 524288000, 2, 20, 10, 0),
    ('basic', 'Basic', 1, 1000, 5368709120, 3, 100, 100, 0),
    ('standard', 'Standard', 2, 5000, 26843545600, 10, 500, 500, 1),
    ('pro', 'Pro', 3, 20000, 107374182400, 25, 2000, 2000, 1),
    ('unlimited', 'Unlimited', 4, NULL, NULL, NULL, NULL, NULL, 1);

-- Per workspace: its plan, custom limits (NULL: the plan's; -1: no limit),
-- suspension, branding and when it last changed anything.
ALTER TABLE workspaces ADD COLUMN plan TEXT NOT NULL DEFAULT 'unlimited';
ALTER TABLE workspaces ADD COLUMN custom_max_images INTEGER;
ALTER TABLE workspaces ADD COLUMN custom_max_storage_bytes INTEGER;
ALTER TABLE workspaces ADD COLUMN custom_max_members INTEGER;
ALTER TABLE workspaces ADD COLUMN custom_max_ai_generations INTEGER;
ALTER TABLE workspaces ADD COLUMN custom_max_publer_posts INTEGER;
ALTER TABLE workspaces ADD COLUMN custom_can_hide_branding INTEGER;
ALTER TABLE workspaces ADD COLUMN suspended_at TEXT;
ALTER TABLE workspaces ADD COLUMN brand_colour TEXT NOT NULL DEFAULT '';
ALTER TABLE workspaces ADD COLUMN logo TEXT NOT NULL DEFAULT '';
ALTER TABLE workspaces ADD COLUMN hide_powered_by INTEGER NOT NULL DEFAULT 0;
ALTER TABLE workspaces ADD COLUMN last_active_at TEXT;

-- What platform admins did, across workspaces.
CREATE TABLE platform_audit (
    id             BLOB PRIMARY KEY NOT NULL,
    actor_id       BLOB,
    actor_email    TEXT NOT NULL,
    action         TEXT NOT NULL,
    workspace_id   BLOB,
    workspace_name TEXT NOT NULL DEFAULT '',
    detail         TEXT NOT NULL DEFAULT '',
    created_at     TEXT NOT NULL
);
CREATE INDEX platform_audit_by_time ON platform_audit (created_at);

-- A workspace's figures at the end of each day (UTC), for the dashboard's charts.
CREATE TABLE usage_snapshots (
    workspace_id   BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    day            TEXT NOT NULL,
    images         INTEGER NOT NULL,
    storage_bytes  INTEGER NOT NULL,
    members        INTEGER NOT NULL,
    posts_ahead    INTEGER NOT NULL,
    ai_generations INTEGER NOT NULL,
    publer_posts   INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, day)
);

-- Agency operations: platform admins and their audit log, plans and limits,
-- suspension, white-label branding, last activity and daily usage snapshots.

ALTER TABLE users ADD COLUMN is_platform_admin BOOLEAN NOT NULL DEFAULT FALSE;

-- A plan is a bundle of limits; NULL means no limit.
CREATE TABLE plans (
    key                TEXT PRIMARY KEY NOT NULL,
    name               TEXT NOT NULL,
    position           BIGINT NOT NULL,
    max_images         BIGINT,
    max_storage_bytes  BIGINT,
    max_members        BIGINT,
    max_ai_generations BIGINT,
    max_publer_posts   BIGINT,
    can_hide_branding  BOOLEAN NOT NULL DEFAULT FALSE
);
INSERT INTO plans (key, name, position, max_images, max_storage_bytes, max_members, max_ai_generations, max_publer_posts, can_hide_branding) VALUES
    ('free', 'Free', 0, 100, 524288000, 2, 20, 10, FALSE),
    ('basic', 'Basic', 1, 1000, 5368709120, 3, 100, 100, FALSE),
    ('standard', 'Standard', 2, 5000, 26843545600, 10, 500, 500, TRUE),
    ('pro', 'Pro', 3, 20000, 107374182400, 25, 2000, 2000, TRUE),
    ('unlimited', 'Unlimited', 4, NULL, NULL, NULL, NULL, NULL, TRUE);

-- Per workspace: its plan, custom limits (NULL: the plan's; -1: no limit),
-- suspension, branding and when it last changed anything.
ALTER TABLE workspaces ADD COLUMN plan TEXT NOT NULL DEFAULT 'unlimited';
ALTER TABLE workspaces ADD COLUMN custom_max_images BIGINT;
ALTER TABLE workspaces ADD COLUMN custom_max_storage_bytes BIGINT;
ALTER TABLE workspaces ADD COLUMN custom_max_members BIGINT;
ALTER TABLE workspaces ADD COLUMN custom_max_ai_generations BIGINT;
ALTER TABLE workspaces ADD COLUMN custom_max_publer_posts BIGINT;
ALTER TABLE workspaces ADD COLUMN custom_can_hide_branding BOOLEAN;
ALTER TABLE workspaces ADD COLUMN suspended_at TIMESTAMPTZ;
ALTER TABLE workspaces ADD COLUMN brand_colour TEXT NOT NULL DEFAULT '';
ALTER TABLE workspaces ADD COLUMN logo TEXT NOT NULL DEFAULT '';
ALTER TABLE workspaces ADD COLUMN hide_powered_by BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE workspaces ADD COLUMN last_active_at TIMESTAMPTZ;

-- What platform admins did, across workspaces.
CREATE TABLE platform_audit (
    id             UUID PRIMARY KEY NOT NULL,
    actor_id       UUID,
    actor_email    TEXT NOT NULL,
    action         TEXT NOT NULL,
    workspace_id   UUID,
    workspace_name TEXT NOT NULL DEFAULT '',
    detail         TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX platform_audit_by_time ON platform_audit (created_at);

-- A workspace's figures at the end of each day (UTC), for the dashboard's charts.
CREATE TABLE usage_snapshots (
    workspace_id   UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    day            TEXT NOT NULL,
    images         BIGINT NOT NULL,
    storage_bytes  BIGINT NOT NULL,
    members        BIGINT NOT NULL,
    posts_ahead    BIGINT NOT NULL,
    ai_generations BIGINT NOT NULL,
    publer_posts   BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, day)
);

ALTER TABLE usage_snapshots ENABLE ROW LEVEL SECURITY;
ALTER TABLE usage_snapshots FORCE ROW LEVEL SECURITY;
CREATE POLICY workspace_isolation ON usage_snapshots
    USING (workspace_id = (SELECT NULLIF(current_setting('app.workspace_id', true), '')::uuid))
    WITH CHECK (workspace_id = (SELECT NULLIF(current_setting('app.workspace_id', true), '')::uuid));

-- Platform-admin transactions set app.platform_admin = 'on' (only the admin
-- module does, behind the PlatformAdmin extractor); every workspace policy
-- accepts it, so the dashboard can read across workspaces.
DO $$
DECLARE t record;
BEGIN
    FOR t IN SELECT tablename FROM pg_policies
             WHERE policyname = 'workspace_isolation' AND schemaname = current_schema() LOOP
        EXECUTE format('DROP POLICY workspace_isolation ON %I', t.tablename);
        EXECUTE format(
            'CREATE POLICY workspace_isolation ON %I '
            'USING (workspace_id = (SELECT NULLIF(current_setting(''app.workspace_id'', true), '''')::uuid) '
            'OR (SELECT current_setting(''app.platform_admin'', true)) = ''on'') '
            'WITH CHECK (workspace_id = (SELECT NULLIF(current_setting(''app.workspace_id'', true), '''')::uuid) '
            'OR (SELECT current_setting(''app.platform_admin'', true)) = ''on'')',
            t.tablename);
    END LOOP;
END $$;

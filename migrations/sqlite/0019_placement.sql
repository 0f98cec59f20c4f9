-- A workspace in a database of its own. `placement` names the database that
-- holds the workspace's rows: 'main' (DATABASE_URL) or a name from
-- EASEL_DATABASES. On SQLite everything is 'main' (named databases are
-- PostgreSQL only), so the foreign keys from calendar_feeds to memberships
-- and from workspace_exports to users stay: PostgreSQL drops them in its
-- 0019, and the code does what their cascades did on both backends.
ALTER TABLE workspaces ADD COLUMN placement TEXT NOT NULL DEFAULT 'main';

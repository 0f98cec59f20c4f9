-- A workspace in a database of its own. `placement` names the database that
-- holds the workspace's rows: 'main' (DATABASE_URL) or a name from
-- EASEL_DATABASES. Global tables stay in main; a named database holds an
-- anchor copy of each of its workspaces' `workspaces` rows, so that the
-- workspace-owned tables keep their foreign keys and ON DELETE CASCADE.
ALTER TABLE workspaces ADD COLUMN placement TEXT NOT NULL DEFAULT 'main';

-- These two pointed from workspace-owned rows at global tables, which a
-- named database does not hold. The code now does what they did: removing
-- a member deletes their calendar feeds in the workspace's database (and a
-- feed whose maker is no longer a member opens nothing), and an export's
-- requester is only recorded, never joined (it may name someone since gone).
ALTER TABLE calendar_feeds DROP CONSTRAINT calendar_feeds_maker_fkey;
ALTER TABLE workspace_exports DROP CONSTRAINT workspace_exports_requested_by_fkey;

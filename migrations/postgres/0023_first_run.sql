-- When a person last opened each of their workspaces: the switcher lists the
-- most recently used first, and signing in opens the last one used.
ALTER TABLE memberships ADD COLUMN last_used_at TIMESTAMPTZ;
CREATE INDEX memberships_recent ON memberships (user_id, last_used_at);

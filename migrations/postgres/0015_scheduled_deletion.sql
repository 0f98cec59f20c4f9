-- Deleting a workspace schedules it: members lose access at once, and it
-- is purged (rows, then files) once `delete_after` has passed, unless its
-- owner or a platform admin restores it first. `deletion_requested_by` is
-- the email of whoever asked (text, so it outlives a deleted account).
-- `purge_lease_until` is the claim of the instance purging it (DESIGN §9):
-- another instance takes over once the lease has run out.
ALTER TABLE workspaces ADD COLUMN delete_after TIMESTAMPTZ;
ALTER TABLE workspaces ADD COLUMN deletion_requested_at TIMESTAMPTZ;
ALTER TABLE workspaces ADD COLUMN deletion_requested_by TEXT NOT NULL DEFAULT '';
ALTER TABLE workspaces ADD COLUMN purge_lease_until TIMESTAMPTZ;
CREATE INDEX workspaces_due_for_purge ON workspaces (delete_after) WHERE delete_after IS NOT NULL;

-- Moving a workspace between databases (`easel workspace move`). While set,
-- `moving_to` names the database the workspace is being copied to: members
-- can read it where it is, and every write is refused until the move ends.
ALTER TABLE workspaces ADD COLUMN moving_to TEXT;

-- A sealed key is bound to the origin (scheme, host, port) it was entered
-- for; Easel never sends it anywhere else. Empty: entered before keys were
-- bound (or a key that goes only to an operator-chosen endpoint).
ALTER TABLE workspace_secrets ADD COLUMN origin TEXT NOT NULL DEFAULT '';

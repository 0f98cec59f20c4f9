-- Backups the server takes by itself (EASEL_BACKUP_DIR), one row per run.
-- A run is claimed with a lease its instance renews while it works; a run
-- whose lease ran out (its instance died) is closed as failed by the next
-- claimer. Claims are serialized, so at most one run is unfinished.
CREATE TABLE backup_runs (
    id          BLOB PRIMARY KEY NOT NULL,
    instance    TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    file_name   TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    lease_until TEXT,
    finished_at TEXT,
    ok          INTEGER,
    bytes       INTEGER,
    error       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX backup_runs_unfinished ON backup_runs (finished_at);

-- Several Easel instances on one database (DESIGN §9): work that must happen
-- once is claimed here with a lease, never assumed by a process.

-- A Publer send in flight belongs to the instance holding its lease, which
-- renews it while it works; once the lease runs out (the instance died), any
-- instance takes the send over.
ALTER TABLE publer_sends ADD COLUMN lease_until TIMESTAMPTZ;
ALTER TABLE publer_sends ADD COLUMN leased_by TEXT NOT NULL DEFAULT '';

-- Jobs done once for the whole cluster (the hourly usage snapshot, …): the
-- instance that claims a due job holds its lease while it works.
CREATE TABLE cluster_jobs (
    name         TEXT PRIMARY KEY,
    lease_until  TIMESTAMPTZ,
    last_done_at TIMESTAMPTZ,
    done_by      TEXT NOT NULL DEFAULT ''
);

-- The sign-in (and similar) attempt counters shared by every instance: keys
-- are SHA-256 digests; each new window takes a stamp, and a window more than
-- the configured number of stamps old is evicted, so the table stays bounded.
-- Unlogged: counters are not worth a write-ahead log, and a crash that
-- empties the table only restarts the windows.
CREATE UNLOGGED TABLE rate_limits (
    digest       BYTEA PRIMARY KEY,
    window_start TIMESTAMPTZ NOT NULL,
    attempts     INTEGER NOT NULL,
    stamp        BIGINT NOT NULL
);
CREATE INDEX rate_limits_by_stamp ON rate_limits (stamp);
CREATE SEQUENCE rate_limit_stamps;

-- How far a running workspace export got, recorded with each renewal of its
-- lease, so that its progress line shows it on every instance, not only on
-- the one writing it.
ALTER TABLE workspace_exports ADD COLUMN percent INTEGER NOT NULL DEFAULT 0;

-- Several Easel instances on one database (DESIGN §9): work that must happen
-- once is claimed here with a lease, never assumed by a process. (On SQLite
-- one process is the cluster, but the claims work the same way; the shared
-- rate-limit table exists only on PostgreSQL.)

-- A Publer send in flight belongs to the instance holding its lease, which
-- renews it while it works; once the lease runs out (the instance died), any
-- instance takes the send over.
ALTER TABLE publer_sends ADD COLUMN lease_until TEXT;
ALTER TABLE publer_sends ADD COLUMN leased_by TEXT NOT NULL DEFAULT '';

-- Jobs done once for the whole cluster (the hourly usage snapshot, …): the
-- instance that claims a due job holds its lease while it works.
CREATE TABLE cluster_jobs (
    name         TEXT PRIMARY KEY,
    lease_until  TEXT,
    last_done_at TEXT,
    done_by      TEXT NOT NULL DEFAULT ''
);

-- How far a running workspace export got, recorded with each renewal of its
-- lease, so that its progress line shows it on every instance, not only on
-- the one writing it.
ALTER TABLE workspace_exports ADD COLUMN percent INTEGER NOT NULL DEFAULT 0;

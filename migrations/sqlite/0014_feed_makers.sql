-- A calendar feed remembers who made it. The calendar page lists every
-- address with its maker; each person has at most one address per
-- calendar; and an address goes when its maker leaves the workspace or is
-- removed from it (the foreign key to the membership cascades), so a former
-- member's phone stops reading the calendar. Addresses made before this
-- have no maker (NULL) and stay until someone turns them off.
-- SQLite adds a composite foreign key only by rebuilding the table.
CREATE TABLE calendar_feeds_new (
    token_hash   TEXT PRIMARY KEY NOT NULL,
    workspace_id BLOB NOT NULL,
    calendar_id  BLOB NOT NULL,
    created_at   TEXT NOT NULL,
    created_by   BLOB,
    FOREIGN KEY (workspace_id, calendar_id) REFERENCES calendars (workspace_id, id) ON DELETE CASCADE,
    FOREIGN KEY (workspace_id, created_by) REFERENCES memberships (workspace_id, user_id) ON DELETE CASCADE
);
INSERT INTO calendar_feeds_new (token_hash, workspace_id, calendar_id, created_at)
    SELECT token_hash, workspace_id, calendar_id, created_at FROM calendar_feeds;
DROP TABLE calendar_feeds;
ALTER TABLE calendar_feeds_new RENAME TO calendar_feeds;
CREATE UNIQUE INDEX calendar_feeds_one_per_maker ON calendar_feeds (workspace_id, calendar_id, created_by);

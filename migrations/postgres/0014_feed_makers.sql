-- A calendar feed remembers who made it. The calendar page lists every
-- address with its maker; each person has at most one address per
-- calendar; and an address goes when its maker leaves the workspace or is
-- removed from it (the foreign key to the membership cascades), so a former
-- member's phone stops reading the calendar. Addresses made before this
-- have no maker (NULL) and stay until someone turns them off.
ALTER TABLE calendar_feeds ADD COLUMN created_by UUID;
ALTER TABLE calendar_feeds ADD CONSTRAINT calendar_feeds_maker_fkey
    FOREIGN KEY (workspace_id, created_by) REFERENCES memberships (workspace_id, user_id) ON DELETE CASCADE;
DROP INDEX calendar_feeds_one_per_calendar;
CREATE UNIQUE INDEX calendar_feeds_one_per_maker ON calendar_feeds (workspace_id, calendar_id, created_by);

-- A calendar's posts in the order every page walks them (time, then id):
-- the editor's previous/next post reads one index entry each instead of
-- sorting the calendar's posts from the given time on.
CREATE INDEX events_by_calendar_in_order ON events (workspace_id, calendar_id, starts_at, id);
DROP INDEX events_by_calendar;

-- Content calendars: brand settings, hashtag sets, calendars, posts and the
-- artwork assigned to them.

ALTER TABLE workspace_settings ADD COLUMN company_name TEXT NOT NULL DEFAULT '';
ALTER TABLE workspace_settings ADD COLUMN branded_hashtag TEXT NOT NULL DEFAULT '';
ALTER TABLE workspace_settings ADD COLUMN content_tone TEXT NOT NULL DEFAULT '';
ALTER TABLE workspace_settings ADD COLUMN shop_url TEXT NOT NULL DEFAULT '';
ALTER TABLE workspace_settings ADD COLUMN instagram_hashtag_count BIGINT NOT NULL DEFAULT 20;
ALTER TABLE workspace_settings ADD COLUMN pinterest_hashtag_count BIGINT NOT NULL DEFAULT 5;
ALTER TABLE workspace_settings ADD COLUMN posting_times TEXT NOT NULL DEFAULT '09:00';

CREATE TABLE hashtag_sets (
    workspace_id UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    id           UUID NOT NULL,
    name         TEXT NOT NULL,
    hashtags     TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (workspace_id, id)
);

CREATE TABLE calendars (
    workspace_id     UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    id               UUID NOT NULL,
    name             TEXT NOT NULL,
    colour           TEXT NOT NULL,
    default_platform TEXT NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (workspace_id, id)
);

-- A post is stored as a calendar event. starts_at is UTC, whole seconds.
CREATE TABLE events (
    workspace_id UUID NOT NULL,
    id           UUID NOT NULL,
    calendar_id  UUID NOT NULL,
    starts_at    TIMESTAMPTZ NOT NULL,
    platform     TEXT NOT NULL,
    caption      TEXT NOT NULL DEFAULT '',
    hashtags     TEXT NOT NULL DEFAULT '',
    notes        TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'ready', 'scheduled', 'published', 'failed')),
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (workspace_id, id),
    FOREIGN KEY (workspace_id, calendar_id) REFERENCES calendars (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX events_by_calendar ON events (workspace_id, calendar_id, starts_at);
CREATE INDEX events_by_time ON events (workspace_id, starts_at);

CREATE TABLE event_images (
    workspace_id UUID NOT NULL,
    event_id     UUID NOT NULL,
    image_id     UUID NOT NULL,
    position     BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, event_id, image_id),
    FOREIGN KEY (workspace_id, event_id) REFERENCES events (workspace_id, id) ON DELETE CASCADE,
    FOREIGN KEY (workspace_id, image_id) REFERENCES images (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX event_images_by_image ON event_images (workspace_id, image_id);

-- Private iCalendar feeds: found by token alone (no session), so this table
-- is global; it holds only the token's hash and where it points.
CREATE TABLE calendar_feeds (
    token_hash   TEXT PRIMARY KEY NOT NULL,
    workspace_id UUID NOT NULL,
    calendar_id  UUID NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    FOREIGN KEY (workspace_id, calendar_id) REFERENCES calendars (workspace_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX calendar_feeds_one_per_calendar ON calendar_feeds (workspace_id, calendar_id);

-- Row-level security on the workspace-owned tables (see 0001).
ALTER TABLE hashtag_sets ENABLE ROW LEVEL SECURITY;
ALTER TABLE hashtag_sets FORCE ROW LEVEL SECURITY;
CREATE POLICY workspace_isolation ON hashtag_sets
    USING (workspace_id = (SELECT NULLIF(current_setting('app.workspace_id', true), '')::uuid))
    WITH CHECK (workspace_id = (SELECT NULLIF(current_setting('app.workspace_id', true), '')::uuid));
ALTER TABLE calendars ENABLE ROW LEVEL SECURITY;
ALTER TABLE calendars FORCE ROW LEVEL SECURITY;
CREATE POLICY workspace_isolation ON calendars
    USING (workspace_id = (SELECT NULLIF(current_setting('app.workspace_id', true), '')::uuid))
    WITH CHECK (workspace_id = (SELECT NULLIF(current_setting('app.workspace_id', true), '')::uuid));
ALTER TABLE events ENABLE ROW LEVEL SECURITY;
ALTER TABLE events FORCE ROW LEVEL SECURITY;
CREATE POLICY workspace_isolation ON events
    USING (workspace_id = (SELECT NULLIF(current_setting('app.workspace_id', true), '')::uuid))
    WITH CHECK (workspace_id = (SELECT NULLIF(current_setting('app.workspace_id', true), '')::uuid));
ALTER TABLE event_images ENABLE ROW LEVEL SECURITY;
ALTER TABLE event_images FORCE ROW LEVEL SECURITY;
CREATE POLICY workspace_isolation ON event_images
    USING (workspace_id = (SELECT NULLIF(current_setting('app.workspace_id', true), '')::uuid))
    WITH CHECK (workspace_id = (SELECT NULLIF(current_setting('app.workspace_id', true), '')::uuid));

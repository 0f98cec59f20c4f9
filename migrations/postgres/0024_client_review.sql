-- Client review (issue 17): approvals, review links, comments, notifications
-- and each workspace at its own address.

-- How a workspace approves posts before they are sent: 'none' (today's
-- behaviour), 'internal' (an owner or admin), 'client' (a named reviewer, on
-- a review link or as a viewer) or 'internal_then_client'.
ALTER TABLE workspaces ADD COLUMN approval TEXT NOT NULL DEFAULT 'none'
    CHECK (approval IN ('none', 'internal', 'client', 'internal_then_client'));
-- The workspace's own address, `{slug}.EASEL_BASE_DOMAIN` (lower-case; unique).
ALTER TABLE workspaces ADD COLUMN slug TEXT;
CREATE UNIQUE INDEX workspaces_by_slug ON workspaces (slug);

-- Where a post stands in review: 'none' (not submitted, a draft), 'internal'
-- or 'client' (waiting for that approval), 'approved', 'changes_requested'
-- (back with its author). `approved_version` is what was approved (JSON:
-- caption, hashtags, starts_at, artwork and crops), for the diff shown when
-- an approved post is edited and goes back to review.
ALTER TABLE events ADD COLUMN review TEXT NOT NULL DEFAULT 'none'
    CHECK (review IN ('none', 'internal', 'client', 'approved', 'changes_requested'));
ALTER TABLE events ADD COLUMN approved_version TEXT NOT NULL DEFAULT '';
-- Who made the post (a member's user id; no foreign key: people live in the
-- main database, a workspace's rows may not).
ALTER TABLE events ADD COLUMN created_by UUID;

-- What happened to a post, in order: status and review changes, edits that
-- reopened a review (with the diff), sends. `via` says from where: the app,
-- a review link, or Easel itself.
CREATE TABLE post_history (
    workspace_id   UUID NOT NULL,
    id             UUID NOT NULL,
    event_id       UUID NOT NULL,
    kind           TEXT NOT NULL,
    from_state     TEXT NOT NULL DEFAULT '',
    to_state       TEXT NOT NULL DEFAULT '',
    actor_id       UUID,
    actor_name     TEXT NOT NULL,
    via            TEXT NOT NULL CHECK (via IN ('app', 'review_link', 'easel')),
    review_link_id UUID,
    ip             TEXT NOT NULL DEFAULT '',
    detail         TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (workspace_id, id),
    FOREIGN KEY (workspace_id, event_id) REFERENCES events (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX post_history_by_post ON post_history (workspace_id, event_id, created_at);

-- A review link: for a named reviewer, over a calendar's date range
-- (`calendar_id`, `starts_on`..`ends_on`, local dates) or over the posts
-- hand-picked in `review_link_posts`.
CREATE TABLE review_links (
    workspace_id   UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    id             UUID NOT NULL,
    reviewer_name  TEXT NOT NULL,
    reviewer_email TEXT NOT NULL,
    calendar_id    UUID,
    starts_on      TEXT,
    ends_on        TEXT,
    created_by     UUID,
    created_at     TIMESTAMPTZ NOT NULL,
    expires_at     TIMESTAMPTZ NOT NULL,
    revoked_at     TIMESTAMPTZ,
    last_opened_at TIMESTAMPTZ,
    PRIMARY KEY (workspace_id, id),
    FOREIGN KEY (workspace_id, calendar_id) REFERENCES calendars (workspace_id, id) ON DELETE CASCADE
);

CREATE TABLE review_link_posts (
    workspace_id UUID NOT NULL,
    link_id      UUID NOT NULL,
    event_id     UUID NOT NULL,
    PRIMARY KEY (workspace_id, link_id, event_id),
    FOREIGN KEY (workspace_id, link_id) REFERENCES review_links (workspace_id, id) ON DELETE CASCADE,
    FOREIGN KEY (workspace_id, event_id) REFERENCES events (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX review_link_posts_by_post ON review_link_posts (workspace_id, event_id);

-- A review link's token is its only credential, found with no session:
-- global like calendar_feeds, holding only the token's hash and its link.
CREATE TABLE review_link_tokens (
    token_hash   TEXT PRIMARY KEY NOT NULL,
    workspace_id UUID NOT NULL,
    link_id      UUID NOT NULL,
    FOREIGN KEY (workspace_id, link_id) REFERENCES review_links (workspace_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX review_link_tokens_one_per_link ON review_link_tokens (workspace_id, link_id);

-- A post's comment thread: 'internal' ones are for members only, 'client'
-- ones show on the post's review links too. A reviewer's comment names its
-- link; a member's names the member.
CREATE TABLE post_comments (
    workspace_id   UUID NOT NULL,
    id             UUID NOT NULL,
    event_id       UUID NOT NULL,
    visibility     TEXT NOT NULL CHECK (visibility IN ('internal', 'client')),
    author_id      UUID,
    review_link_id UUID,
    author_name    TEXT NOT NULL,
    body           TEXT NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    edited_at      TIMESTAMPTZ,
    PRIMARY KEY (workspace_id, id),
    FOREIGN KEY (workspace_id, event_id) REFERENCES events (workspace_id, id) ON DELETE CASCADE,
    FOREIGN KEY (workspace_id, review_link_id) REFERENCES review_links (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX post_comments_by_post ON post_comments (workspace_id, event_id, created_at);

-- What a member is told in the app (the bell), per workspace: kinds
-- 'review_requested', 'approved', 'changes_requested', 'comment', 'mention'.
-- `emailed_at` is set once the mail summary that carried it went out.
CREATE TABLE notifications (
    workspace_id UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    id           UUID NOT NULL,
    user_id      UUID NOT NULL,
    kind         TEXT NOT NULL,
    event_id     UUID,
    text         TEXT NOT NULL,
    link         TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL,
    read_at      TIMESTAMPTZ,
    emailed_at   TIMESTAMPTZ,
    PRIMARY KEY (workspace_id, id),
    FOREIGN KEY (workspace_id, event_id) REFERENCES events (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX notifications_unread ON notifications (workspace_id, user_id, read_at);

-- Workspace data: forced row-level security (see 0001 and 0009).
ALTER TABLE post_history ENABLE ROW LEVEL SECURITY;
ALTER TABLE post_history FORCE ROW LEVEL SECURITY;
CREATE POLICY workspace_isolation ON post_history
    USING (workspace_id = (SELECT NULLIF(current_setting('app.workspace_id', true), '')::uuid)
           OR (SELECT current_setting('app.platform_admin', true)) = 'on')
    WITH CHECK (workspace_id = (SELECT NULLIF(current_setting('app.workspace_id', true), '')::uuid)
                OR (SELECT current_setting('app.platform_admin', true)) = 'on');
ALTER TABLE review_links ENABLE ROW LEVEL SECURITY;
ALTER TABLE review_links FORCE ROW LEVEL SECURITY;
CREATE POLICY workspace_isolation ON review_links
    USING (workspace_id = (SELECT NULLIF(current_setting('app.workspace_id', true), '')::uuid)
           OR (SELECT current_setting('app.platform_admin', true)) = 'on')
    WITH CHECK (workspace_id = (SELECT NULLIF(current_setting('app.workspace_id', true), '')::uuid)
                OR (SELECT current_setting('app.platform_admin', true)) = 'on');
ALTER TABLE review_link_posts ENABLE ROW LEVEL SECURITY;
ALTER TABLE review_link_posts FORCE ROW LEVEL SECURITY;
CREATE POLICY workspace_isolation ON review_link_posts
    USING (workspace_id = (SELECT NULLIF(current_setting('app.workspace_id', true), '')::uuid)
           OR (SELECT current_setting('app.platform_admin', true)) = 'on')
    WITH CHECK (workspace_id = (SELECT NULLIF(current_setting('app.workspace_id', true), '')::uuid)
                OR (SELECT current_setting('app.platform_admin', true)) = 'on');
ALTER TABLE post_comments ENABLE ROW LEVEL SECURITY;
ALTER TABLE post_comments FORCE ROW LEVEL SECURITY;
CREATE POLICY workspace_isolation ON post_comments
    USING (workspace_id = (SELECT NULLIF(current_setting('app.workspace_id', true), '')::uuid)
           OR (SELECT current_setting('app.platform_admin', true)) = 'on')
    WITH CHECK (workspace_id = (SELECT NULLIF(current_setting('app.workspace_id', true), '')::uuid)
                OR (SELECT current_setting('app.platform_admin', true)) = 'on');
ALTER TABLE notifications ENABLE ROW LEVEL SECURITY;
ALTER TABLE notifications FORCE ROW LEVEL SECURITY;
CREATE POLICY workspace_isolation ON notifications
    USING (workspace_id = (SELECT NULLIF(current_setting('app.workspace_id', true), '')::uuid)
           OR (SELECT current_setting('app.platform_admin', true)) = 'on')
    WITH CHECK (workspace_id = (SELECT NULLIF(current_setting('app.workspace_id', true), '')::uuid)
                OR (SELECT current_setting('app.platform_admin', true)) = 'on');

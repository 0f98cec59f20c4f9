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
ALTER TABLE events ADD COLUMN created_by BLOB;

-- What happened to a post, in order: status and review changes, edits that
-- reopened a review (with the diff), sends. `via` says from where: the app,
-- a review link, or Easel itself.
CREATE TABLE post_history (
    workspace_id   BLOB NOT NULL,
    id             BLOB NOT NULL,
    event_id       BLOB NOT NULL,
    kind           TEXT NOT NULL,
    from_state     TEXT NOT NULL DEFAULT '',
    to_state       TEXT NOT NULL DEFAULT '',
    actor_id       BLOB,
    actor_name     TEXT NOT NULL,
    via            TEXT NOT NULL CHECK (via IN ('app', 'review_link', 'easel')),
    review_link_id BLOB,
    ip             TEXT NOT NULL DEFAULT '',
    detail         TEXT NOT NULL DEFAULT '',
    created_at     TEXT NOT NULL,
    PRIMARY KEY (workspace_id, id),
    FOREIGN KEY (workspace_id, event_id) REFERENCES events (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX post_history_by_post ON post_history (workspace_id, event_id, created_at);

-- A review link: for a named reviewer, over a calendar's date range
-- (`calendar_id`, `starts_on`..`ends_on`, local dates) or over the posts
-- hand-picked in `review_link_posts`.
CREATE TABLE review_links (
    workspace_id   BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    id             BLOB NOT NULL,
    reviewer_name  TEXT NOT NULL,
    reviewer_email TEXT NOT NULL,
    calendar_id    BLOB,
    starts_on      TEXT,
    ends_on        TEXT,
    created_by     BLOB,
    created_at     TEXT NOT NULL,
    expires_at     TEXT NOT NULL,
    revoked_at     TEXT,
    last_opened_at TEXT,
    PRIMARY KEY (workspace_id, id),
    FOREIGN KEY (workspace_id, calendar_id) REFERENCES calendars (workspace_id, id) ON DELETE CASCADE
);

CREATE TABLE review_link_posts (
    workspace_id BLOB NOT NULL,
    link_id      BLOB NOT NULL,
    event_id     BLOB NOT NULL,
    PRIMARY KEY (workspace_id, link_id, event_id),
    FOREIGN KEY (workspace_id, link_id) REFERENCES review_links (workspace_id, id) ON DELETE CASCADE,
    FOREIGN KEY (workspace_id, event_id) REFERENCES events (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX review_link_posts_by_post ON review_link_posts (workspace_id, event_id);

-- A review link's token is its only credential, found with no session:
-- global like calendar_feeds, holding only the token's hash and its link.
CREATE TABLE review_link_tokens (
    token_hash   TEXT PRIMARY KEY NOT NULL,
    workspace_id BLOB NOT NULL,
    link_id      BLOB NOT NULL,
    FOREIGN KEY (workspace_id, link_id) REFERENCES review_links (workspace_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX review_link_tokens_one_per_link ON review_link_tokens (workspace_id, link_id);

-- A post's comment thread: 'internal' ones are for members only, 'client'
-- ones show on the post's review links too. A reviewer's comment names its
-- link; a member's names the member.
CREATE TABLE post_comments (
    workspace_id   BLOB NOT NULL,
    id             BLOB NOT NULL,
    event_id       BLOB NOT NULL,
    visibility     TEXT NOT NULL CHECK (visibility IN ('internal', 'client')),
    author_id      BLOB,
    review_link_id BLOB,
    author_name    TEXT NOT NULL,
    body           TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    edited_at      TEXT,
    PRIMARY KEY (workspace_id, id),
    FOREIGN KEY (workspace_id, event_id) REFERENCES events (workspace_id, id) ON DELETE CASCADE,
    FOREIGN KEY (workspace_id, review_link_id) REFERENCES review_links (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX post_comments_by_post ON post_comments (workspace_id, event_id, created_at);

-- What a member is told in the app (the bell), per workspace: kinds
-- 'review_requested', 'approved', 'changes_requested', 'comment', 'mention'.
-- `emailed_at` is set once the mail summary that carried it went out.
CREATE TABLE notifications (
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    id           BLOB NOT NULL,
    user_id      BLOB NOT NULL,
    kind         TEXT NOT NULL,
    event_id     BLOB,
    text         TEXT NOT NULL,
    link         TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    read_at      TEXT,
    emailed_at   TEXT,
    PRIMARY KEY (workspace_id, id),
    FOREIGN KEY (workspace_id, event_id) REFERENCES events (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX notifications_unread ON notifications (workspace_id, user_id, read_at);

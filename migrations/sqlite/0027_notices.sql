-- Notices (issue 17 §4): what each person wants to be told, and when their
-- last mail summary went.

-- A notification is made for the bell (`in_app`) and/or for the mail
-- summaries (`by_mail`), as its person chose for its kind. One not for the
-- bell is made read at once, so the bell's count needs only the unread index.
ALTER TABLE notifications ADD COLUMN in_app BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE notifications ADD COLUMN by_mail BOOLEAN NOT NULL DEFAULT TRUE;
-- What the summary job looks for: mail not sent yet.
CREATE INDEX notifications_unmailed ON notifications (user_id, emailed_at);

-- A person's choice per kind of notification; no row means both on.
CREATE TABLE notice_choices (
    user_id BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind    TEXT NOT NULL,
    in_app  BOOLEAN NOT NULL DEFAULT TRUE,
    by_mail BOOLEAN NOT NULL DEFAULT TRUE,
    PRIMARY KEY (user_id, kind)
);

-- When a person's last mail summary went (at most one per 10 minutes).
CREATE TABLE notice_mail (
    user_id      BLOB PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    last_sent_at TEXT NOT NULL
);

-- Sign-in with Google or GitHub: an identity is the provider's own id for a
-- person, never their email.
CREATE TABLE oauth_identities (
    provider   TEXT NOT NULL,
    subject    TEXT NOT NULL,
    user_id    BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    email      TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (provider, subject)
);
CREATE INDEX oauth_identities_by_user ON oauth_identities (user_id);

-- Verified emails: when a person proved they receive mail at their address,
-- and the single-use links (24 hours, stored as hashes) that prove it.
ALTER TABLE users ADD COLUMN email_verified_at TIMESTAMPTZ;

CREATE TABLE email_verifications (
    token_hash TEXT PRIMARY KEY,
    user_id    UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- The address the link was mailed to: it proves only that one.
    email      TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ
);
CREATE INDEX email_verifications_by_user ON email_verifications (user_id);

-- Existing accounts that already showed they hold their address count as
-- verified: one with a Google/GitHub identity for the same address (Easel
-- linked by email only when the provider verified it, and made accounts from
-- the provider's address), a password reset completed through the mail, or
-- an invitation to that address accepted. Every other existing account starts
-- unverified: it keeps everything it has and is asked to confirm.
UPDATE users SET email_verified_at = created_at
WHERE EXISTS (SELECT 1 FROM oauth_identities i WHERE i.user_id = users.id AND i.email = users.email)
   OR EXISTS (SELECT 1 FROM password_resets r WHERE r.user_id = users.id AND r.used_at IS NOT NULL)
   OR EXISTS (SELECT 1 FROM invitations v WHERE v.email = users.email AND v.accepted_at IS NOT NULL);

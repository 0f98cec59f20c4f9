-- Two-factor sign-in (TOTP). One row per person who started enrolling; the
-- secret is sealed (bound to the person), `confirmed_at` is set once a code
-- proved the authenticator works, and `last_used_step` is the newest time
-- step a code was accepted for, so no code works twice.
CREATE TABLE two_factor (
    user_id        BLOB PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    secret_sealed  TEXT NOT NULL,
    confirmed_at   TEXT,
    last_used_step INTEGER NOT NULL DEFAULT 0,
    created_at     TEXT NOT NULL
);

-- Single-use recovery codes, stored only as SHA-256 hashes.
CREATE TABLE two_factor_recovery_codes (
    user_id   BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at   TEXT,
    PRIMARY KEY (user_id, code_hash)
);

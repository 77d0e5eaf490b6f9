-- Passkeys (issue 5).

-- A registered credential: the webauthn-rs `Passkey` (public key, flags, counter) as JSON,
-- its credential id (base64url, unique across all users: a credential belongs to one
-- account), and the signature counter as a column so its update can be conditional.
CREATE TABLE passkeys (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    credential_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    passkey TEXT NOT NULL,
    counter BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT
);
CREATE INDEX passkeys_user ON passkeys(user_id);

-- A WebAuthn ceremony between start and finish: the challenge id (by hash), what it is for
-- (`register`, `login`, `reauth`), who started it (user and session, NULL for a discoverable
-- login) and the webauthn-rs state. Deleted when finished (single use) or expired.
CREATE TABLE webauthn_challenges (
    hash TEXT PRIMARY KEY,
    purpose TEXT NOT NULL,
    user_id TEXT REFERENCES users(id) ON DELETE CASCADE,
    session_id TEXT,
    name TEXT,
    state TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);

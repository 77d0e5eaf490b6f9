-- Per-user M2M tokens and callbacks (issue 7).

-- The M2M token: looked up by its SHA-256 on every call that presents it, and kept encrypted
-- so that the login answer can carry it (`token`). One per user; an expiry is optional.
ALTER TABLE users ADD COLUMN m2m_hash TEXT;
ALTER TABLE users ADD COLUMN m2m_token_enc TEXT;
ALTER TABLE users ADD COLUMN m2m_expires_at BIGINT;
CREATE UNIQUE INDEX users_m2m_hash ON users(m2m_hash);

-- The URLs to call when a workflow the user triggered completes or is blocked: a JSON list of
-- `{url, events, secret_enc?}` (the signing secret encrypted).
ALTER TABLE users ADD COLUMN callbacks TEXT NOT NULL DEFAULT '[]';

-- A session is one sign-in; its refresh tokens form one family.
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    current_hash TEXT NOT NULL,         -- SHA-256 of the live refresh token
    current_token_enc TEXT,             -- the live token, encrypted, after a rotation: handed
                                        -- again to a late request inside the 30 s grace
    created_at BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL,       -- last login or refresh (idle timeout)
    expires_at BIGINT NOT NULL,         -- absolute maximum lifetime
    auth_at BIGINT NOT NULL,            -- last authentication (login or re-authentication)
    amr TEXT NOT NULL DEFAULT '[]',
    ip TEXT,
    user_agent TEXT,
    revoked_at BIGINT,
    revoked_reason TEXT
);
CREATE INDEX sessions_user ON sessions(user_id);

-- Every refresh token ever issued, by hash: a replaced one presented after the grace
-- revokes its session.
CREATE TABLE refresh_tokens (
    hash TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    issued_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    replaced_at BIGINT
);
CREATE INDEX refresh_tokens_session ON refresh_tokens(session_id);

-- Recently revoked sessions, polled by every instance so that access tokens of a revoked
-- session stop working everywhere within seconds, without a query per request.
CREATE TABLE revocations (
    session_id TEXT PRIMARY KEY,
    expires_at BIGINT NOT NULL          -- after this, every access token of it has expired
);

-- Single-use links: set-password (first admin, welcome mail) and password reset.
CREATE TABLE one_time_tokens (
    hash TEXT PRIMARY KEY,              -- SHA-256 of the token
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    purpose TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX one_time_tokens_user ON one_time_tokens(user_id);

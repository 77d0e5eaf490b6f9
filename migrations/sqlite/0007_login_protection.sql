-- Second factors and login protection (issue 4).

-- The IP whitelist (JSON list of CIDRs; empty: no restriction) and the TOTP seed, encrypted,
-- with the last accepted time step (each code is accepted once). `totp_pending_enc` holds an
-- enrolment until it is confirmed with a code.
ALTER TABLE users ADD COLUMN ip_whitelist TEXT NOT NULL DEFAULT '[]';
ALTER TABLE users ADD COLUMN totp_secret_enc TEXT;
ALTER TABLE users ADD COLUMN totp_pending_enc TEXT;
ALTER TABLE users ADD COLUMN totp_last_step BIGINT;

-- A login waiting for its second factor: the opaque payload (by hash), single use, counted
-- wrong codes, and for email the code (keyed hash) and when it was last sent.
CREATE TABLE two_factor_challenges (
    hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    option TEXT NOT NULL,
    amr TEXT NOT NULL,
    code_hash TEXT,
    failures BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    sent_at BIGINT,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX two_factor_challenges_user ON two_factor_challenges(user_id);

-- Devices that passed 2FA with "trust this device" (token by hash) and networks the user
-- trusts: a login from either skips the second factor.
CREATE TABLE trusted_devices (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    expires_at BIGINT NOT NULL
);
CREATE INDEX trusted_devices_user ON trusted_devices(user_id);

CREATE TABLE trusted_locations (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    cidr TEXT NOT NULL,
    label TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX trusted_locations_user ON trusted_locations(user_id);

-- Single-use recovery codes, by keyed hash.
CREATE TABLE recovery_codes (
    code_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX recovery_codes_user ON recovery_codes(user_id);

-- Login attempts are the `login` audit events of a user: read newest first per user.
CREATE INDEX audit_events_user ON audit_events(user_id, kind, at);

-- Local and external users. Usernames are stored normalised (NFKC, lower case).
CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT,                 -- argon2id PHC string; NULL for users without a password
    firstname TEXT NOT NULL DEFAULT '',
    lastname TEXT NOT NULL DEFAULT '',
    mobile TEXT,
    email TEXT,
    system BIGINT NOT NULL DEFAULT 0,
    profile TEXT,
    ui_profile TEXT,
    registered_on BIGINT NOT NULL,
    language TEXT NOT NULL DEFAULT 'en',
    timezone TEXT NOT NULL DEFAULT 'UTC',
    roles TEXT NOT NULL DEFAULT '[]',
    properties TEXT NOT NULL DEFAULT '{}',
    idp TEXT,
    disabled BIGINT NOT NULL DEFAULT 0,
    force_change_password BIGINT NOT NULL DEFAULT 0,
    two_factor_option TEXT NOT NULL DEFAULT 'none',
    two_factor_forced_email BIGINT NOT NULL DEFAULT 0,
    failed_logins BIGINT NOT NULL DEFAULT 0,
    locked_until BIGINT,
    updated_at BIGINT NOT NULL
);

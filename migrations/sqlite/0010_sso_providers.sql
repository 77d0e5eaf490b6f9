-- External identity providers for single sign-on (issue 8), managed by admins. `settings` is
-- the provider's JSON (name, protocol, enabled, OIDC or SAML part, rules) without the OIDC
-- client secret, which is kept encrypted apart.
CREATE TABLE sso_providers (
    id TEXT PRIMARY KEY,
    settings TEXT NOT NULL,
    client_secret_enc TEXT,
    updated_at BIGINT NOT NULL,
    updated_by TEXT
);

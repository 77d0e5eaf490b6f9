-- Signing in through an identity provider (issue 8).

-- A sign-in between the redirect to the IdP and its answer: keyed by the hash of the OIDC
-- `state` (or of the SAML request ID), bound to the browser that started it by the hash of a
-- cookie, single use (deleted when the answer comes) and short-lived. `json` marks a flow a
-- REST client started (`Accept: application/json`): it gets the tokens as JSON at the end.
-- The PKCE verifier and the nonce are derived from the state with the server's key, so
-- nothing here is a secret.
CREATE TABLE sso_flows (
    hash TEXT PRIMARY KEY,
    provider_id TEXT NOT NULL,
    browser_hash TEXT NOT NULL,
    return_to TEXT,
    json BIGINT NOT NULL DEFAULT 0,
    expires_at BIGINT NOT NULL
);

-- Which user an identity of a provider is: (provider, issuer, subject), never an email.
-- The issuer is part of the key, so repointing a provider at another IdP links nobody.
CREATE TABLE sso_links (
    provider_id TEXT NOT NULL,
    issuer TEXT NOT NULL,
    subject TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (provider_id, issuer, subject)
);
CREATE INDEX sso_links_user ON sso_links(user_id);

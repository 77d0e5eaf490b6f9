-- SAML assertions already used (issue 8), by the hash of provider, issuer and assertion ID,
-- until they expire: an assertion is accepted once.
CREATE TABLE saml_assertions (
    hash TEXT PRIMARY KEY,
    expires_at BIGINT NOT NULL
);

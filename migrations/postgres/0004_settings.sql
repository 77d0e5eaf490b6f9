-- The platform settings (CONFIG.md §2): one JSON document; every instance polls the version.
CREATE TABLE settings (
    id BIGINT PRIMARY KEY,
    body TEXT NOT NULL,
    version BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

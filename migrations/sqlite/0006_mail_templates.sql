-- Mail templates edited by admins; a name without a row here uses the shipped default.
CREATE TABLE mail_templates (
    name TEXT PRIMARY KEY,
    subject TEXT NOT NULL,
    text TEXT NOT NULL,
    html TEXT,
    updated_at BIGINT NOT NULL,
    updated_by TEXT
);

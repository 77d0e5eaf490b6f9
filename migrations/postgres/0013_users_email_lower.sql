-- SSO and BroadWorks sign-ins ask whether some user already has an address, whatever its
-- case (`email_in_use`): without this index that is a scan of every user.
CREATE INDEX users_email_lower ON users (LOWER(email));

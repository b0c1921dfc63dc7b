-- Contact data for convocations: a person's e-mail address. Private: no
-- public page, OParl object, CSV or search shows it (their queries name
-- their columns); the secretariat keeps it in the register of people.
ALTER TABLE person ADD COLUMN email text
    CHECK (email IS NULL OR (email = lower(email) AND email ~ '^[^@\s]+@[^@\s]+$'));

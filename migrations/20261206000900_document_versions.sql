-- Document versions: a new version of a document replaces it on the
-- agenda and keeps it as history (numbered as Belgian practice does: the
-- second is "bis", then "ter", "quater"…). Listings show the current
-- versions (`NOT superseded`); an agenda version keeps the ids it carried,
-- so it still names the version it listed.
ALTER TABLE document
    ADD COLUMN replaces_id bigint UNIQUE REFERENCES document,
    -- the first version of the document (none for the first itself): all
    -- versions of one document share `coalesce(first_id, id)`
    ADD COLUMN first_id    bigint REFERENCES document,
    ADD COLUMN version_no  integer NOT NULL DEFAULT 1 CHECK (version_no >= 1),
    ADD COLUMN superseded  boolean NOT NULL DEFAULT false,
    ADD CONSTRAINT document_version CHECK ((replaces_id IS NULL) = (version_no = 1));

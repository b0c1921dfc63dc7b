-- Composition management: corrections that stop counting, optimistic locking
-- for the records the secretariat edits, and a named overlap constraint for
-- ministers' competences.

-- A membership recorded by mistake is never overwritten or deleted. It is
-- marked superseded (when, by whom, why), and a correction, if any, is a new
-- row with corrects_id pointing at it. Every composition query reads only
-- rows with superseded_at IS NULL; the superseded ones stay for the history
-- (and the open data, where they appear with "deleted": true).
ALTER TABLE membership
    ADD COLUMN superseded_at timestamptz,
    ADD COLUMN superseded_by bigint REFERENCES account,
    ADD COLUMN superseded_note text,
    ADD COLUMN version integer NOT NULL DEFAULT 1,
    ADD CONSTRAINT membership_superseded_note
        CHECK ((superseded_at IS NULL) = (superseded_note IS NULL));

-- A superseded row must not block its own correction: the overlap rule only
-- applies to the rows that count.
ALTER TABLE membership DROP CONSTRAINT membership_no_overlap;
ALTER TABLE membership ADD CONSTRAINT membership_no_overlap EXCLUDE USING gist (
    body_id WITH =, person_id WITH =, role WITH =,
    daterange(valid_from, valid_until, '[]') WITH &&
) WHERE (superseded_at IS NULL);

CREATE INDEX membership_modified ON membership (modified_at);

ALTER TABLE organisation ADD COLUMN version integer NOT NULL DEFAULT 1;
ALTER TABLE person ADD COLUMN version integer NOT NULL DEFAULT 1;
ALTER TABLE seat_rule ADD COLUMN version integer NOT NULL DEFAULT 1;

ALTER TABLE minister_competence
    RENAME CONSTRAINT minister_competence_person_id_competence_id_daterange_excl
    TO minister_competence_no_overlap;

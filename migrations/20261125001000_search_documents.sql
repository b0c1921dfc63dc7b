-- Full-text search, fast on a history of many years. The expression indexes
-- of 20261125000500 only found rows: ranking (ts_rank) then recomputed
-- to_tsvector for every match, and agreements and people were searched on a
-- text built from other tables at query time, without any index. Now every
-- searchable thing has its tsvector stored once, with a GIN index on it, and
-- the search ranks on that stored vector.

-- Agenda items, meetings (place and notes) and action lines: their text is
-- in their own row, so a generated column keeps the vector up to date. The
-- expressions are those of the old indexes, so matches do not change.
ALTER TABLE agenda_item ADD COLUMN search tsvector GENERATED ALWAYS AS (
    to_tsvector('dutch'::regconfig, title || ' ' || explanation || ' ' || coalesce(decision_text, ''))
) STORED;
CREATE INDEX agenda_item_search ON agenda_item USING gin (search);
DROP INDEX agenda_item_fts;

-- A meeting is found by its body's name (for everyone) or by its place and
-- notes (for members of the body): the body's vector is stored too, so it is
-- not computed again for every meeting.
ALTER TABLE body ADD COLUMN search tsvector GENERATED ALWAYS AS (
    to_tsvector('dutch'::regconfig, name)
) STORED;

ALTER TABLE meeting ADD COLUMN search tsvector GENERATED ALWAYS AS (
    to_tsvector('dutch'::regconfig, location || ' ' || notes)
) STORED;
CREATE INDEX meeting_search ON meeting USING gin (search);
DROP INDEX meeting_fts;

ALTER TABLE action_line ADD COLUMN search tsvector GENERATED ALWAYS AS (
    to_tsvector('dutch'::regconfig, title)
) STORED;
CREATE INDEX action_line_search ON action_line USING gin (search);
DROP INDEX action_line_fts;

-- Agreements and people: their searchable text comes from other tables
-- (commitments and goals; functions), so it is kept in a search document,
-- one row per agreement or person, refreshed by triggers. `doc` is the text
-- the snippets are taken from; `search` what is matched and ranked.

-- The title weighs most, then the subtitle, then the rest (`doc`).
CREATE TABLE agreement_search (
    agreement_id bigint PRIMARY KEY REFERENCES agreement (id) ON DELETE CASCADE,
    doc text NOT NULL,
    search tsvector NOT NULL
);
CREATE INDEX agreement_search_search ON agreement_search USING gin (search);

CREATE FUNCTION refresh_agreement_search(bigint) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO agreement_search (agreement_id, doc, search)
    SELECT a.id, d.doc,
           setweight(to_tsvector('dutch', a.title), 'A')
           || setweight(to_tsvector('dutch', a.subtitle), 'B')
           || setweight(to_tsvector('dutch', d.doc), 'D')
    FROM agreement a
    CROSS JOIN LATERAL (
        SELECT concat_ws(' · ', nullif(a.subtitle, ''), nullif(a.introduction, ''),
                   (SELECT string_agg(c.text, ' ' ORDER BY c.position)
                    FROM agreement_commitment c WHERE c.agreement_id = a.id),
                   (SELECT string_agg(g.text, ' ' ORDER BY g.position)
                    FROM goal g WHERE g.agreement_id = a.id)) AS doc) d
    WHERE a.id = $1
    ON CONFLICT (agreement_id) DO UPDATE SET doc = excluded.doc, search = excluded.search;
$$;

CREATE FUNCTION agreement_search_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- the agreement row itself, or a commitment or goal of it
    IF TG_TABLE_NAME = 'agreement' THEN
        PERFORM refresh_agreement_search(NEW.id);
        RETURN NULL;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM refresh_agreement_search(NEW.agreement_id);
    END IF;
    -- a deleted agreement's document goes with it (ON DELETE CASCADE): the
    -- refresh then finds no agreement and writes nothing
    IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.agreement_id <> NEW.agreement_id) THEN
        PERFORM refresh_agreement_search(OLD.agreement_id);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER agreement_search AFTER INSERT OR UPDATE OF title, subtitle, introduction
    ON agreement FOR EACH ROW EXECUTE FUNCTION agreement_search_changed();
CREATE TRIGGER agreement_search AFTER INSERT OR UPDATE OR DELETE
    ON agreement_commitment FOR EACH ROW EXECUTE FUNCTION agreement_search_changed();
CREATE TRIGGER agreement_search AFTER INSERT OR UPDATE OR DELETE
    ON goal FOR EACH ROW EXECUTE FUNCTION agreement_search_changed();

SELECT refresh_agreement_search(id) FROM agreement;

-- A person's name and public functions, newest function first.
CREATE TABLE person_search (
    person_id bigint PRIMARY KEY REFERENCES person (id) ON DELETE CASCADE,
    doc text NOT NULL,
    search tsvector NOT NULL
);
CREATE INDEX person_search_search ON person_search USING gin (search);

CREATE FUNCTION refresh_person_search(bigint) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO person_search (person_id, doc, search)
    SELECT p.id, d.doc, to_tsvector('dutch', d.doc)
    FROM person p
    CROSS JOIN LATERAL (
        SELECT p.given_name || ' ' || p.family_name || ' · '
               || coalesce(string_agg(f.title, ' · ' ORDER BY f.valid_from DESC NULLS LAST, f.id), '')
               AS doc
        FROM person_function f WHERE f.person_id = p.id) d
    WHERE p.id = $1
    ON CONFLICT (person_id) DO UPDATE SET doc = excluded.doc, search = excluded.search;
$$;

CREATE FUNCTION person_search_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'person' THEN
        PERFORM refresh_person_search(NEW.id);
        RETURN NULL;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM refresh_person_search(NEW.person_id);
    END IF;
    IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.person_id <> NEW.person_id) THEN
        PERFORM refresh_person_search(OLD.person_id);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER person_search AFTER INSERT OR UPDATE OF given_name, family_name
    ON person FOR EACH ROW EXECUTE FUNCTION person_search_changed();
CREATE TRIGGER person_search AFTER INSERT OR UPDATE OR DELETE
    ON person_function FOR EACH ROW EXECUTE FUNCTION person_search_changed();

SELECT refresh_person_search(id) FROM person;

-- The page cache (migration …0900, src/cache.rs) hears of changes to
-- these tables too, like of every table pages read.
CREATE TRIGGER notify_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON agreement_search FOR EACH STATEMENT EXECUTE FUNCTION notify_change();
CREATE TRIGGER notify_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON person_search FOR EACH STATEMENT EXECUTE FUNCTION notify_change();

-- Who may see what: one rule per kind of record, used by every query that
-- shows that kind (pages, search, downloads, feeds). docs/access.md has the
-- same rules as a table; tests/it/records.rs checks every channel against it.
--
-- The reader is bound as one value, built in Rust by `auth::Reader` from
-- the signed-in user (or nobody) and today's date in Brussels.
CREATE TYPE reader AS (
    -- the secretariat: reads every record (administrators do not, see
    -- docs/access.md)
    reads_all       boolean,
    signed_in       boolean,
    -- the organisation a social partner (or government organisation) acts for
    organisation_id bigint,
    -- the minister a cabinet acts for
    minister_id     bigint,
    today           date
);

-- Does the reader's organisation (or minister) sit in the body, today or on
-- `on_day` (the day of the meeting concerned)? The secretariat sits
-- everywhere, anonymous visitors and administrators nowhere.
CREATE FUNCTION reader_sits_in(r reader, body bigint, on_day date)
RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT (r).reads_all
        OR ((r).signed_in
            AND ((r).organisation_id IS NOT NULL OR (r).minister_id IS NOT NULL)
            AND sits_in(body, (r).organisation_id, (r).minister_id, (r).today,
                        coalesce(on_day, (r).today)))
$$;

-- Does the reader act for the item's proposer? A cabinet for its minister,
-- anyone else for their organisation (never for a minister's item).
CREATE FUNCTION agenda_item_owned(r reader, a agenda_item)
RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(
        CASE WHEN (r).minister_id IS NOT NULL THEN a.proposer_minister_id = (r).minister_id
             ELSE a.proposer_minister_id IS NULL
                  AND a.proposer_organisation_id = (r).organisation_id
        END, false)
$$;

-- On a meeting's agenda: accepted or dealt with, with a place on it. A
-- deferred item keeps its meeting but has no place: it is not on the agenda.
CREATE FUNCTION agenda_item_on_agenda(a agenda_item)
RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT a.meeting_id IS NOT NULL AND a.position IS NOT NULL
       AND a.status IN ('accepted', 'dealt_with')
$$;

-- Confidential and not yet released (no release time, or one still to come).
CREATE FUNCTION agenda_item_under_embargo(a agenda_item)
RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT a.confidential AND (a.embargo_until IS NULL OR a.embargo_until > now())
$$;

-- An agenda item: the secretariat always; the proposer in any state; anyone
-- once it is on an agenda, but while it is confidential only the members of
-- its body (today or on the meeting's day).
CREATE FUNCTION agenda_item_visible(r reader, a agenda_item, meeting_day date)
RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT (r).reads_all
        OR agenda_item_owned(r, a)
        OR (agenda_item_on_agenda(a)
            AND (NOT agenda_item_under_embargo(a) OR reader_sits_in(r, a.body_id, meeting_day)))
$$;

-- A document of an agenda item (`a`): whoever may see the item; a
-- confidential document only the secretariat, the proposer and the members
-- of the body, until the item's release time. A document of a meeting (`a`
-- NULL; none is uploaded today): the members of its body, a confidential
-- one the secretariat only. `body` is the item's or the meeting's body.
-- Only the document's flag is passed, never its row: this function is
-- inlined into the query that calls it, and a row would bring its content.
CREATE FUNCTION document_visible(r reader, confidential boolean, a agenda_item, body bigint,
                                 meeting_day date)
RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT (r).reads_all
        OR CASE
            WHEN a.id IS NOT NULL THEN
                agenda_item_visible(r, a, meeting_day)
                AND (NOT confidential
                     OR agenda_item_owned(r, a)
                     OR a.embargo_until <= now()
                     OR reader_sits_in(r, a.body_id, meeting_day))
            ELSE NOT confidential AND reader_sits_in(r, body, meeting_day)
           END
$$;

-- A meeting's internals (place, online link, notes, invitation list,
-- attendance): the members of its body, today or on the meeting's day.
CREATE FUNCTION meeting_internals_visible(r reader, m meeting)
RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT reader_sits_in(r, m.body_id, (m.starts_at AT TIME ZONE 'Europe/Brussels')::date)
$$;

-- Minutes: the secretariat in any state; the members of the body once
-- approved.
CREATE FUNCTION minutes_visible(r reader, m meeting, status minutes_status)
RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT (r).reads_all OR (status = 'approved' AND meeting_internals_visible(r, m))
$$;

-- An agreement (with its goals, action lines, signatories and follow-up):
-- published ones for everyone, drafts for signed-in accounts.
CREATE FUNCTION agreement_visible(r reader, status agreement_status)
RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT status = 'published' OR coalesce((r).signed_in, false)
$$;

-- Minutes per agenda item, the decision list, corrections of approved
-- minutes, and declarations of a conflict of interest.

-- Sent for comments: when, and until when comments are welcome.
ALTER TABLE minutes
    ADD COLUMN sent_at timestamptz,
    ADD COLUMN comments_until date;

-- The secretariat may publish a meeting's decision list before its
-- minutes are approved.
ALTER TABLE meeting ADD COLUMN decisions_published_at timestamptz;

-- One section of the minutes per agenda item: the summary of the
-- discussion. The decision itself stays on the item (outcome, decision
-- text).
CREATE TABLE minutes_section (
    agenda_item_id bigint PRIMARY KEY REFERENCES agenda_item ON DELETE CASCADE,
    meeting_id     bigint NOT NULL REFERENCES meeting ON DELETE CASCADE,
    summary        text NOT NULL DEFAULT '',
    version        integer NOT NULL DEFAULT 1,
    modified_by    bigint REFERENCES account,
    modified_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX minutes_section_meeting ON minutes_section (meeting_id);

-- Approved minutes are not edited: they are corrected, and each correction
-- keeps who, when, why and the old text (as mandates are corrected).
CREATE TABLE minutes_correction (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    meeting_id     bigint NOT NULL REFERENCES meeting ON DELETE CASCADE,
    -- NULL: the general part
    agenda_item_id bigint REFERENCES agenda_item ON DELETE CASCADE,
    field          text NOT NULL CHECK (field IN ('general', 'summary', 'decision')),
    old_text       text NOT NULL,
    new_text       text NOT NULL,
    reason         text NOT NULL CHECK (length(trim(reason)) > 0),
    account_id     bigint REFERENCES account,
    at             timestamptz NOT NULL DEFAULT now(),
    CHECK ((field = 'general') = (agenda_item_id IS NULL))
);
CREATE INDEX minutes_correction_meeting ON minutes_correction (meeting_id, at);

-- A member who does not take part in the discussion of an item, and why.
CREATE TABLE conflict_of_interest (
    agenda_item_id bigint NOT NULL REFERENCES agenda_item ON DELETE CASCADE,
    person_id      bigint NOT NULL REFERENCES person,
    reason         text NOT NULL CHECK (length(trim(reason)) > 0),
    declared_by    bigint REFERENCES account,
    declared_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (agenda_item_id, person_id)
);

CREATE TRIGGER notify_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON minutes_section FOR EACH STATEMENT EXECUTE FUNCTION notify_change();
CREATE TRIGGER notify_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON minutes_correction FOR EACH STATEMENT EXECUTE FUNCTION notify_change();
CREATE TRIGGER notify_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON conflict_of_interest FOR EACH STATEMENT EXECUTE FUNCTION notify_change();

-- Minutes: the secretariat in any state; the members of the body once
-- sent for comments or approved.
CREATE OR REPLACE FUNCTION minutes_visible(r reader, m meeting, status minutes_status)
RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT (r).reads_all
        OR (status IN ('sent', 'approved') AND meeting_internals_visible(r, m))
$$;

-- The decision on an agenda item (its outcome and decision text) wherever
-- it is shown: the secretariat always; whoever may see the item, once the
-- meeting's minutes are approved or its decision list was published; the
-- members of the body already once the minutes are sent for comments.
-- `m` is the item's meeting, `status` its minutes' (NULL: none yet).
CREATE FUNCTION decision_visible(r reader, a agenda_item, m meeting, status minutes_status)
RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT coalesce((r).reads_all, false)
        OR coalesce(
               agenda_item_visible(r, a, (m.starts_at AT TIME ZONE 'Europe/Brussels')::date)
               AND (status = 'approved'
                    OR m.decisions_published_at IS NOT NULL
                    OR (status = 'sent' AND meeting_internals_visible(r, m))),
               false)
$$;

-- A declared conflict of interest: where its item is seen.
-- (The declaration shows with the item; no function of its own.)

-- Search: the decision text is matched only where the decision may be
-- seen, so it gets a vector of its own; the item's vector keeps title and
-- explanation.
ALTER TABLE agenda_item DROP COLUMN search;
ALTER TABLE agenda_item ADD COLUMN search tsvector GENERATED ALWAYS AS (
    to_tsvector('dutch'::regconfig, title || ' ' || explanation)
) STORED;
CREATE INDEX agenda_item_search ON agenda_item USING gin (search);
ALTER TABLE agenda_item ADD COLUMN search_decision tsvector GENERATED ALWAYS AS (
    to_tsvector('dutch'::regconfig, coalesce(decision_text, ''))
) STORED;
CREATE INDEX agenda_item_search_decision ON agenda_item USING gin (search_decision);

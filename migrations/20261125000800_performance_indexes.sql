-- Indexes for the pages measured by scripts/bench.sh (see docs/performance.md).

-- The action-line tree is walked from parent to children (and deleting a
-- line cascades to its children): without this, every step of the
-- recursive query scanned all action lines of all agreements.
CREATE INDEX action_line_parent ON action_line (parent_id);

-- The meeting page lists a meeting's reschedules.
CREATE INDEX meeting_reschedule_meeting ON meeting_reschedule (meeting_id);

-- The documents of a meeting's agenda items (the meeting page) and of a
-- meeting: without these, every meeting page scanned all documents.
CREATE INDEX document_agenda_item ON document (agenda_item_id);
CREATE INDEX document_meeting ON document (meeting_id);

-- Does an organisation (or a minister) sit in a body on either of two days?
-- By a named mandate, or by a seat rule of the body for its side or for the
-- organisation itself (the working group's seats are not named). A function,
-- so that the meeting page can ask it inside its one query and the other
-- pages on their own (src/meetings/queries.rs).
-- PL/pgSQL, not SQL: PostgreSQL does not inline this function into the
-- calling query, and a SQL function's plan lives only as long as the query
-- that calls it (planned anew on every page); PL/pgSQL keeps its plans for
-- the connection.
CREATE FUNCTION sits_in(body bigint, org bigint, minister bigint, on_day date, or_on_day date)
RETURNS boolean LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN EXISTS (
               SELECT 1 FROM membership m
               WHERE m.body_id = body
                 AND (daterange(m.valid_from, m.valid_until, '[]') @> on_day
                      OR daterange(m.valid_from, m.valid_until, '[]') @> or_on_day)
                 AND (m.organisation_id = org OR m.person_id = minister))
        OR EXISTS (
               SELECT 1 FROM seat_rule r LEFT JOIN organisation o ON o.id = org
               WHERE r.body_id = body
                 AND (r.organisation_id = org
                      OR (r.organisation_id IS NULL AND r.side = 'social_partners'
                          AND o.kind IN ('employers', 'trade_union'))
                      OR (r.side = 'government' AND o.kind = 'government')));
END;
$$;

-- The cold path (issue 20): what pages cost PostgreSQL when they are read
-- from the database, measured on the generated 20-year history
-- (docs/performance.md, "Profile").

-- Who sits in a body on a date: a B-tree on when a mandate ends, then when
-- it starts. The GiST index on the period took 60 µs for a date in 2015 and
-- 300 µs for today (every open-ended mandate overlaps today, and GiST visits
-- them all); this one takes about 20 µs for any date: the scan starts at the
-- first mandate that ends on or after the date and checks the start inside
-- the index. An open end is 'infinity', so the same index also answers the
-- last day before a date on which someone held a mandate (a backward scan).
CREATE INDEX membership_body_until ON membership
    (body_id, (coalesce(valid_until, 'infinity'::date)), valid_from)
    WHERE superseded_at IS NULL;

-- The badge on the work menu, asked on every page of the secretariat. As a
-- SQL function with a sub-select it could not be inlined, and PostgreSQL
-- planned its body anew at every call (about 150 µs, more than most pages'
-- own queries); PL/pgSQL keeps the plan for the connection. Same rule.
CREATE OR REPLACE FUNCTION work_waiting(r reader)
RETURNS bigint LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF (r).reads_all THEN
        RETURN (SELECT count(*) FROM agenda_item WHERE status IN ('submitted', 'in_review'));
    END IF;
    RETURN 0;
END;
$$;

-- The calendar's list of years: read from this index one year at a time
-- (src/meetings/queries.rs `years`) instead of every meeting.
CREATE INDEX meeting_year ON meeting
    ((extract(year FROM starts_at AT TIME ZONE 'Europe/Brussels')::int));

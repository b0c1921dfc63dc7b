-- How many things wait for a reader, for the badge on the work menu: for
-- the secretariat the proposals to review. One rule, used by the menu and
-- matching the start page's list (src/work/queries.rs `to_review`).
CREATE FUNCTION work_waiting(r reader)
RETURNS bigint LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN (r).reads_all
                THEN (SELECT count(*) FROM agenda_item WHERE status IN ('submitted', 'in_review'))
                ELSE 0 END
$$;

-- The badge on the work menu, read with every signed-in session's account
-- (src/auth/mod.rs `waiting_column!`). As PL/pgSQL (migration …1400) it kept
-- its plan, but each call still started the function's own executor: 35 µs
-- of PostgreSQL's execution for the session's read, 18 of them for the
-- badge, under load (pg_stat_statements, docs/performance.md "Session 13").
-- A set-returning SQL function of one SELECT is inlined into the query that
-- reads it and planned with it, once per connection (as every statement of
-- vesoc); the count itself is an index-only scan. Same rule: the proposals
-- to review count for a reader who reads all, nothing counts for others.
DROP FUNCTION work_waiting(reader);

CREATE FUNCTION work_waiting(r reader)
RETURNS TABLE (n bigint) LANGUAGE sql STABLE AS $$
    SELECT count(*) FROM agenda_item
    WHERE (r).reads_all AND status IN ('submitted', 'in_review')
$$;

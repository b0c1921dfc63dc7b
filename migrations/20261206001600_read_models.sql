-- Read models (src/cache/stored.rs): what a public page shows, built from
-- the tables once per change of the tables it reads and kept here, so that
-- any instance, also a fresh one or one without memory caches, serves the
-- page with one indexed read instead of the page's queries.
--
-- When is a stored model stale? Every write transaction leaves one row per
-- table it changed in `table_change_log` (the statement trigger that
-- already notifies `vesoc_changed`), keyed by its transaction: no two
-- transactions ever touch the same row, so writers never wait on each other
-- or deadlock here. The *change count* of a set of tables (their rows in
-- the log plus what was folded into `table_change_count`) grows with every
-- committed write to any of them, whatever order transactions commit in.
-- A model keeps the count it was built from, read before its build began:
-- a write committed meanwhile makes the count larger, so the model is
-- never taken for fresh after a change it may have missed.

CREATE TABLE table_change_log (
    table_name text NOT NULL,
    xact xid8 NOT NULL,
    PRIMARY KEY (table_name, xact)
);

-- The log folded per table (`fold_table_changes`, run by the jobs every
-- minute): the sum over both never goes down.
CREATE TABLE table_change_count (
    table_name text PRIMARY KEY,
    changes bigint NOT NULL
);

-- Derived data only: rebuilt from the tables whenever missing, so it is
-- neither written to the WAL nor kept after a crash.
CREATE UNLOGGED TABLE read_model (
    kind text NOT NULL,
    key text NOT NULL,
    -- The days the model holds for (a composition is the same from one
    -- change of its mandates to the next); other kinds hold for all days.
    valid_from date NOT NULL DEFAULT '-infinity',
    valid_until date NOT NULL DEFAULT 'infinity',
    -- The binary that wrote it: another build may read it differently.
    built_by text NOT NULL,
    -- The change count of the kind's tables when its build began.
    built_from bigint NOT NULL,
    -- For models that also depend on the clock (an embargo ending).
    expires_at timestamptz,
    built_at timestamptz NOT NULL DEFAULT now(),
    -- lz4, not pglz: a page's model is read far more often than written,
    -- and lz4 unpacks some times faster.
    body bytea COMPRESSION lz4 NOT NULL,
    PRIMARY KEY (kind, key, valid_from)
);

-- When the next embargo ends: a model that depends on the clock is kept no
-- longer. The owner's rights: a model's build is checked to read only its
-- kind's tables (tests/it/read_models.rs), and this is the store's read.
CREATE FUNCTION next_embargo_end() RETURNS timestamptz
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT min(embargo_until) FROM agenda_item WHERE embargo_until > now()
$$;

-- Folds the committed log into the counts, in one transaction (the sum
-- stays the same). Only the jobs call it, so the counts' rows are only
-- ever locked here.
CREATE FUNCTION fold_table_changes() RETURNS bigint
LANGUAGE sql AS $$
    WITH gone AS (
        DELETE FROM table_change_log RETURNING table_name
    ), per_table AS (
        SELECT table_name, count(*) AS n FROM gone GROUP BY table_name
    ), folded AS (
        INSERT INTO table_change_count (table_name, changes)
        SELECT table_name, n FROM per_table ORDER BY table_name
        ON CONFLICT (table_name) DO UPDATE
            SET changes = table_change_count.changes + EXCLUDED.changes
        RETURNING 1
    )
    SELECT count(*) FROM folded
$$;

CREATE OR REPLACE FUNCTION notify_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('vesoc_changed', TG_TABLE_NAME);
    INSERT INTO table_change_log (table_name, xact)
    VALUES (TG_TABLE_NAME, pg_current_xact_id())
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END;
$$;

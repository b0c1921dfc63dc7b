-- Read models (src/cache/stored.rs): what a public page shows, built from
-- the tables once per change of the tables it reads and kept here, so that
-- any instance, also a fresh one or one without memory caches, serves the
-- page with one indexed read instead of the page's queries.
--
-- When is a stored model stale? Every write transaction leaves one row per
-- table it changed in `table_change` (the statement trigger that already
-- notifies `vesoc_changed`), keyed by its transaction: no two transactions
-- ever touch the same row, so writers never wait on each other or deadlock
-- here. The *change count* of a set of tables, the sum of their rows' `n`,
-- grows with every committed write to any of them, whatever order
-- transactions commit in. A model keeps the count it was built from, read
-- before its build began: a write committed meanwhile makes the count
-- larger, so the model is never taken for fresh after a change it may have
-- missed.

CREATE TABLE table_change (
    table_name text NOT NULL,
    -- The writing transaction; NULL for a row that folds earlier ones
    -- (`fold_table_changes`).
    xact xid8,
    n bigint NOT NULL DEFAULT 1,
    UNIQUE (table_name, xact)
);

-- Derived data only: rebuilt from the tables whenever missing, so it is
-- neither written to the WAL nor kept after a crash. A model of a few KB
-- stays in its row (compressed), not in the TOAST table: one lookup less
-- per read.
CREATE UNLOGGED TABLE read_model (
    kind text NOT NULL,
    key text NOT NULL,
    -- The days the model holds for (a composition is the same from one
    -- change of its mandates to the next); other kinds hold for all days.
    valid_from date NOT NULL,
    valid_until date NOT NULL,
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
) WITH (toast_tuple_target = 8160);

-- The newest first, per kind: what a bounded kind keeps (searches).
CREATE INDEX read_model_built ON read_model (kind, built_at DESC);

-- When the next embargo ends: a model that depends on the clock is kept no
-- longer. The owner's rights: a model's build is checked to read only its
-- kind's tables (tests/it/read_models.rs), and this is the store's read.
CREATE FUNCTION next_embargo_end() RETURNS timestamptz
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT min(embargo_until) FROM agenda_item WHERE embargo_until > now()
$$;

-- Folds the committed rows of each table into one, in one transaction (the
-- sums stay the same), so that the table stays small. Only the jobs call
-- it; the folded rows (xact NULL) are only ever written here.
CREATE FUNCTION fold_table_changes() RETURNS bigint
LANGUAGE sql AS $$
    WITH gone AS (
        DELETE FROM table_change RETURNING table_name, n
    ), folded AS (
        INSERT INTO table_change (table_name, xact, n)
        SELECT table_name, NULL, sum(n) FROM gone GROUP BY table_name ORDER BY table_name
        RETURNING 1
    )
    SELECT count(*) FROM folded
$$;

CREATE OR REPLACE FUNCTION notify_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('vesoc_changed', TG_TABLE_NAME);
    INSERT INTO table_change (table_name, xact)
    VALUES (TG_TABLE_NAME, pg_current_xact_id())
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END;
$$;

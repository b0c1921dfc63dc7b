-- A read model's freshness check (src/cache/stored.rs) summed the rows of
-- `table_change` whose table was in the kind's list, bound as an array of
-- names: PostgreSQL walked that array for every row, a third of a stored
-- page's lookup (~8 µs of its CPU per page read back, pgbench). Each
-- watched table now has a bit, every row of `table_change` carries its
-- table's, and a kind asks with the mask of its tables: one AND per row.
--
-- Never stale: a write's row counts for every kind whose mask shares its
-- bit. Past 63 tables two share a bit (`id % 63`), which only makes a
-- write to one count for kinds that read the other too: a model rebuilt
-- for nothing, never one kept too long. A table with the `notify_change`
-- trigger that is not listed here counts for every kind (mask -1), and the
-- test `every_table_notifies_its_changes` fails until it is.

CREATE TABLE watched_table (
    id smallint PRIMARY KEY GENERATED ALWAYS AS IDENTITY,
    name text NOT NULL UNIQUE,
    mask bigint NOT NULL GENERATED ALWAYS AS (1::bigint << ((id - 1) % 63)) STORED
);

INSERT INTO watched_table (name)
SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
WHERE t.tgname = 'notify_change'
ORDER BY c.relname;

ALTER TABLE table_change ADD COLUMN mask bigint;
UPDATE table_change c SET mask = coalesce(
    (SELECT w.mask FROM watched_table w WHERE w.name = c.table_name), -1);
ALTER TABLE table_change ALTER COLUMN mask SET NOT NULL;

CREATE OR REPLACE FUNCTION notify_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('vesoc_changed', TG_TABLE_NAME);
    INSERT INTO table_change (table_name, xact, mask)
    VALUES (TG_TABLE_NAME, pg_current_xact_id(),
            coalesce((SELECT mask FROM watched_table WHERE name = TG_TABLE_NAME), -1))
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION fold_table_changes() RETURNS bigint
LANGUAGE sql AS $$
    WITH gone AS (
        DELETE FROM table_change RETURNING table_name, mask, n
    ), folded AS (
        INSERT INTO table_change (table_name, xact, mask, n)
        SELECT table_name, NULL, mask, sum(n) FROM gone
        GROUP BY table_name, mask ORDER BY table_name
        RETURNING 1
    )
    SELECT count(*) FROM folded
$$;

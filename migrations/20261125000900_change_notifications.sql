-- Every change to what pages show notifies the channel `vesoc_changed`, on
-- commit; every vesoc instance listens and empties its page cache
-- (src/cache.rs). One notification per statement, not per row, and
-- PostgreSQL folds identical notifications of one transaction into one.
--
-- All tables of the schema get the trigger but those whose rows no page
-- shows (logs, throttling, secrets). A table added later needs the trigger
-- too: the test `every_table_notifies_its_changes` fails until it has it.

CREATE FUNCTION notify_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('vesoc_changed', TG_TABLE_NAME);
    RETURN NULL;
END;
$$;

DO $$
DECLARE
    t text;
BEGIN
    FOR t IN
        SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind = 'r'
          AND c.relname NOT IN ('_sqlx_migrations', 'audit_log', 'login_attempt',
                                'one_time_token', 'calendar_token', 'account_totp',
                                'recovery_code')
    LOOP
        EXECUTE format('CREATE TRIGGER notify_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
                        ON %I FOR EACH STATEMENT EXECUTE FUNCTION notify_change()', t);
    END LOOP;
END;
$$;

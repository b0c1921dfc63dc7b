-- Instances keep sessions, accounts and page data in memory (src/cache/).
-- For that, two more kinds of change must be told:
--
-- * A session that is changed or ended (sign-out, expiry, a new CSRF token)
--   notifies `vesoc_session` with its id, so that every instance forgets its
--   copy. One notification per row: the payload is the row's id. A new
--   session notifies nothing: no instance can hold a copy of it yet.
-- * The second factor of an account is part of who the signed-in user is
--   (pages ask for it when a role requires it), so `account_totp` notifies
--   `vesoc_changed` like the tables pages show.

CREATE FUNCTION notify_session_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('vesoc_session', OLD.id);
    RETURN NULL;
END;
$$;

CREATE TRIGGER notify_session_change AFTER UPDATE OR DELETE ON tower_sessions.session
    FOR EACH ROW EXECUTE FUNCTION notify_session_change();

CREATE FUNCTION notify_session_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- No ids to tell: an empty payload means "forget every session".
    PERFORM pg_notify('vesoc_session', '');
    RETURN NULL;
END;
$$;

CREATE TRIGGER notify_session_truncate AFTER TRUNCATE ON tower_sessions.session
    FOR EACH STATEMENT EXECUTE FUNCTION notify_session_truncate();

CREATE TRIGGER notify_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON account_totp FOR EACH STATEMENT EXECUTE FUNCTION notify_change();

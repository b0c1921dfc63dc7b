-- The outbox: every message vesoc sends is first a row, written in the
-- transaction of the change that causes it (if that rolls back, nothing is
-- sent). A sender task in every instance claims due rows with
-- FOR UPDATE SKIP LOCKED, sends them and marks them sent; temporary failures
-- are retried later, permanent ones are marked failed with the server's
-- answer. No page shows these rows to the public, so the table has no
-- `notify_change` trigger: writing a message does not empty the page caches.

CREATE TYPE mail_status AS ENUM ('pending', 'sent', 'failed');

CREATE TABLE mail_message (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- what kind of message: 'test', 'convocation', 'password_link', ...
    kind             text NOT NULL CHECK (kind ~ '^[a-z_]+$'),
    recipient        text NOT NULL CHECK (recipient ~ '^[^@\s]+@[^@\s]+$'),
    recipient_name   text NOT NULL DEFAULT '' CHECK (recipient_name !~ '[\r\n]'),
    subject          text NOT NULL CHECK (length(trim(subject)) > 0 AND subject !~ '[\r\n]'),
    body_text        text NOT NULL,
    body_html        text,
    -- an iCalendar invitation (text/calendar) with its METHOD
    calendar         text,
    calendar_method  text CHECK (calendar_method IN ('REQUEST', 'CANCEL')),
    -- stable across retries and instances: receivers can tell a repeat
    message_id       text NOT NULL UNIQUE,
    status           mail_status NOT NULL DEFAULT 'pending',
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    last_error       text,
    -- where it was kept when no SMTP server is configured
    stored_as        text,
    created_by       bigint REFERENCES account,
    created_at       timestamptz NOT NULL DEFAULT now(),
    sent_at          timestamptz,
    CHECK ((calendar IS NULL) = (calendar_method IS NULL)),
    CHECK ((status = 'sent') = (sent_at IS NOT NULL))
);
CREATE INDEX mail_message_due ON mail_message (next_attempt_at) WHERE status = 'pending';
CREATE INDEX mail_message_created ON mail_message (created_at DESC, id DESC);

-- Wakes the senders on commit.
CREATE FUNCTION notify_mail() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('vesoc_mail', '');
    RETURN NULL;
END;
$$;

CREATE TRIGGER notify_mail AFTER INSERT OR UPDATE OF next_attempt_at ON mail_message
    FOR EACH STATEMENT EXECUTE FUNCTION notify_mail();

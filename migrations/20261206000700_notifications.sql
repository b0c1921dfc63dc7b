-- Notifications: every message that is not a convocation can be had at
-- once, in a daily digest, or not at all (per mailbox and kind), and
-- carries a one-click unsubscribe (RFC 8058). Reminders before a meeting
-- and before its proposal deadline are sent by a job, once per date.
--
-- None of these tables is read by a cached page: no `notify_change`
-- trigger, so writing them does not empty the page caches.

CREATE TYPE notification_kind AS ENUM (
    'proposal_decision', 'minutes_approved', 'meeting_reminder', 'deadline_reminder'
);
CREATE TYPE mail_delivery AS ENUM ('immediately', 'daily', 'never');

-- What a mailbox wants of each kind; no row: immediately. Keyed by the
-- address, so that an invitee without an account can unsubscribe too.
CREATE TABLE mail_preference (
    address     text NOT NULL CHECK (address = lower(address) AND address ~ '^[^@\s]+@[^@\s]+$'),
    kind        notification_kind NOT NULL,
    delivery    mail_delivery NOT NULL,
    modified_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (address, kind)
);

-- Notifications waiting for the daily digest of their mailbox; `message_id`
-- is the digest they went out in.
CREATE TABLE mail_digest_entry (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    address        text NOT NULL CHECK (address = lower(address)),
    recipient_name text NOT NULL DEFAULT '' CHECK (recipient_name !~ '[\r\n]'),
    kind           notification_kind NOT NULL,
    subject        text NOT NULL CHECK (subject !~ '[\r\n]'),
    body_text      text NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    message_id     bigint REFERENCES mail_message
);
CREATE INDEX mail_digest_entry_waiting ON mail_digest_entry (created_at, id) WHERE message_id IS NULL;

-- A notification's one-click unsubscribe: the link's token is kept hashed,
-- the address it goes in the header (`List-Unsubscribe`). `kind` of a
-- digest is 'digest'.
ALTER TABLE mail_message
    ADD COLUMN unsubscribe_hash bytea UNIQUE CHECK (length(unsubscribe_hash) = 32),
    ADD COLUMN list_unsubscribe text CHECK (list_unsubscribe ~ '^https?://[^\s<>]+$'),
    ADD CONSTRAINT mail_message_unsubscribe
        CHECK ((unsubscribe_hash IS NULL) = (list_unsubscribe IS NULL));

-- How many working days before a meeting (and before its proposal
-- deadline) the reminders go out; 0: none.
ALTER TABLE body
    ADD COLUMN reminder_days integer NOT NULL DEFAULT 3 CHECK (reminder_days BETWEEN 0 AND 20);

-- Until when proposals for a meeting are expected (Brussels time on screen).
ALTER TABLE meeting
    ADD COLUMN proposal_deadline timestamptz,
    ADD CONSTRAINT meeting_proposal_deadline
        CHECK (proposal_deadline IS NULL OR proposal_deadline < starts_at);

-- What was sent for a meeting, for which date: a convocation for a start
-- time, a reminder for that start time, a deadline reminder for that
-- deadline. The primary key makes each reminder go out once, whatever the
-- number of instances.
CREATE TABLE meeting_mailing (
    meeting_id bigint NOT NULL REFERENCES meeting ON DELETE CASCADE,
    kind       text NOT NULL CHECK (kind IN ('convocation', 'reminder', 'deadline_reminder')),
    for_time   timestamptz NOT NULL,
    sent_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (meeting_id, kind, for_time)
);

-- The reader an account is, as `auth::Reader` builds it for a signed-in
-- user: the mail channel asks the same visibility rules as the pages.
CREATE FUNCTION account_reader(a account, today date)
RETURNS reader LANGUAGE sql IMMUTABLE AS $$
    SELECT ROW(a.role = 'secretariat', true, a.organisation_id, a.minister_id, today)::reader
$$;

-- Each instance's cache asks for the next release time of a confidential
-- item (`embargo_until`), to read its pages again at that moment.
CREATE INDEX agenda_item_release ON agenda_item (embargo_until) WHERE embargo_until IS NOT NULL;

-- Meetings convened before this migration: their convocation went out by
-- hand, on their last change (so that their reminder can come due).
INSERT INTO meeting_mailing (meeting_id, kind, for_time, sent_at)
SELECT id, 'convocation', starts_at, modified_at FROM meeting WHERE status = 'convened';
